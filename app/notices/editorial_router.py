"""Editorial endpoints of notices (there is no public list: article reads carry
the notices that apply to each reader)."""

from typing import Annotated

from fastapi import APIRouter, Path, Request
from fastapi.responses import Response

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
from app.models import Notice
from app.notices import editorial
from app.notices.schemas import NoticeStored, NoticeWrite

router = APIRouter(tags=["notices"])

NoticeId = Annotated[int, Path(ge=1, le=2**62)]


def _answer(notice: Notice, status_code: int = 200) -> Response:
    headers = {"Location": f"/v1/notices/{notice.id}"} if status_code == 201 else {}
    return private_json(
        editorial.notice_document(notice),
        status_code=status_code,
        etag=editorial.notice_etag(notice),
        **headers,
    )


@router.post(
    "/v1/notices",
    operation_id="create_notice",
    status_code=201,
    response_model=NoticeStored,
    responses=CREATE_RESPONSES,
)
def create_notice(
    request: Request, principal: CurrentPrincipal, body: NoticeWrite, session: SessionDep
) -> Response:
    """Create a notice (admin, or an editor of every service it names)."""
    return idempotent(
        session,
        request,
        principal,
        body.model_dump(mode="json"),
        lambda: _answer(editorial.create_notice(session, principal, body), 201),
    )


@router.patch(
    "/v1/notices/{notice_id}",
    operation_id="update_notice",
    response_model=NoticeStored,
    responses=UPDATE_RESPONSES,
    openapi_extra=merge_patch_body(NoticeWrite),
)
def update_notice(
    request: Request,
    notice_id: NoticeId,
    principal: CurrentPrincipal,
    patch: MergePatch,
    session: SessionDep,
) -> Response:
    """Change a notice (JSON merge patch, If-Match); readers see it on their next read."""
    notice = editorial.update_notice(
        session, principal, notice_id, patch, lambda etag: check_if_match(request, etag)
    )
    return _answer(notice)


@router.delete(
    "/v1/notices/{notice_id}",
    operation_id="delete_notice",
    status_code=204,
    responses=DELETE_RESPONSES,
)
def delete_notice(
    request: Request, notice_id: NoticeId, principal: CurrentPrincipal, session: SessionDep
) -> Response:
    """Delete a notice (If-Match)."""
    editorial.delete_notice(
        session, principal, notice_id, lambda etag: check_if_match(request, etag)
    )
    return Response(status_code=204, headers={"Cache-Control": "private, no-store"})
