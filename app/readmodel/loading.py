"""Loading what a representation shows, in a few set-based queries."""

from collections.abc import Iterable
from typing import Any

from sqlalchemy import BindParameter, bindparam, select
from sqlalchemy.orm import Session, joinedload, selectinload
from sqlalchemy.orm.attributes import set_committed_value

from app.models import Article, ArticleAuthor, ArticleTag, Author, Correction, Summary, Tag, Video


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


_IDS: BindParameter[int] = bindparam("ids", expanding=True)
# Built once, and the collections loaded by hand rather than by ``selectinload``,
# which builds its statement again for every load: for the one article a write
# renders, that costs more than running the queries.
_ARTICLES = (
    select(Article)
    .where(Article.id.in_(_IDS))
    # Many-to-one in the same statement; a query less each.
    .options(joinedload(Article.service), joinedload(Article.section))
    .execution_options(populate_existing=True)
)
_TAGS = (
    select(ArticleTag.article_id, Tag)
    .join(Tag, Tag.id == ArticleTag.tag_id)
    .where(ArticleTag.article_id.in_(_IDS))
    .order_by(ArticleTag.article_id, ArticleTag.position)
    .execution_options(populate_existing=True)
)
_AUTHORS = (
    select(ArticleAuthor.article_id, Author)
    .join(Author, Author.id == ArticleAuthor.author_id)
    .where(ArticleAuthor.article_id.in_(_IDS))
    .order_by(ArticleAuthor.article_id, ArticleAuthor.position)
    .execution_options(populate_existing=True)
)
_CORRECTIONS = (
    select(Correction.article_id, Correction)
    .where(Correction.article_id.in_(_IDS))
    .order_by(Correction.article_id, Correction.created_at, Correction.id)
    .execution_options(populate_existing=True)
)
_SUMMARIES = (
    select(Summary.article_id, Summary)
    .where(Summary.article_id.in_(_IDS))
    .execution_options(populate_existing=True)
)
_COLLECTIONS = (
    ("tags", _TAGS),
    ("authors", _AUTHORS),
    ("corrections", _CORRECTIONS),
    ("summaries", _SUMMARIES),
)


def load_articles(session: Session, ids: list[int]) -> list[Article]:
    """The articles with everything their representations show, fresh from the
    database (what the session held of them is overwritten)."""
    articles = list(session.scalars(_ARTICLES, {"ids": ids}))
    if not articles:
        return articles
    found = [article.id for article in articles]
    for name, statement in _COLLECTIONS:
        members: dict[int, list[Any]] = {article_id: [] for article_id in found}
        for article_id, member in session.execute(statement, {"ids": found}):
            members[article_id].append(member)
        for article in articles:
            set_committed_value(article, name, members[article.id])
    return articles


def load_article(session: Session, article_id: int) -> Article | None:
    """One article with everything its representation shows, fresh from the database."""
    found = load_articles(session, [article_id])
    return found[0] if found else None
