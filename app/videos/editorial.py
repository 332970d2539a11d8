"""Writing videos: every change re-renders the video and the articles that show it.

Deleting a video takes it off the curated lists that name it (those articles are
re-rendered); a video that an article's body embeds answers 409 instead, since
the article would be left with a dangling block.
"""

import uuid
from collections.abc import Callable
from typing import Any

import orjson
from sqlalchemy.orm import Session

from app.auth.service import Principal, require_writer
from app.editions.service import service_in_body
from app.editorial.patch import patched
from app.errors import Conflict, NotFound, Unprocessable
from app.http.writes import Precondition
from app.kit.merge_patch import strip_none
from app.kit.sanitize import plain_paragraphs, plain_text
from app.kit.timeutil import iso
from app.models import Service, Video, utcnow
from app.readmodel.articles import render_articles
from app.readmodel.videos import render_videos
from app.videos.repository import VideoRepository
from app.videos.schemas import VideoWrite


def resolve_terms(
    videos: VideoRepository, service: Service, section: str | None, tags: list[str]
) -> tuple[int | None, list[int]]:
    """Section and tag ids of the service; unknown slugs are a 422 naming them."""
    section_id = None
    if section is not None:
        section_id = videos.section_id(service.id, section)
        if section_id is None:
            raise Unprocessable(
                f"The service '{service.code}' has no section '{section}'.",
                errors=[{"location": "body", "field": "section", "message": "unknown section"}],
            )
    wanted = list(dict.fromkeys(tags))
    found = videos.tag_ids(service.id, wanted)
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
    detail, etag = VideoRepository(session).stored(video.id)
    document: dict[str, Any] = orjson.loads(detail)
    return {"id": video.id, "uri": video.uri, **document}, etag


def create_video(session: Session, principal: Principal, data: VideoWrite) -> Video:
    require_writer(principal, data.service)
    videos = VideoRepository(session)
    service = service_in_body(session, data.service)
    section_id, tag_ids = resolve_terms(videos, service, data.section, data.tags)
    uri = data.uri or f"urn:uuid:{uuid.uuid4()}"
    if videos.uri_taken(uri):
        raise Conflict(f"There is already a video with the uri '{uri}'.")
    now = utcnow()
    video = Video(
        uri=uri,
        published_at=data.published_at or now,
        created_at=now,
        updated_at=now,
        **_values(data, service, section_id),
    )
    videos.add(video)
    videos.replace_tags(video.id, tag_ids, new=True)
    render_videos(session, [video.id], cascade=True)
    return video


def _locked(videos: VideoRepository, video_id: int) -> tuple[Video, str]:
    found = videos.lock(video_id)
    if found is None:
        raise NotFound("There is no video with this id.")
    return found


def write_document(videos: VideoRepository, video: Video, service_code: str) -> dict[str, Any]:
    """The stored video in its write shape, without absent members: what a patch merges into."""
    section = videos.section_slug(video.section_id) if video.section_id is not None else None
    tags = videos.tag_slugs(video.id)
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
    precondition: Precondition,
) -> Video:
    videos = VideoRepository(session)
    video, code = _locked(videos, video_id)
    require_writer(principal, code)
    precondition(stored_document(session, video)[1])
    current = write_document(videos, video, code)
    data = patched(VideoWrite, current, patch)
    if data.uri != video.uri:
        raise Unprocessable(
            "A video's uri cannot change: imports find the video by it.",
            errors=[{"location": "body", "field": "uri", "message": "cannot change"}],
        )
    if data.service != code:
        require_writer(principal, data.service)
    service = service_in_body(session, data.service)
    section_id, tag_ids = resolve_terms(videos, service, data.section, data.tags)
    values = _values(data, service, section_id)
    values["published_at"] = data.published_at or video.published_at
    changed = [name for name, value in values.items() if getattr(video, name) != value]
    tags_changed = sorted(tag_ids) != sorted(videos.linked_tag_ids(video.id))
    if not changed and not tags_changed:
        return video
    for name in changed:
        setattr(video, name, values[name])
    video.updated_at = max(utcnow(), video.updated_at)
    if tags_changed:
        videos.replace_tags(video.id, tag_ids)
    videos.flush()
    render_videos(session, [video.id], cascade=True)
    return video


def delete_video(
    session: Session, principal: Principal, video_id: int, precondition: Precondition
) -> None:
    videos = VideoRepository(session)
    video, code = _locked(videos, video_id)
    require_writer(principal, code)
    precondition(stored_document(session, video)[1])
    embedding = videos.embedding_articles(video_id)
    if embedding:
        raise Conflict(
            f"{len(embedding)} article(s) embed this video in their body; "
            "take the video block out first."
        )
    showing = videos.showing_articles(video_id)
    videos.delete(video_id)
    render_videos(session, [video_id], cascade=False)
    render_articles(session, showing)
