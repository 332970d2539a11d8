"""Search reads: what a reader may find, in which order, and how a hit looks.

Only what the reader may see is found: articles once public (never a draft, nor a
scheduled, embargoed or archived one), not those withheld in the reader's country,
and videos with their availability resolved for the reader, as ``/v1/videos``
shows them.

A walk through the pages keeps the moment of its first page (in the cursor): what
became public later stays out of it, and recency is reckoned from that moment.
Newest-first pages follow a keyset (published time, document); relevance pages
are positions in the ranking, since a relevance score is no fixed key: SQLite's
BM25 weighs each term by how rare it is in the whole index, which every
publication moves a little.
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass
from typing import Any

import orjson

from app.articles.service import breaking_json, check_visible
from app.errors import BadRequest, NotFound
from app.http.pagination import list_body
from app.readmodel.availability import resolve
from app.readmodel.relatedness import Candidate, Source, rank, weighted_terms
from app.readstore import ReadStore, Row
from app.search import repository
from app.search.highlight import Marks, highlight
from app.search.query import Item, Parsed, QueryTooLong, fts5, parse, tsquery

MAX_QUERY = 300
#: How long a search's answer is kept at most: recency in its ranking moves with the
#: clock (in five minutes a hit's recency factor moves by less than 0.02 %).
MAX_AGE_MS = 300_000


@dataclass(frozen=True, slots=True)
class Filters:
    service: str | None = None
    language: str | None = None
    section: str | None = None
    tag: str | None = None
    author: str | None = None
    breaking: bool | None = None
    published_after: int | None = None
    published_before: int | None = None
    type: str | None = None


@dataclass(slots=True)
class Page:
    body: bytes
    last_modified_ms: int | None
    surrogate_keys: str
    next_cursor: str | None
    # The next moment the answer changes by itself, if any.
    changes_ms: int | None = None


_INVALID_CURSOR = "The cursor is not valid for this search; start again without it."


MAX_OFFSET = 10_000


def encode_cursor(sort: str, moment: int, key: int, doc_id: int) -> str:
    raw = orjson.dumps([sort, moment, key, doc_id])
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str, sort: str) -> tuple[int, int, int]:
    """The moment of the walk and where the page starts: after (published time,
    document) newest first, or at a position of the ranking (document 0)."""
    invalid = BadRequest(
        _INVALID_CURSOR,
        errors=[{"location": "query", "field": "cursor", "message": "invalid cursor"}],
    )
    try:
        value: Any = orjson.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    except (binascii.Error, ValueError, orjson.JSONDecodeError):
        raise invalid from None
    if not isinstance(value, list) or len(value) != 4 or value[0] != sort:
        raise invalid
    _, moment, key, doc_id = value
    if (
        type(moment) is not int
        or type(key) is not int
        or type(doc_id) is not int
        or not (0 <= moment < 2**62 and 0 <= key < 2**62 and 0 <= doc_id < 2**62)
        or (sort == "relevance" and (doc_id != 0 or not 0 < key <= MAX_OFFSET))
    ):
        raise invalid
    return moment, key, doc_id


def read_query(q: str, languages: tuple[str, ...]) -> Parsed:
    try:
        return parse(q, languages)
    except QueryTooLong as exc:
        raise BadRequest(
            str(exc), errors=[{"location": "query", "field": "q", "message": str(exc)}]
        ) from None


async def query_languages(store: ReadStore, filters: Filters) -> tuple[str, ...]:
    """The languages the query is read in: the one asked for, or the service's."""
    if filters.language is not None:
        return (filters.language,)
    if filters.service is not None:
        row = await store.one(repository.SERVICE_LANGUAGE, {"code": filters.service})
        if row is None:
            raise NotFound(
                f"There is no service '{filters.service}'.",
                errors=[{"location": "query", "field": "service", "message": "unknown service"}],
            )
        return (row[0],)
    return ()


def _sql_filters(filters: Filters, country: str | None, params: dict[str, Any]) -> set[str]:
    names = set()
    for name in ("service", "language", "section", "tag", "author", "type"):
        value = getattr(filters, name)
        if value is not None:
            names.add(name)
            params[name] = value
    if country is not None:
        names.add("country")
        params["withheld_pattern"] = f"%{country}%"
    if filters.breaking is not None:
        names.add("breaking_true" if filters.breaking else "breaking_false")
    if filters.published_after is not None:
        names.add("published_after")
        params["published_after"] = filters.published_after
    if filters.published_before is not None:
        names.add("published_before")
        params["published_before"] = filters.published_before
    return names


def render_hit(
    row: Row, country: str | None, now: int, marks: Marks
) -> tuple[bytes, int, str, int | None]:
    """A hit as JSON, its Last-Modified, its surrogate key, and the next moment its
    representation changes by itself (a video becoming available or expiring)."""
    _, score, _, kind, item_id, _, snippet, terms = row[:8]
    breaking_until, teaser, _, article_updated, detail, rules, _, video_updated = row[8:16]
    extra = {"type": kind, "score": round(score, 6), "highlight": highlight(snippet, terms, marks)}
    if kind == "article":
        tail = orjson.dumps(extra)[1:]
        body = b"".join(
            (teaser.encode(), b',"breaking":', breaking_json(breaking_until, now), b",", tail)
        )
        return body, article_updated, f"article-{item_id}", None
    window = orjson.loads(rules)
    video = resolve(orjson.loads(detail), window, country, now)
    video.update(extra)
    changes = min((edge for edge in window[2:4] if edge is not None and edge > now), default=None)
    return orjson.dumps(video), video_updated, f"video-{item_id}", changes


async def search(
    store: ReadStore,
    q: str,
    filters: Filters,
    *,
    sort: str,
    limit: int,
    cursor: str | None,
    country: str | None,
    now: int,
) -> Page:
    """One page of hits for the query, best first (or newest first)."""
    parsed = read_query(q, await query_languages(store, filters))
    moment, offset, after = now, 0, None
    if cursor is not None:
        moment, key, doc_id = decode_cursor(cursor, sort)
        if sort == "relevance":
            offset = key
        else:
            after = (key, doc_id)
    if parsed.empty:
        return Page(list_body([], None), None, "search", None)
    params: dict[str, Any] = {
        "now": moment,
        "limit": limit + 1,
        "offset": offset,
        "ranked": max(repository.RANKED[store.backend], offset + limit + 1) - 1,
    }
    if store.backend == "sqlite":
        params["match"] = fts5(parsed)
    else:
        params["match"] = tsquery(parsed)
        params["rank"] = tsquery(parsed, exclusions=False)
    names = _sql_filters(filters, country, params)
    if after is not None:
        params["cursor_key"], params["cursor_id"] = after
    statement = repository.search_query(store.backend, sort, frozenset(names), after is not None)
    rows = await repository.search_rows(store, statement, params)
    more = len(rows) > limit
    rows = rows[:limit]
    marks = parsed.marks
    items, keys = [], ["search"]
    last_modified = changes = None
    for row in rows:
        if row[9] is None and row[12] is None:
            continue  # deleted in the meantime
        body, changed, key_name, hit_changes = render_hit(row, country, now, marks)
        items.append(body)
        keys.append(key_name)
        last_modified = changed if last_modified is None else max(last_modified, changed)
        if hit_changes is not None:
            changes = hit_changes if changes is None else min(changes, hit_changes)
    next_cursor = None
    if more and sort == "relevance" and offset + limit <= MAX_OFFSET:
        next_cursor = encode_cursor(sort, moment, offset + limit, 0)
    elif more and sort != "relevance":
        next_cursor = encode_cursor(sort, moment, rows[-1][2], rows[-1][0])
    return Page(list_body(items, next_cursor), last_modified, " ".join(keys), next_cursor, changes)


# Related articles ----------------------------------------------------------------

RELATED_MAX = 20
#: Candidates gathered each way (shared words, shared tags) before ranking.
RELATED_CANDIDATES = 40
#: The newest articles of each of its tags an article is compared with.
TAGGED_PER_TAG = 200
#: The matches of an article's terms that search ranks (the newest), to find those
#: sharing most words with it.
RELATED_RANKED = 100
_NO_COUNTRY = "#"  # matches no list of country codes


async def _text_candidates(
    store: ReadStore, terms: list[str], service: str, article_id: int, country: str | None, now: int
) -> list[int]:
    """The articles of the service that search ranks best for the article's terms."""
    item = Item(exact=frozenset((term,) for term in terms), folded=frozenset())
    parsed = Parsed(clauses=[[item]])
    params: dict[str, Any] = {
        "now": now,
        "limit": RELATED_CANDIDATES,
        "offset": 0,
        "ranked": RELATED_RANKED - 1,
        "service": service,
        "type": "article",
        "exclude": 2 * article_id,
    }
    if store.backend == "sqlite":
        params["match"] = fts5(parsed)
    else:
        params["match"] = params["rank"] = tsquery(parsed)
    names = {"service", "type", "exclude"}
    if country is not None:
        names.add("country")
        params["withheld_pattern"] = f"%{country}%"
    statement = repository.search_query(store.backend, "relevance", frozenset(names), False)
    return [row[4] for row in await repository.search_rows(store, statement, params)]


async def related_articles(
    store: ReadStore, article_id: int, *, limit: int, country: str | None, now: int
) -> Page:
    """Public articles of the same service most like this one (``app.readmodel.
    relatedness``): candidates are those search ranks best for its terms and those
    sharing most tags with it."""
    source = check_visible(
        await store.one(repository.RELATED_SOURCE, {"id": article_id}), now, country
    )
    _, _, updated_ts, service, section_id, published_ts, headline, summary, body = source
    terms = weighted_terms(headline or "", summary or "", body or "")
    ids = set(
        await _text_candidates(store, list(terms), service, article_id, country, now)
        if terms
        else []
    )
    # Per tag its newest articles; those in most of these lists share most tags.
    shared: dict[int, int] = {}
    for (tag_id,) in await store.all(repository.SOURCE_TAGS, {"id": article_id}):
        for (other_id,) in await store.all(
            repository.TAGGED, {"tag": tag_id, "limit": TAGGED_PER_TAG}
        ):
            shared[other_id] = shared.get(other_id, 0) + 1
    shared.pop(article_id, None)
    ids.update(sorted(shared, key=lambda other: (-shared[other], -other))[:RELATED_CANDIDATES])
    ids.discard(article_id)
    found = await store.all(
        repository.related_candidates(store.backend),
        {
            "id": article_id,
            "ids": repository.id_list(store.backend, sorted(ids)),
            "now": now,
            "withheld_pattern": f"%{country}%" if country is not None else _NO_COUNTRY,
        },
    )
    candidates, shown = [], {}
    for (
        other_id,
        other_service,
        tags,
        section,
        published,
        *text,
        breaking,
        teaser,
        updated,
    ) in found:
        if other_service != service:
            continue
        candidates.append(Candidate(other_id, tags, section, published, *text))
        shown[other_id] = (breaking, teaser, updated)
    ranked = rank(Source(terms, section_id, published_ts), candidates)[:limit]
    items = [
        b"".join(
            (shown[other][1].encode(), b',"breaking":', breaking_json(shown[other][0], now), b"}")
        )
        for other in ranked
    ]
    keys = [f"article-{article_id}", *(f"article-{other}" for other in ranked)]
    last_modified = max([updated_ts, *(shown[other][2] for other in ranked)])
    body_bytes = b"".join((b'{"items":[', b",".join(items), b"]}"))
    return Page(body_bytes, last_modified, " ".join(keys), None)
