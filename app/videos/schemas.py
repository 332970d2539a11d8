"""Public representation of videos."""

from datetime import datetime
from typing import Literal

from pydantic import BaseModel

from app.schemas import TaxonomyRef

UnavailableReason = Literal["geo_blocked", "not_yet_available", "expired", "no_sources"]


class Thumbnail(BaseModel):
    url: str
    width: int | None = None
    height: int | None = None


class Rendition(BaseModel):
    url: str
    mime_type: str
    width: int | None = None
    height: int | None = None
    bitrate: int | None = None


class Caption(BaseModel):
    language: str
    url: str


class Availability(BaseModel):
    countries_allowed: list[str] | None
    countries_blocked: list[str] | None
    available_from: datetime | None
    available_until: datetime | None


class VideoBase(BaseModel):
    id: int
    service: str
    title: str
    description: str | None
    duration: int
    thumbnail: Thumbnail | None
    renditions: list[Rendition]
    captions: list[Caption]
    section: TaxonomyRef | None
    tags: list[TaxonomyRef]
    availability: Availability
    published_at: datetime
    updated_at: datetime
    playable: bool
    unavailable_reason: UnavailableReason | None


class VideoOut(VideoBase):
    """A video, with its availability resolved for this request."""

    transcript: str | None


class RelatedVideo(VideoBase):
    """A video related to an article; ``curated`` when the editors chose it."""

    curated: bool


class VideoPage(BaseModel):
    items: list[VideoOut]
    next_cursor: str | None
