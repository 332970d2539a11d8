"""Breaking news for this reader: the flags that are up now, and the stream of
their changes."""

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import orjson

from app.articles.service import breaking_json
from app.breaking import repository
from app.changes import repository as changes_repository
from app.editions.service import require_service
from app.http.caching import body_etag
from app.http.fields import trim_document
from app.kit.timeutil import db_time_ms, iso_from_ms
from app.readstore import ReadStore


@dataclass(slots=True)
class BreakingList:
    body: bytes
    etag: str
    last_modified_ms: int | None
    surrogate_keys: str
    #: Seconds until the first flag on the list comes down, if any is up.
    true_for: int | None


async def breaking_list(
    store: ReadStore, service: str | None, country: str | None, now: int
) -> BreakingList:
    filters = set()
    params: dict[str, object] = {"now": now}
    if service is not None:
        filters.add("service")
        params["service"] = service
    if country is not None:
        filters.add("country")
        params["withheld_pattern"] = f"%{country}%"
    rows = await store.all(repository.breaking_query(frozenset(filters)), params)
    if not rows and service is not None:
        # Only an empty list needs to tell an unknown service from a quiet one.
        await require_service(store, service)
    items, validators = [], []
    for article_id, until, _, teaser, etag, _ in rows:
        items.append(b"".join((teaser.encode(), b',"breaking":', breaking_json(until, now), b"}")))
        validators.append(f"{article_id}:{etag}:{until}".encode())
    keys = ["breaking", *(f"article-{row[0]}" for row in rows)]
    if service is not None:
        keys.append(f"service-{service}")
    earliest = min((row[1] for row in rows), default=None)
    expired = await store.one(repository.last_expiry_query(service is not None), params)
    # Last-Modified moves with the list: an edit, an article that became public,
    # and a flag that came down by itself.
    moments = [max(row[2], row[5]) for row in rows]
    if expired is not None and expired[0] is not None:
        moments.append(expired[0])
    last_modified = max(moments, default=None)
    return BreakingList(
        body=b'{"items":[' + b",".join(items) + b"]}",
        etag=body_etag(b"|".join(validators)),
        last_modified_ms=last_modified,
        surrogate_keys=" ".join(keys),
        true_for=None if earliest is None else math.floor((earliest - now) / 1000),
    )


# The stream ----------------------------------------------------------------------------
#
# Its events are the article changes of the log that matter to breaking news: a
# change whose article was breaking when it was recorded (``breaking``), and one
# whose article had been breaking at its previous change and is no longer, or is
# no longer for this reader (``breaking-ended``). The log's ``seq`` is the event id.


@dataclass(frozen=True, slots=True)
class Flagged:
    """An article as one change told it, with its breaking flag up."""

    service: str
    withheld_in: frozenset[str]
    #: The teaser as the list shows it, with ``breaking``.
    teaser: bytes

    def seen_by(self, service: str | None, country: str | None) -> bool:
        return (service is None or service == self.service) and (
            country is None or country not in self.withheld_in
        )


@dataclass(frozen=True, slots=True)
class Record:
    seq: int
    article_id: int
    at: str
    #: The article at this change and at its previous one, each if it was breaking.
    now: Flagged | None
    before: Flagged | None


def _flagged(
    service: str | None, deleted: object, document: str | None, withheld: str | None
) -> Flagged | None:
    if service is None or deleted or document is None:
        return None
    if orjson.loads(document).get("breaking") is None:
        return None
    codes = frozenset(withheld.split(",")) if withheld else frozenset()
    return Flagged(service, codes, document.encode())


def records(rows: Sequence[Sequence[Any]]) -> list[Record]:
    """The changes of a stream page that may make an event for some reader."""
    found = []
    for seq, article_id, service, deleted, at, document, withheld, *earlier in rows:
        now = _flagged(service, deleted, document, withheld)
        before = _flagged(*earlier)
        if now is not None or before is not None:
            moment = iso_from_ms(db_time_ms(at) or 0)
            found.append(Record(seq, article_id, moment, now, before))
    return found


@dataclass(frozen=True, slots=True)
class Reader:
    """Who a stream is for: its service filter, the reader's country, its fields."""

    service: str | None
    country: str | None
    fields: list[str] | None


def event(record: Record, reader: Reader) -> bytes | None:
    """The record as this reader's event, if it makes one."""
    service, country = reader.service, reader.country
    if record.now is not None and record.now.seen_by(service, country):
        teaser = trim_document(record.now.teaser, reader.fields)
        return b"event: breaking\nid: %d\ndata: %s\n\n" % (record.seq, teaser)
    if record.before is not None and record.before.seen_by(service, country):
        ended = {"id": record.article_id, "service": record.before.service, "at": record.at}
        return b"event: breaking-ended\nid: %d\ndata: %s\n\n" % (record.seq, orjson.dumps(ended))
    return None


async def log_head(store: ReadStore) -> int:
    """The last number the change log has given."""
    head = await store.one(changes_repository.HEAD, {})
    return int(head[0]) if head is not None and head[0] is not None else 0


async def read_records(
    store: ReadStore, after: int, until: int, limit: int
) -> tuple[list[Record], int]:
    """The records numbered after ``after`` and up to ``until``, and how far the read
    went (``until`` unless the page was full)."""
    rows = await store.all(repository.STREAM, {"after": after, "until": until, "limit": limit})
    reached = rows[-1][0] if len(rows) >= limit else until
    return records(rows), reached
