"""Request bodies larger than the limit answer 413 before they are read whole."""

import json
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.errors import send_problem

DEFAULT_LIMIT = 2 * 1024 * 1024
IMPORT_LIMIT = 64 * 1024 * 1024


class _TooLarge(Exception):
    pass


class BodySizeLimitMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] in ("GET", "HEAD", "OPTIONS"):
            await self.app(scope, receive, send)
            return
        limit = IMPORT_LIMIT if scope["path"] == "/v1/import" else DEFAULT_LIMIT

        async def too_large() -> None:
            detail = f"The request body exceeds {limit} bytes."
            await send_problem(scope, send, 413, "Content Too Large", "content-too-large", detail)

        for name, value in scope["headers"]:
            if name == b"content-length":
                try:
                    declared = int(value)
                except ValueError:
                    declared = 0
                if declared > limit:
                    await too_large()
                    return
        received = 0
        started = False

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise _TooLarge
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, limited_receive, tracking_send)
        except _TooLarge:
            if not started:
                await too_large()


#: What a body may be sent as: JSON, and for a PATCH also a JSON merge patch (RFC 7396).
JSON_TYPES = frozenset({"application/json"})
PATCH_TYPES = JSON_TYPES | {"application/merge-patch+json"}


class BodyMediaTypeMiddleware:
    """A request with content in another media type, charset or content coding than
    the server reads answers 415 before any route runs, the same on every endpoint."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] in ("GET", "HEAD", "OPTIONS"):
            await self.app(scope, receive, send)
            return
        headers = dict(scope["headers"])
        has_content = b"transfer-encoding" in headers or headers.get(
            b"content-length", b"0"
        ) not in (
            b"0",
            b"",
        )
        if not has_content:
            await self.app(scope, receive, send)
            return
        coding = headers.get(b"content-encoding", b"identity").strip().lower()
        if coding != b"identity":
            await _refuse_media(
                scope,
                send,
                "The server reads request content without a content coding; send it as is.",
                {b"accept-encoding": b"identity"},
            )
            return
        allowed = PATCH_TYPES if scope["method"] == "PATCH" else JSON_TYPES
        media_type, _, params = headers.get(b"content-type", b"").decode("latin-1").partition(";")
        charset = ""
        for param in params.split(";"):
            key, _, value = param.strip().partition("=")
            if key.lower() == "charset":
                charset = value.strip().strip('"').lower()
        if media_type.strip().lower() not in allowed or charset not in ("", "utf-8"):
            await _refuse_media(
                scope,
                send,
                f"Send the content as {' or '.join(sorted(allowed))} in UTF-8.",
                {b"accept-patch": b"application/merge-patch+json"}
                if scope["method"] == "PATCH"
                else {},
            )
            return
        await _without_repeated_keys(self.app, scope, receive, send)


class _RepeatedKey(Exception):
    def __init__(self, key: str) -> None:
        super().__init__(key)
        self.key = key


def _unique_pairs(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for key, value in pairs:
        if key in found:
            raise _RepeatedKey(key)
        found[key] = value
    return found


async def _without_repeated_keys(app: ASGIApp, scope: Scope, receive: Receive, send: Send) -> None:
    """A JSON object that names a member twice is refused (422): parsers disagree on
    which one counts, so no reading of it is safe (RFC 8259 4)."""
    chunks = []
    while True:
        message = await receive()
        if message["type"] != "http.request":
            await app(scope, _replay(b"", message, receive), send)
            return
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            break
    body = b"".join(chunks)
    try:
        json.loads(body, object_pairs_hook=_unique_pairs)
    except _RepeatedKey as repeated:
        await send_problem(
            scope,
            send,
            422,
            "Unprocessable Content",
            "validation",
            f"The body names the member {repeated.key!r} more than once.",
            errors=[{"location": "body", "field": repeated.key, "message": "repeated member"}],
        )
        return
    except (ValueError, RecursionError):
        pass  # the route says what is wrong with it
    await app(scope, _replay(body, None, receive), send)


def _replay(body: bytes, then: Message | None, receive: Receive) -> Receive:
    sent = False

    async def replayed() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            if then is not None:
                return then
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replayed


async def _refuse_media(scope: Scope, send: Send, detail: str, headers: dict[bytes, bytes]) -> None:
    await send_problem(
        scope,
        send,
        415,
        "Unsupported Media Type",
        "unsupported-media-type",
        detail,
        headers=list(headers.items()),
    )
