"""Every SQL statement of sections, tags and authors: the public reads on the read
store, and the writes (``TaxonomyRepository``, on the request's session)."""

from functools import lru_cache
from typing import Any

from sqlalchemy import bindparam, delete, exists, select, update
from sqlalchemy.orm import Session

from app.models import (
    Article,
    ArticleAuthor,
    ArticleTag,
    Author,
    Section,
    Service,
    Tag,
    Video,
    VideoTag,
)
from app.readstore import Query

TermModel = type[Section] | type[Tag]


@lru_cache(maxsize=32)
def list_query(kind: str, by_service: bool, after: bool, by_slug: bool = False) -> Query:
    statement: Any
    if kind == "authors":
        statement = select(Author.id, Author.slug, Author.name, Author.bio, Author.updated_at)
        if by_service:
            statement = statement.where(
                exists(
                    select(ArticleAuthor.article_id)
                    .join(Article, Article.id == ArticleAuthor.article_id)
                    .join(Service, Service.id == Article.service_id)
                    .where(
                        ArticleAuthor.author_id == Author.id,
                        Service.code == bindparam("service"),
                    )
                )
            )
        table: Any = Author
    else:
        table = Section if kind == "sections" else Tag
        statement = select(table.id, table.slug, table.name, Service.code, table.updated_at).join(
            Service, Service.id == table.service_id
        )
        if by_service:
            statement = statement.where(Service.code == bindparam("service"))
    if by_slug:
        statement = statement.where(table.slug == bindparam("slug"))
    if after:
        statement = statement.where(table.id > bindparam("cursor_id"))
    return Query(statement.order_by(table.id).limit(bindparam("limit")))


class TaxonomyRepository:
    """The statements of section, tag and author writes, on the request's session."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def flush(self) -> None:
        self.session.flush()

    def add(self, item: Section | Tag | Author) -> None:
        self.session.add(item)
        self.session.flush()

    def term_taken(self, model: TermModel, service_id: int, slug: str) -> bool:
        return (
            self.session.scalars(
                select(model.id).where(model.service_id == service_id, model.slug == slug)
            ).first()
            is not None
        )

    def lock_term(self, model: TermModel, service_id: int, slug: str) -> Section | Tag | None:
        """The term, after a no-op write that takes the row's lock before the read
        (see ``ServiceRepository.lock``)."""
        locked = self.session.execute(
            update(model)
            .where(model.service_id == service_id, model.slug == slug)
            .values(updated_at=model.updated_at)
        )
        if locked.rowcount == 0:  # type: ignore[attr-defined]
            return None
        term = self.session.scalars(
            select(model).where(model.service_id == service_id, model.slug == slug)
        ).one()
        assert isinstance(term, Section | Tag)
        return term

    def section_holds(self, section_id: int) -> str | None:
        """What the section still holds: ``articles``, ``videos``, or None."""
        for carrier, what in ((Article, "articles"), (Video, "videos")):
            if self.session.scalar(select(exists().where(carrier.section_id == section_id))):
                return what
        return None

    def carriers(self, model: TermModel, term_id: int) -> tuple[list[int], list[int]]:
        """The articles and videos that carry the section or tag."""
        if model is Section:
            article_ids = self.session.scalars(
                select(Article.id).where(Article.section_id == term_id)
            )
            video_ids = self.session.scalars(select(Video.id).where(Video.section_id == term_id))
        else:
            article_ids = self.session.scalars(
                select(ArticleTag.article_id).where(ArticleTag.tag_id == term_id)
            )
            video_ids = self.session.scalars(
                select(VideoTag.video_id).where(VideoTag.tag_id == term_id)
            )
        return list(article_ids), list(video_ids)

    def delete_term(self, model: TermModel, term_id: int) -> None:
        self.session.execute(delete(model).where(model.id == term_id))
        self.session.flush()

    def author_taken(self, slug: str) -> bool:
        return (
            self.session.scalars(select(Author.id).where(Author.slug == slug)).first() is not None
        )

    def lock_author(self, slug: str) -> Author | None:
        locked = self.session.execute(
            update(Author).where(Author.slug == slug).values(updated_at=Author.updated_at)
        )
        if locked.rowcount == 0:  # type: ignore[attr-defined]
            return None
        return self.session.scalars(select(Author).where(Author.slug == slug)).one()

    def credited_articles(self, author_id: int) -> list[int]:
        return list(
            self.session.scalars(
                select(ArticleAuthor.article_id).where(ArticleAuthor.author_id == author_id)
            )
        )

    def delete_author(self, author_id: int) -> None:
        self.session.execute(delete(Author).where(Author.id == author_id))
        self.session.flush()
