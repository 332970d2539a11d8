"""All SQL of breaking news: the list, against the read model, and the stream,
against the change log."""

from functools import lru_cache

from sqlalchemy import BigInteger, Select, bindparam, func, select

from app.models import ArticleRender, Change
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


def _stream_query() -> Query:
    """The article changes after a position in commit order, each with the same
    article's change before it (found through the log's item index)."""
    C = Change.__table__.c
    previous = Change.__table__.alias("previous")
    P = previous.c
    previous_seq = (
        select(func.max(P.seq))
        .where(P.item_type == "article", P.item_id == C.item_id, P.seq < C.seq)
        .scalar_subquery()
    )
    page = (
        select(
            C.seq,
            C.item_id,
            C.service,
            C.deleted,
            C.at,
            C.document,
            C.withheld_in,
            previous_seq.label("previous_seq"),
        )
        .where(
            C.seq > bindparam("after", type_=BigInteger),
            C.seq <= bindparam("until", type_=BigInteger),
            C.item_type == "article",
        )
        .order_by(C.seq)
        .limit(bindparam("limit"))
        .subquery()
    )
    earlier = Change.__table__.alias("earlier")
    B = earlier.c
    statement = (
        select(
            page.c.seq,
            page.c.item_id,
            page.c.service,
            page.c.deleted,
            page.c.at,
            page.c.document,
            page.c.withheld_in,
            B.service,
            B.deleted,
            B.document,
            B.withheld_in,
        )
        .select_from(page.outerjoin(earlier, B.seq == page.c.previous_seq))
        .order_by(page.c.seq)
    )
    return Query(statement)


STREAM = _stream_query()
