"""Service lookups for the hot path."""

from sqlalchemy import bindparam, select

from app.errors import NotFound
from app.models import Service
from app.readstore import Query, ReadStore

SERVICE_EXISTS = Query(select(Service.id).where(Service.code == bindparam("code")))


async def require_service(store: ReadStore, code: str) -> None:
    if await store.one(SERVICE_EXISTS, {"code": code}) is None:
        raise NotFound(
            f"There is no service '{code}'.",
            errors=[{"location": "query", "field": "service", "message": "unknown service"}],
        )
