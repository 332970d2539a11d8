"""Videos: their public representation, and the shapes editors and imports write."""

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field, model_validator

from app.kit.fields import LANGUAGE_PATTERN, URL, Code, Country, Slug, Strict, Time
from app.taxonomy.schemas import TaxonomyRef

UnavailableReason = Literal["geo_blocked", "not_yet_available", "expired", "no_sources"]


class ImageRendition(BaseModel):
    """The image at one of the configured widths (the original alone when no
    resizer is configured)."""

    url: str
    width: int | None
    height: int | None


class StoredThumbnail(BaseModel):
    url: str
    width: int | None = None
    height: int | None = None


class Thumbnail(StoredThumbnail):
    renditions: list[ImageRendition]


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


# Writes ----------------------------------------------------------------------


class ThumbnailIn(Strict):
    url: URL
    width: int | None = Field(default=None, ge=1)
    height: int | None = Field(default=None, ge=1)


class RenditionIn(Strict):
    url: URL
    mime_type: str = Field(pattern=r"^[\w.+-]+/[\w.+-]+$")
    width: int | None = Field(default=None, ge=1)
    height: int | None = Field(default=None, ge=1)
    bitrate: int | None = Field(default=None, ge=1)


class AvailabilityIn(Strict):
    countries_allowed: list[Country] | None = None
    countries_blocked: list[Country] | None = None
    available_from: Time | None = None
    available_until: Time | None = None


class CaptionWrite(Strict):
    language: str = Field(pattern=LANGUAGE_PATTERN)
    url: URL


class AvailabilityWrite(AvailabilityIn):
    @model_validator(mode="after")
    def _window(self) -> "AvailabilityWrite":
        start, end = self.available_from, self.available_until
        if start is not None and end is not None and end <= start:
            raise ValueError("available_until must be after available_from")
        return self


class VideoWrite(Strict):
    """A video as editors write it (POST, and what a PATCH merges into)."""

    service: Code
    uri: str | None = Field(
        default=None,
        min_length=1,
        max_length=500,
        description="Your identifier, the key of imports; one is made up when absent.",
    )
    title: str = Field(min_length=1, max_length=1000)
    description: str | None = Field(default=None, max_length=20_000)
    duration: int = Field(ge=0, le=1_000_000, description="Whole seconds.")
    thumbnail: ThumbnailIn | None
    renditions: list[RenditionIn] = Field(default=[], max_length=50)
    captions: list[CaptionWrite] = Field(default=[], max_length=50)
    transcript: str | None = Field(default=None, max_length=500_000)
    availability: AvailabilityWrite = AvailabilityWrite()
    published_at: Time | None = Field(default=None, description="Now when absent.")
    section: Slug | None = None
    tags: list[Slug] = Field(default=[], max_length=100)


class VideoStored(BaseModel):
    """A video as stored, before availability is resolved for a reader."""

    id: int
    uri: str | None
    service: str
    title: str
    description: str | None
    duration: int
    thumbnail: StoredThumbnail | None
    renditions: list[Rendition]
    captions: list[Caption]
    section: TaxonomyRef | None
    tags: list[TaxonomyRef]
    availability: Availability
    published_at: datetime
    updated_at: datetime
    transcript: str | None
