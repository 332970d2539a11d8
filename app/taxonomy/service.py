"""Reading sections, tags and authors from the read store."""

from typing import Any

import orjson

from app.editions.service import require_service
from app.errors import BadRequest, NotFound
from app.http.caching import Representation
from app.http.pagination import decode_cursor, encode_cursor, list_body
from app.kit.timeutil import db_time_ms
from app.readstore import ReadStore
from app.taxonomy import repository


def _doc(kind: str, row: Any) -> dict[str, Any]:
    if kind == "authors":
        return {"slug": row[1], "name": row[2], "bio": row[3]}
    return {"slug": row[1], "name": row[2], "service": row[3]}


async def term_list(
    store: ReadStore, kind: str, service: str | None, limit: int, cursor: str | None
) -> Representation:
    """A page of ``sections``, ``tags`` or ``authors``, optionally of one service."""
    params: dict[str, object] = {"limit": limit + 1}
    if service is not None:
        await require_service(store, service)
        params["service"] = service
    if cursor is not None:
        _, params["cursor_id"] = decode_cursor(cursor, kind)
    rows = await store.all(
        repository.list_query(kind, service is not None, cursor is not None), params
    )
    more = len(rows) > limit
    rows = rows[:limit]
    next_cursor = encode_cursor(kind, 0, rows[-1][0]) if more else None
    items = [orjson.dumps(_doc(kind, row)) for row in rows]
    return Representation(
        list_body(items, next_cursor),
        last_modified_ms=max((db_time_ms(row[4]) or 0 for row in rows), default=None),
        surrogate_keys=kind,
        next_cursor=next_cursor,
    )


async def term_item(store: ReadStore, kind: str, slug: str, service: str | None) -> Representation:
    """One term by slug; a slug several services have needs ``service``."""
    params: dict[str, object] = {"limit": 2, "slug": slug}
    if service is not None:
        await require_service(store, service)
        params["service"] = service
    rows = await store.all(
        repository.list_query(kind, service is not None, False, by_slug=True), params
    )
    if not rows:
        raise NotFound(f"There is no {kind[:-1]} '{slug}'.")
    if len(rows) > 1:
        raise BadRequest(
            f"Several services have a {kind[:-1]} '{slug}'; name one with ?service=.",
            errors=[{"location": "query", "field": "service", "message": "required here"}],
        )
    row = rows[0]
    return Representation(
        orjson.dumps(_doc(kind, row)),
        last_modified_ms=db_time_ms(row[4]),
        surrogate_keys=f"{kind[:-1]}-{row[0]}",
    )
