"""Reading videos from the read store, with availability resolved for this reader."""

import orjson

from app.editions.service import require_service
from app.errors import NotFound
from app.http.caching import Representation
from app.http.pagination import decode_cursor, encode_cursor, list_body
from app.kit.timeutil import now_ms
from app.readmodel.availability import depends_on_country, resolve
from app.readstore import ReadStore
from app.videos import repository


async def video_list(
    store: ReadStore, country: str | None, service: str | None, limit: int, cursor: str | None
) -> Representation:
    now = now_ms()
    params: dict[str, object] = {"limit": limit + 1}
    if service is not None:
        await require_service(store, service)
        params["service"] = service
    if cursor is not None:
        params["cursor_key"], params["cursor_id"] = decode_cursor(cursor, "videos")
    rows = await store.all(repository.list_query(service is not None, cursor is not None), params)
    more = len(rows) > limit
    rows = rows[:limit]
    items = []
    for _, _, rules, detail, _, _ in rows:
        items.append(orjson.dumps(resolve(orjson.loads(detail), orjson.loads(rules), country, now)))
    next_cursor = encode_cursor("videos", rows[-1][1], rows[-1][0]) if more else None
    keys = ["videos", *(f"video-{row[0]}" for row in rows)]
    if service is not None:
        keys.append(f"service-{service}")
    return Representation(
        list_body(items, next_cursor),
        last_modified_ms=max((row[4] for row in rows), default=None),
        surrogate_keys=" ".join(keys),
        vary_country=True,
        next_cursor=next_cursor,
    )


async def video_item(store: ReadStore, country: str | None, video_id: int) -> Representation:
    now = now_ms()
    row = await store.one(repository.BY_ID, {"id": video_id})
    if row is None:
        raise NotFound("There is no video with this id.")
    etag, updated_ts, rules_json, detail, service = row
    rules = orjson.loads(rules_json)
    video = resolve(orjson.loads(detail), rules, country, now)
    state = video["unavailable_reason"] or "ok"
    return Representation(
        orjson.dumps(video),
        etag=f"{etag}-{state}",
        last_modified_ms=updated_ts,
        surrogate_keys=f"video-{video_id} service-{service}",
        vary_country=depends_on_country(rules),
    )
