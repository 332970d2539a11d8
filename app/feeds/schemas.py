"""The JSON Feed 1.1 document as this API writes it (for the spec)."""

from pydantic import BaseModel, ConfigDict, Field


class JsonFeedAuthor(BaseModel):
    name: str


class JsonFeedAttachment(BaseModel):
    """One rendition of a video the reader may play; renditions of one video share a title."""

    url: str
    mime_type: str
    title: str
    duration_in_seconds: int | None = None


class JsonFeedItem(BaseModel):
    id: str = Field(description="Stable: the article's API address.")
    url: str = Field(description="The canonical address.")
    title: str
    content_html: str = Field(
        description='The key points as an HTML list (in <div dir="rtl"> for RTL services).'
    )
    summary: str | None = None
    image: str | None = None
    date_published: str
    date_modified: str
    language: str
    tags: list[str]
    authors: list[JsonFeedAuthor] | None = None
    attachments: list[JsonFeedAttachment] | None = None


class JsonFeed(BaseModel):
    model_config = ConfigDict(title="JsonFeed")

    version: str = Field(examples=["https://jsonfeed.org/version/1.1"])
    title: str
    home_page_url: str
    feed_url: str
    description: str | None = None
    language: str
    authors: list[JsonFeedAuthor]
    items: list[JsonFeedItem]
