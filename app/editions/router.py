"""Public service (edition) endpoints."""

from typing import Annotated, Any

import orjson
from fastapi import APIRouter, Path, Request
from fastapi.responses import Response
from sqlalchemy import bindparam, select

from app.editions.schemas import ServiceOut, ServicePage
from app.errors import PROBLEM_RESPONSES, NotFound
from app.http.caching import public_response
from app.http.reader import reader
from app.kit.timeutil import db_time_ms
from app.models import Service
from app.readstore import Query

router = APIRouter(tags=["services"])

S = Service.__table__.c
_COLUMNS = (S.code, S.name, S.description, S.language, S.direction, S.timezone, S.site_url)
ALL = Query(select(*_COLUMNS, S.updated_at).order_by(S.code))
ONE = Query(select(*_COLUMNS, S.updated_at).where(S.code == bindparam("code")))
FIELDS = ("code", "name", "description", "language", "direction", "timezone", "site_url")


def _doc(row: Any) -> dict[str, Any]:
    return dict(zip(FIELDS, row[:7], strict=True))


def _updated_ms(value: Any) -> int:
    return db_time_ms(value) or 0


@router.get(
    "/v1/services",
    operation_id="list_services",
    response_model=ServicePage,
    responses=PROBLEM_RESPONSES,
)
async def list_services(request: Request) -> Response:
    """All language services."""
    store, settings, _country = reader(request)
    rows = await store.all(ALL, {})
    body = orjson.dumps({"items": [_doc(row) for row in rows], "next_cursor": None})
    return public_response(
        request,
        body,
        settings=settings,
        last_modified_ms=max((_updated_ms(row[7]) for row in rows), default=None),
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
    code: Annotated[str, Path(pattern=r"^[a-z0-9][a-z0-9-]{0,31}$")],
) -> Response:
    """One language service."""
    store, settings, _country = reader(request)
    row = await store.one(ONE, {"code": code})
    if row is None:
        raise NotFound(f"There is no service '{code}'.")
    return public_response(
        request,
        orjson.dumps(_doc(row)),
        settings=settings,
        last_modified_ms=_updated_ms(row[7]),
        surrogate_keys=f"service-{code}",
    )
