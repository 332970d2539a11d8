"""What every editorial answer shares: If-Match against the editorial ETag, and
private (never cached) answers."""

from collections.abc import Callable
from typing import Any

import orjson
from fastapi import Request
from fastapi.responses import Response

from app.errors import BadRequest, PreconditionFailed, PreconditionRequired
from app.http.caching import opaque_tags
from app.http.contract import IF_MATCH_SYNTAX

PRIVATE = "private, no-store"
#: Called by a write rule with the item's current ETag before it changes the item:
#: 428 or 412 unless the request's If-Match names that ETag.
Precondition = Callable[[str], None]


def version_etag(kind: str, item_id: int, version: int) -> str:
    """The editorial validator of an item: it changes with every write."""
    return f"{kind}-{item_id}-v{version}"


def match_if(
    if_match: str | None,
    current_etag: str,
    *,
    required: bool = True,
    variants: bool = False,
    what: str = "item",
) -> None:
    """RFC 9110 13.1.1 If-Match against the editorial ETag: a missing header is
    428 (when required), a malformed one 400, a stale one 412; weak tags never match. With
    ``variants``, a tag a public read gave for one reader (``"<etag>-<state>"``)
    names the same representation."""
    if if_match is None:
        if required:
            raise PreconditionRequired(
                "Send If-Match with the ETag you last read, so that no one's change is lost."
            )
        return
    if not IF_MATCH_SYNTAX.match(if_match):
        raise BadRequest(
            'If-Match must be "*" or a list of quoted ETags.',
            errors=[{"location": "header", "field": "If-Match", "message": "malformed"}],
        )
    for tag in opaque_tags(if_match):
        if tag.startswith("W/"):
            continue
        if tag in ("*", current_etag):
            return
        if variants and tag.startswith(f"{current_etag}-"):
            return
    raise PreconditionFailed(
        f"The {what} changed since you read it; read it again and reapply your change.",
        headers={"ETag": f'"{current_etag}"'},
    )


def check_if_match(request: Request, current: str, *, variants: bool = False) -> None:
    """PATCH and DELETE must name the representation they change."""
    match_if(request.headers.get("if-match"), current, variants=variants)


def private_json(
    data: Any, *, status_code: int = 200, etag: str | None = None, **headers: str
) -> Response:
    response = Response(
        data if isinstance(data, bytes) else orjson.dumps(data),
        status_code=status_code,
        media_type="application/json",
    )
    response.headers["Cache-Control"] = PRIVATE
    if etag is not None:
        response.headers["ETag"] = f'"{etag}"'
    for name, value in headers.items():
        response.headers[name.replace("_", "-")] = value
    return response
