"""Writing language services (admin only), and the service lookups other writes share."""

from collections.abc import Callable
from typing import Any

from sqlalchemy import delete, exists, select, update
from sqlalchemy.orm import Session

from app.editions.schemas import ServiceWrite
from app.errors import Conflict, NotFound, Unprocessable
from app.http.editorial import patched, representation_etag, strip_none
from app.kit.sanitize import plain_paragraphs, plain_text
from app.models import Article, Notice, Service, Video, utcnow
from app.readmodel.articles import render_articles

FIELDS = ("code", "name", "description", "language", "direction", "timezone", "site_url")


def service_in_body(session: Session, code: str, field: str = "service") -> Service:
    """The service a body names; an unknown one is a 422 on that field."""
    found = session.scalars(select(Service).where(Service.code == code)).one_or_none()
    if found is None:
        raise Unprocessable(
            f"There is no service '{code}'.",
            errors=[{"location": "body", "field": field, "message": "unknown service"}],
        )
    return found


def service_in_query(session: Session, code: str) -> Service:
    """The service a query parameter names; an unknown one is a 404."""
    found = session.scalars(select(Service).where(Service.code == code)).one_or_none()
    if found is None:
        raise NotFound(
            f"There is no service '{code}'.",
            errors=[{"location": "query", "field": "service", "message": "unknown service"}],
        )
    return found


def service_document(service: Service) -> dict[str, Any]:
    """The public representation, member for member as ``GET /v1/services/{code}``."""
    return {name: getattr(service, name) for name in FIELDS}


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
    if session.scalars(select(Service.id).where(Service.code == data.code)).first() is not None:
        raise Conflict(f"There is already a service '{data.code}'.")
    service = Service(code=data.code, **_values(data))
    session.add(service)
    session.flush()
    return service


def _locked(session: Session, code: str) -> Service:
    # A no-op write first: it takes the row's lock (PostgreSQL) or the database's
    # write lock (SQLite) before the read, so the If-Match check sees the latest
    # committed state and two concurrent writers cannot both pass it.
    locked = session.execute(
        update(Service).where(Service.code == code).values(updated_at=Service.updated_at)
    )
    if locked.rowcount == 0:  # type: ignore[attr-defined]
        raise NotFound(f"There is no service '{code}'.")
    return session.scalars(select(Service).where(Service.code == code)).one()


def update_service(
    session: Session, code: str, patch: dict[str, Any], precondition: Callable[[str], None]
) -> Service:
    service = _locked(session, code)
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
    session.flush()
    if "site_url" in changed:
        # Canonical URLs of every article of the service (and of their
        # translations elsewhere) are rendered with the site URL.
        render_articles(
            session, session.scalars(select(Article.id).where(Article.service_id == service.id))
        )
    return service


def delete_service(session: Session, code: str, precondition: Callable[[str], None]) -> None:
    service = _locked(session, code)
    precondition(service_etag(service))
    for model, what in ((Article, "articles"), (Video, "videos")):
        if session.scalar(select(exists().where(model.service_id == service.id))):
            raise Conflict(f"The service '{code}' still has {what}; move or delete them first.")
    if any(code in (notice.services or ()) for notice in session.scalars(select(Notice))):
        raise Conflict(f"Notices name the service '{code}'; change or delete them first.")
    # Its sections and tags go with it (ON DELETE CASCADE).
    session.execute(delete(Service).where(Service.id == service.id))
    session.flush()
