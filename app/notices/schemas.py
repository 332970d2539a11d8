"""Notices as editors write them."""

from datetime import datetime

from pydantic import BaseModel, Field, model_validator

from app.kit.fields import LANGUAGE_PATTERN, Code, Country, Strict, Time


class NoticeWrite(Strict):
    """A notice shown to readers in some countries, optionally in some services only."""

    text: str = Field(min_length=1, max_length=5000)
    countries: list[Country] = Field(min_length=1, max_length=250)
    services: list[Code] | None = Field(
        default=None, min_length=1, description="Every service when absent."
    )
    language: str | None = Field(default=None, pattern=LANGUAGE_PATTERN, max_length=35)
    active_from: Time | None = None
    active_until: Time | None = None

    @model_validator(mode="after")
    def _window(self) -> "NoticeWrite":
        if (
            self.active_from is not None
            and self.active_until is not None
            and self.active_until <= self.active_from
        ):
            raise ValueError("active_until must be after active_from")
        return self


class NoticeStored(BaseModel):
    """A notice as stored."""

    id: int
    text: str
    countries: list[str]
    services: list[str] | None
    language: str | None
    active_from: datetime | None
    active_until: datetime | None
    updated_at: datetime
