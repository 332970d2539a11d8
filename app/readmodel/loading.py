"""Loading what a representation shows, in a few set-based queries."""

from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload, selectinload

from app.models import Article, Video


def load_videos(session: Session, ids: Iterable[int]) -> dict[int, Video]:
    ids = list(ids)
    if not ids:
        return {}
    videos = session.scalars(
        select(Video)
        .where(Video.id.in_(ids))
        .options(selectinload(Video.service), selectinload(Video.section), selectinload(Video.tags))
    )
    return {video.id: video for video in videos}


def load_articles(session: Session, ids: list[int]) -> list[Article]:
    return list(
        session.scalars(
            select(Article)
            .where(Article.id.in_(ids))
            .options(
                # Many-to-one in the same statement; a query less each.
                joinedload(Article.service),
                joinedload(Article.section),
                selectinload(Article.tags),
                selectinload(Article.authors),
                selectinload(Article.corrections),
                selectinload(Article.summaries),
            )
            .execution_options(populate_existing=True)
        )
    )


def load_article(session: Session, article_id: int) -> Article | None:
    """One article with everything its representation shows, fresh from the database."""
    found = load_articles(session, [article_id])
    return found[0] if found else None
