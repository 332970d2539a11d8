"""Request IDs and compression, as plain ASGI middleware (no per-request task or thread)."""

import re
import uuid

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
            request_id = uuid.uuid4().hex.encode()

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
