"""The stored documents: an article's and a video's public fields as JSON-ready
dicts, before anything that depends on the reader is added."""

import hashlib
from datetime import datetime
from functools import lru_cache
from typing import Any, Protocol

from sqlalchemy.orm import Session

from app.kit.images import Resizer
from app.kit.timeutil import iso, opt_ms, to_ms
from app.models import Article, Service, Video
from app.readmodel.availability import Rules


def canonical_url(service: Service, slug: str) -> str:
    if service.site_url:
        return f"{service.site_url.rstrip('/')}/a/{slug}"
    return f"/v1/services/{service.code}/articles/{slug}"


class Named(Protocol):
    slug: str
    name: str


def ref(item: Named | None) -> dict[str, str] | None:
    return None if item is None else {"slug": item.slug, "name": item.name}


ORIGINALS = Resizer()


def resizer_of(session: Session) -> Resizer:
    """The image resizer a session renders with: the session factory puts the
    settings' one in ``session.info``; without it, every image is its original."""
    found = session.info.get("resizer")
    return found if isinstance(found, Resizer) else ORIGINALS


@lru_cache(maxsize=8)
def etag_prefix(resizer: Resizer) -> str:
    return resizer.fingerprint()


def content_etag(resizer: Resizer, *parts: bytes) -> str:
    """The stored ETag: the resizer's fingerprint, then the hash of the content.

    The prefix lets a rendering made with other image settings be found (and
    rendered again) with a plain ``LIKE``.
    """
    digest = hashlib.blake2b(digest_size=12)
    for part in parts:
        digest.update(part)
        digest.update(b"\x00")
    return etag_prefix(resizer) + digest.hexdigest()


def image_document(image: dict[str, Any] | None, resizer: Resizer) -> dict[str, Any] | None:
    """An image (lead image, body image, thumbnail) with its renditions."""
    if image is None or not image.get("url"):
        return image
    width, height = image.get("width"), image.get("height")
    renditions = resizer.renditions(
        str(image["url"]),
        width if isinstance(width, int) else None,
        height if isinstance(height, int) else None,
    )
    return {**image, "renditions": renditions}


def body_document(blocks: list[dict[str, Any]], resizer: Resizer) -> list[dict[str, Any]]:
    return [
        image_document(block, resizer) or block if block.get("type") == "image" else block
        for block in blocks
    ]


def public_from(article: Article) -> int | None:
    """When the public may first see the article; None while it may not."""
    if article.status not in ("published", "scheduled") or article.published_at is None:
        return None
    start = article.published_at
    if article.embargo_until is not None and article.embargo_until > start:
        start = article.embargo_until
    return to_ms(start)


def video_rules(video: Video) -> Rules:
    return [
        sorted(video.countries_allowed) if video.countries_allowed is not None else None,
        sorted(video.countries_blocked) if video.countries_blocked else None,
        opt_ms(video.available_from),
        opt_ms(video.available_until),
        bool(video.renditions),
    ]


def video_document(video: Video, service_code: str, resizer: Resizer) -> dict[str, Any]:
    """The video's public fields, before availability is resolved for a reader."""
    return {
        "id": video.id,
        "service": service_code,
        "title": video.title,
        "description": video.description,
        "duration": video.duration,
        "thumbnail": image_document(video.thumbnail, resizer),
        "renditions": video.renditions,
        "captions": video.captions,
        "section": ref(video.section),
        "tags": [ref(tag) for tag in sorted(video.tags, key=lambda t: t.slug)],
        "availability": {
            "countries_allowed": video.countries_allowed,
            "countries_blocked": video.countries_blocked,
            "available_from": iso(video.available_from),
            "available_until": iso(video.available_until),
        },
        "published_at": iso(video.published_at),
        "updated_at": iso(video.updated_at),
    }


def summary_document(article: Article) -> dict[str, Any] | None:
    by_source = {summary.source: summary for summary in article.summaries}
    chosen = by_source.get("editorial") or by_source.get("generated")
    if chosen is None:
        return None
    return {
        "bullets": chosen.bullets,
        "source": chosen.source,
        "updated_at": iso(chosen.updated_at),
    }


def article_document(
    article: Article,
    translations: list[dict[str, Any]],
    resizer: Resizer,
    *,
    status: str | None = None,
) -> dict[str, Any]:
    """The full representation of an article, without the parts that depend on
    the reader (``breaking``, ``related_videos``, ``notices``).

    With no ``status`` it is the public one, as readers see the article once it
    is visible. The editorial view passes the article's real ``status`` and gets
    its real publication times too (``null`` while it was never published).
    """
    service = article.service
    published_at: datetime | None = article.published_at or article.updated_at
    first_published_at = article.first_published_at or article.published_at
    if status is not None:
        published_at = article.published_at
        first_published_at = article.first_published_at
    return {
        "id": article.id,
        "service": service.code,
        "language": article.language,
        "slug": article.slug,
        "url": canonical_url(service, article.slug),
        "status": status or "published",
        "kicker": article.kicker,
        "headline": article.headline,
        "dek": article.dek,
        "summary": summary_document(article),
        "body": body_document(article.body, resizer),
        "lead_image": image_document(article.lead_image, resizer),
        "authors": [ref(author) for author in article.authors],
        "section": ref(article.section),
        "tags": [ref(tag) for tag in article.tags],
        "urgency": article.urgency,
        "first_published_at": iso(first_published_at),
        "published_at": iso(published_at),
        "updated_at": iso(article.updated_at),
        "embargo_until": iso(article.embargo_until),
        "word_count": article.word_count,
        "reading_time_minutes": article.reading_time_minutes,
        "translations": translations,
        "corrections": [
            {"at": iso(correction.created_at), "text": correction.text}
            for correction in article.corrections
        ],
    }
