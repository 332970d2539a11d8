"""Index documents: what search stores of an article or a video, built when it changes.

``index_articles`` and ``index_videos`` are called by the read model right after it
renders, in the same transaction, so the index never lags behind what readers see.
An article is indexed while it is published or scheduled (the visibility instant
is stored and compared at query time, as everywhere); anything else leaves the
index. Videos are public as they are listed, so every video is indexed.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from functools import lru_cache
from typing import Any, NamedTuple, cast

import orjson
from sqlalchemy import Table, bindparam, delete, insert, select
from sqlalchemy.orm import Session

from app.kit.analysis import analyze_paragraphs, analyze_text, analyzer, fold, normalize, words
from app.kit.sanitize import text_of
from app.models import Article, ArticleRender, SearchDocument, Service, Video, VideoRender

#: Body terms indexed per document; a longer body is searched by its beginning.
MAX_BODY_TERMS = 6_000
#: Characters of the body kept for highlights (after the headline and summary).
SNIPPET_BODY = 1_200
#: Body terms of the ranking vector (see ``rank_vector``): the lede.
RANK_BODY_TERMS = 40
# PostgreSQL keeps positions 1-16383 and 256 positions a lexeme.
_MAX_POSITION = 16_383
_MAX_POSITIONS = 256
# A word as readers see it, stress marks, Arabic vowel marks and ZWNJ included, and
# apostrophes inside it. Written as runs of word characters rather than one character
# at a time: highlighting scans every hit's snippet with it, and this is twice as fast.
_WORD_CHARS = "[\\w\u0300-\u036f\u0483-\u0489\u064b-\u065f\u0670\u0640\u200c\u200d]*"
_SURFACE = re.compile(f"[^\\W_]{_WORD_CHARS}(?:['’ʼ‘`ʹ][^\\W_]{_WORD_CHARS})*")
FOLD_PREFIX = "~"
NO_TERM = "-"
D = SearchDocument.__table__.c


def article_doc_id(article_id: int) -> int:
    return 2 * article_id


def video_doc_id(video_id: int) -> int:
    return 2 * video_id + 1


def _body_texts(blocks: list[dict[str, Any]]) -> list[str]:
    texts: list[str] = []
    for block in blocks:
        kind = block.get("type")
        if kind in ("paragraph", "heading", "quote"):
            texts.append(text_of(block.get("text", "")))
        elif kind == "list":
            texts.extend(text_of(item) for item in block.get("items", []))
        elif kind == "image":
            texts.extend(block.get(key) or "" for key in ("caption", "alt"))
    return [text for text in texts if text]


def snippet_terms(text: str, language: str) -> str:
    """The term of each word of ``text`` (as ``_SURFACE`` finds them), space-separated:
    ``-`` for a stop word, ``a+b`` for a word that analysis splits."""
    entry = _entry_function(analyzer(language))
    return " ".join(map(entry, _SURFACE.findall(text)))


@lru_cache(maxsize=64)
def _entry_function(term: Callable[[str], str | None]) -> Callable[[str], str]:
    @lru_cache(maxsize=100_000)
    def entry(surface: str) -> str:
        found = [value for value in map(term, words_of(surface)) if value]
        return "+".join(found) if found else NO_TERM

    return entry


def words_of(surface: str) -> list[str]:
    return [match.group() for match in words(normalize(surface))]


def surface_words(text: str) -> Iterator[re.Match[str]]:
    return _SURFACE.finditer(text)


def surface_words_of(text: str) -> list[str]:
    return _SURFACE.findall(text)


_MAX_PLACE = str(_MAX_POSITION)


def _vector(fields: Sequence[list[str]], folds: Sequence[list[str]] | None = None) -> str:
    """The ``tsvector`` literal of the fields (weights A, B, C), with each term's fold
    key beside it at the same position (weight D), so that phrases work on both.
    ``folds`` are the fields' fold keys when they are at hand already."""
    if folds is None:
        folds = [list(map(fold, terms)) for terms in fields]
    positions: dict[str, list[str]] = {}
    get = positions.get
    start = 1
    for weight, terms, keys in zip("ABC", fields, folds, strict=True):
        end = start + len(terms)
        places = [str(n) for n in range(start, min(end, _MAX_POSITION + 1))]
        places.extend(_MAX_PLACE for _ in range(len(terms) - len(places)))
        for term, key, place in zip(terms, keys, places, strict=True):
            # Lexemes keep the order in which they first appear, terms before their folds.
            found = get(term)
            if found is None:
                positions[term] = [place + weight]
            else:
                found.append(place + weight)
            lexeme = FOLD_PREFIX + key
            found = get(lexeme)
            if found is None:
                positions[lexeme] = [place]
            else:
                found.append(place)
        # A gap, so that a phrase never spans two fields.
        start = end + 1
    return " ".join(
        f"'{lexeme}':{','.join(places[:_MAX_POSITIONS])}" for lexeme, places in positions.items()
    )


def rank_vector(fields: Sequence[list[str]], folds: Sequence[list[str]]) -> str:
    """The ``tsvector`` PostgreSQL ranks matches by: the headline, the summary and the
    lede of the full vector, at the same positions. It stays small enough to be kept
    in the row, where ranking reads it directly; the full vector, stored out of line
    and compressed, would have to be fetched and unpacked for every match ranked."""
    headline, summary, body = fields
    headline_folds, summary_folds, body_folds = folds
    return _vector(
        [headline, summary, body[:RANK_BODY_TERMS]],
        [headline_folds, summary_folds, body_folds[:RANK_BODY_TERMS]],
    )


def document_row(
    *,
    doc_id: int,
    kind: str,
    item_id: int,
    service: str,
    language: str,
    section_id: int | None,
    public_from: int,
    published_ts: int,
    breaking_until: int | None,
    withheld_in: str,
    headline: str,
    summary: list[str],
    body: list[str],
    backend: str,
    shown_summary: list[str] | None = None,
    stored: Mapping[int, StoredBody] | None = None,
) -> dict[str, Any]:
    """The row of one document. ``shown_summary`` is the part of the summary a
    highlight may quote (generated key points repeat the body: left out there).
    ``stored`` holds documents' body terms as indexed before: the body is analysed
    again only when its text or language changed since."""
    summary_text = "\n".join(part for part in summary if part)
    body_text = "\n".join(body)
    body_from = body_key(language, body)
    found = None if stored is None else stored.get(doc_id)
    if found is not None and found.key == body_from:
        body_terms = found.terms.split(" ") if found.terms else []
        body_folds = found.folds.split(" ") if found.folds else []
    else:
        body_terms = analyze_paragraphs(body, language)[:MAX_BODY_TERMS]
        body_folds = list(map(fold, body_terms))
    fields = [
        list(analyze_text(headline, language)),
        list(analyze_text(summary_text, language)),
        body_terms,
    ]
    folds = [list(map(fold, terms)) for terms in fields[:2]] + [body_folds]
    body_start = body_text[:SNIPPET_BODY]
    if len(body_start) == SNIPPET_BODY and " " in body_start:
        body_start = body_start.rsplit(" ", 1)[0]
    shown = summary if shown_summary is None else shown_summary
    snippet = "\n".join((headline, *(part for part in shown if part), body_start))
    return {
        "doc_id": doc_id,
        "kind": kind,
        "article_id": item_id if kind == "article" else None,
        "video_id": item_id if kind == "video" else None,
        "service": service,
        "language": language,
        "section_id": section_id,
        "public_from": public_from,
        "published_ts": published_ts,
        "breaking_until": breaking_until,
        "withheld_in": withheld_in,
        "headline": " ".join(fields[0]),
        "summary": " ".join(fields[1]),
        "body": " ".join(fields[2]),
        "headline_folds": " ".join(folds[0]),
        "summary_folds": " ".join(folds[1]),
        "body_folds": " ".join(folds[2]),
        "snippet": snippet,
        "snippet_terms": snippet_terms(snippet, language),
        "vector": _vector(fields, folds) if backend == "postgresql" else None,
        "rank_vector": rank_vector(fields, folds) if backend == "postgresql" else None,
        "body_from": body_from,
    }


class StoredBody(NamedTuple):
    """A document's body as indexed: the key of its text, its terms and fold keys."""

    key: str
    terms: str
    folds: str


def body_key(language: str, body: list[str]) -> str:
    """A digest of what a document's body terms are analysed from."""
    return hashlib.blake2b(orjson.dumps([language, body]), digest_size=16).hexdigest()


_STORED_BODIES = select(D.doc_id, D.body_from, D.body, D.body_folds).where(
    D.doc_id.in_(bindparam("ids", expanding=True)), D.body_from.is_not(None)
)


def stored_bodies(session: Session, doc_ids: Sequence[int]) -> dict[int, StoredBody]:
    """The documents' bodies as indexed now, for ``document_row``."""
    rows = session.connection().execute(_STORED_BODIES, {"ids": list(doc_ids)})
    return {doc_id: StoredBody(key, terms, folds) for doc_id, key, terms, folds in rows}


def index_articles(session: Session, article_ids: Iterable[int]) -> None:
    """Bring the index of these articles in line with their stored renderings."""
    ids = sorted(set(article_ids))
    if not ids:
        return
    backend = session.get_bind().dialect.name
    stored = stored_bodies(session, [article_doc_id(i) for i in ids])
    rows = []
    for found in articles_to_index(session, ids):
        (article_id, headline, dek, body, visible_from, published_ts) = found[:6]
        breaking_until, withheld_in, service, language, section_id, summary_json = found[6:]
        if visible_from is None:
            continue
        summary = orjson.loads(summary_json) if summary_json else None
        rows.append(
            document_row(
                doc_id=article_doc_id(article_id),
                kind="article",
                item_id=article_id,
                service=service,
                language=language,
                section_id=section_id,
                public_from=visible_from,
                published_ts=published_ts,
                breaking_until=breaking_until,
                withheld_in=withheld_in,
                headline=headline,
                summary=[dek or "", *(summary["bullets"] if summary else [])],
                body=_body_texts(body or []),
                backend=backend,
                shown_summary=[
                    dek or "",
                    *(summary["bullets"] if summary and summary["source"] == "editorial" else []),
                ],
                stored=stored,
            )
        )
    replace_documents(session, [article_doc_id(i) for i in ids], rows)


def index_videos(session: Session, video_ids: Iterable[int]) -> None:
    """Bring the index of these videos in line with the store."""
    ids = sorted(set(video_ids))
    if not ids:
        return
    backend = session.get_bind().dialect.name
    stored = stored_bodies(session, [video_doc_id(i) for i in ids])
    rows = []
    for found in videos_to_index(session, ids):
        video_id, title, description, transcript = found[:4]
        service, language, section_id, published_ts = found[4:]
        rows.append(
            document_row(
                doc_id=video_doc_id(video_id),
                kind="video",
                item_id=video_id,
                service=service,
                language=language,
                section_id=section_id,
                public_from=0,
                published_ts=published_ts,
                breaking_until=None,
                withheld_in="",
                headline=title,
                summary=[description or ""],
                body=[transcript] if transcript else [],
                backend=backend,
                stored=stored,
            )
        )
    replace_documents(session, [video_doc_id(i) for i in ids], rows)


R = ArticleRender.__table__.c
V = VideoRender.__table__.c


def articles_to_index(session: Session, ids: Sequence[int]) -> list[tuple[Any, ...]]:
    """Each article's text with the stored facts of its rendering (same transaction)."""
    rows = session.execute(
        select(
            Article.id,
            Article.headline,
            Article.dek,
            Article.body,
            R.public_from,
            R.published_ts,
            R.breaking_until,
            R.withheld_in,
            R.service,
            R.language,
            R.section_id,
            R.summary,
        )
        .join(ArticleRender, ArticleRender.article_id == Article.id)
        .where(Article.id.in_(ids))
    )
    return [tuple(row) for row in rows]


def videos_to_index(session: Session, ids: Sequence[int]) -> list[tuple[Any, ...]]:
    rows = session.execute(
        select(
            Video.id,
            Video.title,
            Video.description,
            Video.transcript,
            V.service,
            Service.language,
            Video.section_id,
            V.published_ts,
        )
        .join(VideoRender, VideoRender.video_id == Video.id)
        .join(Service, Service.id == Video.service_id)
        .where(Video.id.in_(ids))
    )
    return [tuple(row) for row in rows]


def replace_documents(
    session: Session, doc_ids: Sequence[int], rows: Sequence[dict[str, Any]]
) -> None:
    """Drop these documents from the index and store the given ones (SQLite's FTS5
    table follows through its triggers)."""
    session.execute(delete(SearchDocument).where(SearchDocument.doc_id.in_(doc_ids)))
    if rows:
        session.execute(insert(cast(Table, SearchDocument.__table__)), list(rows))
