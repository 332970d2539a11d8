"""Conditional requests and caching headers for every public read."""

import hashlib
import time
from dataclasses import dataclass
from email.utils import formatdate, parsedate_to_datetime
from functools import lru_cache
from typing import Any

import orjson
from starlette.requests import Request
from starlette.responses import Response

from app.config import Settings
from app.http.pagination import next_link

JSON_MEDIA_TYPE = "application/json"
#: Appended to the ETag of an answer to a client that takes gzip (see the middleware).
GZIP_ETAG_SUFFIX = "-gzip"


def opaque_tags(header: str) -> list[str]:
    """The entity tags of an If-Match or If-None-Match list, unquoted, with their
    ``W/`` kept and the gzip suffix taken off (the same representation)."""
    tags = []
    for candidate in header.split(","):
        candidate = candidate.strip()
        weak = candidate.startswith("W/")
        if weak:
            candidate = candidate[2:]
        if candidate == "*":
            tags.append("*")
            continue
        if len(candidate) < 2 or candidate[0] != '"' or candidate[-1] != '"':
            continue
        tag = candidate[1:-1].removesuffix(GZIP_ETAG_SUFFIX)
        tags.append(f"W/{tag}" if weak else tag)
    return tags


def body_etag(body: bytes) -> str:
    """A strong validator computed from the bytes themselves."""
    return hashlib.blake2b(body, digest_size=12).hexdigest()


def representation_etag(document: dict[str, Any]) -> str:
    """A strong validator: the hash of an item's JSON, as the public reads compute it."""
    return body_etag(orjson.dumps(document))


def http_date(epoch_seconds: float) -> str:
    return _http_date(int(epoch_seconds))


@lru_cache(maxsize=4096)
def _http_date(epoch_seconds: int) -> str:
    # Last-Modified of a stored rendering: the same few moments over and over, and
    # formatdate costs as much as the rest of the headers together.
    return formatdate(epoch_seconds, usegmt=True)


def _etag_matches(header: str, etag: str) -> bool:
    """If-None-Match compares weakly (RFC 9110 13.1.2): ``W/"x"`` matches ``"x"``."""
    return any(tag in ("*", etag) for tag in (t.removeprefix("W/") for t in opaque_tags(header)))


def not_modified(request: Request, etag: str, last_modified_ms: int | None) -> bool:
    """RFC 9110 section 13.2.2: If-None-Match wins over If-Modified-Since."""
    if_none_match = request.headers.get("if-none-match")
    if if_none_match is not None:
        return _etag_matches(if_none_match, etag)
    if_modified_since = request.headers.get("if-modified-since")
    if if_modified_since and last_modified_ms is not None:
        try:
            since = parsedate_to_datetime(if_modified_since)
        except (TypeError, ValueError, IndexError):
            return False
        if since.tzinfo is None:
            return False
        # A date later than the server's clock is not valid (RFC 9110 8.8.2.1).
        if since.timestamp() > time.time():
            return False
        return last_modified_ms // 1000 <= int(since.timestamp())
    return False


def public_response(
    request: Request,
    body: bytes,
    *,
    settings: Settings,
    etag: str | None = None,
    last_modified_ms: int | None = None,
    surrogate_keys: str = "",
    vary_country: bool = False,
    media_type: str = JSON_MEDIA_TYPE,
    status_code: int = 200,
    extra_headers: dict[str, str] | None = None,
    true_for: int | None = None,
) -> Response:
    """A cacheable public answer, or 304 when the client's copy is current.

    ``true_for``: the seconds after which the answer is known to change (an
    expiry on it); no cache may serve it, fresh or stale, past that.
    """
    if etag is None:
        etag = body_etag(body)
    max_age, stale = settings.public_max_age, settings.stale_while_revalidate
    if true_for is not None:
        max_age = max(0, min(max_age, true_for))
        stale = max(0, min(stale, true_for - max_age))
    headers = {
        "ETag": f'"{etag}"',
        "Cache-Control": f"public, max-age={max_age}, stale-while-revalidate={stale}",
    }
    if "authorization" in request.headers:
        # A shared cache may store a "public" answer to a request with
        # credentials (RFC 9111 3.5); answers to a token are never stored.
        headers["Cache-Control"] = "private, no-store"
    if last_modified_ms is not None:
        headers["Last-Modified"] = http_date(last_modified_ms / 1000)
    if surrogate_keys:
        headers["Surrogate-Key"] = surrogate_keys
    if vary_country:
        headers["Vary"] = settings.country_header
    if extra_headers:
        headers.update(extra_headers)
    if status_code == 200 and not_modified(request, etag, last_modified_ms):
        return Response(status_code=304, headers=headers)
    return Response(body, status_code=status_code, media_type=media_type, headers=headers)


@dataclass(slots=True)
class Representation:
    """A public answer's body and validators, as a read service builds it."""

    body: bytes
    etag: str | None = None
    last_modified_ms: int | None = None
    surrogate_keys: str = ""
    vary_country: bool = False
    #: A list's next page: the answer links to it.
    next_cursor: str | None = None


def public_answer(request: Request, found: Representation, settings: Settings) -> Response:
    """``public_response`` of what a read service found."""
    return public_response(
        request,
        found.body,
        settings=settings,
        etag=found.etag,
        last_modified_ms=found.last_modified_ms,
        surrogate_keys=found.surrogate_keys,
        vary_country=found.vary_country,
        extra_headers=(
            {"Link": next_link(request, found.next_cursor)} if found.next_cursor else None
        ),
    )
