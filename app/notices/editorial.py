"""Writing notices. They are not rendered: the article reads pick them per request."""

from typing import Any

from sqlalchemy.orm import Session

from app.auth.service import Principal
from app.editorial.patch import patched
from app.errors import Forbidden, NotFound, Unprocessable
from app.http.caching import representation_etag
from app.http.writes import Precondition
from app.kit.merge_patch import strip_none
from app.kit.sanitize import plain_paragraphs
from app.kit.timeutil import iso
from app.models import Notice, utcnow
from app.notices.repository import NoticeRepository
from app.notices.schemas import NoticeWrite


def notice_document(notice: Notice) -> dict[str, Any]:
    return {
        "id": notice.id,
        "text": notice.text,
        "countries": notice.countries,
        "services": notice.services,
        "language": notice.language,
        "active_from": iso(notice.active_from),
        "active_until": iso(notice.active_until),
        "updated_at": iso(notice.updated_at),
    }


def notice_etag(notice: Notice) -> str:
    return representation_etag(notice_document(notice))


def _require_writer(principal: Principal, services: list[str] | None) -> None:
    """Admin, or an editor of every service the notice names (a notice for every
    service is an admin's)."""
    if principal.is_admin:
        return
    if services is None:
        raise Forbidden("Only an admin may write a notice for every service.")
    denied = sorted(code for code in set(services) if not principal.can_write(code))
    if denied:
        raise Forbidden(f"This token may not write to the service(s) {', '.join(denied)}.")


def _values(notices: NoticeRepository, data: NoticeWrite) -> dict[str, Any]:
    services = None
    if data.services is not None:
        services = list(dict.fromkeys(data.services))
        known = notices.known_services(services)
        unknown = [code for code in services if code not in known]
        if unknown:
            raise Unprocessable(
                f"There is no service {', '.join(repr(code) for code in unknown)}.",
                errors=[
                    {
                        "location": "body",
                        "field": f"services.{services.index(code)}",
                        "message": "unknown service",
                    }
                    for code in unknown
                ],
            )
    text = plain_paragraphs(data.text)
    if not text:
        raise Unprocessable(
            "The notice has no readable text.",
            errors=[{"location": "body", "field": "text", "message": "empty once sanitised"}],
        )
    return {
        "text": text,
        "countries": list(dict.fromkeys(data.countries)),
        "services": services,
        "language": data.language,
        "active_from": data.active_from,
        "active_until": data.active_until,
    }


def create_notice(session: Session, principal: Principal, data: NoticeWrite) -> Notice:
    _require_writer(principal, data.services)
    notices = NoticeRepository(session)
    now = utcnow()
    notice = Notice(created_at=now, updated_at=now, **_values(notices, data))
    notices.add(notice)
    return notice


def _locked(notices: NoticeRepository, principal: Principal, notice_id: int) -> Notice:
    notice = notices.lock(notice_id)
    if notice is None:
        raise NotFound("There is no notice with this id.")
    _require_writer(principal, notice.services)
    return notice


def _write_document(notice: Notice) -> dict[str, Any]:
    document = notice_document(notice)
    del document["id"], document["updated_at"]
    return strip_none(document)


def update_notice(
    session: Session,
    principal: Principal,
    notice_id: int,
    patch: dict[str, Any],
    precondition: Precondition,
) -> Notice:
    notices = NoticeRepository(session)
    notice = _locked(notices, principal, notice_id)
    precondition(notice_etag(notice))
    data = patched(NoticeWrite, _write_document(notice), patch)
    _require_writer(principal, data.services)
    values = _values(notices, data)
    changed = [name for name, value in values.items() if getattr(notice, name) != value]
    if changed:
        for name in changed:
            setattr(notice, name, values[name])
        notice.updated_at = max(utcnow(), notice.updated_at)
        notices.flush()
    return notice


def delete_notice(
    session: Session, principal: Principal, notice_id: int, precondition: Precondition
) -> None:
    notices = NoticeRepository(session)
    notice = _locked(notices, principal, notice_id)
    precondition(notice_etag(notice))
    notices.delete(notice_id)
