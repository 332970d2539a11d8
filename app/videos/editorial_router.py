"""Editorial endpoints of videos."""

from typing import Annotated

from fastapi import APIRouter, Path, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from app.auth.dependencies import CurrentPrincipal
from app.db import SessionDep
from app.http.editorial import (
    CREATE_RESPONSES,
    DELETE_RESPONSES,
    UPDATE_RESPONSES,
    MergePatch,
    check_if_match,
    merge_patch_body,
)
from app.http.writes import idempotent, private_json
from app.models import Video
from app.videos import editorial
from app.videos.schemas import VideoStored, VideoWrite

router = APIRouter(tags=["videos"])

VideoId = Annotated[int, Path(ge=1, le=2**62)]


def _answer(session: Session, video: Video, status_code: int = 200) -> Response:
    document, etag = editorial.stored_document(session, video)
    headers = {"Location": f"/v1/videos/{video.id}"} if status_code == 201 else {}
    return private_json(document, status_code=status_code, etag=etag, **headers)


@router.post(
    "/v1/videos",
    operation_id="create_video",
    status_code=201,
    response_model=VideoStored,
    responses=CREATE_RESPONSES,
)
def create_video(
    request: Request, principal: CurrentPrincipal, body: VideoWrite, session: SessionDep
) -> Response:
    """Create a video (admin, or an editor of its service)."""
    return idempotent(
        session,
        request,
        principal,
        body.model_dump(mode="json"),
        lambda: _answer(session, editorial.create_video(session, principal, body), 201),
    )


@router.patch(
    "/v1/videos/{video_id}",
    operation_id="update_video",
    response_model=VideoStored,
    responses=UPDATE_RESPONSES,
    openapi_extra=merge_patch_body(VideoWrite),
)
def update_video(
    request: Request,
    video_id: VideoId,
    principal: CurrentPrincipal,
    patch: MergePatch,
    session: SessionDep,
) -> Response:
    """Change a video (JSON merge patch, If-Match); the articles showing it follow at once."""
    video = editorial.update_video(
        session,
        principal,
        video_id,
        patch,
        lambda etag: check_if_match(request, etag, variants=True),
    )
    return _answer(session, video)


@router.delete(
    "/v1/videos/{video_id}",
    operation_id="delete_video",
    status_code=204,
    responses=DELETE_RESPONSES,
)
def delete_video(
    request: Request, video_id: VideoId, principal: CurrentPrincipal, session: SessionDep
) -> Response:
    """Delete a video no article body embeds; curated lists drop it (If-Match)."""
    editorial.delete_video(
        session, principal, video_id, lambda etag: check_if_match(request, etag, variants=True)
    )
    return Response(status_code=204, headers={"Cache-Control": "private, no-store"})
