"""Public representations of articles, and the shapes articles are written in."""

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from app.editorial.patch import patch_model
from app.kit.fields import LABEL_MAX, Code, Country, LanguageTag, SafeUrl, Slug, Strict, Time
from app.taxonomy.schemas import TaxonomyRef
from app.videos.schemas import ImageRendition, RelatedVideo


class Image(BaseModel):
    url: str
    width: int | None = None
    height: int | None = None
    caption: str | None = None
    credit: str | None = None
    alt: str | None = None
    renditions: list[ImageRendition]


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
    renditions: list[ImageRendition]


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


TEASER_FIELDS = frozenset(Teaser.model_fields)


class TeaserPage(BaseModel):
    items: list[Teaser]
    next_cursor: str | None


class RelatedVideoPage(BaseModel):
    model_config = ConfigDict(title="RelatedVideos")

    items: list[RelatedVideo]


# Write shapes ----------------------------------------------------------------
#
# Strict: an unknown member anywhere answers 422. Text is sanitised after
# validation (app.articles.content.clean_block); URLs are checked here. Imports
# write body blocks and lead images in these same shapes.

RichText = Annotated[str, Field(max_length=20_000)]
Label = Annotated[str, Field(max_length=LABEL_MAX)]


class ParagraphBlockWrite(Strict):
    type: Literal["paragraph"]
    text: RichText = Field(description="Inline HTML (b, i, em, strong, a href), sanitised.")


class HeadingBlockWrite(Strict):
    type: Literal["heading"]
    text: RichText
    level: int = Field(default=2, ge=2, le=6)


class QuoteBlockWrite(Strict):
    type: Literal["quote"]
    text: RichText
    attribution: Label | None = None


class ListBlockWrite(Strict):
    type: Literal["list"]
    style: Literal["bullet", "ordered"]
    items: list[RichText] = Field(min_length=1, max_length=200)


class ImageBlockWrite(Strict):
    type: Literal["image"]
    url: SafeUrl
    caption: Label | None = None
    credit: Label | None = None
    alt: Label | None = None
    width: int | None = Field(default=None, ge=1, le=100_000)
    height: int | None = Field(default=None, ge=1, le=100_000)


class VideoBlockWrite(Strict):
    type: Literal["video"]
    video_id: int = Field(ge=1, le=2**62, description="An existing video.")


class EmbedBlockWrite(Strict):
    type: Literal["embed"]
    url: SafeUrl
    provider: Label | None = None


#: Every block but a video one, whose reference differs between the API and imports.
ContentBlockWrite = (
    ParagraphBlockWrite
    | HeadingBlockWrite
    | QuoteBlockWrite
    | ListBlockWrite
    | ImageBlockWrite
    | EmbedBlockWrite
)
BlockWrite = Annotated[
    ParagraphBlockWrite
    | HeadingBlockWrite
    | QuoteBlockWrite
    | ListBlockWrite
    | ImageBlockWrite
    | VideoBlockWrite
    | EmbedBlockWrite,
    Field(discriminator="type"),
]


class LeadImageWrite(Strict):
    url: SafeUrl
    width: int | None = Field(default=None, ge=1, le=100_000)
    height: int | None = Field(default=None, ge=1, le=100_000)
    caption: Label | None = None
    credit: Label | None = None
    alt: Label | None = None


class ArticleWrite(Strict):
    """An article as editors write it; PATCH takes a JSON merge patch of this shape
    (plus an optional ``correction``)."""

    service: Code
    headline: str = Field(min_length=1, max_length=1000)
    dek: str | None = Field(default=None, max_length=10_000)
    kicker: str | None = Field(default=None, max_length=200)
    language: LanguageTag | None = Field(default=None, description="Default: the service's.")
    slug: Slug | None = Field(
        default=None, description="Default: made from the headline, transliterated."
    )
    body: list[BlockWrite] = Field(max_length=2000)
    lead_image: LeadImageWrite | None = None
    section: Slug | None = None
    tags: list[Slug] = Field(default=[], max_length=50)
    authors: list[Slug] = Field(default=[], max_length=50)
    urgency: int = Field(default=5, ge=1, le=9)
    breaking_until: Time | None = None
    embargo_until: Time | None = None
    withheld_in: list[Country] = Field(default=[], max_length=250)
    translation_of: int | None = Field(
        default=None,
        ge=1,
        le=2**62,
        description="The id of the article, in another service, that this one translates; "
        "both then list each other (and the rest of the story) as translations.",
    )


#: ``PATCH /v1/articles/{id}``: a merge patch of the write shape, and a correction.
ArticlePatch = patch_model(
    ArticleWrite,
    correction=(
        str | None,
        Field(default=None, description="Appends this text to the public corrections log."),
    ),
)


class PublishWrite(Strict):
    at: Time | None = Field(
        default=None, description="When readers may see it; in the future, it is scheduled."
    )


class SummaryWrite(Strict):
    bullets: list[Annotated[str, Field(min_length=1, max_length=1000)]] = Field(
        min_length=1, max_length=7
    )


class RelatedVideosWrite(Strict):
    video_ids: list[Annotated[int, Field(ge=1, le=2**62)]] = Field(max_length=50)


class RelatedVideosOut(BaseModel):
    """The editors' curated related videos, in their order."""

    video_ids: list[int]


class RevisionOut(BaseModel):
    """One change to an article."""

    number: int
    action: Literal[
        "create",
        "update",
        "publish",
        "schedule",
        "unpublish",
        "archive",
        "summary",
        "summary_removed",
        "related_videos",
        "restore",
        "import",
    ]
    actor: str
    fields: list[str]
    created_at: datetime
    restored_from: int | None = Field(
        description="For a restore: the revision whose content it made current again."
    )


class RevisionDetail(RevisionOut):
    """One change to an article: the values the changed fields had before, and the
    article as the change left it."""

    previous: dict[str, Any]
    article: ArticleWrite = Field(
        description="The article's write shape then, as POST /v1/articles takes it."
    )
    status: Literal["draft", "scheduled", "published", "archived"]
    summary: list[str] | None = Field(
        description="The editors' key points then; null when readers got generated ones."
    )
    related_videos: list[int] = Field(description="The curated related videos then, in order.")


class RevisionPage(BaseModel):
    items: list[RevisionOut]
    next_cursor: str | None
