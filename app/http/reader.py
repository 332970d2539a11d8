"""Who is reading: the country set by the CDN, the time, the read store."""

from typing import Annotated

from fastapi import Depends, Request

from app.config import Settings
from app.http.frontcache import country_code
from app.readstore import ReadStore


def reader_country(request: Request, settings: Settings) -> str | None:
    """The ISO 3166 code from the configured header; unknown values mean no country."""
    value = request.headers.get(settings.country_header)
    code = None if value is None else country_code(value.encode("latin-1"))
    return None if code is None else code.decode()


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
