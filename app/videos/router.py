"""Public video endpoints."""

from typing import Annotated

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import Response

from app.errors import PROBLEM_RESPONSES
from app.formats.schemas import FormatQuery, ListFormatQuery, format_responses
from app.formats.service import check_fields, public_format
from app.http.caching import public_answer
from app.http.fields import Fields, parse_fields, trimmed
from app.http.reader import reader
from app.kit.fields import CODE_PATTERN
from app.videos.schemas import VideoOut, VideoPage
from app.videos.service import video_item, video_list

router = APIRouter(tags=["videos"])

VIDEO_FIELDS = frozenset(VideoOut.model_fields)


@router.get(
    "/v1/videos",
    operation_id="list_videos",
    response_model=VideoPage,
    responses=PROBLEM_RESPONSES,
)
async def list_videos(
    request: Request,
    service: Annotated[str | None, Query(pattern=CODE_PATTERN)] = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    cursor: Annotated[str | None, Query(max_length=200)] = None,
    fields: Fields = None,
    format_: ListFormatQuery = None,
) -> Response:
    """List videos, newest first, with availability resolved for this reader."""
    store, settings, country = reader(request)
    names = parse_fields(fields, VIDEO_FIELDS)
    page = await video_list(store, country, service, limit, cursor)
    return public_answer(request, trimmed(page, names, items=True), settings)


@router.get(
    "/v1/videos/{video_id}",
    operation_id="get_video",
    response_model=VideoOut,
    responses={**format_responses("VideoObject"), **PROBLEM_RESPONSES},
)
async def get_video(
    request: Request,
    video_id: Annotated[int, Path(ge=1, le=2**62)],
    fields: Fields = None,
    format_: FormatQuery = None,
) -> Response:
    """One video, with its availability resolved for this reader."""
    store, settings, country = reader(request)
    names = parse_fields(fields, VIDEO_FIELDS)
    fmt = format_ or "json"
    check_fields(fmt, names)
    found = await video_item(store, country, video_id)
    return await public_format(request, trimmed(found, names), fmt, "video", store, settings)
