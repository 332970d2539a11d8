"""Rendering articles and videos into the read model, once per change.

Every write path (the demo loader, imports, the editorial API) ends by calling
``render_article`` or ``render_video`` in the same transaction, so a reader
never sees a representation older than the content it stands for.
"""

import hashlib
import math
import re
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any, Protocol

import orjson
from sqlalchemy import delete, func, insert, select
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
from app.render.availability import Rules, has_rules, resolve
from app.render.changes import record_articles, record_videos
from app.sanitize import text_of
from app.timeutil import iso, opt_ms, to_ms

#: How many related videos are rendered with an article (curated first).
RELATED_MAX = 12
#: How many of them an article's detail shows.
DETAIL_RELATED = 6
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


def _load_videos(session: Session, ids: Iterable[int]) -> dict[int, Video]:
    ids = list(ids)
    if not ids:
        return {}
    videos = session.scalars(
        select(Video)
        .where(Video.id.in_(ids))
        .options(selectinload(Video.service), selectinload(Video.section), selectinload(Video.tags))
    )
    return {video.id: video for video in videos}


def render_video(session: Session, video_id: int, *, cascade: bool = True) -> None:
    render_videos(session, [video_id], cascade=cascade)


def render_videos(session: Session, video_ids: Iterable[int], *, cascade: bool = True) -> None:
    """Store the videos' public renderings, and refresh the articles that show them."""
    ids = sorted(set(video_ids))
    if not ids:
        return
    videos = _load_videos(session, ids)
    session.execute(delete(VideoRender).where(VideoRender.video_id.in_(ids)))
    rows = []
    for video in videos.values():
        doc = video_document(video, video.service.code)
        doc["transcript"] = video.transcript
        detail = orjson.dumps(doc)
        rules = orjson.dumps(video_rules(video))
        rows.append(
            {
                "video_id": video.id,
                "service": video.service.code,
                "published_ts": to_ms(video.published_at),
                "updated_ts": to_ms(video.updated_at),
                "etag": _etag(detail, rules),
                "rules": rules.decode(),
                "detail": detail.decode(),
            }
        )
    if rows:
        session.execute(insert(VideoRender), rows)
    record_videos(session, ids)
    if cascade:
        article_ids = session.scalars(
            select(ArticleRelatedVideo.article_id)
            .where(ArticleRelatedVideo.video_id.in_(ids))
            .distinct()
        ).all()
        render_articles(session, article_ids, cascade=False)


# Articles -------------------------------------------------------------------


class _Suggester:
    """Ranks suggested videos for a batch of articles with a few set-based queries:
    shared tags weigh most, then the same section, shared title words and recency."""

    PER_TAG = 200
    PER_GROUP = 50

    def __init__(self, session: Session, articles: list[Article]) -> None:
        self.by_tag: dict[int, list[int]] = {}
        self.by_section: dict[int, list[int]] = {}
        self.by_service: dict[int, list[int]] = {}
        tag_ids = sorted({tag.id for article in articles for tag in article.tags})
        if tag_ids:
            ranked = (
                select(
                    VideoTag.tag_id,
                    VideoTag.video_id,
                    func.row_number()
                    .over(
                        partition_by=VideoTag.tag_id,
                        order_by=(Video.published_at.desc(), Video.id.desc()),
                    )
                    .label("n"),
                )
                .join(Video, Video.id == VideoTag.video_id)
                .where(VideoTag.tag_id.in_(tag_ids))
                .subquery()
            )
            for tag_id, video_id in session.execute(
                select(ranked.c.tag_id, ranked.c.video_id).where(ranked.c.n <= self.PER_TAG)
            ):
                self.by_tag.setdefault(tag_id, []).append(video_id)
        for attribute, target in (("section_id", self.by_section), ("service_id", self.by_service)):
            keys = sorted(
                {getattr(a, attribute) for a in articles if getattr(a, attribute) is not None}
            )
            if not keys:
                continue
            column = getattr(Video, attribute)
            ranked = (
                select(
                    column.label("key"),
                    Video.id,
                    func.row_number()
                    .over(
                        partition_by=column, order_by=(Video.published_at.desc(), Video.id.desc())
                    )
                    .label("n"),
                )
                .where(column.in_(keys))
                .subquery()
            )
            for key, video_id in session.execute(
                select(ranked.c.key, ranked.c.id).where(ranked.c.n <= self.PER_GROUP)
            ):
                target.setdefault(key, []).append(video_id)
        every = set().union(
            *self.by_tag.values(), *self.by_section.values(), *self.by_service.values()
        )
        self.info: dict[int, tuple[set[str], datetime, int]] = {}
        if every:
            for video_id, title, published_at, service_id in session.execute(
                select(Video.id, Video.title, Video.published_at, Video.service_id).where(
                    Video.id.in_(sorted(every))
                )
            ):
                words = {w.lower() for w in _WORD.findall(title) if len(w) > 3}
                self.info[video_id] = (words, published_at, service_id)

    def suggest(self, article: Article, exclude: set[int]) -> list[int]:
        candidates: dict[int, float] = {}
        for tag in article.tags:
            for video_id in self.by_tag.get(tag.id, ()):
                candidates[video_id] = candidates.get(video_id, 0.0) + 3.0
        if article.section_id is not None:
            for video_id in self.by_section.get(article.section_id, ()):
                candidates[video_id] = candidates.get(video_id, 0.0) + 2.0
        for video_id in self.by_service.get(article.service_id, ()):
            candidates.setdefault(video_id, 0.0)
        words = {word.lower() for word in _WORD.findall(article.headline) if len(word) > 3}
        reference = article.published_at or article.updated_at
        scored: list[tuple[float, int, int]] = []
        for video_id, score in candidates.items():
            if video_id in exclude or video_id not in self.info:
                continue
            title_words, published_at, service_id = self.info[video_id]
            score += min(3, len(words & title_words))
            if service_id == article.service_id:
                score += 0.5
            age_days = abs((reference - published_at).total_seconds()) / 86400
            score += 1.0 / (1.0 + age_days / 7)
            scored.append((score, to_ms(published_at), video_id))
        scored.sort(reverse=True)
        return [video_id for _, _, video_id in scored]


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


def _translations(
    session: Session, articles: list[Article]
) -> dict[str, list[tuple[int, int | None, dict[str, Any]]]]:
    """The other services' versions of each article's story: (id, public_from, doc)."""
    groups = sorted({a.translation_group for a in articles if a.translation_group is not None})
    found: dict[str, list[tuple[int, int | None, dict[str, Any]]]] = {}
    if not groups:
        return found
    rows = session.execute(
        select(Article, Service)
        .join(Service, Service.id == Article.service_id)
        .where(
            Article.translation_group.in_(groups),
            Article.status.in_(("published", "scheduled")),
        )
        .order_by(Article.id)
    )
    for other, service in rows:
        found.setdefault(other.translation_group or "", []).append(
            (
                other.id,
                public_from(other),
                {
                    "id": other.id,
                    "service": service.code,
                    "language": other.language,
                    "slug": other.slug,
                    "url": canonical_url(service, other.slug),
                    "headline": other.headline,
                },
            )
        )
    return found


def _load_articles(session: Session, ids: list[int]) -> list[Article]:
    return list(
        session.scalars(
            select(Article)
            .where(Article.id.in_(ids))
            .options(
                selectinload(Article.service),
                selectinload(Article.section),
                selectinload(Article.tags),
                selectinload(Article.authors),
                selectinload(Article.corrections),
                selectinload(Article.summaries),
            )
            .execution_options(populate_existing=True)
        )
    )


def render_article(session: Session, article_id: int, *, cascade: bool = True) -> None:
    render_articles(session, [article_id], cascade=cascade)


def render_articles(session: Session, article_ids: Iterable[int], *, cascade: bool = True) -> None:
    """Store every public representation of these articles, in a few set-based queries.

    With ``cascade``, the other members of their translation groups are rendered
    again too, so that their ``translations`` lists stay true.
    """
    ids = sorted(set(article_ids))
    if not ids:
        return
    session.flush()
    articles = _load_articles(session, ids)
    session.execute(delete(ArticleRender).where(ArticleRender.article_id.in_(ids)))
    session.execute(delete(ArticleRelatedVideo).where(ArticleRelatedVideo.article_id.in_(ids)))
    if not articles:
        record_articles(session, ids)
        return
    curated_by_article: dict[int, list[int]] = {}
    for article_id, video_id in session.execute(
        select(ArticleVideo.article_id, ArticleVideo.video_id)
        .where(ArticleVideo.article_id.in_(ids))
        .order_by(ArticleVideo.article_id, ArticleVideo.position)
    ):
        curated_by_article.setdefault(article_id, []).append(video_id)
    suggester = _Suggester(session, articles)
    chosen_by_article = {}
    for article in articles:
        curated = curated_by_article.get(article.id, [])
        suggested = suggester.suggest(article, set(curated))
        chosen_by_article[article.id] = (curated + suggested)[:RELATED_MAX]
    videos = _load_videos(
        session, {video_id for chosen in chosen_by_article.values() for video_id in chosen}
    )
    video_docs = {
        video_id: (video_document(video, video.service.code), video_rules(video))
        for video_id, video in videos.items()
    }
    translations = _translations(session, articles)

    render_rows: list[dict[str, Any]] = []
    related_rows: list[dict[str, Any]] = []
    for article in articles:
        curated_ids = set(curated_by_article.get(article.id, []))
        related = []
        for position, video_id in enumerate(chosen_by_article[article.id]):
            if video_id not in video_docs:
                continue
            doc, rules = video_docs[video_id]
            related.append({"video": {**doc, "curated": video_id in curated_ids}, "rules": rules})
            related_rows.append(
                {
                    "article_id": article.id,
                    "video_id": video_id,
                    "position": position,
                    "curated": video_id in curated_ids,
                }
            )
        others = [
            [visible_from, doc]
            for other_id, visible_from, doc in translations.get(article.translation_group or "", [])
            if other_id != article.id and visible_from is not None
        ]
        render_rows.append(_render_row(article, related, others))
    session.execute(insert(ArticleRender), render_rows)
    if related_rows:
        session.execute(insert(ArticleRelatedVideo), related_rows)
    record_articles(session, ids)

    if cascade:
        groups = {a.translation_group for a in articles if a.translation_group is not None}
        if groups:
            others_ids = session.scalars(
                select(Article.id).where(
                    Article.translation_group.in_(sorted(groups)), Article.id.not_in(ids)
                )
            ).all()
            render_articles(session, others_ids, cascade=False)


def article_document(
    article: Article,
    translations: list[dict[str, Any]],
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
        "body": article.body,
        "lead_image": article.lead_image,
        "authors": [_ref(author) for author in article.authors],
        "section": _ref(article.section),
        "tags": [_ref(tag) for tag in article.tags],
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


def _render_row(
    article: Article, related: list[dict[str, Any]], translations: list[list[Any]]
) -> dict[str, Any]:
    service = article.service
    detail_doc = article_document(article, [])
    # Translations are appended per request, each once it is public itself.
    del detail_doc["translations"]
    summary = detail_doc["summary"]
    published_at = article.published_at or article.updated_at
    teaser_doc: dict[str, Any] = {
        "id": article.id,
        "service": service.code,
        "language": article.language,
        "slug": article.slug,
        "url": detail_doc["url"],
        "kicker": article.kicker,
        "headline": article.headline,
        "dek": article.dek,
        "summary": summary["bullets"] if summary else [],
        "lead_image": article.lead_image,
        "section": _ref(article.section),
        "published_at": iso(published_at),
        "updated_at": iso(article.updated_at),
    }
    # The stored detail and teaser leave their objects open: the parts that
    # depend on the reader or the clock (translations, breaking, related_videos,
    # notices) are appended per request.
    detail = orjson.dumps(detail_doc)[:-1]
    related_bytes = orjson.dumps(related)
    translations_bytes = orjson.dumps(translations)
    shown = related[:DETAIL_RELATED]
    related_detail = None
    if all(not has_rules(entry["rules"]) for entry in shown):
        resolved = [resolve(dict(entry["video"]), entry["rules"], None, 0) for entry in shown]
        keys = " ".join(f"video-{video['id']}" for video in resolved)
        related_detail = f"{keys}\n{orjson.dumps(resolved).decode()}"
    return {
        "article_id": article.id,
        "service": service.code,
        "section_id": article.section_id,
        "language": article.language,
        "slug": article.slug,
        "public_from": public_from(article),
        "published_ts": to_ms(published_at),
        "updated_ts": to_ms(article.updated_at),
        "breaking_until": opt_ms(article.breaking_until),
        "withheld_in": ",".join(sorted(article.withheld_in or [])),
        "etag": _etag(detail, related_bytes, translations_bytes),
        "detail": detail.decode(),
        "teaser": orjson.dumps(teaser_doc)[:-1].decode(),
        "summary": orjson.dumps(summary).decode(),
        "related": related_bytes.decode(),
        "translations": translations_bytes.decode(),
        "related_detail": related_detail,
    }


def load_article(session: Session, article_id: int) -> Article | None:
    """One article with everything its representation shows, fresh from the database."""
    found = _load_articles(session, [article_id])
    return found[0] if found else None


def live_document(session: Session, article: Article, status: str) -> dict[str, Any]:
    """The editorial view of an article (loaded by ``load_article``): the public
    shape, rendered now from the store, with its real status and times."""
    translations = _translations(session, [article])
    others = [
        doc
        for other_id, _, doc in translations.get(article.translation_group or "", [])
        if other_id != article.id
    ]
    return article_document(article, others, status=status)


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
    "article_document",
    "block_texts",
    "canonical_url",
    "count_words",
    "live_document",
    "load_article",
    "public_from",
    "reading_minutes",
    "refresh_summary",
    "render_article",
    "render_articles",
    "render_video",
    "render_videos",
    "summary_document",
]
