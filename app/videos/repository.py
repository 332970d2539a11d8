"""All SQL of the public video reads, against the read model."""

from functools import lru_cache

from sqlalchemy import and_, bindparam, or_, select

from app.models import VideoRender
from app.readstore import Query

V = VideoRender.__table__.c

BY_ID = Query(
    select(V.etag, V.updated_ts, V.rules, V.detail, V.service).where(V.video_id == bindparam("id"))
)


@lru_cache(maxsize=16)
def list_query(by_service: bool, after: bool) -> Query:
    conditions = []
    if by_service:
        conditions.append(V.service == bindparam("service"))
    if after:
        conditions.append(
            or_(
                V.published_ts < bindparam("cursor_key"),
                and_(
                    V.published_ts == bindparam("cursor_key"), V.video_id < bindparam("cursor_id")
                ),
            )
        )
    return Query(
        select(V.video_id, V.published_ts, V.rules, V.detail, V.updated_ts, V.etag)
        .where(*conditions)
        .order_by(V.published_ts.desc(), V.video_id.desc())
        .limit(bindparam("limit"))
    )
