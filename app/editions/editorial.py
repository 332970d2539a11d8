"""Writing language services (admin only)."""

from typing import Any

from sqlalchemy.orm import Session

from app.editions.repository import ServiceRepository
from app.editions.schemas import ServiceWrite
from app.editions.service import service_document
from app.editorial.patch import patched
from app.errors import Conflict, NotFound, Unprocessable
from app.http.caching import representation_etag
from app.http.writes import Precondition
from app.kit.merge_patch import strip_none
from app.kit.sanitize import plain_paragraphs, plain_text
from app.models import Service, utcnow
from app.readmodel.articles import render_articles


def service_etag(service: Service) -> str:
    return representation_etag(service_document(service))


def _values(data: ServiceWrite) -> dict[str, Any]:
    return {
        "name": plain_text(data.name),
        "description": plain_paragraphs(data.description) if data.description else None,
        "language": data.language,
        "direction": data.direction,
        "timezone": data.timezone,
        "site_url": data.site_url,
    }


def create_service(session: Session, data: ServiceWrite) -> Service:
    services = ServiceRepository(session)
    if services.by_code(data.code) is not None:
        raise Conflict(f"There is already a service '{data.code}'.")
    service = Service(code=data.code, **_values(data))
    services.add(service)
    return service


def _locked(services: ServiceRepository, code: str) -> Service:
    service = services.lock(code)
    if service is None:
        raise NotFound(f"There is no service '{code}'.")
    return service


def update_service(
    session: Session, code: str, patch: dict[str, Any], precondition: Precondition
) -> Service:
    services = ServiceRepository(session)
    service = _locked(services, code)
    precondition(service_etag(service))
    data = patched(ServiceWrite, strip_none(service_document(service)), patch)
    if data.code != service.code:
        raise Unprocessable(
            "A service's code cannot change.",
            errors=[{"location": "body", "field": "code", "message": "cannot change"}],
        )
    values = _values(data)
    changed = {name for name, value in values.items() if getattr(service, name) != value}
    if not changed:
        return service
    for name in changed:
        setattr(service, name, values[name])
    service.updated_at = utcnow()
    services.flush()
    if "site_url" in changed:
        # Canonical URLs of every article of the service (and of their
        # translations elsewhere) are rendered with the site URL.
        render_articles(session, services.article_ids(service.id))
    return service


def delete_service(session: Session, code: str, precondition: Precondition) -> None:
    services = ServiceRepository(session)
    service = _locked(services, code)
    precondition(service_etag(service))
    what = services.holds(service.id)
    if what is not None:
        raise Conflict(f"The service '{code}' still has {what}; move or delete them first.")
    if services.named_by_notices(code):
        raise Conflict(f"Notices name the service '{code}'; change or delete them first.")
    services.delete(service.id)
