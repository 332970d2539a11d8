"""Which notices a reader sees: by country, service and time, chosen per request."""

from collections.abc import Iterable, Sequence
from typing import Any

import orjson
from sqlalchemy.orm import Session

from app.kit.timeutil import db_time_ms
from app.notices.repository import ALL_NOTICES
from app.readstore import ReadStore


def _json(value: Any) -> Any:
    if value is None or isinstance(value, list):
        return value
    return orjson.loads(value)


async def notices_for(
    store: ReadStore, country: str | None, service: str, now: int
) -> list[dict[str, Any]]:
    """The notices that apply to a reader in ``country`` reading ``service`` now:
    ``{"doc": public representation, "changed": epoch ms it last changed}``."""
    if country is None:
        return []
    return applicable(await store.all(ALL_NOTICES, {}), country, service, now)


def notices_in(
    session: Session, country: str | None, service: str, now: int
) -> list[dict[str, Any]]:
    """``notices_for`` within a transaction (a write's answer, read before its
    commit): no trip to the event loop while the transaction holds its locks."""
    if country is None:
        return []
    return applicable(session.execute(ALL_NOTICES.statement).all(), country, service, now)


def applicable(
    rows: Iterable[Sequence[Any]], country: str, service: str, now: int
) -> list[dict[str, Any]]:
    """Of the rows of ``ALL_NOTICES``, those for this reader, service and time."""
    found: list[dict[str, Any]] = []
    for (
        notice_id,
        text,
        countries,
        services,
        language,
        active_from,
        active_until,
        updated,
    ) in rows:
        if country not in (_json(countries) or []):
            continue
        service_codes = _json(services)
        if service_codes and service not in service_codes:
            continue
        start, end = db_time_ms(active_from), db_time_ms(active_until)
        if (start is not None and now < start) or (end is not None and now >= end):
            continue
        found.append(
            {
                "doc": {"id": notice_id, "text": text, "language": language},
                "changed": max(db_time_ms(updated) or 0, start or 0),
            }
        )
    return found
