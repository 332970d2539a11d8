"""Writing videos: every change re-renders the video and the articles that show it.

Deleting a video takes it off the curated lists that name it (those articles are
re-rendered); a video that an article's body embeds answers 409 instead, since
the article would be left with a dangling block.
"""

import uuid
from collections.abc import Callable
from typing import Any

import orjson
from sqlalchemy import Text, cast, delete, insert, select, update
from sqlalchemy.orm import Session

from app.auth.tokens import Principal
from app.errors import Conflict, NotFound, Unprocessable
from app.http.editorial import patched, require_writer, strip_none
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
    utcnow,
)
from app.render.articles import render_articles, render_videos
from app.sanitize import plain_paragraphs, plain_text
from app.services.writing import service_in_body
from app.timeutil import iso
from app.videos.schemas import VideoWrite


def resolve_terms(
    session: Session, service: Service, section: str | None, tags: list[str]
) -> tuple[int | None, list[int]]:
    """Section and tag ids of the service; unknown slugs are a 422 naming them."""
    section_id = None
    if section is not None:
        section_id = session.scalars(
            select(Section.id).where(Section.service_id == service.id, Section.slug == section)
        ).first()
        if section_id is None:
            raise Unprocessable(
                f"The service '{service.code}' has no section '{section}'.",
                errors=[{"location": "body", "field": "section", "message": "unknown section"}],
            )
    wanted = list(dict.fromkeys(tags))
    found = dict(
        session.execute(
            select(Tag.slug, Tag.id).where(Tag.service_id == service.id, Tag.slug.in_(wanted))
        ).all()
    )
    unknown = [slug for slug in wanted if slug not in found]
    if unknown:
        raise Unprocessable(
            f"The service '{service.code}' has no tag {', '.join(repr(s) for s in unknown)}.",
            errors=[
                {
                    "location": "body",
                    "field": f"tags.{wanted.index(slug)}",
                    "message": "unknown tag",
                }
                for slug in unknown
            ],
        )
    return section_id, [found[slug] for slug in wanted]


def _values(data: VideoWrite, service: Service, section_id: int | None) -> dict[str, Any]:
    availability = data.availability
    return {
        "service_id": service.id,
        "title": plain_text(data.title),
        "description": _optional(plain_text, data.description),
        "duration": data.duration,
        "thumbnail": data.thumbnail.model_dump() if data.thumbnail else None,
        "renditions": [r.model_dump() for r in data.renditions],
        "captions": [c.model_dump() for c in data.captions],
        "transcript": _optional(plain_paragraphs, data.transcript),
        "countries_allowed": _countries(availability.countries_allowed),
        "countries_blocked": _countries(availability.countries_blocked),
        "available_from": availability.available_from,
        "available_until": availability.available_until,
        "section_id": section_id,
    }


def _optional(clean: Callable[[str], str], value: str | None) -> str | None:
    """Sanitised text, or None when nothing readable is left."""
    return (clean(value) or None) if value else None


def _countries(codes: list[str] | None) -> list[str] | None:
    return None if codes is None else list(dict.fromkeys(codes))


def stored_document(session: Session, video: Video) -> tuple[dict[str, Any], str]:
    """The video as rendered (before a reader's availability), with its uri, and
    the render's validator: the editorial ETag of a video."""
    detail, etag = session.execute(
        select(VideoRender.detail, VideoRender.etag).where(VideoRender.video_id == video.id)
    ).one()
    document: dict[str, Any] = orjson.loads(detail)
    return {"id": video.id, "uri": video.uri, **document}, etag


def create_video(session: Session, principal: Principal, data: VideoWrite) -> Video:
    require_writer(principal, data.service)
    service = service_in_body(session, data.service)
    section_id, tag_ids = resolve_terms(session, service, data.section, data.tags)
    uri = data.uri or f"urn:uuid:{uuid.uuid4()}"
    if session.scalars(select(Video.id).where(Video.uri == uri)).first() is not None:
        raise Conflict(f"There is already a video with the uri '{uri}'.")
    now = utcnow()
    video = Video(
        uri=uri,
        published_at=data.published_at or now,
        created_at=now,
        updated_at=now,
        **_values(data, service, section_id),
    )
    session.add(video)
    session.flush()
    if tag_ids:
        session.execute(insert(VideoTag), [{"video_id": video.id, "tag_id": t} for t in tag_ids])
    render_videos(session, [video.id], cascade=True)
    return video


def _locked(session: Session, video_id: int) -> tuple[Video, str]:
    # A no-op write first takes the row's lock (PostgreSQL) or the database's
    # write lock (SQLite), so the If-Match check reads the latest committed state.
    locked = session.execute(
        update(Video).where(Video.id == video_id).values(updated_at=Video.updated_at)
    )
    if locked.rowcount == 0:  # type: ignore[attr-defined]
        raise NotFound("There is no video with this id.")
    video, code = session.execute(
        select(Video, Service.code)
        .join(Service, Service.id == Video.service_id)
        .where(Video.id == video_id)
    ).one()
    return video, code


def write_document(session: Session, video: Video, service_code: str) -> dict[str, Any]:
    """The stored video in its write shape, without absent members: what a patch merges into."""
    section = (
        session.scalar(select(Section.slug).where(Section.id == video.section_id))
        if video.section_id is not None
        else None
    )
    tags = session.scalars(
        select(Tag.slug)
        .join(VideoTag, VideoTag.tag_id == Tag.id)
        .where(VideoTag.video_id == video.id)
        .order_by(Tag.slug)
    ).all()
    return strip_none(
        {
            "service": service_code,
            "uri": video.uri,
            "title": video.title,
            "description": video.description,
            "duration": video.duration,
            "thumbnail": video.thumbnail,
            "renditions": video.renditions,
            "captions": video.captions,
            "transcript": video.transcript,
            "availability": {
                "countries_allowed": video.countries_allowed,
                "countries_blocked": video.countries_blocked,
                "available_from": iso(video.available_from),
                "available_until": iso(video.available_until),
            },
            "published_at": iso(video.published_at),
            "section": section,
            "tags": list(tags),
        }
    )


def update_video(
    session: Session,
    principal: Principal,
    video_id: int,
    patch: dict[str, Any],
    precondition: Callable[[str], None],
) -> Video:
    video, code = _locked(session, video_id)
    require_writer(principal, code)
    precondition(stored_document(session, video)[1])
    current = write_document(session, video, code)
    data = patched(VideoWrite, current, patch)
    if data.uri != video.uri:
        raise Unprocessable(
            "A video's uri cannot change: imports find the video by it.",
            errors=[{"location": "body", "field": "uri", "message": "cannot change"}],
        )
    if data.service != code:
        require_writer(principal, data.service)
    service = service_in_body(session, data.service)
    section_id, tag_ids = resolve_terms(session, service, data.section, data.tags)
    values = _values(data, service, section_id)
    values["published_at"] = data.published_at or video.published_at
    changed = [name for name, value in values.items() if getattr(video, name) != value]
    tags_changed = sorted(tag_ids) != sorted(_tag_ids(session, video.id))
    if not changed and not tags_changed:
        return video
    for name in changed:
        setattr(video, name, values[name])
    video.updated_at = max(utcnow(), video.updated_at)
    if tags_changed:
        session.execute(delete(VideoTag).where(VideoTag.video_id == video.id))
        if tag_ids:
            session.execute(
                insert(VideoTag), [{"video_id": video.id, "tag_id": t} for t in tag_ids]
            )
    session.flush()
    render_videos(session, [video.id], cascade=True)
    return video


def _tag_ids(session: Session, video_id: int) -> list[int]:
    return list(session.scalars(select(VideoTag.tag_id).where(VideoTag.video_id == video_id)))


def _embedding_articles(session: Session, video_id: int) -> list[int]:
    """Articles whose body has a video block naming this video."""
    needle = f"%video_id%{video_id}%"
    found = []
    for article_id, body in session.execute(
        select(Article.id, Article.body).where(cast(Article.body, Text).like(needle))
    ):
        if any(
            block.get("type") == "video" and block.get("video_id") == video_id
            for block in body or ()
            if isinstance(block, dict)
        ):
            found.append(article_id)
    return found


def delete_video(
    session: Session, principal: Principal, video_id: int, precondition: Callable[[str], None]
) -> None:
    video, code = _locked(session, video_id)
    require_writer(principal, code)
    precondition(stored_document(session, video)[1])
    embedding = _embedding_articles(session, video_id)
    if embedding:
        raise Conflict(
            f"{len(embedding)} article(s) embed this video in their body; "
            "take the video block out first."
        )
    showing = set(
        session.scalars(
            select(ArticleRelatedVideo.article_id).where(ArticleRelatedVideo.video_id == video_id)
        )
    )
    showing.update(
        session.scalars(select(ArticleVideo.article_id).where(ArticleVideo.video_id == video_id))
    )
    # Its tags, renders and places in curated lists go with it (ON DELETE CASCADE).
    session.execute(delete(Video).where(Video.id == video_id))
    session.flush()
    render_videos(session, [video_id], cascade=False)
    render_articles(session, showing)
