"""Rendering articles and videos into the read model, once per change.

Every write path (the demo loader, imports, the editorial API) ends by calling
``render_article`` or ``render_video`` in the same transaction, so a reader
never sees a representation older than the content it stands for.
"""

import hashlib
import math
import re
from datetime import UTC, datetime
from typing import Any, Protocol

import orjson
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session, selectinload

from app.models import (
    Article,
    ArticleRelatedVideo,
    ArticleRender,
    ArticleVideo,
    Service,
    Summary,
    Video,
    VideoRender,
    VideoTag,
)
from app.render.availability import Rules
from app.sanitize import text_of
from app.timeutil import iso, opt_ms, to_ms

#: How many related videos are rendered with an article (curated first).
RELATED_MAX = 12
WORDS_PER_MINUTE = 230
_WORD = re.compile(r"\w+")


def canonical_url(service: Service, slug: str) -> str:
    if service.site_url:
        return f"{service.site_url.rstrip('/')}/a/{slug}"
    return f"/v1/services/{service.code}/articles/{slug}"


def block_texts(blocks: list[dict[str, Any]]) -> list[str]:
    """Readable text of body blocks, one string a block, in order."""
    texts: list[str] = []
    for block in blocks:
        kind = block.get("type")
        if kind in ("paragraph", "heading", "quote"):
            texts.append(text_of(block.get("text", "")))
        elif kind == "list":
            texts.extend(text_of(item) for item in block.get("items", []))
    return [text for text in texts if text]


def count_words(blocks: list[dict[str, Any]]) -> int:
    return sum(len(_WORD.findall(text)) for text in block_texts(blocks))


def reading_minutes(words: int) -> int:
    return max(1, math.ceil(words / WORDS_PER_MINUTE))


class _Named(Protocol):
    slug: str
    name: str


def _ref(item: _Named | None) -> dict[str, str] | None:
    return None if item is None else {"slug": item.slug, "name": item.name}


def _etag(*parts: bytes) -> str:
    digest = hashlib.blake2b(digest_size=12)
    for part in parts:
        digest.update(part)
        digest.update(b"\x00")
    return digest.hexdigest()


def public_from(article: Article) -> int | None:
    """When the public may first see the article; None while it may not."""
    if article.status not in ("published", "scheduled") or article.published_at is None:
        return None
    start = article.published_at
    if article.embargo_until is not None and article.embargo_until > start:
        start = article.embargo_until
    return to_ms(start)


# Videos ---------------------------------------------------------------------


def video_rules(video: Video) -> Rules:
    return [
        sorted(video.countries_allowed) if video.countries_allowed is not None else None,
        sorted(video.countries_blocked) if video.countries_blocked else None,
        opt_ms(video.available_from),
        opt_ms(video.available_until),
        bool(video.renditions),
    ]


def video_document(video: Video, service_code: str) -> dict[str, Any]:
    """The video's public fields, before availability is resolved for a reader."""
    return {
        "id": video.id,
        "service": service_code,
        "title": video.title,
        "description": video.description,
        "duration": video.duration,
        "thumbnail": video.thumbnail,
        "renditions": video.renditions,
        "captions": video.captions,
        "section": _ref(video.section),
        "tags": [_ref(tag) for tag in sorted(video.tags, key=lambda t: t.slug)],
        "availability": {
            "countries_allowed": video.countries_allowed,
            "countries_blocked": video.countries_blocked,
            "available_from": iso(video.available_from),
            "available_until": iso(video.available_until),
        },
        "published_at": iso(video.published_at),
        "updated_at": iso(video.updated_at),
    }


def _load_videos(session: Session, ids: list[int]) -> dict[int, Video]:
    if not ids:
        return {}
    videos = session.scalars(
        select(Video)
        .where(Video.id.in_(ids))
        .options(selectinload(Video.service), selectinload(Video.section), selectinload(Video.tags))
    )
    return {video.id: video for video in videos}


def render_video(session: Session, video_id: int, *, cascade: bool = True) -> None:
    """Store the video's public rendering, and refresh the articles that show it."""
    video = _load_videos(session, [video_id]).get(video_id)
    if video is None:
        session.execute(delete(VideoRender).where(VideoRender.video_id == video_id))
        return
    doc = video_document(video, video.service.code)
    doc["transcript"] = video.transcript
    detail = orjson.dumps(doc)
    rules = orjson.dumps(video_rules(video))
    row = session.get(VideoRender, video_id)
    if row is None:
        row = VideoRender(video_id=video_id)
        session.add(row)
    row.service = video.service.code
    row.published_ts = to_ms(video.published_at)
    row.updated_ts = to_ms(video.updated_at)
    row.etag = _etag(detail, rules)
    row.rules = rules.decode()
    row.detail = detail.decode()
    session.flush()
    if cascade:
        article_ids = session.scalars(
            select(ArticleRelatedVideo.article_id).where(ArticleRelatedVideo.video_id == video_id)
        ).all()
        for article_id in article_ids:
            render_article(session, article_id, cascade=False)


# Articles -------------------------------------------------------------------


def _suggested_video_ids(session: Session, article: Article, exclude: set[int]) -> list[int]:
    """Suggestions ranked by shared tags, then section, shared title words and recency."""
    tag_ids = [tag.id for tag in article.tags]
    candidates: dict[int, float] = {}
    if tag_ids:
        shared = session.execute(
            select(VideoTag.video_id, func.count())
            .where(VideoTag.tag_id.in_(tag_ids))
            .group_by(VideoTag.video_id)
            .order_by(func.count().desc(), VideoTag.video_id.desc())
            .limit(200)
        )
        for video_id, count in shared:
            candidates[video_id] = 3.0 * count
    if article.section_id is not None:
        for video_id in session.scalars(
            select(Video.id)
            .where(Video.section_id == article.section_id)
            .order_by(Video.published_at.desc())
            .limit(50)
        ):
            candidates[video_id] = candidates.get(video_id, 0.0) + 2.0
    for video_id in session.scalars(
        select(Video.id)
        .where(Video.service_id == article.service_id)
        .order_by(Video.published_at.desc())
        .limit(50)
    ):
        candidates.setdefault(video_id, 0.0)
    for video_id in exclude:
        candidates.pop(video_id, None)
    if not candidates:
        return []
    videos = session.execute(
        select(Video.id, Video.title, Video.published_at, Video.service_id).where(
            Video.id.in_(list(candidates))
        )
    ).all()
    words = {word.lower() for word in _WORD.findall(article.headline) if len(word) > 3}
    reference = article.published_at or article.updated_at
    scored: list[tuple[float, int, int]] = []
    for video_id, title, published_at, service_id in videos:
        score = candidates[video_id]
        if words:
            shared_words = words & {w.lower() for w in _WORD.findall(title) if len(w) > 3}
            score += min(3, len(shared_words))
        if service_id == article.service_id:
            score += 0.5
        age_days = abs((reference - published_at).total_seconds()) / 86400
        score += 1.0 / (1.0 + age_days / 7)
        scored.append((score, to_ms(published_at), video_id))
    scored.sort(reverse=True)
    return [video_id for _, _, video_id in scored]


def _summary_document(article: Article) -> dict[str, Any] | None:
    by_source = {summary.source: summary for summary in article.summaries}
    chosen = by_source.get("editorial") or by_source.get("generated")
    if chosen is None:
        return None
    return {
        "bullets": chosen.bullets,
        "source": chosen.source,
        "updated_at": iso(chosen.updated_at),
    }


def _translations(session: Session, article: Article) -> list[dict[str, Any]]:
    if article.translation_group is None:
        return []
    others = session.scalars(
        select(Article)
        .where(
            Article.translation_group == article.translation_group,
            Article.id != article.id,
            Article.status == "published",
        )
        .options(selectinload(Article.service))
        .order_by(Article.id)
    )
    return [
        {
            "id": other.id,
            "service": other.service.code,
            "language": other.language,
            "slug": other.slug,
            "url": canonical_url(other.service, other.slug),
            "headline": other.headline,
        }
        for other in others
    ]


def _load_article(session: Session, article_id: int) -> Article | None:
    return session.scalars(
        select(Article)
        .where(Article.id == article_id)
        .options(
            selectinload(Article.service),
            selectinload(Article.section),
            selectinload(Article.tags),
            selectinload(Article.authors),
            selectinload(Article.corrections),
            selectinload(Article.summaries),
        )
        .execution_options(populate_existing=True)
    ).one_or_none()


def render_article(session: Session, article_id: int, *, cascade: bool = True) -> None:
    """Store every public representation of one article (and its translations' links)."""
    article = _load_article(session, article_id)
    if article is None:
        session.execute(delete(ArticleRender).where(ArticleRender.article_id == article_id))
        return
    service = article.service
    url = canonical_url(service, article.slug)
    summary = _summary_document(article)
    published_at = article.published_at or article.updated_at

    detail_doc: dict[str, Any] = {
        "id": article.id,
        "service": service.code,
        "language": article.language,
        "slug": article.slug,
        "url": url,
        "status": "published",
        "kicker": article.kicker,
        "headline": article.headline,
        "dek": article.dek,
        "summary": summary,
        "body": article.body,
        "lead_image": article.lead_image,
        "authors": [_ref(author) for author in article.authors],
        "section": _ref(article.section),
        "tags": [_ref(tag) for tag in article.tags],
        "urgency": article.urgency,
        "first_published_at": iso(article.first_published_at or article.published_at),
        "published_at": iso(published_at),
        "updated_at": iso(article.updated_at),
        "embargo_until": iso(article.embargo_until),
        "word_count": article.word_count,
        "reading_time_minutes": article.reading_time_minutes,
        "translations": _translations(session, article),
        "corrections": [
            {"at": iso(correction.created_at), "text": correction.text}
            for correction in article.corrections
        ],
    }
    teaser_doc: dict[str, Any] = {
        "id": article.id,
        "service": service.code,
        "language": article.language,
        "slug": article.slug,
        "url": url,
        "kicker": article.kicker,
        "headline": article.headline,
        "dek": article.dek,
        "summary": summary["bullets"] if summary else [],
        "lead_image": article.lead_image,
        "section": _ref(article.section),
        "published_at": iso(published_at),
        "updated_at": iso(article.updated_at),
    }

    curated = list(
        session.scalars(
            select(ArticleVideo.video_id)
            .where(ArticleVideo.article_id == article.id)
            .order_by(ArticleVideo.position)
        )
    )
    suggested = _suggested_video_ids(session, article, set(curated))
    chosen = (curated + suggested)[:RELATED_MAX]
    videos = _load_videos(session, chosen)
    related: list[dict[str, Any]] = []
    session.execute(delete(ArticleRelatedVideo).where(ArticleRelatedVideo.article_id == article.id))
    for position, video_id in enumerate(chosen):
        video = videos.get(video_id)
        if video is None:
            continue
        doc = video_document(video, video.service.code)
        doc["curated"] = video_id in curated
        related.append({"video": doc, "rules": video_rules(video)})
        session.add(
            ArticleRelatedVideo(
                article_id=article.id,
                video_id=video_id,
                position=position,
                curated=video_id in curated,
            )
        )

    # The stored detail leaves its object open: the parts that depend on the
    # reader (breaking, related_videos, notices) are appended per request.
    detail = orjson.dumps(detail_doc)[:-1]
    teaser = orjson.dumps(teaser_doc)[:-1]
    summary_bytes = orjson.dumps(summary)
    related_bytes = orjson.dumps(related)

    row = session.get(ArticleRender, article.id)
    if row is None:
        row = ArticleRender(article_id=article.id)
        session.add(row)
    row.service = service.code
    row.section_id = article.section_id
    row.language = article.language
    row.slug = article.slug
    row.public_from = public_from(article)
    row.published_ts = to_ms(published_at)
    row.updated_ts = to_ms(article.updated_at)
    row.breaking_until = opt_ms(article.breaking_until)
    row.withheld_in = ",".join(sorted(article.withheld_in or []))
    row.etag = _etag(detail, related_bytes)
    row.detail = detail.decode()
    row.teaser = teaser.decode()
    row.summary = summary_bytes.decode()
    row.related = related_bytes.decode()
    session.flush()

    if cascade and article.translation_group is not None:
        others = session.scalars(
            select(Article.id).where(
                Article.translation_group == article.translation_group, Article.id != article.id
            )
        ).all()
        for other_id in others:
            render_article(session, other_id, cascade=False)


def refresh_summary(session: Session, article: Article, generated: list[str]) -> None:
    """Store the generated key points (the editorial ones, if any, stay in front)."""
    existing = session.get(Summary, (article.id, "generated"))
    if existing is None:
        session.add(Summary(article_id=article.id, source="generated", bullets=generated))
    elif existing.bullets != generated:
        existing.bullets = generated
        existing.updated_at = datetime.now(UTC)
    session.flush()


__all__ = [
    "RELATED_MAX",
    "block_texts",
    "canonical_url",
    "count_words",
    "reading_minutes",
    "refresh_summary",
    "render_article",
    "render_video",
]
