"""Reading the change feed: pages in commit order, tombstones for what this
reader may not see, and the clock's due changes recorded before a page is read."""

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

import orjson
from sqlalchemy.orm import Session, sessionmaker

from app.changes import repository
from app.kit.timeutil import db_time_ms, iso_from_ms, now_ms
from app.notices.repository import ALL_NOTICES
from app.readmodel.changes import materialise_due
from app.readstore import ReadStore

#: Items recorded per transaction when the clock's changes fall due.
DUE_BATCH = 500


def surrogate_keys(item_type: str, item_id: int) -> list[str]:
    """The CDN keys a change of this item invalidates: its own responses (and the
    articles showing a video, which carry the video's key), every list it may
    enter or leave, and the change feed."""
    if item_type == "article":
        return [f"article-{item_id}", "articles", "changes"]
    return [f"video-{item_id}", "videos", "changes"]


class Changed(NamedTuple):
    """What changed in public answers since a mark of the change log."""

    #: Where the log is now: the last change's number and the counter's purges.
    mark: tuple[int, int] | None
    #: The items changed (``article-1``, ``video-7``) and the services they are in
    #: (``service-en``); None: anything may have.
    items: frozenset[str] | None


#: Beyond this many changes since the mark, everything counts as changed: reading
#: them all would cost more than what they spare.
CHANGED_MAX = 1_000


async def changed_since(store: ReadStore, mark: tuple[int, int] | None) -> Changed:
    """The items whose public answers changed after ``mark``, and their services,
    read in the order of commits: a change committed before this call is always
    among them. (An item that moved to another service has its writing transaction
    purge instead, so a change's service is the only one it left or entered.)"""
    row = await store.one(repository.MARK, {})
    if row is None:
        return Changed(None, None)
    now = (int(row[0]), int(row[1]))
    if mark is None or now[1] != mark[1] or not 0 <= now[0] - mark[0] <= CHANGED_MAX:
        return Changed(now, None)
    if now[0] == mark[0]:
        return Changed(now, frozenset())
    rows = await store.all(repository.CHANGED_ITEMS, {"after": mark[0], "upto": now[0]})
    items = {f"{kind}-{item_id}" for kind, item_id, _ in rows}
    items.update(f"service-{service}" for *_, service in rows)
    return Changed(now, frozenset(items))


def item_url(base_url: str, item_type: str, item_id: int) -> str:
    return f"{base_url.rstrip('/')}/v1/{item_type}s/{item_id}"


def materialise(sessions: sessionmaker[Session]) -> int:
    """Record every change the clock has made by now, in batches of one transaction."""
    total = 0
    while True:
        with sessions.begin() as session:
            found = materialise_due(session, limit=DUE_BATCH)
        total += found
        if found < DUE_BATCH:
            return total


async def anything_due(store: ReadStore) -> bool:
    return await store.one(repository.ANY_DUE, {"now": now_ms()}) is not None


#: How soon to look again when a video's change is due and not recorded yet (the
#: delivery worker records it within a poll).
UNRECORDED_RECHECK_MS = 1_000


async def next_clock_change(store: ReadStore, now: int) -> int | None:
    """The first moment after ``now`` at which the clock alone may change a public
    answer: an article published or out of embargo, a breaking flag expiring, a
    video's availability window opening or closing, a notice starting or ending."""
    row = await store.one(repository.CLOCK, {"now": now})
    assert row is not None
    due, breaking, unrecorded = row
    moments = [moment for moment in (due, breaking) if moment is not None]
    if unrecorded:
        moments.append(now + UNRECORDED_RECHECK_MS)
    for *_, active_from, active_until, _ in await store.all(ALL_NOTICES, {}):
        for edge in (db_time_ms(active_from), db_time_ms(active_until)):
            if edge is not None and edge > now:
                moments.append(edge)
    return min(moments, default=None)


@dataclass(slots=True)
class Page:
    body: bytes
    next_cursor_seq: int
    more: bool
    last_modified_ms: int | None


def _item(row: Sequence[Any], base_url: str, country: str | None) -> dict[str, Any]:
    (seq, kind, item_id, service, change, deleted, at, _, etag, updated_ts, document) = row[:11]
    withheld, reason = row[11], row[12]
    item: dict[str, Any] = {
        "seq": seq,
        "type": kind,
        "id": item_id,
        "service": service,
        "change": change,
        "at": iso_from_ms(db_time_ms(at) or 0),
        "deleted": bool(deleted),
    }
    if not deleted and country is not None and withheld and country in withheld.split(","):
        item["change"] = "withheld"
        item["deleted"] = True
    if item["deleted"]:
        return item
    item["url"] = item_url(base_url, kind, item_id)
    item["etag"] = etag
    item["updated_at"] = iso_from_ms(updated_ts)
    if kind == "video":
        item["unavailable_reason"] = reason
    item["item"] = orjson.Fragment(document)
    return item


async def read_page(
    store: ReadStore,
    *,
    after: int,
    limit: int,
    service: str | None,
    item_type: str | None,
    country: str | None,
    base_url: str,
) -> Page:
    """The changes numbered after ``after``, and where the next page starts.

    The log's head is read first: every change numbered up to it had committed
    by then, so when this page is not full the next one may start there, and a
    filtered feed moves on past the changes it does not show."""
    head = await store.one(repository.HEAD, {})
    head_seq, head_at = (head[0], head[1]) if head is not None else (0, None)
    params: dict[str, object] = {"after": after, "limit": limit + 1}
    if service is not None:
        params["service"] = service
    if item_type is not None:
        params["type"] = item_type
    query = repository.page_query(service is not None, item_type is not None)
    rows = await store.all(query, params)
    more = len(rows) > limit
    rows = rows[:limit]
    items = [_item(row, base_url, country) for row in rows]
    next_seq = rows[-1][0] if more else max(after, head_seq, rows[-1][0] if rows else 0)
    recorded = [db_time_ms(row[7]) for row in rows] or [db_time_ms(head_at)]
    last_modified = max((value for value in recorded if value is not None), default=None)
    body = orjson.dumps({"items": items})
    return Page(body, next_seq, more, last_modified)
