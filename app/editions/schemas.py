from typing import Annotated, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import AfterValidator, BaseModel, Field

from app.kit.fields import LANGUAGE_PATTERN, URL, Code, Strict


class ServiceOut(BaseModel):
    """A language service (edition)."""

    code: str
    name: str
    description: str | None
    language: str
    direction: Literal["ltr", "rtl"]
    timezone: str
    site_url: str | None


class ServicePage(BaseModel):
    items: list[ServiceOut]
    next_cursor: str | None


def _known_zone(value: str) -> str:
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError("must be an IANA time zone such as 'Europe/London'") from None
    return value


class ServiceWrite(Strict):
    """A language service as an admin writes it."""

    code: Code
    name: str = Field(min_length=1, max_length=200)
    description: str | None = Field(default=None, max_length=5000)
    language: str = Field(pattern=LANGUAGE_PATTERN, max_length=35)
    direction: Literal["ltr", "rtl"] = "ltr"
    timezone: Annotated[str, Field(max_length=64), AfterValidator(_known_zone)] = "UTC"
    site_url: Annotated[URL, Field(max_length=500)] | None = None
