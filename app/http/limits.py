"""Request bodies larger than the limit answer 413 before they are read whole."""

import orjson
from starlette.types import ASGIApp, Message, Receive, Scope, Send

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
        for name, value in scope["headers"]:
            if name == b"content-length":
                try:
                    declared = int(value)
                except ValueError:
                    declared = 0
                if declared > limit:
                    await _reject(scope, send, limit)
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
                await _reject(scope, send, limit)


async def _reject(scope: Scope, send: Send, limit: int) -> None:
    body = orjson.dumps(
        {
            "type": "https://masthead.dev/problems/content-too-large",
            "title": "Content Too Large",
            "status": 413,
            "detail": f"The request body exceeds {limit} bytes.",
            "instance": scope["path"],
        }
    )
    await send(
        {
            "type": "http.response.start",
            "status": 413,
            "headers": [
                (b"content-type", b"application/problem+json"),
                (b"content-length", str(len(body)).encode()),
                (b"cache-control", b"no-store"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
