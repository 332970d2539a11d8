"""Which notices a reader sees: by country, service and time, chosen per request."""

from typing import Any

import orjson

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
    applicable: list[dict[str, Any]] = []
    for (
        notice_id,
        text,
        countries,
        services,
        language,
        active_from,
        active_until,
        updated,
    ) in await store.all(ALL_NOTICES, {}):
        if country not in (_json(countries) or []):
            continue
        service_codes = _json(services)
        if service_codes and service not in service_codes:
            continue
        start, end = db_time_ms(active_from), db_time_ms(active_until)
        if (start is not None and now < start) or (end is not None and now >= end):
            continue
        applicable.append(
            {
                "doc": {"id": notice_id, "text": text, "language": language},
                "changed": max(db_time_ms(updated) or 0, start or 0),
            }
        )
    return applicable
