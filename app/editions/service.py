"""Reading language services (editions): the public list and items, and the
service lookups other domains share (a 404 or a 422 naming the service)."""

from typing import Any

import orjson
from sqlalchemy.orm import Session

from app.editions.repository import ALL, ONE, SERVICE_EXISTS, ServiceRepository
from app.errors import NotFound, Unprocessable
from app.kit.timeutil import db_time_ms
from app.models import Service
from app.readstore import ReadStore

FIELDS = ("code", "name", "description", "language", "direction", "timezone", "site_url")


async def require_service(store: ReadStore, code: str) -> None:
    """404 for a service a query parameter names and the store does not have."""
    if await store.one(SERVICE_EXISTS, {"code": code}) is None:
        raise NotFound(
            f"There is no service '{code}'.",
            errors=[{"location": "query", "field": "service", "message": "unknown service"}],
        )


def _doc(row: Any) -> dict[str, Any]:
    return dict(zip(FIELDS, row[:7], strict=True))


def _updated_ms(value: Any) -> int:
    return db_time_ms(value) or 0


async def service_list(store: ReadStore) -> tuple[bytes, int | None]:
    """Every service, and when the newest change was made."""
    rows = await store.all(ALL, {})
    body = orjson.dumps({"items": [_doc(row) for row in rows], "next_cursor": None})
    return body, max((_updated_ms(row[7]) for row in rows), default=None)


async def service_item(store: ReadStore, code: str) -> tuple[bytes, int]:
    row = await store.one(ONE, {"code": code})
    if row is None:
        raise NotFound(f"There is no service '{code}'.")
    return orjson.dumps(_doc(row)), _updated_ms(row[7])


def service_document(service: Service) -> dict[str, Any]:
    """The public representation, member for member as ``GET /v1/services/{code}``."""
    return {name: getattr(service, name) for name in FIELDS}


def service_in_body(session: Session, code: str, field: str = "service") -> Service:
    """The service a body names; an unknown one is a 422 on that field."""
    found = ServiceRepository(session).by_code(code)
    if found is None:
        raise Unprocessable(
            f"There is no service '{code}'.",
            errors=[{"location": "body", "field": field, "message": "unknown service"}],
        )
    return found


def service_in_query(session: Session, code: str) -> Service:
    """The service a query parameter names; an unknown one is a 404."""
    found = ServiceRepository(session).by_code(code)
    if found is None:
        raise NotFound(
            f"There is no service '{code}'.",
            errors=[{"location": "query", "field": "service", "message": "unknown service"}],
        )
    return found
