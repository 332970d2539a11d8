"""Editorial endpoints of language services: admin tokens only."""

from typing import Annotated, Any

from fastapi import APIRouter, Path, Request
from fastapi.responses import Response

from app.auth.dependencies import AdminPrincipal
from app.db import SessionDep
from app.editions import editorial
from app.editions.schemas import ServiceOut, ServiceWrite
from app.http.editorial import (
    CREATE_RESPONSES,
    DELETE_RESPONSES,
    UPDATE_RESPONSES,
    MergePatch,
    check_if_match,
    merge_patch_body,
)
from app.http.writes import idempotent, private_json

router = APIRouter(tags=["services"])

Code = Annotated[str, Path(pattern=r"^[a-z0-9][a-z0-9-]{0,31}$")]


def _answer(service: Any, status_code: int = 200) -> Response:
    headers = {"Location": f"/v1/services/{service.code}"} if status_code == 201 else {}
    return private_json(
        editorial.service_document(service),
        status_code=status_code,
        etag=editorial.service_etag(service),
        **headers,
    )


@router.post(
    "/v1/services",
    operation_id="create_service",
    status_code=201,
    response_model=ServiceOut,
    responses=CREATE_RESPONSES,
)
def create_service(
    request: Request, body: ServiceWrite, session: SessionDep, principal: AdminPrincipal
) -> Response:
    """Create a language service (admin only)."""
    return idempotent(
        session,
        request,
        principal,
        body.model_dump(mode="json"),
        lambda: _answer(editorial.create_service(session, body), 201),
    )


@router.patch(
    "/v1/services/{code}",
    operation_id="update_service",
    response_model=ServiceOut,
    responses=UPDATE_RESPONSES,
    openapi_extra=merge_patch_body(ServiceWrite),
)
def update_service(
    request: Request, code: Code, principal: AdminPrincipal, patch: MergePatch, session: SessionDep
) -> Response:
    """Change a language service with a JSON merge patch (admin only; If-Match required)."""
    service = editorial.update_service(
        session, code, patch, lambda etag: check_if_match(request, etag)
    )
    return _answer(service)


@router.delete(
    "/v1/services/{code}",
    operation_id="delete_service",
    status_code=204,
    responses=DELETE_RESPONSES,
)
def delete_service(
    request: Request, code: Code, session: SessionDep, principal: AdminPrincipal
) -> Response:
    """Delete a service that has no articles, videos or notices (admin only; If-Match)."""
    editorial.delete_service(session, code, lambda etag: check_if_match(request, etag))
    return Response(status_code=204, headers={"Cache-Control": "private, no-store"})
