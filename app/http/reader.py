"""Who is reading: the country set by the CDN, the time, the read store."""

import re
from typing import Annotated

from fastapi import Depends, Request

from app.config import Settings
from app.readstore import ReadStore

_COUNTRY = re.compile(r"^[A-Z]{2}$")


async def reader_country(request: Request) -> str | None:
    """The ISO 3166 code from the configured header; unknown values mean no country."""
    settings: Settings = request.app.state.settings
    value = request.headers.get(settings.country_header)
    if value is None:
        return None
    value = value.strip().upper()
    return value if _COUNTRY.match(value) and value not in ("XX", "T1") else None


async def get_store(request: Request) -> ReadStore:
    store: ReadStore = request.app.state.read_store
    return store


async def get_settings_dep(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


StoreDep = Annotated[ReadStore, Depends(get_store)]
SettingsDep = Annotated[Settings, Depends(get_settings_dep)]
CountryDep = Annotated[str | None, Depends(reader_country)]


def reader(request: Request) -> tuple[ReadStore, Settings, str | None]:
    """The read store, settings and reader's country, without dependency injection:
    on the hot read path FastAPI's dependency resolution costs more than the read."""
    state = request.app.state
    settings: Settings = state.settings
    value = request.headers.get(settings.country_header)
    country = None
    if value is not None:
        value = value.strip().upper()
        if _COUNTRY.match(value) and value not in ("XX", "T1"):
            country = value
    return state.read_store, settings, country
