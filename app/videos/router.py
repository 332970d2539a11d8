"""Public video endpoints."""

from typing import Annotated

import orjson
from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import Response

from app.editions.repository import require_service
from app.errors import PROBLEM_RESPONSES, NotFound
from app.http.caching import public_response
from app.http.pagination import decode_cursor, encode_cursor, list_body, next_link
from app.http.reader import reader
from app.kit.timeutil import now_ms
from app.readmodel.availability import depends_on_country, resolve
from app.videos import repository
from app.videos.schemas import VideoOut, VideoPage

router = APIRouter(tags=["videos"])

CODE = r"^[a-z0-9][a-z0-9-]{0,31}$"


@router.get(
    "/v1/videos",
    operation_id="list_videos",
    response_model=VideoPage,
    responses=PROBLEM_RESPONSES,
)
async def list_videos(
    request: Request,
    service: Annotated[str | None, Query(pattern=CODE)] = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    cursor: Annotated[str | None, Query(max_length=200)] = None,
) -> Response:
    """List videos, newest first, with availability resolved for this reader."""
    store, settings, country = reader(request)
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
    return public_response(
        request,
        list_body(items, next_cursor),
        settings=settings,
        last_modified_ms=max((row[4] for row in rows), default=None),
        surrogate_keys=" ".join(keys),
        vary_country=True,
        extra_headers={"Link": next_link(request, next_cursor)} if next_cursor else None,
    )


@router.get(
    "/v1/videos/{video_id}",
    operation_id="get_video",
    response_model=VideoOut,
    responses=PROBLEM_RESPONSES,
)
async def get_video(
    request: Request,
    video_id: Annotated[int, Path(ge=1, le=2**62)],
) -> Response:
    """One video, with its availability resolved for this reader."""
    store, settings, country = reader(request)
    now = now_ms()
    row = await store.one(repository.BY_ID, {"id": video_id})
    if row is None:
        raise NotFound("There is no video with this id.")
    etag, updated_ts, rules_json, detail, service = row
    rules = orjson.loads(rules_json)
    video = resolve(orjson.loads(detail), rules, country, now)
    state = video["unavailable_reason"] or "ok"
    return public_response(
        request,
        orjson.dumps(video),
        settings=settings,
        etag=f"{etag}-{state}",
        last_modified_ms=updated_ts,
        surrogate_keys=f"video-{video_id} service-{service}",
        vary_country=depends_on_country(rules),
    )
