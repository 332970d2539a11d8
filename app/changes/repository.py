"""All SQL of the change feed, read on the hot path's read store."""

from functools import lru_cache

from sqlalchemy import BigInteger, bindparam, exists, func, select

from app.models import ArticleRender, Change, ChangeCounter, ChangeItem
from app.readstore import Query

C = Change.__table__.c
K = ChangeCounter.__table__.c
I = ChangeItem.__table__.c  # noqa: E741
R = ArticleRender.__table__.c

HEAD = Query(select(K.seq, K.recorded_at).where(K.id == 1))

MARK = Query(select(K.seq, K.purges).where(K.id == 1))

CHANGED_ITEMS = Query(
    select(C.item_type, C.item_id, C.service).where(
        C.seq > bindparam("after", type_=BigInteger), C.seq <= bindparam("upto", type_=BigInteger)
    )
)

ANY_DUE = Query(select(I.item_id).where(I.due_ts <= bindparam("now", type_=BigInteger)).limit(1))

_NOW = bindparam("now", type_=BigInteger)
# The next moment the clock changes an item (a publication, an embargo's end, a
# video's window), the next breaking flag to expire, and whether a video's change
# is due but not recorded yet (its next one is then not known).
CLOCK = Query(
    select(
        select(func.min(I.due_ts)).where(I.due_ts > _NOW).scalar_subquery(),
        select(func.min(R.breaking_until)).where(R.breaking_until > _NOW).scalar_subquery(),
        exists().where(I.item_type == "video", I.due_ts <= _NOW),
    )
)


@lru_cache(maxsize=8)
def page_query(by_service: bool, by_type: bool) -> Query:
    """The changes after a position in commit order, for one combination of filters."""
    conditions = [C.seq > bindparam("after", type_=BigInteger)]
    if by_service:
        conditions.append(C.service == bindparam("service"))
    if by_type:
        conditions.append(C.item_type == bindparam("type"))
    return Query(
        select(
            C.seq,
            C.item_type,
            C.item_id,
            C.service,
            C.change,
            C.deleted,
            C.at,
            C.recorded_at,
            C.etag,
            C.updated_ts,
            C.document,
            C.withheld_in,
            C.unavailable_reason,
        )
        .where(*conditions)
        .order_by(C.seq)
        .limit(bindparam("limit"))
    )
