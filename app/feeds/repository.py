"""All SQL of the feeds and sitemaps, against the read model."""

from functools import lru_cache
from typing import Any

from sqlalchemy import Select, bindparam, exists, select

from app.models import ArticleRender, ArticleTag, Section, Service, Tag
from app.readstore import Query

R = ArticleRender.__table__.c
S = Service.__table__.c

#: Articles a feed shows; also the most a batch of stored renderings is read in.
FEED_SIZE = 50

SERVICE = Query(
    select(S.id, S.name, S.description, S.language, S.direction, S.site_url, S.updated_at).where(
        S.code == bindparam("service")
    )
)


def _term(table: Any) -> Query:
    c = table.c
    return Query(
        select(c.id, c.name, c.updated_at).where(
            c.service_id == bindparam("service_id"), c.slug == bindparam("slug")
        )
    )


SECTION = _term(Section.__table__)
TAG = _term(Tag.__table__)

# A fixed number of placeholders keeps the statement compiled once; unused
# ones are NULL and match nothing.
RENDERINGS = Query(
    select(R.article_id, R.etag, R.public_from, R.withheld_in, R.detail, R.related).where(
        R.article_id.in_([bindparam(f"id{n}") for n in range(FEED_SIZE)])
    )
)


def _visible(filters: frozenset[str]) -> list[object]:
    conditions: list[object] = [
        R.public_from.is_not(None),
        R.public_from <= bindparam("now"),
        R.service == bindparam("service"),
    ]
    if "country" in filters:
        # Two-letter codes joined by commas: the pattern can only match a whole code.
        conditions.append(R.withheld_in.not_like(bindparam("withheld_pattern")))
    if "section" in filters:
        conditions.append(R.section_id == bindparam("section_id"))
    if "tag" in filters:
        conditions.append(
            exists(
                select(ArticleTag.article_id).where(
                    ArticleTag.article_id == R.article_id, ArticleTag.tag_id == bindparam("tag_id")
                )
            )
        )
    return conditions


@lru_cache(maxsize=64)
def feed_query(filters: frozenset[str]) -> Query:
    """The newest visible articles of a service: ids and validators only."""
    statement: Select[tuple[int, str, int, int]] = (
        select(R.article_id, R.etag, R.updated_ts, R.public_from)
        .where(*_visible(filters))  # type: ignore[arg-type]
        .order_by(R.published_ts.desc(), R.article_id.desc())
        .limit(FEED_SIZE)
    )
    return Query(statement)


@lru_cache(maxsize=4)
def sitemap_query(filters: frozenset[str]) -> Query:
    """The visible articles of a service published since ``since``, with teasers."""
    statement: Select[tuple[int, str, int, int, str, int]] = (
        select(R.article_id, R.etag, R.updated_ts, R.public_from, R.teaser, R.published_ts)
        .where(*_visible(filters), R.published_ts >= bindparam("since"))  # type: ignore[arg-type]
        .order_by(R.published_ts.desc(), R.article_id.desc())
        .limit(bindparam("limit"))
    )
    return Query(statement)
