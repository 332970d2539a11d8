"""The breaking-news list: the flags that are up now, for this reader."""

import math
from dataclasses import dataclass

from app.articles.service import breaking_json
from app.breaking import repository
from app.editions.service import require_service
from app.http.caching import body_etag
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
