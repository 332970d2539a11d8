"""Public service (edition) endpoints."""

from typing import Annotated

from fastapi import APIRouter, Path, Request
from fastapi.responses import Response

from app.editions.schemas import ServiceOut, ServicePage
from app.editions.service import service_item, service_list
from app.errors import PROBLEM_RESPONSES
from app.http.caching import public_response
from app.http.reader import reader
from app.kit.fields import CODE_PATTERN

router = APIRouter(tags=["services"])


@router.get(
    "/v1/services",
    operation_id="list_services",
    response_model=ServicePage,
    responses=PROBLEM_RESPONSES,
)
async def list_services(request: Request) -> Response:
    """All language services."""
    store, settings, _country = reader(request)
    body, last_modified = await service_list(store)
    return public_response(
        request,
        body,
        settings=settings,
        last_modified_ms=last_modified,
        surrogate_keys="services",
    )


@router.get(
    "/v1/services/{code}",
    operation_id="get_service",
    response_model=ServiceOut,
    responses=PROBLEM_RESPONSES,
)
async def get_service(
    request: Request,
    code: Annotated[str, Path(pattern=CODE_PATTERN)],
) -> Response:
    """One language service."""
    store, settings, _country = reader(request)
    body, last_modified = await service_item(store, code)
    return public_response(
        request,
        body,
        settings=settings,
        last_modified_ms=last_modified,
        surrogate_keys=f"service-{code}",
    )
