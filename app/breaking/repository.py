"""All SQL of the breaking-news list, against the read model."""

from functools import lru_cache

from sqlalchemy import Select, bindparam, func, select

from app.models import ArticleRender
from app.readstore import Query

R = ArticleRender.__table__.c

#: The most flags a list shows: breaking news is a handful of stories at a time.
MAX_ITEMS = 100


@lru_cache(maxsize=8)
def breaking_query(filters: frozenset[str]) -> Query:
    """Visible articles whose breaking flag is still up, newest first."""
    conditions = [
        R.public_from.is_not(None),
        R.public_from <= bindparam("now"),
        R.breaking_until > bindparam("now"),
    ]
    if "service" in filters:
        conditions.append(R.service == bindparam("service"))
    if "country" in filters:
        # Two-letter codes joined by commas: the pattern can only match a whole code.
        conditions.append(R.withheld_in.not_like(bindparam("withheld_pattern")))
    statement: Select[tuple[int, int, int, str, str, int]] = (
        select(R.article_id, R.breaking_until, R.updated_ts, R.teaser, R.etag, R.public_from)
        .where(*conditions)
        # An expression, so that no index can give this order: the planner then
        # reads the few flags still up through the breaking indexes and sorts
        # them, instead of walking every article newest first.
        .order_by((R.published_ts + 0).desc(), R.article_id.desc())
        .limit(MAX_ITEMS)
    )
    return Query(statement)


@lru_cache(maxsize=2)
def last_expiry_query(by_service: bool) -> Query:
    """When the latest flag came down: the list changed then, with no write."""
    statement = select(func.max(R.breaking_until)).where(R.breaking_until <= bindparam("now"))
    if by_service:
        statement = statement.where(R.service == bindparam("service"))
    return Query(statement)
