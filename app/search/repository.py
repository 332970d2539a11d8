"""All SQL of search: reading the index on both stores (the read model keeps it)."""

from __future__ import annotations

import asyncio
import sqlite3
import threading
from collections.abc import Mapping
from functools import lru_cache
from typing import Any

import orjson
from sqlalchemy import (
    BigInteger,
    Float,
    Select,
    and_,
    bindparam,
    cast,
    column,
    exists,
    func,
    literal_column,
    or_,
    select,
    table,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY, TSQUERY

from app.models import (
    ArticleAuthor,
    ArticleRender,
    ArticleTag,
    Author,
    SearchDocument,
    Section,
    Service,
    Tag,
    VideoRender,
    VideoTag,
)
from app.readstore import Query, ReadStore, Row

D = SearchDocument.__table__.c
R = ArticleRender.__table__.c
V = VideoRender.__table__.c

# Reading ---------------------------------------------------------------------


SERVICE_LANGUAGE = Query(select(Service.language).where(Service.code == bindparam("code")))

# An article's visibility (as article reads check it) and its indexed terms.
RELATED_SOURCE = Query(
    select(
        R.public_from,
        R.withheld_in,
        R.updated_ts,
        R.service,
        R.section_id,
        R.published_ts,
        D.headline,
        D.summary,
        D.body,
    )
    .select_from(ArticleRender)
    .outerjoin(SearchDocument, D.article_id == R.article_id)
    .where(R.article_id == bindparam("id"))
)

SOURCE_TAGS = Query(select(ArticleTag.tag_id).where(ArticleTag.article_id == bindparam("id")))

_OTHER = ArticleTag.__table__.alias("other")
# The newest articles of a tag, from the (tag, article) index alone; visibility is
# checked on the candidates.
TAGGED = Query(
    select(_OTHER.c.article_id)
    .where(_OTHER.c.tag_id == bindparam("tag"))
    .order_by(_OTHER.c.article_id.desc())
    .limit(bindparam("limit"))
)


def _id_table(backend: str) -> Any:
    """The ids of the parameter ``ids`` (see ``id_list``) as a table of ``value``s."""
    if backend == "sqlite":
        return func.json_each(bindparam("ids")).table_valued("value")
    ids = func.unnest(cast(bindparam("ids"), ARRAY(BigInteger))).table_valued("value")
    return ids.render_derived(name="ids")


def id_list(backend: str, ids: list[int]) -> Any:
    """The ``ids`` parameter of a statement made with ``_id_table``."""
    return orjson.dumps(ids).decode() if backend == "sqlite" else ids


#: Characters of a candidate's body terms compared with the article: its lede. Whole
#: bodies would cost more to read and to compare than everything else together.
RELATED_BODY_CHARS = 1_500


@lru_cache(maxsize=4)
def related_candidates(backend: str) -> Query:
    """The public articles among the ``ids``, with their service, how many tags each
    shares with the article ``id`` and their indexed terms (to compare them; of the
    body, its lede). The service is not a condition here: the store would then walk
    the service's articles rather than find the few asked for by key."""
    shared = (
        select(func.count())
        .where(
            ArticleTag.article_id == R.article_id,
            ArticleTag.tag_id.in_(
                select(_OTHER.c.tag_id).where(_OTHER.c.article_id == bindparam("id"))
            ),
        )
        .scalar_subquery()
    )
    ids = _id_table(backend)
    return Query(
        select(
            R.article_id,
            R.service,
            shared,
            R.section_id,
            R.published_ts,
            D.headline,
            D.summary,
            func.substr(D.body, 1, RELATED_BODY_CHARS),
            R.breaking_until,
            R.teaser,
            R.updated_ts,
        )
        # From the ids: the store finds each by its key.
        .select_from(ids)
        .join(ArticleRender, R.article_id == ids.c.value)
        .join(SearchDocument, D.doc_id == R.article_id * 2)
        .where(
            R.public_from <= bindparam("now", type_=BigInteger),
            R.withheld_in.not_like(bindparam("withheld_pattern")),
        )
    )


DAY_MS = 86_400_000
# Recency: a hit's relevance is multiplied by 0.4 + 0.6 / (1 + age / 14 days), so a
# story of today counts fully, one of two weeks 0.7, one of a year about 0.42.
RECENCY_FLOOR = 0.4
RECENCY_DAYS = 14
# FTS5 column weights: headline, summary, body, and their fold keys at 30 %.
FTS_WEIGHTS = (10.0, 4.0, 1.5, 3.0, 1.2, 0.45)
# ts_rank weights {D, C, B, A}: fold keys, body, summary, headline.
TS_WEIGHTS = "{0.1, 0.2, 0.4, 1.0}"
FTS = table("search_fts", column("rowid"))
#: SQLite: an index holding every column the filters read, beside the document.
FACTS_INDEX = "ix_search_documents_facts"


def _recency(backend: str, published: Any = D.published_ts) -> Any:
    age = published - bindparam("now", type_=BigInteger)
    greatest = func.max if backend == "sqlite" else func.greatest
    days = cast(greatest(-age, 0), Float) / float(RECENCY_DAYS * DAY_MS)
    return RECENCY_FLOOR + (1.0 - RECENCY_FLOOR) / (1.0 + days)


def _relevance(backend: str, vector: Any = D.rank_vector) -> Any:
    if backend == "sqlite":
        weights = ", ".join(str(weight) for weight in FTS_WEIGHTS)
        return -literal_column(f"bm25(search_fts, {weights})", Float)
    # Ranked by the positive part of the query only: ts_rank scores a query with a
    # negation as if nothing matched.
    query = cast(bindparam("rank"), TSQUERY)
    return func.ts_rank(literal_column(f"'{TS_WEIGHTS}'::real[]"), vector, query, 1)


def _matches(backend: str) -> Any:
    if backend == "sqlite":
        return text("search_fts MATCH :match")
    return D.vector.op("@@")(cast(bindparam("match"), TSQUERY))


def _filters(filters: frozenset[str]) -> list[Any]:
    conditions: list[Any] = [D.public_from <= bindparam("now", type_=BigInteger)]
    if "type" in filters:
        conditions.append(D.kind == bindparam("type"))
    if "service" in filters:
        conditions.append(D.service == bindparam("service"))
    if "language" in filters:
        conditions.append(D.language == bindparam("language"))
    if "section" in filters:
        sections = select(Section.id).where(Section.slug == bindparam("section"))
        if "service" in filters:
            sections = sections.join(Service, Service.id == Section.service_id).where(
                Service.code == bindparam("service")
            )
        conditions.append(D.section_id.in_(sections))
    if "tag" in filters:
        article_tag = exists(
            select(ArticleTag.article_id)
            .join(Tag, Tag.id == ArticleTag.tag_id)
            .where(ArticleTag.article_id == D.article_id, Tag.slug == bindparam("tag"))
        )
        video_tag = exists(
            select(VideoTag.video_id)
            .join(Tag, Tag.id == VideoTag.tag_id)
            .where(VideoTag.video_id == D.video_id, Tag.slug == bindparam("tag"))
        )
        conditions.append(or_(article_tag, video_tag))
    if "author" in filters:
        conditions.append(
            exists(
                select(ArticleAuthor.article_id)
                .join(Author, Author.id == ArticleAuthor.author_id)
                .where(ArticleAuthor.article_id == D.article_id, Author.slug == bindparam("author"))
            )
        )
    if "country" in filters:
        conditions.append(D.withheld_in.not_like(bindparam("withheld_pattern")))
    if "breaking_true" in filters:
        conditions.append(D.breaking_until > bindparam("now", type_=BigInteger))
    if "breaking_false" in filters:
        conditions.append(
            or_(D.breaking_until.is_(None), D.breaking_until <= bindparam("now", type_=BigInteger))
        )
    if "published_after" in filters:
        conditions.append(D.published_ts >= bindparam("published_after", type_=BigInteger))
    if "published_before" in filters:
        conditions.append(D.published_ts < bindparam("published_before", type_=BigInteger))
    if "exclude" in filters:
        conditions.append(D.doc_id != bindparam("exclude", type_=BigInteger))
    return conditions


#: Relevance ranks at most this many matching documents, the newest (by document)
#: among those the filters keep: scoring a match costs far more than finding it, and a
#: common word matches a good part of the store. A page deeper than that ranks more.
#: Fewer on PostgreSQL, where finding the newest costs a visit to each match's row.
RANKED = {"sqlite": 300, "postgresql": 200}


def _ranked_sqlite(filters: frozenset[str]) -> Any:
    """SQLite's relevance page: the ``ranked`` + 1 newest matches the filters keep,
    scored by FTS5 as it streams them in rowid order (one pass, stopping at the limit),
    then weighed by recency. Documents not public yet are counted among them: they are
    few, and leaving them in spares a join when nothing else filters."""
    conditions = [_matches("sqlite"), *_filters(filters)[1:]]
    candidates = select(FTS.c.rowid, _relevance("sqlite").label("relevance")).select_from(FTS)
    if len(conditions) > 1:
        # The filters are read from the index that holds them all, not from the rows:
        # left to itself, SQLite reads each candidate's row.
        candidates = candidates.join(SearchDocument, D.doc_id == FTS.c.rowid).with_hint(
            SearchDocument, f"INDEXED BY {FACTS_INDEX}", "sqlite"
        )
    found = (
        candidates.where(*conditions)
        .order_by(FTS.c.rowid.desc())
        .limit(bindparam("ranked") + 1)
        .subquery("candidates")
    )
    ranked = SearchDocument.__table__.alias("ranked")
    score = (found.c.relevance * _recency("sqlite", ranked.c.published_ts)).label("score")
    return (
        select(ranked.c.doc_id, score, ranked.c.published_ts)
        .select_from(found)
        .join(ranked, ranked.c.doc_id == found.c.rowid)
        .where(ranked.c.public_from <= bindparam("now", type_=BigInteger))
        .order_by(score.desc(), ranked.c.doc_id.desc())
        .limit(bindparam("limit"))
        .offset(bindparam("offset"))
        .subquery("hits")
    )


def _ranked_postgresql(filters: frozenset[str]) -> Any:
    """PostgreSQL's relevance page: the ``ranked`` + 1 newest matches the filters keep,
    in one pass over the full-text index's matches (ordered by an expression, not by
    the key: walking the key backwards would test each row's full vector, stored out
    of line, until enough match), then ranked by their small vectors."""
    candidates = (
        select(D.doc_id)
        .where(_matches("postgresql"), *_filters(filters))
        .order_by((D.doc_id + 0).desc())
        .limit(bindparam("ranked") + 1)
        .subquery("candidates")
    )
    # The vectors are read for the candidates only, not carried through their sort.
    ranked = SearchDocument.__table__.alias("ranked")
    relevance = _relevance("postgresql", ranked.c.rank_vector)
    score = (relevance * _recency("postgresql", ranked.c.published_ts)).label("score")
    return (
        select(ranked.c.doc_id, score, ranked.c.published_ts)
        .select_from(candidates)
        .join(ranked, ranked.c.doc_id == candidates.c.doc_id)
        .order_by(score.desc(), ranked.c.doc_id.desc())
        .limit(bindparam("limit"))
        .offset(bindparam("offset"))
        .subquery("hits")
    )


def _newest(backend: str, filters: frozenset[str], after: bool) -> Any:
    """The page's documents with their score, newest first."""
    score = (_relevance(backend) * _recency(backend)).label("score")
    conditions = [_matches(backend), *_filters(filters)]
    if after:
        cursor_key = bindparam("cursor_key", type_=BigInteger)
        cursor_id = bindparam("cursor_id", type_=BigInteger)
        conditions.append(
            or_(
                D.published_ts < cursor_key,
                and_(D.published_ts == cursor_key, D.doc_id < cursor_id),
            )
        )
    newest = select(D.doc_id, score, D.published_ts)
    if backend == "sqlite":
        newest = newest.select_from(FTS).join(SearchDocument, D.doc_id == FTS.c.rowid)
    return (
        newest.where(*conditions)
        .order_by(D.published_ts.desc(), D.doc_id.desc())
        .limit(bindparam("limit"))
        .offset(bindparam("offset"))
        .subquery("hits")
    )


@lru_cache(maxsize=1024)
def search_query(backend: str, sort: str, filters: frozenset[str], after: bool) -> Query:
    """The search statement for one backend, sort and combination of filters; newest
    first ``after`` a (published time, document) key, relevance from an offset among
    the newest ``ranked`` matches."""
    if sort != "relevance":
        hits = _newest(backend, filters, after)
    elif backend == "sqlite":
        hits = _ranked_sqlite(filters)
    else:
        hits = _ranked_postgresql(filters)
    document = SearchDocument.__table__.alias("document")
    statement: Select[Any] = (
        select(
            hits.c.doc_id,
            hits.c.score,
            hits.c.published_ts,
            document.c.kind,
            func.coalesce(document.c.article_id, document.c.video_id),
            document.c.section_id,
            document.c.snippet,
            document.c.snippet_terms,
            R.breaking_until,
            R.teaser,
            R.etag,
            R.updated_ts,
            V.detail,
            V.rules,
            V.etag,
            V.updated_ts,
        )
        .select_from(hits)
        .join(document, document.c.doc_id == hits.c.doc_id)
        .outerjoin(ArticleRender, R.article_id == document.c.article_id)
        .outerjoin(VideoRender, V.video_id == document.c.video_id)
        .order_by(
            hits.c.score.desc() if sort == "relevance" else hits.c.published_ts.desc(),
            hits.c.doc_id.desc(),
        )
    )
    return Query(statement)


# Running the searches ------------------------------------------------------------

_local = threading.local()
# Per worker thread; small, as the operating system caches the file anyway (the
# server's resident size must not grow with the store).
_SEARCH_CACHE_KIB = 4096


def _sqlite_connection(path: str) -> sqlite3.Connection:
    connections: dict[str, sqlite3.Connection] | None = getattr(_local, "connections", None)
    if connections is None:
        connections = _local.connections = {}
    connection = connections.get(path)
    if connection is None:
        connection = sqlite3.connect(path, isolation_level=None)
        connection.execute("PRAGMA busy_timeout=5000")
        connection.execute("PRAGMA query_only=1")
        connection.execute(f"PRAGMA cache_size=-{_SEARCH_CACHE_KIB}")
        connection.execute("PRAGMA mmap_size=0")
        connections[path] = connection
    return connection


def _sqlite_all(path: str, query: Query, params: Mapping[str, Any]) -> list[Row]:
    sql, args = query.args("sqlite", params)
    try:
        return _sqlite_connection(path).execute(sql, args).fetchall()
    except sqlite3.OperationalError:
        # A reopened connection recovers from a replaced or vanished file.
        _local.connections.pop(path).close()
        raise


async def search_rows(store: ReadStore, query: Query, params: Mapping[str, Any]) -> list[Row]:
    """The rows of a search. A search that matches many documents takes tens of
    milliseconds: on SQLite it runs in a worker thread on a connection of its own
    (sqlite3 lets go of the GIL while it steps), so that it never holds up the event
    loop and the primary-key reads of every other request."""
    path: str | None = getattr(store, "path", None)
    if store.backend == "sqlite" and path is not None:
        return await asyncio.to_thread(_sqlite_all, path, query, params)
    return await store.all(query, params)
