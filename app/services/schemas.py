from typing import Literal

from pydantic import BaseModel


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
