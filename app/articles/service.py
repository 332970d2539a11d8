"""Public article reads: stored renderings plus the few parts that depend on the reader."""

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import orjson

from app.errors import NotFound, UnavailableForLegalReasons
from app.kit.timeutil import iso_from_ms
from app.notices.repository import notices_for
from app.readmodel.articles import DETAIL_RELATED
from app.readmodel.availability import depends_on_country, resolve
from app.readstore import ReadStore

NOT_FOUND_DETAIL = "No published article has this id."


@dataclass(slots=True)
class Rendered:
    """A response body with its validators."""

    body: bytes
    etag: str
    last_modified_ms: int
    surrogate_keys: str
    vary_country: bool


def check_visible(row: Sequence[Any] | None, now: int, country: str | None) -> Sequence[Any]:
    """Drafts, scheduled, embargoed and archived articles are 404, like unknown ids."""
    if row is None or row[0] is None or row[0] > now:
        raise NotFound(NOT_FOUND_DETAIL)
    withheld = row[1]
    if withheld and country is not None and country in withheld.split(","):
        raise UnavailableForLegalReasons(
            "This article is not available in your country for legal reasons."
        )
    return row


def breaking_json(until: int | None, now: int) -> bytes:
    if until is None or until <= now:
        return b"null"
    return orjson.dumps({"until": iso_from_ms(until)})


def resolve_related(
    related: str, country: str | None, now: int, limit: int
) -> tuple[list[dict[str, Any]], str, bool]:
    """Related videos resolved for this reader, a short state key for the ETag,
    and whether the answer depends on the reader's country."""
    entries = orjson.loads(related)[:limit]
    videos = []
    states = []
    by_country = False
    for entry in entries:
        video = resolve(entry["video"], entry["rules"], country, now)
        videos.append(video)
        states.append(video["unavailable_reason"] or "ok")
        by_country = by_country or depends_on_country(entry["rules"])
    return videos, ".".join(states), by_country


async def article_detail(
    store: ReadStore,
    row: Sequence[Any],
    article_id: int,
    country: str | None,
    now: int,
    related_limit: int = DETAIL_RELATED,
) -> Rendered:
    _, _, breaking_until, etag, updated_ts, detail, related, service, _, translations = row[:10]
    static = row[10] if related_limit == DETAIL_RELATED else None
    if static is not None:
        # The same for every reader: served as stored, and the related videos
        # are then covered by the stored ETag.
        video_keys, _, stored = static.partition("\n")
        videos_json, video_state = stored.encode(), "static"
    else:
        videos, video_state, _ = resolve_related(related, country, now, related_limit)
        videos_json = orjson.dumps(videos)
        video_keys = " ".join(f"video-{video['id']}" for video in videos)
    notices = await notices_for(store, country, service, now)
    breaking = breaking_json(breaking_until, now)
    notices_json = orjson.dumps([notice["doc"] for notice in notices])
    public = [(since, doc) for since, doc in orjson.loads(translations) if since <= now]
    translations_json = orjson.dumps([doc for _, doc in public])
    # Last-Modified moves with what changed by the clock or elsewhere: an expired
    # breaking flag, a translation that became public, a notice.
    last_modified = max(
        updated_ts,
        breaking_until if breaking_until is not None and breaking_until <= now else 0,
        *(since for since, _ in public),
        *(notice["changed"] for notice in notices),
    )
    body = b"".join(
        (
            detail.encode(),
            b',"translations":',
            translations_json,
            b',"breaking":',
            breaking,
            b',"related_videos":',
            videos_json,
            b',"notices":',
            notices_json,
            b"}",
        )
    )
    # The stored ETag covers the stored bytes; the parts added per request (the
    # breaking flag with its expiry, the videos' availability, the notices'
    # wording) must change the validator too, or a 304 would hide their change.
    variant = hashlib.blake2b(
        b"\x00".join((breaking, video_state.encode(), notices_json, translations_json)),
        digest_size=6,
    ).hexdigest()
    keys = [f"article-{article_id}", f"service-{service}"]
    if video_keys:
        keys.append(video_keys)
    keys.extend(f"notice-{notice['doc']['id']}" for notice in notices)
    return Rendered(
        body=body,
        etag=f"{etag}-{variant}",
        last_modified_ms=last_modified,
        surrogate_keys=" ".join(keys),
        vary_country=True,
    )
