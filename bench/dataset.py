"""The benchmark's data set: N articles copied from the real corpora in ../shared/data.

Each article is a copy of a real record (headline, body, summary where the corpus has
one) under a new uri, slug and date. Output is JSONL: the first line is the seed bundle
(app/demo/data/seed.json, which also defines the services), every further line one
self-contained bundle of up to ``BATCH`` articles with the sections, tags, authors and
videos they reference. Dates are spread over the last two years, a few in the last 48 h.
"""

from __future__ import annotations

import hashlib
import random
import re
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import orjson

from app.articles.editorial import slug_from

REPO = Path(__file__).resolve().parent.parent
SHARED_DATA = REPO.parent / "shared" / "data"
SEED_BUNDLE = REPO / "app" / "demo" / "data" / "seed.json"
CORPORA = {
    "bbc": SHARED_DATA / "bbc-news-summary" / "bbc-news-summary.jsonl",
    "bruk": SHARED_DATA / "bruk-press-uk" / "bruk-press-uk.jsonl",
    "corus": SHARED_DATA / "corus-ru-news-samples" / "corus-ru-news-samples.jsonl",
    "itn": SHARED_DATA / "itn-corpus" / "itn-corpus.jsonl",
}
# Bump when the generated content changes, so cached data sets and databases are rebuilt.
GENERATOR_VERSION = 3
SEED = 20250906
BATCH = 500
MAX_AGE = timedelta(hours=24)  # "the last 48 hours" must stay true for a cached data set
SPAN = timedelta(days=730)
SERVICE_SHARE = {"en": 0.40, "ru": 0.22, "uk": 0.22, "fa": 0.08, "ar": 0.08}
# Share of full articles (as opposed to one-sentence ITN blurbs) where a service has both.
LONG_SHARE = 0.8
WORLD_SECTION = {"en": "World", "ru": "В мире", "uk": "Світ", "fa": "جهان", "ar": "العالم"}
NEWS_SECTION = {"ru": "Новости", "uk": "Новини"}
BLOCKED = {"en": ["RU", "BY"], "ru": ["UA"], "uk": ["RU", "BY"], "fa": ["IR"], "ar": ["SY"]}
SEARCH_LANGUAGES = ("en", "ru", "uk")
SEARCH_TERMS = 200
_WORD = re.compile(r"[^\W\d_]{5,}")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")
_STOPWORDS_TEXT = """about after again against among because before being between could during first
their there these those under until where which while would years other still since
people should shows said says year over also more than into were with
этого который которые также после может более будет были было если чтобы только между
через которая когда свою своих всего этом этой того году года время
також після може більше буде були було якщо тільки через коли своїх всього цього
цієї який яка які року роки році час щодо навіть"""
STOPWORDS = frozenset(_STOPWORDS_TEXT.split())


@dataclass
class Template:
    """A real record, prepared once; articles are copies of it."""

    source_id: str
    service: str
    headline: str
    body: list[dict[str, Any]]
    section: str
    tags: list[str]
    authors: list[str] = field(default_factory=list)
    summary: list[str] | None = None
    lead_image: dict[str, Any] | None = None
    slug_base: str = ""
    long: bool = True


@dataclass
class Pool:
    service: str
    long: list[Template] = field(default_factory=list)
    short: list[Template] = field(default_factory=list)
    sections: dict[str, str] = field(default_factory=dict)  # slug -> name
    tags: dict[str, str] = field(default_factory=dict)
    vocabulary: list[str] = field(default_factory=list)  # tag slugs to fill up with


@dataclass
class Dataset:
    path: Path
    manifest: dict[str, Any]

    @property
    def articles(self) -> int:
        return int(self.manifest["articles"])

    @property
    def search_terms(self) -> list[str]:
        return list(self.manifest["search_terms"])


def _read_jsonl(path: Path) -> Iterator[dict[str, Any]]:
    with path.open("rb") as handle:
        for line in handle:
            if line.strip():
                yield orjson.loads(line)


def _slug(name: str) -> str:
    return slug_from(name)[:80].strip("-") or "x"


def _paragraphs(text: str) -> list[dict[str, Any]]:
    return [
        {"type": "paragraph", "text": part.strip()} for part in text.split("\n") if part.strip()
    ]


def _first_sentence(text: str, limit: int = 300) -> str:
    first = _SENTENCE_END.split(text.strip(), maxsplit=1)[0]
    return first if len(first) <= limit else first[: limit - 1].rsplit(" ", 1)[0] + "…"


def _add_term(terms: dict[str, str], name: str) -> str:
    slug = _slug(name)
    terms.setdefault(slug, name.strip()[:200])
    return slug


def _build_pools(rng: random.Random) -> tuple[dict[str, Pool], list[str]]:
    pools = {code: Pool(code) for code in SERVICE_SHARE}
    itn = [r for r in _read_jsonl(CORPORA["itn"]) if r["language"] in pools and r["body"]]
    # ITN keywords ("Finland", "Бенедикт XVI") are the tag vocabulary of each language.
    keywords: dict[str, dict[str, str]] = {code: {} for code in pools}
    for record in itn:
        name = record["title"].strip()
        if name:
            keywords[record["language"]].setdefault(name, _slug(name))
    for code, pool in pools.items():
        for name in keywords[code]:
            pool.vocabulary.append(_add_term(pool.tags, name))

    def matched_keywords(code: str, text: str) -> list[str]:
        return [slug for name, slug in keywords[code].items() if len(name) >= 4 and name in text]

    def fill_tags(code: str, tags: list[str]) -> list[str]:
        wanted = rng.randint(2, 4)
        unique = list(dict.fromkeys(tags))[:wanted]
        while len(unique) < wanted:
            candidate = rng.choice(pools[code].vocabulary)
            if candidate not in unique:
                unique.append(candidate)
        return unique

    for record in _read_jsonl(CORPORA["bbc"]):
        if record.get("duplicate_of"):
            continue
        pool = pools["en"]
        section = _add_term(pool.sections, record["tags"][0].capitalize())
        text = f"{record['title']}\n{record['body']}"
        tags = [_add_term(pool.tags, record["tags"][0].capitalize())]
        tags += matched_keywords("en", text)
        sentences = [s for s in record["summary"].split("\n") if s.strip()]
        pool.long.append(
            Template(
                source_id=record["id"],
                service="en",
                headline=record["title"],
                body=_paragraphs(record["body"]),
                section=section,
                tags=fill_tags("en", tags),
                summary=sentences[: rng.randint(1, 3)] or None,
            )
        )
    for record in _read_jsonl(CORPORA["corus"]):
        pool = pools["ru"]
        rubrics = [t for t in record.get("tags") or [] if re.search("[а-яА-Я]", t)]
        section = _add_term(pool.sections, rubrics[0] if rubrics else NEWS_SECTION["ru"])
        tags = [_add_term(pool.tags, t) for t in rubrics[1:]]
        tags += matched_keywords("ru", f"{record['title']}\n{record['body']}")
        pool.long.append(
            Template(
                source_id=record["id"],
                service="ru",
                headline=record["title"][:1].upper() + record["title"][1:],
                body=_paragraphs(record["body"]),
                section=section,
                tags=fill_tags("ru", tags),
            )
        )
    authors: dict[str, str] = {}
    for record in _read_jsonl(CORPORA["bruk"]):
        pool = pools["uk"]
        section = _add_term(pool.sections, record.get("publ_place") or NEWS_SECTION["uk"])
        tags = [_add_term(pool.tags, record["outlet"])] if record.get("outlet") else []
        tags += matched_keywords("uk", f"{record['title']}\n{record['body']}")
        pool.long.append(
            Template(
                source_id=record["id"],
                service="uk",
                headline=record["title"],
                body=_paragraphs(record["body"]),
                section=section,
                tags=fill_tags("uk", tags),
                authors=[_add_term(authors, name) for name in record.get("authors") or []],
            )
        )
    for record in itn:
        code = record["language"]
        pool = pools[code]
        section = _add_term(pool.sections, WORLD_SECTION[code])
        tags = [keywords[code][record["title"].strip()]] if record["title"].strip() else []
        pool.short.append(
            Template(
                source_id=record["id"],
                service=code,
                headline=record["body"][:1000],
                body=_paragraphs(record["body"]),
                section=section,
                tags=fill_tags(code, tags),
                long=False,
            )
        )
    for pool in pools.values():
        for template in [*pool.long, *pool.short]:
            template.slug_base = slug_from(template.headline)[:100].strip("-") or "article"
            if template.long:
                template.lead_image = {
                    "url": f"https://media.example.org/bench/{template.source_id}.jpg",
                    "width": 1200,
                    "height": 675,
                    "caption": _first_sentence(template.headline, 200),
                    "credit": "Masthead bench",
                    "alt": _first_sentence(template.headline, 200),
                }
    return pools, [f"{slug}\t{name}" for slug, name in authors.items()]


def _search_terms(pools: dict[str, Pool], rng: random.Random) -> list[str]:
    """200 real query terms: ITN keywords and frequent headline words in en, ru and uk."""
    per_language = SEARCH_TERMS // len(SEARCH_LANGUAGES)
    terms: list[str] = []
    for index, code in enumerate(SEARCH_LANGUAGES):
        pool = pools[code]
        want = per_language + (1 if index < SEARCH_TERMS % len(SEARCH_LANGUAGES) else 0)
        counts: Counter[str] = Counter()
        for template in pool.long:
            counts.update(
                w.lower() for w in _WORD.findall(template.headline) if w.lower() not in STOPWORDS
            )
        words = [word for word, _ in counts.most_common(want)]
        names = sorted(
            {pool.tags[slug] for slug in pool.vocabulary if 3 <= len(pool.tags[slug]) <= 30}
        )
        rng.shuffle(names)
        chosen = list(dict.fromkeys([*words[: want // 2], *names]))[:want]
        terms.extend(chosen)
    return terms


def _iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


class _Builder:
    def __init__(self, pools: dict[str, Pool], authors: list[str], now: datetime) -> None:
        self.pools = pools
        self.authors = dict(line.split("\t", 1) for line in authors)
        self.now = now
        self.rng = random.Random(SEED + 1)
        self.cursors: dict[tuple[str, bool], int] = {}
        self.video_seq = 0
        self.by_service: Counter[str] = Counter()
        self.orders = {
            key: self.rng.sample(range(len(templates)), len(templates))
            for code, pool in pools.items()
            for key, templates in (((code, True), pool.long), ((code, False), pool.short))
        }

    def _template(self, code: str) -> Template:
        pool = self.pools[code]
        long = bool(pool.long) and (not pool.short or self.rng.random() < LONG_SHARE)
        templates = pool.long if long else pool.short
        key = (code, long)
        position = self.cursors.get(key, 0)
        self.cursors[key] = position + 1
        order = self.orders[key]
        return templates[order[position % len(order)]]

    def _date(self, recent: bool) -> datetime:
        span = timedelta(hours=47) if recent else SPAN
        return self.now - timedelta(seconds=self.rng.uniform(60, span.total_seconds()))

    def _video(self, code: str, bundle_terms: _Terms) -> dict[str, Any]:
        self.video_seq += 1
        source = self._template(code)
        uri = f"urn:masthead:bench:video:{self.video_seq}"
        base = f"https://media.example.org/bench/video/{self.video_seq}"
        roll = self.rng.random()
        availability: dict[str, Any] = {}
        if roll < 0.15:
            availability["countries_blocked"] = BLOCKED[code]
        elif roll < 0.18:
            availability["countries_allowed"] = ["US", "GB", "DE", "CZ"]
        elif roll < 0.20:
            availability["available_until"] = _iso(self.now - timedelta(days=3))
        text = " ".join(block["text"] for block in source.body)
        bundle_terms.section(code, source.section)
        tags = source.tags[: self.rng.randint(1, 2)]
        for tag in tags:
            bundle_terms.tag(code, tag)
        renditions = [
            {"url": f"{base}/{h}p.mp4", "mime_type": "video/mp4", "width": w, "height": h}
            | {"bitrate": b}
            for w, h, b in ((1920, 1080, 5_000_000), (1280, 720, 2_500_000), (640, 360, 800_000))
        ]
        renditions.append(
            {"url": f"{base}/master.m3u8", "mime_type": "application/vnd.apple.mpegurl"}
        )
        return {
            "uri": uri,
            "service": code,
            "title": source.headline[:300],
            "description": _first_sentence(text),
            "duration": self.rng.randint(30, 900),
            "thumbnail": {"url": f"{base}/thumb.jpg", "width": 1280, "height": 720},
            "renditions": renditions,
            "captions": [{"language": code, "url": f"{base}/captions.{code}.vtt"}],
            "availability": availability,
            "published_at": _iso(self._date(recent=False)),
            "section": source.section,
            "tags": tags,
        }

    def batch(self, first: int, count: int, recent: set[int]) -> dict[str, Any]:
        terms = _Terms(self.pools)
        codes = list(SERVICE_SHARE)
        weights = list(SERVICE_SHARE.values())
        services = self.rng.choices(codes, weights, k=count)
        self.by_service.update(services)
        videos: dict[str, list[dict[str, Any]]] = {}
        for code, n in Counter(services).items():
            videos[code] = [self._video(code, terms) for _ in range(max(3, round(n / 10)))]
        articles = []
        for offset, code in enumerate(services):
            number = first + offset
            template = self._template(code)
            published = self._date(number in recent)
            related = [v["uri"] for v in self.rng.sample(videos[code], 3)]
            body = list(template.body)
            if template.long and len(body) > 2 and number % 3 == 0:
                body.insert(2, {"type": "video", "video_uri": related[0]})
            article: dict[str, Any] = {
                "uri": f"urn:masthead:bench:article:{number}",
                "service": code,
                "slug": f"{template.slug_base}-{number}",
                "headline": template.headline,
                "body": body,
                "section": template.section,
                "tags": template.tags,
                "authors": template.authors,
                "urgency": self.rng.randint(3, 7),
                "published_at": _iso(published),
                "related_videos": related,
            }
            if template.summary:
                article["summary"] = template.summary
            if template.lead_image:
                article["lead_image"] = template.lead_image
            if number in recent and self.rng.random() < 0.3:
                article["kicker"] = "Breaking News"
                article["urgency"] = 1
                article["breaking_until"] = _iso(self.now + timedelta(days=2))
            terms.section(code, template.section)
            for tag in template.tags:
                terms.tag(code, tag)
            for author in template.authors:
                terms.authors[author] = self.authors[author]
            articles.append(article)
        return {
            "sections": terms.listed("sections"),
            "tags": terms.listed("tags"),
            "authors": [{"slug": s, "name": n} for s, n in sorted(terms.authors.items())],
            "videos": [video for group in videos.values() for video in group],
            "articles": articles,
        }


class _Terms:
    """The taxonomy one bundle references."""

    def __init__(self, pools: dict[str, Pool]) -> None:
        self.pools = pools
        self.sections: dict[tuple[str, str], str] = {}
        self.tags: dict[tuple[str, str], str] = {}
        self.authors: dict[str, str] = {}

    def section(self, code: str, slug: str) -> None:
        self.sections[(code, slug)] = self.pools[code].sections[slug]

    def tag(self, code: str, slug: str) -> None:
        self.tags[(code, slug)] = self.pools[code].tags[slug]

    def listed(self, kind: str) -> list[dict[str, str]]:
        found: dict[tuple[str, str], str] = getattr(self, kind)
        return [{"service": c, "slug": s, "name": n} for (c, s), n in sorted(found.items())]


def _inputs_key(articles: int) -> str:
    digest = hashlib.sha256(f"{GENERATOR_VERSION}:{articles}:{BATCH}".encode())
    for path in [SEED_BUNDLE, *CORPORA.values()]:
        stat = path.stat()
        digest.update(f"{path}:{stat.st_size}:{stat.st_mtime_ns}".encode())
    return digest.hexdigest()[:16]


def build_dataset(articles: int, cache: Path, log: Any = print) -> Dataset:
    """Write (or reuse, if fresh) the JSONL data set of ``articles`` articles plus the seed."""
    folder = cache / "data" / f"articles-{articles}"
    path = folder / "dataset.jsonl"
    manifest_path = folder / "manifest.json"
    key = _inputs_key(articles)
    if manifest_path.exists() and path.exists():
        manifest = orjson.loads(manifest_path.read_bytes())
        age = time.time() - float(manifest.get("built_at", 0))
        if manifest.get("key") == key and age < MAX_AGE.total_seconds():
            articles_found = manifest["articles"]
            log(f"data set: reusing {path} ({articles_found:,} articles, {age / 3600:.1f} h old)")
            return Dataset(path, manifest)
    started = time.monotonic()
    folder.mkdir(parents=True, exist_ok=True)
    rng = random.Random(SEED)
    pools, authors = _build_pools(rng)
    now = datetime.now(UTC).replace(microsecond=0)
    builder = _Builder(pools, authors, now)
    recent_count = max(10, articles // 500)
    recent = set(
        random.Random(SEED + 2).sample(range(1, articles + 1), min(recent_count, articles))
    )
    seed = orjson.loads(SEED_BUNDLE.read_bytes())
    lines = 1
    videos = 0
    partial = path.with_suffix(".jsonl.part")
    with partial.open("wb") as out:
        out.write(orjson.dumps(seed) + b"\n")
        for first in range(1, articles + 1, BATCH):
            bundle = builder.batch(first, min(BATCH, articles - first + 1), recent)
            videos += len(bundle["videos"])
            out.write(orjson.dumps(bundle) + b"\n")
            lines += 1
    partial.replace(path)
    manifest = {
        "key": key,
        "built_at": time.time(),
        "now": _iso(now),
        # The seed article counts: it is among the N the spec asks for, loaded first.
        "articles": articles + len(seed["articles"]),
        "generated_articles": articles,
        "videos": videos + len(seed["videos"]),
        "lines": lines,
        "bytes": path.stat().st_size,
        "search_terms": _search_terms(pools, random.Random(SEED + 3)),
        "tags": {code: len(pool.tags) for code, pool in pools.items()},
        "sections": {code: len(pool.sections) for code, pool in pools.items()},
        "templates": {code: [len(p.long), len(p.short)] for code, p in pools.items()},
        "services": dict(builder.by_service),
    }
    manifest_path.write_bytes(orjson.dumps(manifest, option=orjson.OPT_INDENT_2))
    log(
        f"data set: built {path} in {time.monotonic() - started:.1f} s "
        f"({articles:,} articles + seed, {videos:,} videos, {lines} lines, "
        f"{manifest['bytes'] / 1e6:.0f} MB)"
    )
    return Dataset(path, manifest)
