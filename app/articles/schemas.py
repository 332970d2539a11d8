"""Public representations of articles, and the shapes articles are written in."""

from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from app.schemas import TaxonomyRef
from app.videos.schemas import RelatedVideo


class Image(BaseModel):
    url: str
    width: int | None = None
    height: int | None = None
    caption: str | None = None
    credit: str | None = None
    alt: str | None = None


class ParagraphBlock(BaseModel):
    type: Literal["paragraph"]
    text: str = Field(description="Sanitised inline HTML (b, i, em, strong, a href).")


class HeadingBlock(BaseModel):
    type: Literal["heading"]
    text: str
    level: int = Field(ge=2, le=6)


class QuoteBlock(BaseModel):
    type: Literal["quote"]
    text: str
    attribution: str | None = None


class ListBlock(BaseModel):
    type: Literal["list"]
    style: Literal["bullet", "ordered"]
    items: list[str]


class ImageBlock(BaseModel):
    type: Literal["image"]
    url: str
    caption: str | None = None
    credit: str | None = None
    alt: str | None = None
    width: int | None = None
    height: int | None = None


class VideoBlock(BaseModel):
    type: Literal["video"]
    video_id: int


class EmbedBlock(BaseModel):
    type: Literal["embed"]
    url: str
    provider: str | None = None


Block = Annotated[
    ParagraphBlock | HeadingBlock | QuoteBlock | ListBlock | ImageBlock | VideoBlock | EmbedBlock,
    Field(discriminator="type"),
]


class SummaryOut(BaseModel):
    """The key points box."""

    bullets: list[str] = Field(min_length=0, max_length=7)
    source: Literal["editorial", "generated"]
    updated_at: datetime


class Breaking(BaseModel):
    until: datetime


class Translation(BaseModel):
    id: int
    service: str
    language: str
    slug: str
    url: str
    headline: str


class CorrectionOut(BaseModel):
    at: datetime
    text: str


class NoticeOut(BaseModel):
    id: int
    text: str
    language: str | None


class Teaser(BaseModel):
    """An article as lists show it."""

    id: int
    service: str
    language: str
    slug: str
    url: str
    kicker: str | None
    headline: str
    dek: str | None
    summary: list[str]
    lead_image: Image | None
    section: TaxonomyRef | None
    published_at: datetime
    updated_at: datetime
    breaking: Breaking | None


class ArticleOut(BaseModel):
    """An article, in full."""

    id: int
    service: str
    language: str
    slug: str
    url: str
    status: Literal["draft", "scheduled", "published", "archived"]
    kicker: str | None
    headline: str
    dek: str | None
    summary: SummaryOut | None
    body: list[Block]
    lead_image: Image | None
    authors: list[TaxonomyRef]
    section: TaxonomyRef | None
    tags: list[TaxonomyRef]
    urgency: int = Field(ge=1, le=9)
    first_published_at: datetime | None
    published_at: datetime | None
    updated_at: datetime
    embargo_until: datetime | None
    word_count: int
    reading_time_minutes: int
    translations: list[Translation]
    corrections: list[CorrectionOut]
    breaking: Breaking | None
    related_videos: list[RelatedVideo]
    notices: list[NoticeOut]


class TeaserPage(BaseModel):
    items: list[Teaser]
    next_cursor: str | None


class RelatedVideoPage(BaseModel):
    model_config = ConfigDict(title="RelatedVideos")

    items: list[RelatedVideo]
