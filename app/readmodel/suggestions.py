"""Suggested related videos: ranked for a batch of articles at once."""

import re
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.kit.timeutil import to_ms
from app.models import Article, Video, VideoTag

_WORD = re.compile(r"\w+")


class Suggester:
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
