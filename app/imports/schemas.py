"""The shapes imports read: Masthead's bundle (services, taxonomy, videos, articles
and notices in one document, keyed by code, slug, uri and key), the items of an
import batch, and the batch's request and answer.

Body blocks and lead images are the editorial API's own write shapes
(:mod:`app.articles.schemas`); only a video block differs: in a bundle it names
the video by ``video_uri``, in a batch by ``video_id`` or ``video_uri``.
"""

from datetime import datetime
from typing import Annotated, Any, Literal, NamedTuple

from pydantic import BaseModel, ConfigDict, Field, model_validator

from app.articles.schemas import ContentBlockWrite, LeadImageWrite
from app.kit.fields import URL, Code, Country, LanguageTag, Slug, Strict, Time
from app.videos.schemas import AvailabilityIn, CaptionWrite, RenditionIn, ThumbnailIn

#: How many items one batch holds at most.
MAX_ITEMS = 10_000


class ServiceIn(Strict):
    code: Code
    name: str = Field(min_length=1, max_length=200)
    description: str | None = None
    language: LanguageTag
    direction: Literal["ltr", "rtl"] = "ltr"
    timezone: str = "UTC"
    site_url: URL | None = None


class TermIn(Strict):
    service: Code
    slug: Slug
    name: str = Field(min_length=1, max_length=200)


class AuthorIn(Strict):
    slug: Slug
    name: str = Field(min_length=1, max_length=200)
    bio: str | None = None


class VideoIn(Strict):
    uri: str = Field(min_length=1, max_length=500)
    service: Code
    title: str = Field(min_length=1)
    description: str | None = None
    duration: int = Field(ge=0)
    thumbnail: ThumbnailIn | None = None
    renditions: list[RenditionIn] = Field(default=[])
    captions: list[CaptionWrite] = Field(default=[])
    transcript: str | None = None
    availability: AvailabilityIn = AvailabilityIn()
    published_at: Time
    tags: list[Slug] = Field(default=[])
    section: Slug | None = None


class VideoRefIn(Strict):
    """A video block naming the video by its uri."""

    type: Literal["video"]
    video_uri: str


BlockIn = Annotated[ContentBlockWrite | VideoRefIn, Field(discriminator="type")]


class CorrectionIn(Strict):
    at: Time
    text: str = Field(min_length=1)


class ArticleIn(Strict):
    uri: str = Field(min_length=1, max_length=500)
    service: Code
    language: str | None = None
    slug: Slug | None = None
    headline: str = Field(min_length=1, max_length=1000)
    dek: str | None = None
    kicker: str | None = Field(default=None, max_length=200)
    body: list[BlockIn]
    lead_image: LeadImageWrite | None = None
    section: Slug | None = None
    tags: list[Slug] = Field(default=[])
    authors: list[Slug] = Field(default=[])
    urgency: int = Field(default=5, ge=1, le=9)
    breaking_until: Time | None = None
    embargo_until: Time | None = None
    withheld_in: list[Country] = Field(default=[])
    first_published_at: Time | None = None
    published_at: Time
    updated_at: Time | None = None
    summary: list[str] | None = Field(default=None, min_length=1, max_length=7)
    related_videos: list[str] = Field(default=[])
    translation_of: str | None = None
    corrections: list[CorrectionIn] = Field(default=[])
    status: Literal["published"] | None = None


class NoticeIn(Strict):
    key: str = Field(min_length=1, max_length=200)
    text: str = Field(min_length=1)
    countries: list[Country] = Field(min_length=1)
    services: list[Code] | None = None
    language: str | None = None
    active_from: Time | None = None
    active_until: Time | None = None


class Bundle(Strict):
    services: list[ServiceIn] = Field(default=[])
    sections: list[TermIn] = Field(default=[])
    tags: list[TermIn] = Field(default=[])
    authors: list[AuthorIn] = Field(default=[])
    videos: list[VideoIn] = Field(default=[])
    articles: list[ArticleIn] = Field(default=[])
    notices: list[NoticeIn] = Field(default=[])


# Batch items -------------------------------------------------------------------


class VideoBlockIn(Strict):
    """A video block naming the video by id (as the API writes it) or by uri."""

    type: Literal["video"]
    video_id: int | None = Field(default=None, ge=1)
    video_uri: str | None = Field(default=None, min_length=1, max_length=500)

    @model_validator(mode="after")
    def _one_reference(self) -> "VideoBlockIn":
        if (self.video_id is None) == (self.video_uri is None):
            raise ValueError("give either video_id or video_uri")
        return self


ImportBlock = Annotated[ContentBlockWrite | VideoBlockIn, Field(discriminator="type")]


class ImportArticle(ArticleIn):
    """An article in Masthead's own shape, as an import item."""

    service: Code | None = None  # type: ignore[assignment]
    language: LanguageTag | None = Field(default=None, max_length=35)
    published_at: Time | None = None  # type: ignore[assignment]
    body: list[ImportBlock]  # type: ignore[assignment]


class SourceVersion(NamedTuple):
    """Which version of an agency item this is: its ninjs ``version`` when that is a
    whole number, and its ``versionCreated``."""

    number: int | None = None
    created: datetime | None = None


# The batch's request and answer ---------------------------------------------------


class ImportRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    items: list[dict[str, Any]] = Field(
        min_length=1,
        max_length=MAX_ITEMS,
        description="IPTC ninjs 2.x/3.x documents (a uri next to ninjs members), or "
        "articles in Masthead's own shape with a uri.",
    )


#: What an import did with one item.
Outcome = Literal["created", "updated", "unchanged", "superseded", "outdated"]


class ImportedItem(BaseModel):
    position: int
    type: Literal["article", "video"]
    uri: str
    id: int | None = Field(description="None for a withheld or canceled item with no article.")
    service: str = Field(description="The code of the service the item went to.")
    outcome: Outcome = Field(
        description="`created`, `updated` or `unchanged`: what the item did to the store; "
        "`superseded`: a later version of the same uri in the batch was applied instead "
        "(see `superseded_by`); `outdated`: the store already holds a later version of "
        "the uri, and the item changed nothing."
    )
    superseded_by: int | None = Field(
        description="For a superseded item, the position of the version that was applied."
    )


class ImportResult(BaseModel):
    """What the batch did: each item counts once, under its outcome."""

    created: int
    updated: int
    unchanged: int
    superseded: int = Field(description="Items a later version in the same batch replaced.")
    outdated: int = Field(description="Items older than the version already stored.")
    tags_created: int
    authors_created: int
    items: list[ImportedItem]
