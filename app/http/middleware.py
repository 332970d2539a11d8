"""Request IDs, HEAD and compression, as plain ASGI middleware (no per-request task or thread)."""

import os
import re

from starlette.middleware.gzip import GZipMiddleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send

_VALID_ID = re.compile(rb"^[A-Za-z0-9._:\-]{1,128}$")


class RequestIdMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = b""
        for name, value in scope["headers"]:
            if name == b"x-request-id":
                if _VALID_ID.match(value):
                    request_id = value
                break
        if not request_id:
            # As random as uuid4's hex, without building a UUID on every request.
            request_id = os.urandom(16).hex().encode()

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []), (b"x-request-id", request_id)]
            await send(message)

        await self.app(scope, receive, send_with_id)


class GzipWhenAcceptedMiddleware:
    """Starlette's gzip, engaged only when the client accepts it: the identity
    wrapper it otherwise puts around every response costs more than a read."""

    def __init__(self, app: ASGIApp, minimum_size: int = 1000) -> None:
        self.app = app
        self.gzip = GZipMiddleware(app, minimum_size=minimum_size)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            for name, value in scope["headers"]:
                if name == b"accept-encoding":
                    if b"gzip" in value:
                        await self.gzip(scope, receive, send)
                        return
                    break
        await self.app(scope, receive, send)


class HeadAsGetMiddleware:
    """HEAD answered as RFC 9110 says: the GET of the same request, without its content.

    The request runs as a GET, so the status and every header are the GET's own (its
    ETag, Last-Modified, Content-Length, Cache-Control, Vary, a 304 to If-None-Match, a
    405 with Allow where there is no GET), whichever way the GET is answered; no route
    declares HEAD, so the OpenAPI document does not change. A 405 lists HEAD in its
    Allow wherever it lists GET.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] == "GET":
            await self.app(scope, receive, send)
            return
        if scope["method"] != "HEAD":
            await self.app(scope, receive, _allowing_head(send))
            return

        async def send_without_content(message: Message) -> None:
            if message["type"] == "http.response.start":
                await send(message)
            elif not message.get("more_body", False):
                await send({"type": "http.response.body", "body": b"", "more_body": False})

        # A copy: the server reads the method back from its own scope to know that no
        # content follows.
        get_scope = {**scope, "method": "GET"}
        try:
            await self.app(get_scope, receive, send_without_content)
        finally:
            # What routing found (the route template the metrics count by) holds for the
            # HEAD too.
            for key in get_scope.keys() - scope.keys():
                scope[key] = get_scope[key]


def _allowing_head(send: Send) -> Send:
    async def send_allowing_head(message: Message) -> None:
        if message["type"] == "http.response.start" and message["status"] == 405:
            message["headers"] = [
                (name, _with_head(value) if name.lower() == b"allow" else value)
                for name, value in message.get("headers", [])
            ]
        await send(message)

    return send_allowing_head


def _with_head(allow: bytes) -> bytes:
    methods = [method.strip() for method in allow.split(b",")]
    if b"GET" in methods and b"HEAD" not in methods:
        methods.insert(methods.index(b"GET") + 1, b"HEAD")
    return b", ".join(methods)
