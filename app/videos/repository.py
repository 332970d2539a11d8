"""Every SQL statement of videos: the public reads against the read model (on the
read store), and the writes (``VideoRepository``, on the request's session)."""

from functools import lru_cache

from sqlalchemy import Text, and_, bindparam, cast, delete, insert, or_, select, update
from sqlalchemy.orm import Session

from app.models import (
    Article,
    ArticleRelatedVideo,
    ArticleVideo,
    Section,
    Service,
    Tag,
    Video,
    VideoRender,
    VideoTag,
)
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


class VideoRepository:
    """The statements of video writes, on the request's session."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def flush(self) -> None:
        self.session.flush()

    def section_id(self, service_id: int, slug: str) -> int | None:
        return self.session.scalars(
            select(Section.id).where(Section.service_id == service_id, Section.slug == slug)
        ).first()

    def tag_ids(self, service_id: int, slugs: list[str]) -> dict[str, int]:
        return dict(
            self.session.execute(
                select(Tag.slug, Tag.id).where(Tag.service_id == service_id, Tag.slug.in_(slugs))
            ).all()
        )

    def stored(self, video_id: int) -> tuple[str, str]:
        """The video's rendering and its validator."""
        detail, etag = self.session.execute(
            select(VideoRender.detail, VideoRender.etag).where(VideoRender.video_id == video_id)
        ).one()
        return detail, etag

    def uri_taken(self, uri: str) -> bool:
        return self.session.scalars(select(Video.id).where(Video.uri == uri)).first() is not None

    def add(self, video: Video) -> None:
        self.session.add(video)
        self.session.flush()

    def lock(self, video_id: int) -> tuple[Video, str] | None:
        """The video and its service's code, after a no-op write that takes the
        row's lock (PostgreSQL) or the database's write lock (SQLite), so the
        If-Match check reads the latest committed state."""
        locked = self.session.execute(
            update(Video).where(Video.id == video_id).values(updated_at=Video.updated_at)
        )
        if locked.rowcount == 0:  # type: ignore[attr-defined]
            return None
        video, code = self.session.execute(
            select(Video, Service.code)
            .join(Service, Service.id == Video.service_id)
            .where(Video.id == video_id)
        ).one()
        return video, code

    def section_slug(self, section_id: int) -> str | None:
        return self.session.scalar(select(Section.slug).where(Section.id == section_id))

    def tag_slugs(self, video_id: int) -> list[str]:
        return list(
            self.session.scalars(
                select(Tag.slug)
                .join(VideoTag, VideoTag.tag_id == Tag.id)
                .where(VideoTag.video_id == video_id)
                .order_by(Tag.slug)
            )
        )

    def linked_tag_ids(self, video_id: int) -> list[int]:
        return list(
            self.session.scalars(select(VideoTag.tag_id).where(VideoTag.video_id == video_id))
        )

    def replace_tags(self, video_id: int, tag_ids: list[int], *, new: bool = False) -> None:
        if not new:
            self.session.execute(delete(VideoTag).where(VideoTag.video_id == video_id))
        if tag_ids:
            self.session.execute(
                insert(VideoTag), [{"video_id": video_id, "tag_id": t} for t in tag_ids]
            )

    def embedding_articles(self, video_id: int) -> list[int]:
        """Articles whose body has a video block naming this video."""
        needle = f"%video_id%{video_id}%"
        found = []
        for article_id, body in self.session.execute(
            select(Article.id, Article.body).where(cast(Article.body, Text).like(needle))
        ):
            if any(
                block.get("type") == "video" and block.get("video_id") == video_id
                for block in body or ()
                if isinstance(block, dict)
            ):
                found.append(article_id)
        return found

    def showing_articles(self, video_id: int) -> set[int]:
        """Articles whose related videos (curated or suggested) show this video."""
        showing = set(
            self.session.scalars(
                select(ArticleRelatedVideo.article_id).where(
                    ArticleRelatedVideo.video_id == video_id
                )
            )
        )
        showing.update(
            self.session.scalars(
                select(ArticleVideo.article_id).where(ArticleVideo.video_id == video_id)
            )
        )
        return showing

    def delete(self, video_id: int) -> None:
        # Its tags, renders and places in curated lists go with it (ON DELETE CASCADE).
        self.session.execute(delete(Video).where(Video.id == video_id))
        self.session.flush()
