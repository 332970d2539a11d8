"""Editorial endpoints of language services: admin tokens only."""

from typing import Annotated, Any

from fastapi import APIRouter, Path
from sqlalchemy.orm import Session

from app.auth.dependencies import require_admin
from app.auth.service import Principal
from app.editions import editorial
from app.editions.schemas import ServiceOut, ServiceWrite
from app.editions.service import service_document
from app.editorial.routes import Answer, Resource, add_resource_routes
from app.http.writes import Precondition
from app.kit.fields import CODE_PATTERN
from app.models import Service

router = APIRouter(tags=["services"])


def service_key(code: Annotated[str, Path(pattern=CODE_PATTERN)]) -> str:
    return code


def _create(session: Session, _principal: Principal, data: ServiceWrite) -> Service:
    return editorial.create_service(session, data)


def _update(
    session: Session,
    _principal: Principal,
    code: str,
    patch: dict[str, Any],
    precondition: Precondition,
) -> Service:
    return editorial.update_service(session, code, patch, precondition)


def _delete(session: Session, _principal: Principal, code: str, precondition: Precondition) -> None:
    editorial.delete_service(session, code, precondition)


def _answer(_session: Session, service: Service) -> Answer:
    return Answer(
        service_document(service), editorial.service_etag(service), f"/v1/services/{service.code}"
    )


add_resource_routes(
    router,
    Resource(
        name="service",
        collection_path="/v1/services",
        item_path="/v1/services/{code}",
        key=service_key,
        write_model=ServiceWrite,
        response_model=ServiceOut,
        create=_create,
        update=_update,
        delete=_delete,
        answer=_answer,
        create_doc="Create a language service (admin only).",
        update_doc="Change a language service with a JSON merge patch (admin only; "
        "If-Match required).",
        delete_doc="Delete a service that has no articles, videos or notices (admin only; "
        "If-Match).",
        principal=require_admin,
    ),
)
