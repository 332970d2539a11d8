"""Typed parameters the article endpoints share."""

from typing import Annotated

from fastapi import Path

ArticleId = Annotated[int, Path(ge=1, le=2**62, description="The article's id.")]
