"""All SQL of the public taxonomy reads."""

from functools import lru_cache
from typing import Any

from sqlalchemy import bindparam, exists, select

from app.models import Article, ArticleAuthor, Author, Section, Service, Tag
from app.readstore import Query


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
