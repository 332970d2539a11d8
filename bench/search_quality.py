"""Search quality on real data: recall@10 and MRR per language, on SQLite and PostgreSQL.

    uv run python -m bench.search_quality                 # both stores
    uv run python -m bench.search_quality --backends sqlite

The relevance set is built here, at run time, from ``../shared/data`` (nothing of the
internal-only corpora is stored in the repository):

* ``itn``: the Wikipedia "In the news" blurbs (en, ru, uk, fa, ar), one article each.
  The query is the story's subject as that edition names it (``title``), each word
  put in another grammatical case where the language inflects (Russian, Ukrainian:
  ``Хорватія`` -> ``Хорватії``, ``Карім Бензема`` -> ``Каріма Бенземи``); the relevant
  articles are every blurb of the same story (``event_id``) in that edition.
* ``cross``: the same stories searched in the other Cyrillic edition with the
  subject as the reader's own language writes it (a Russian ``Зеленского`` in the
  Ukrainian edition, and the reverse).
* ``known-item``: for each article of the news corpora (BBC News Summary en, corus
  ru, BRUK uk), the three rarest words of its headline, each inflected (another case;
  English: singular <-> plural), must find that article.
* ``spelling``: headline queries whose names are respelt the ways transliteration
  varies (``Zelensky`` / ``Zelenskiy`` / ``Zelenskyy``, ``-ii``/``-y``), the same target.

Each query is run in its edition (``service=``), as a reader of that edition runs it.
"""

from __future__ import annotations

import argparse
import math
import re
import sys
import tempfile
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson

REPO = Path(__file__).resolve().parent.parent
SHARED_DATA = REPO.parent / "shared" / "data"
CORPORA = {
    "itn": SHARED_DATA / "itn-corpus" / "itn-corpus.jsonl",
    "bbc": SHARED_DATA / "bbc-news-summary" / "bbc-news-summary.jsonl",
    "corus": SHARED_DATA / "corus-ru-news-samples" / "corus-ru-news-samples.jsonl",
    "bruk": SHARED_DATA / "bruk-press-uk" / "bruk-press-uk.jsonl",
}
LANGUAGES = ("en", "ru", "uk", "fa", "ar")
SERVICE_NAMES = {"en": "English", "ru": "Русский", "uk": "Українська", "fa": "فارسی", "ar": "عربي"}
DIRECTION = {"fa": "rtl", "ar": "rtl"}
DEPTH = 10
_WORD = re.compile(r"[^\W\d_][\w'’-]*")
_CASES = ("gent", "datv", "loct", "ablt")


def available() -> bool:
    return all(path.is_file() for path in CORPORA.values())


@dataclass
class Judged:
    language: str
    kind: str
    q: str
    service: str
    relevant: set[str]


@dataclass
class RelevanceSet:
    articles: dict[str, list[dict[str, Any]]] = field(default_factory=dict)  # by service
    queries: list[Judged] = field(default_factory=list)

    def bundles(self, size: int = 500) -> Iterator[dict[str, Any]]:
        services = [
            {
                "code": code,
                "name": SERVICE_NAMES[code],
                "language": code,
                "direction": DIRECTION.get(code, "ltr"),
                "timezone": "UTC",
            }
            for code in LANGUAGES
        ]
        everything = [item for items in self.articles.values() for item in items]
        for start in range(0, len(everything), size):
            yield {"services": services, "articles": everything[start : start + size]}


def _read(path: Path) -> list[dict[str, Any]]:
    with path.open("rb") as handle:
        return [orjson.loads(line) for line in handle if line.strip()]


def _headline(text: str, limit: int = 120) -> str:
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    return text[:limit].rsplit(" ", 1)[0]


def _article(uri: str, service: str, headline: str, body: str, day: int) -> dict[str, Any]:
    paragraphs = [part.strip() for part in body.split("\n") if part.strip()] or [headline]
    return {
        "uri": uri,
        "service": service,
        "headline": headline,
        "body": [{"type": "paragraph", "text": part[:20_000]} for part in paragraphs[:60]],
        # Spread over a year, so that recency plays its usual part.
        "published_at": time.strftime(
            "%Y-%m-%dT%H:%M:%SZ", time.gmtime(1_735_689_600 + (day % 365) * 86_400)
        ),
    }


class _Inflector:
    """Another grammatical form of a word, by pymorphy3 (Russian, Ukrainian) or a
    plural/singular rule (English); other languages keep the word."""

    def __init__(self) -> None:
        import pymorphy3

        self.morph = {code: pymorphy3.MorphAnalyzer(lang=code) for code in ("ru", "uk")}

    def word(self, word: str, language: str, salt: int) -> str:
        if language == "en":
            return _english_number(word)
        morph = self.morph.get(language)
        if morph is None or not word[:1].isalpha():
            return word
        parses = morph.parse(word)
        if not parses:
            return word
        parse = parses[0]
        if parse.tag.POS not in ("NOUN", "ADJF") or parse.tag.case is None:
            return word
        for case in _CASES[salt % len(_CASES) :] + _CASES[: salt % len(_CASES)]:
            if case == parse.tag.case:
                continue
            inflected = parse.inflect({case})
            if inflected is not None and inflected.word != word.lower():
                form = str(inflected.word)
                return form.capitalize() if word[:1].isupper() else form
        return word

    def phrase(self, text: str, language: str, salt: int) -> str:
        return " ".join(self.word(word, language, salt + n) for n, word in enumerate(text.split()))


def _english_number(word: str) -> str:
    """Singular <-> plural of a lower-case English noun-like word; others kept."""
    if not word.isalpha() or not word.islower() or len(word) < 4:
        return word
    if word.endswith(("ing", "ed", "ly", "ss", "us", "is", "al", "ian", "ic", "ese", "ish")):
        return word
    if word.endswith("ies"):
        return word[:-3] + "y"
    if word.endswith(("ches", "shes", "sses", "xes", "zes")):
        return word[:-2]
    if word.endswith("s"):
        return word[:-1]
    if word.endswith("y") and word[-2] not in "aeiou":
        return word[:-1] + "ies"
    if word.endswith(("ch", "sh", "x", "z")):
        return word + "es"
    return word + "s"


_RESPELL = (
    (re.compile(r"yy$"), "iy"),
    (re.compile(r"iy$"), "yy"),
    (re.compile(r"ii$"), "y"),
    (re.compile(r"ij$"), "iy"),
    (re.compile(r"(?<=[^aeiouy])y$"), "iy"),
)


def respell(word: str) -> str | None:
    """A transliteration variant of a Latin name (``Zelensky`` -> ``Zelenskiy``)."""
    if len(word) < 5 or not word[:1].isupper() or not word.isascii():
        return None
    for pattern, replacement in _RESPELL:
        changed = pattern.sub(replacement, word)
        if changed != word:
            return changed
    return None


def _used(word: str, text_words: set[str], language: str) -> bool:
    """Whether a form of the word (not a derived word) occurs in the text."""
    word = word.lower()
    if language == "en" or language not in ("ru", "uk"):
        return bool({word, word + "s", word + "es", word.removesuffix("s")} & text_words)
    stem = word[: max(3, len(word) - 2)]
    return any(other.startswith(stem) and abs(len(other) - len(word)) <= 2 for other in text_words)


def _subject_words(
    records: list[dict[str, Any]], frequency: Counter[str], language: str
) -> list[str]:
    """The words of a story's subject that its blurbs use (a reader types those),
    the two rarest: "2022 FIFA World Cup Final" -> "FIFA Final"."""
    text_words = {w.lower() for record in records for w in _WORD.findall(record["body"])}
    words = []
    for word in _WORD.findall(records[0]["title"].split("(")[0]):
        word = word.strip("'’-")
        if len(word) >= 3 and _used(word, text_words, language):
            words.append(word)
    ranked = sorted(dict.fromkeys(words), key=lambda word: (frequency[word.lower()], word))
    return ranked[:2]


def _rare_words(title: str, frequency: Counter[str], stop: frozenset[str]) -> list[str]:
    words = [word.strip("'’-") for word in _WORD.findall(title)]
    words = [word for word in words if len(word) >= 4 and word.lower() not in stop]
    ranked = sorted(dict.fromkeys(words), key=lambda word: (frequency[word.lower()], word))
    return ranked[:3]


def build(news_limit: int | None = None) -> RelevanceSet:
    """The articles (copies of every record) and the judged queries; with
    ``news_limit``, only that many records of each news corpus (a quicker set)."""
    from app.kit.analysis import _stopwords

    inflector = _Inflector()
    found = RelevanceSet(articles=defaultdict(list))
    # ITN: one article per blurb; stories by event.
    by_event: dict[tuple[str, str], list[dict[str, Any]]] = defaultdict(list)
    for n, record in enumerate(_read(CORPORA["itn"])):
        language = record["language"]
        if language not in LANGUAGES:
            continue
        uri = f"quality:{record['id']}"
        found.articles[language].append(
            _article(uri, language, _headline(record["body"]), record["body"], n)
        )
        by_event[(language, record["event_id"])].append({**record, "uri": uri})
    itn_frequency: Counter[str] = Counter()
    for records in by_event.values():
        for record in records:
            itn_frequency.update({w.lower() for w in _WORD.findall(record["body"])})
    for (language, event), records in sorted(by_event.items()):
        words = _subject_words(records, itn_frequency, language)
        if not words:
            continue
        relevant = {record["uri"] for record in records}
        query = inflector.phrase(" ".join(words), language, len(found.queries))
        found.queries.append(Judged(language, "itn", query, language, relevant))
        if language in ("ru", "uk"):
            other = "uk" if language == "ru" else "ru"
            targets = by_event.get((other, event))
            if targets:
                found.queries.append(
                    Judged(language, "cross", query, other, {t["uri"] for t in targets})
                )
    # Known items: news corpora, one article per record, duplicates left out.
    for name, language in (("bbc", "en"), ("corus", "ru"), ("bruk", "uk")):
        records = [r for r in _read(CORPORA[name]) if not r.get("duplicate_of")][:news_limit]
        frequency: Counter[str] = Counter()
        for record in records:
            frequency.update({w.lower() for w in _WORD.findall(record["title"])})
        stop = _stopwords(language)
        for n, record in enumerate(records):
            uri = f"quality:{record['id']}"
            title = _headline(record["title"], 300)
            found.articles[language].append(_article(uri, language, title, record["body"], n))
            words = _rare_words(title, frequency, stop)
            if len(words) < 2:
                continue
            query = " ".join(inflector.word(word, language, n + i) for i, word in enumerate(words))
            found.queries.append(Judged(language, "known-item", query, language, {uri}))
            variants = [respell(word) for word in words]
            if any(variants):
                respelt = " ".join(v or w for v, w in zip(variants, words, strict=True))
                found.queries.append(Judged(language, "spelling", respelt, language, {uri}))
    # ITN subjects with names that transliteration spells several ways.
    for query in list(found.queries):
        if query.kind == "itn" and query.language == "en":
            words = query.q.split()
            variants = [respell(word) for word in words]
            if any(variants):
                respelt = " ".join(v or w for v, w in zip(variants, words, strict=True))
                found.queries.append(Judged("en", "spelling", respelt, "en", query.relevant))
    return found


@dataclass
class Score:
    queries: int = 0
    recall: float = 0.0
    reciprocal: float = 0.0

    def add(self, ranked: list[str], relevant: set[str]) -> None:
        self.queries += 1
        top = ranked[:DEPTH]
        self.recall += len(relevant.intersection(top)) / min(len(relevant), DEPTH)
        for rank, uri in enumerate(top, 1):
            if uri in relevant:
                self.reciprocal += 1 / rank
                break

    @property
    def recall_at_10(self) -> float:
        return self.recall / self.queries if self.queries else math.nan

    @property
    def mrr(self) -> float:
        return self.reciprocal / self.queries if self.queries else math.nan


def evaluate(
    relevance: RelevanceSet, search: Callable[[str, str], list[str]]
) -> dict[str, dict[str, Score]]:
    """Scores by language and by kind of query (``all`` for every kind)."""
    scores: dict[str, dict[str, Score]] = defaultdict(lambda: defaultdict(Score))
    for judged in relevance.queries:
        ranked = search(judged.q, judged.service)
        scores[judged.language][judged.kind].add(ranked, judged.relevant)
        scores[judged.language]["all"].add(ranked, judged.relevant)
    return scores


def http_search(client: Any, uris: dict[int, str]) -> Callable[[str, str], list[str]]:
    """Search through the API (an httpx-like client), answering article uris."""

    def search(q: str, service: str) -> list[str]:
        response = client.get(
            "/v1/search", params={"q": q, "service": service, "type": "article", "limit": DEPTH}
        )
        if response.status_code != 200:
            raise AssertionError(f"{q!r}: {response.status_code} {response.text[:200]}")
        return [uris[item["id"]] for item in response.json()["items"]]

    return search


def load(sessions: Any, relevance: RelevanceSet) -> dict[int, str]:
    """Store the articles through the real import path; their ids by uri."""
    from sqlalchemy import select

    from app.imports.bundle import load_bundle
    from app.models import Article

    for bundle in relevance.bundles():
        with sessions.begin() as session:
            load_bundle(session, bundle)
    with sessions() as session:
        return {
            article_id: uri
            for article_id, uri in session.execute(
                select(Article.id, Article.uri).where(Article.uri.like("quality:%"))
            )
        }


def table(results: dict[str, dict[str, dict[str, Score]]]) -> str:
    lines = [
        "| store | language | queries | recall@10 | MRR | by kind (recall@10 / MRR) |",
        "| --- | --- | ---: | ---: | ---: | --- |",
    ]
    for backend, scores in results.items():
        for language in LANGUAGES:
            kinds = scores.get(language)
            if not kinds:
                continue
            overall = kinds["all"]
            detail = ", ".join(
                f"{kind} {score.queries}: {score.recall_at_10:.2f} / {score.mrr:.2f}"
                for kind, score in sorted(kinds.items())
                if kind != "all"
            )
            lines.append(
                f"| {backend} | {language} | {overall.queries} | {overall.recall_at_10:.3f} "
                f"| {overall.mrr:.3f} | {detail} |"
            )
    return "\n".join(lines)


def run_backend(database_url: str, relevance: RelevanceSet) -> dict[str, dict[str, Score]]:
    from fastapi.testclient import TestClient

    from app import migrate
    from app.config import Settings
    from app.db import make_engine, make_sessionmaker
    from app.main import create_app

    migrate.upgrade(database_url)
    engine = make_engine(database_url)
    try:
        uris = load(make_sessionmaker(engine), relevance)
    finally:
        engine.dispose()
    with TestClient(create_app(Settings(database_url=database_url))) as client:
        return evaluate(relevance, http_search(client, uris))


def measure(
    backends: list[str], news_limit: int | None = None
) -> dict[str, dict[str, dict[str, Score]]]:
    """Scores on each store, each in a database of its own (PostgreSQL: a throwaway
    cluster, as the tests start it)."""
    relevance = build(news_limit)
    results: dict[str, dict[str, dict[str, Score]]] = {}
    for backend in backends:
        if backend == "sqlite":
            with tempfile.TemporaryDirectory(prefix="masthead-quality-") as folder:
                results[backend] = run_backend(f"sqlite:///{folder}/quality.db", relevance)
        else:
            sys.path.insert(0, str(REPO / "tests"))
            from pgcluster import throwaway_postgres  # type: ignore[import-not-found]

            with throwaway_postgres() as url:
                results[backend] = run_backend(url, relevance)
    return results


def as_json(results: dict[str, dict[str, dict[str, Score]]]) -> dict[str, Any]:
    return {
        backend: {
            language: {
                kind: {"queries": s.queries, "recall_at_10": s.recall_at_10, "mrr": s.mrr}
                for kind, s in kinds.items()
            }
            for language, kinds in scores.items()
        }
        for backend, scores in results.items()
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument(
        "--news-limit", type=int, help="records of each news corpus (all by default)"
    )
    options = parser.parse_args(argv)
    if not available():
        print(f"search quality: the corpora are not in {SHARED_DATA}", file=sys.stderr)
        return 1
    started = time.monotonic()
    results = measure(options.backends.split(","), options.news_limit)
    print(f"# Search quality ({time.monotonic() - started:.0f} s)\n")
    print(table(results))
    stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
    out = REPO / "bench" / "results" / f"search-quality-{stamp}.json"
    out.write_bytes(orjson.dumps(as_json(results), option=orjson.OPT_INDENT_2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
