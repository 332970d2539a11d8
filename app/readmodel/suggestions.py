"""Suggested related videos: ranked for a batch of articles at once, by the measure
related articles are ranked by (``app.readmodel.relatedness``).

The candidates of a batch are gathered with a few set-based queries (the latest
videos of each tag, section and service the batch has), then ranked per article from
the terms the search index keeps of each video. A video that can be played nowhere
(no renditions) or never again (expired) is not suggested; one that some readers
may not play is left to the read, which shows a suggestion only to readers who can
play it.
"""

from collections.abc import Sequence
from typing import Any, NamedTuple

import orjson
from sqlalchemy import BindParameter, Select, bindparam, func, select
from sqlalchemy.orm import Session

from app.kit.analysis import analyze_text
from app.kit.timeutil import now_ms, to_ms
from app.models import Article, SearchDocument, Video, VideoRender, VideoTag
from app.readmodel.availability import unavailable_reason
from app.readmodel.documents import summary_document
from app.readmodel.relatedness import (
    Candidate,
    Source,
    best,
    found_similarity,
    found_weights,
    score_with,
    weighted_terms,
)
from app.readmodel.search_index import video_doc_id

PER_TAG = 200
PER_GROUP = 50


def _ranked(key: Any, per: int, source: Select[Any]) -> Select[Any]:
    """The ``per`` latest videos of each key: ``(key, video_id)``."""
    ranked = source.add_columns(
        func.row_number()
        .over(partition_by=key, order_by=(Video.published_at.desc(), Video.id.desc()))
        .label("n")
    ).subquery()
    return select(ranked.c.key, ranked.c.video_id).where(ranked.c.n <= per)


def _columns(key: Any) -> tuple[Any, ...]:
    return key.label("key"), Video.id.label("video_id")


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
D = SearchDocument.__table__.c
# What ranking reads of each candidate: its facts, its indexed terms, its availability.
_CANDIDATES = (
    select(
        Video.id,
        Video.service_id,
        Video.section_id,
        Video.published_at,
        D.headline,
        D.summary,
        D.body,
        VideoRender.rules,
    )
    .join(SearchDocument, D.doc_id == Video.id * 2 + 1)
    .join(VideoRender, VideoRender.video_id == Video.id)
    .where(D.doc_id.in_(bindparam("docs", expanding=True)))
)
_NOWHERE = frozenset({"no_sources", "expired"})


def _terms(article: Article) -> dict[str, float]:
    """The article's weighted terms, from its headline and summary (the dek and the
    key points) as the search index analyses them."""
    summary = summary_document(article)
    return _weighted(
        article.headline, article.dek, summary["bullets"] if summary else [], article.language
    )


def _weighted(
    headline: str, dek: str | None, bullets: list[str], language: str
) -> dict[str, float]:
    parts = [dek or "", *bullets]
    headline_terms = analyze_text(headline, language)
    summary_terms = analyze_text("\n".join(part for part in parts if part), language)
    return weighted_terms(" ".join(headline_terms), " ".join(summary_terms), "")


def source_of(article: Article) -> Source:
    published = article.published_at or article.updated_at
    return Source(_terms(article), article.section_id, to_ms(published))


class Inputs(NamedTuple):
    """What an article's suggestions are ranked from: equal inputs rank the same
    candidates alike."""

    source: Source
    service: str
    tags: tuple[str, ...]
    curated: tuple[int, ...]


def inputs_of(article: Article, source: Source, curated: Sequence[int]) -> Inputs:
    tags = tuple(sorted(tag.slug for tag in article.tags))
    return Inputs(source, article.service.code, tags, tuple(curated))


def stored_inputs(
    teaser: dict[str, Any],
    detail: dict[str, Any],
    section_id: int | None,
    published_ts: int,
    curated: Sequence[int],
) -> Inputs:
    """The inputs the suggestions of a stored rendering were ranked from (its teaser
    and detail, still open, parsed)."""
    terms = _weighted(teaser["headline"], teaser["dek"], teaser["summary"], teaser["language"])
    tags = tuple(sorted(tag["slug"] for tag in detail["tags"]))
    return Inputs(Source(terms, section_id, published_ts), teaser["service"], tags, tuple(curated))


def playable_somewhere(rules: Any, now: int) -> bool:
    """Whether a video may still be suggested: some reader may play it now or later."""
    return unavailable_reason(rules, None, now) not in _NOWHERE


class Suggester:
    """Ranks suggested videos for a batch of articles with a few set-based queries."""

    def __init__(self, session: Session, articles: Sequence[Article]) -> None:
        self.by_tag: dict[int, list[int]] = {}
        self.by_section: dict[int, list[int]] = {}
        self.by_service: dict[int, list[int]] = {}
        tag_ids = sorted({tag.id for article in articles for tag in article.tags})
        section_ids = sorted({a.section_id for a in articles if a.section_id is not None})
        service_ids = sorted({a.service_id for a in articles})
        found: set[int] = set()
        # Core rows: the ORM's result machinery costs more than these queries.
        connection = session.connection()
        for statement, keys, target in (
            (_BY_TAG, tag_ids, self.by_tag),
            (_BY_SECTION, section_ids, self.by_section),
            (_BY_SERVICE, service_ids, self.by_service),
        ):
            if not keys:
                continue
            for key, video_id in connection.execute(statement, {"keys": keys}):
                target.setdefault(key, []).append(video_id)
                found.add(video_id)
        now = now_ms()
        # video id -> (service, candidate without its shared tags, its found weights:
        # each video is compared with every article of the batch that pools it)
        self.videos: dict[int, tuple[int, Candidate, dict[str, float]]] = {}
        if found:
            docs = sorted(video_doc_id(video_id) for video_id in found)
            for row in connection.execute(_CANDIDATES, {"docs": docs}):
                video_id, service_id, section_id, published_at = row[:4]
                headline, summary, body, rules = row[4:]
                if not playable_somewhere(orjson.loads(rules), now):
                    continue
                candidate = Candidate(
                    video_id, 0, section_id, to_ms(published_at), headline, summary, body
                )
                found_in = found_weights(headline, summary, body)
                self.videos[video_id] = (service_id, candidate, found_in)

    def suggest(
        self,
        article: Article,
        exclude: set[int],
        limit: int | None = None,
        source: Source | None = None,
    ) -> list[int]:
        """The article's suggested videos, best first (the first ``limit`` of them when
        given): only of its own service. ``source`` is ``source_of(article)``, when
        at hand."""
        shared: dict[int, int] = {}
        for tag in article.tags:
            for video_id in self.by_tag.get(tag.id, ()):
                shared[video_id] = shared.get(video_id, 0) + 1
        pooled = set(shared)
        if article.section_id is not None:
            pooled.update(self.by_section.get(article.section_id, ()))
        pooled.update(self.by_service.get(article.service_id, ()))
        if source is None:
            source = source_of(article)
        scored = []
        for video_id in pooled - exclude:
            found = self.videos.get(video_id)
            if found is None or found[0] != article.service_id:
                continue
            _, video, found_in = found
            candidate = Candidate(
                video_id,
                shared.get(video_id, 0),
                video.section_id,
                video.published_ts,
                video.headline,
                video.summary,
                video.body,
            )
            text = found_similarity(source.terms, found_in)
            scored.append((score_with(source, candidate, text), video_id))
        return best(scored, limit)
