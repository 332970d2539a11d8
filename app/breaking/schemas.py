"""The breaking-news list."""

from pydantic import BaseModel, ConfigDict

from app.articles.schemas import Teaser


class BreakingPage(BaseModel):
    """Teasers of the articles whose breaking flag is up, newest first."""

    model_config = ConfigDict(title="BreakingList")

    items: list[Teaser]
