"""Suggested related videos: ranked for a batch of articles at once."""

import heapq
import re
from datetime import datetime
from functools import lru_cache
from typing import Any

from sqlalchemy import BindParameter, Select, bindparam, func, select
from sqlalchemy.orm import Session

from app.kit.timeutil import to_ms
from app.models import Article, Video, VideoTag

_WORD = re.compile(r"\w+")

PER_TAG = 200
PER_GROUP = 50


def _ranked(key: Any, per: int, source: Select[Any]) -> Select[Any]:
    """The ``per`` latest videos of each key, each with what ranking reads of it:
    ``(key, video_id, title, published_at, service_id)``."""
    ranked = source.add_columns(
        func.row_number()
        .over(partition_by=key, order_by=(Video.published_at.desc(), Video.id.desc()))
        .label("n")
    ).subquery()
    return select(
        ranked.c.key, ranked.c.video_id, ranked.c.title, ranked.c.published_at, ranked.c.service_id
    ).where(ranked.c.n <= per)


def _columns(key: Any) -> tuple[Any, ...]:
    return (
        key.label("key"),
        Video.id.label("video_id"),
        Video.title,
        Video.published_at,
        Video.service_id,
    )


# Built once: a write renders one article, and building these costs more than running them.
_KEYS: BindParameter[int] = bindparam("keys", expanding=True)
_BY_TAG = _ranked(
    VideoTag.tag_id,
    PER_TAG,
    select(*_columns(VideoTag.tag_id))
    .join(Video, Video.id == VideoTag.video_id)
    .where(VideoTag.tag_id.in_(_KEYS)),
)
_BY_SECTION = _ranked(
    Video.section_id,
    PER_GROUP,
    select(*_columns(Video.section_id)).where(Video.section_id.in_(_KEYS)),
)
_BY_SERVICE = _ranked(
    Video.service_id,
    PER_GROUP,
    select(*_columns(Video.service_id)).where(Video.service_id.in_(_KEYS)),
)


@lru_cache(maxsize=50_000)
def _title_words(title: str) -> frozenset[str]:
    return frozenset(w.lower() for w in _WORD.findall(title) if len(w) > 3)


class Suggester:
    """Ranks suggested videos for a batch of articles with a few set-based queries:
    shared tags weigh most, then the same section, shared title words and recency."""

    def __init__(self, session: Session, articles: list[Article]) -> None:
        self.by_tag: dict[int, list[int]] = {}
        self.by_section: dict[int, list[int]] = {}
        self.by_service: dict[int, list[int]] = {}
        #: Per video: title words, publication time (and in ms), service id.
        self.info: dict[int, tuple[frozenset[str], datetime, int, int]] = {}
        tag_ids = sorted({tag.id for article in articles for tag in article.tags})
        section_ids = sorted({a.section_id for a in articles if a.section_id is not None})
        service_ids = sorted({a.service_id for a in articles})
        for statement, keys, target in (
            (_BY_TAG, tag_ids, self.by_tag),
            (_BY_SECTION, section_ids, self.by_section),
            (_BY_SERVICE, service_ids, self.by_service),
        ):
            if not keys:
                continue
            for key, video_id, title, published_at, service_id in session.execute(
                statement, {"keys": keys}
            ):
                target.setdefault(key, []).append(video_id)
                if video_id not in self.info:
                    self.info[video_id] = (
                        _title_words(title),
                        published_at,
                        to_ms(published_at),
                        service_id,
                    )

    def suggest(self, article: Article, exclude: set[int], limit: int | None = None) -> list[int]:
        """The suggested videos, best first; the first ``limit`` of them when given."""
        candidates: dict[int, float] = {}
        get = candidates.get
        for tag in article.tags:
            for video_id in self.by_tag.get(tag.id, ()):
                candidates[video_id] = get(video_id, 0.0) + 3.0
        if article.section_id is not None:
            for video_id in self.by_section.get(article.section_id, ()):
                candidates[video_id] = get(video_id, 0.0) + 2.0
        for video_id in self.by_service.get(article.service_id, ()):
            candidates.setdefault(video_id, 0.0)
        words = _title_words(article.headline)
        reference = article.published_at or article.updated_at
        own_service = article.service_id
        info = self.info
        scored: list[tuple[float, int, int]] = []
        for video_id, score in candidates.items():
            found = info.get(video_id)
            if found is None or video_id in exclude:
                continue
            title_words, published_at, published_ms, service_id = found
            score += min(3, len(words & title_words))
            if service_id == own_service:
                score += 0.5
            age_days = abs((reference - published_at).total_seconds()) / 86400
            score += 1.0 / (1.0 + age_days / 7)
            scored.append((score, published_ms, video_id))
        if limit is not None:
            # The same as the first ``limit`` of the full sort (no two entries are equal).
            return [video_id for _, _, video_id in heapq.nlargest(limit, scored)]
        scored.sort(reverse=True)
        return [video_id for _, _, video_id in scored]
