"""Opaque keyset cursors and the ``Link: rel="next"`` header."""

import base64
import binascii
from typing import Any
from urllib.parse import urlencode

import orjson
from starlette.requests import Request

from app.errors import BadRequest

MAX_LIMIT = 100
DEFAULT_LIMIT = 20


def encode_cursor(sort: str, key: int, item_id: int) -> str:
    raw = orjson.dumps([sort, key, item_id])
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str, sort: str) -> tuple[int, int]:
    """The (sort key, id) a page starts after; any tampering is a 400."""
    invalid = BadRequest(
        "The cursor is not valid for this list; start again without it.",
        errors=[{"location": "query", "field": "cursor", "message": "invalid cursor"}],
    )
    if len(cursor) > 200:
        raise invalid
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        value: Any = orjson.loads(raw)
    except (binascii.Error, ValueError, orjson.JSONDecodeError):
        raise invalid from None
    if (
        not isinstance(value, list)
        or len(value) != 3
        or value[0] != sort
        or type(value[1]) is not int
        or type(value[2]) is not int
        or not (-(2**62) < value[1] < 2**62)
        or not (0 <= value[2] < 2**62)
    ):
        raise invalid
    return value[1], value[2]


def next_link(request: Request, next_cursor: str) -> str:
    params = [(k, v) for k, v in request.query_params.multi_items() if k != "cursor"]
    params.append(("cursor", next_cursor))
    return f'<{request.url.path}?{urlencode(params)}>; rel="next"'


def list_body(items: list[bytes], next_cursor: str | None) -> bytes:
    """``{"items": [...], "next_cursor": ...}`` assembled from stored renderings."""
    return b"".join(
        (b'{"items":[', b",".join(items), b'],"next_cursor":', orjson.dumps(next_cursor), b"}")
    )
