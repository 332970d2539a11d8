"""Who is reading: the country set by the CDN, the time, the read store."""

import re
from typing import Annotated

from fastapi import Depends, Request

from app.config import Settings
from app.readstore import ReadStore

_COUNTRY = re.compile(r"^[A-Z]{2}$")


def reader_country(request: Request, settings: Settings) -> str | None:
    """The ISO 3166 code from the configured header; unknown values mean no country."""
    value = request.headers.get(settings.country_header)
    if value is None:
        return None
    value = value.strip().upper()
    return value if _COUNTRY.match(value) and value not in ("XX", "T1") else None


async def get_store(request: Request) -> ReadStore:
    store: ReadStore = request.app.state.read_store
    return store


StoreDep = Annotated[ReadStore, Depends(get_store)]


def reader(request: Request) -> tuple[ReadStore, Settings, str | None]:
    """The read store, settings and reader's country, without dependency injection:
    on the hot read path FastAPI's dependency resolution costs more than the read."""
    state = request.app.state
    settings: Settings = state.settings
    return state.read_store, settings, reader_country(request, settings)
