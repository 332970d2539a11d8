"""The breaking-news list."""

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from app.articles.schemas import Teaser


class BreakingPage(BaseModel):
    """Teasers of the articles whose breaking flag is up, newest first."""

    model_config = ConfigDict(title="BreakingList")

    items: list[Teaser]


class BreakingEnded(BaseModel):
    """The data of a ``breaking-ended`` event: this article is breaking news no more
    (for this reader)."""

    id: int
    service: str
    at: datetime = Field(description="When it stopped being breaking.")
