"""What a feed shows of an article, read from its stored rendering, and the
shape every format module has.

An entry is parsed once from the stored detail JSON and related videos; each
format renders it once into an ``Item`` (cached by the article's ETag), whose
only per-request part is which of its videos the reader may play.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import orjson

from app.readmodel.availability import Rules


@dataclass(frozen=True, slots=True)
class Video:
    """A video an entry carries as an enclosure, with its availability rules."""

    id: int
    title: str
    description: str | None
    duration: int
    thumbnail: dict[str, Any] | None
    renditions: list[dict[str, Any]]
    rules: Rules


@dataclass(frozen=True, slots=True)
class Entry:
    id: int
    language: str
    url: str
    headline: str
    dek: str | None
    bullets: list[str]
    lead_image: dict[str, Any] | None
    authors: list[str]
    section: dict[str, str] | None
    tags: list[dict[str, str]]
    published_at: str
    updated_at: str
    videos: list[Video]


@dataclass(frozen=True, slots=True)
class Channel:
    """The feed as a whole: the service (and filter), the addresses."""

    name: str
    description: str | None
    language: str
    direction: str
    home: str
    base: str
    self_url: str
    updated_at: str


@dataclass(frozen=True, slots=True)
class Item:
    """One entry rendered in one format: the text before its videos, one
    fragment per video (in the order of ``Entry.videos``), the text after."""

    head: str
    videos: tuple[str, ...]
    tail: str


@dataclass(frozen=True, slots=True)
class Format:
    media_type: str
    document_head: Callable[[Channel], str]
    item: Callable[[Entry, Channel], Item]
    join_videos: Callable[[list[str]], str]
    separator: str
    document_tail: str


def _videos(detail: dict[str, Any], related: list[dict[str, Any]]) -> list[Video]:
    """Videos the body embeds (the first one leads), then the editors' curated
    ones; suggested videos are left to the site."""
    embedded = [
        block["video_id"] for block in detail.get("body", []) if block.get("type") == "video"
    ]
    by_id = {entry["video"]["id"]: entry for entry in related}
    chosen = [video_id for video_id in embedded if video_id in by_id]
    chosen += [e["video"]["id"] for e in related if e["video"].get("curated")]
    videos = []
    for video_id in dict.fromkeys(chosen):
        doc, rules = by_id[video_id]["video"], by_id[video_id]["rules"]
        videos.append(
            Video(
                id=video_id,
                title=doc["title"],
                description=doc.get("description"),
                duration=doc.get("duration") or 0,
                thumbnail=doc.get("thumbnail"),
                renditions=doc.get("renditions") or [],
                rules=rules,
            )
        )
    return videos


def parse_entry(article_id: int, detail: str, related: str) -> Entry:
    """An entry from the stored detail (an open JSON object) and related videos."""
    doc: dict[str, Any] = orjson.loads(detail + "}")
    summary = doc.get("summary") or {}
    return Entry(
        id=article_id,
        language=doc["language"],
        url=doc["url"],
        headline=doc["headline"],
        dek=doc.get("dek"),
        bullets=list(summary.get("bullets") or []),
        lead_image=doc.get("lead_image"),
        authors=[author["name"] for author in doc.get("authors") or []],
        section=doc.get("section"),
        tags=list(doc.get("tags") or []),
        published_at=doc["published_at"],
        updated_at=doc["updated_at"],
        videos=_videos(doc, orjson.loads(related)),
    )
