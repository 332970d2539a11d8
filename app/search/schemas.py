"""Shapes of the search answers."""

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from app.articles.schemas import Teaser
from app.videos.schemas import VideoOut

HIGHLIGHT = "A passage of the hit, HTML-escaped, with <mark> around the words that matched."


class ArticleHit(Teaser):
    """An article that matched: its teaser, as article lists show it."""

    type: Literal["article"]
    score: float = Field(description="Relevance blended with recency; higher is better.")
    highlight: str = Field(description=HIGHLIGHT)


class VideoHit(VideoOut):
    """A video that matched (title, description or transcript), as video lists show it."""

    type: Literal["video"]
    score: float = Field(description="Relevance blended with recency; higher is better.")
    highlight: str = Field(description=HIGHLIGHT)


Hit = Annotated[ArticleHit | VideoHit, Field(discriminator="type")]


class SearchPage(BaseModel):
    items: list[Hit]
    next_cursor: str | None


class RelatedArticlePage(BaseModel):
    model_config = ConfigDict(title="RelatedArticles")

    items: list[Teaser]
