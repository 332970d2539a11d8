"""Request IDs, HEAD and compression, as plain ASGI middleware (no per-request task or thread)."""

import os
import re
from urllib.parse import parse_qsl

from starlette.middleware.gzip import GZipMiddleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.errors import send_problem
from app.http.caching import GZIP_ETAG_SUFFIX

_VALID_ID = re.compile(rb"^[A-Za-z0-9._:\-]{1,128}$")


class RequestIdMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        sent = None
        for name, value in scope["headers"]:
            if name == b"x-request-id":
                sent = value
                break
        request_id = request_id_of(sent)

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []), (b"x-request-id", request_id)]
            await send(message)

        await self.app(scope, receive, send_with_id)


def request_id_of(sent: bytes | None) -> bytes:
    """The client's X-Request-ID when it is a valid one, or a new random id."""
    if sent is not None and _VALID_ID.match(sent):
        return sent
    # As random as uuid4's hex, without building a UUID on every request.
    return os.urandom(16).hex().encode()


class GzipWhenAcceptedMiddleware:
    """Starlette's gzip, engaged only when the client accepts it: the identity
    wrapper it otherwise puts around every response costs more than a read.

    Every answer varies on Accept-Encoding, whichever encoding it has, and a strong
    ETag names one encoding (RFC 9110 8.8.3): a storable answer to a client that takes
    gzip carries its ETag with ``-gzip`` appended, which conditional requests read back.
    """

    def __init__(self, app: ASGIApp, minimum_size: int = 1000) -> None:
        self.app = app
        self.gzip = GZipMiddleware(app, minimum_size=minimum_size)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        accepted = accepts_gzip(scope["headers"])

        async def send_varying(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = _varying(message.get("headers", []), gzip=accepted)
            await send(message)

        await (self.gzip if accepted else self.app)(scope, receive, send_varying)


def accepts_gzip(headers: list[tuple[bytes, bytes]]) -> bool:
    """RFC 9110 12.5.3: gzip, or ``*``, with a q-value above 0."""
    for name, value in headers:
        if name == b"accept-encoding":
            weights: dict[bytes, float] = {}
            for item in value.lower().split(b","):
                coding, _, params = item.strip().partition(b";")
                weight = 1.0
                for param in params.split(b";"):
                    key, _, number = param.strip().partition(b"=")
                    if key == b"q":
                        try:
                            weight = float(number)
                        except ValueError:
                            weight = 0.0
                weights[coding.strip()] = weight
            return weights.get(b"gzip", weights.get(b"*", 0.0)) > 0
    return False


def _varying(headers: list[tuple[bytes, bytes]], *, gzip: bool) -> list[tuple[bytes, bytes]]:
    # An answer no cache may store (editorial ones: their ETag is the item's version,
    # which If-Match takes back) keeps its ETag whatever its coding.
    stored = not any(
        name.lower() == b"cache-control" and b"no-store" in value for name, value in headers
    )
    out = []
    varies = False
    for name, value in headers:
        lower = name.lower()
        if lower == b"vary":
            if b"accept-encoding" not in value.lower():
                value = value + b", Accept-Encoding"
            varies = True
        elif lower == b"etag" and gzip and stored and value.endswith(b'"'):
            value = value[:-1] + GZIP_ETAG_SUFFIX.encode() + b'"'
        out.append((name, value))
    if not varies:
        out.append((b"vary", b"Accept-Encoding"))
    return out


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


#: Every answer: no MIME sniffing, no framing, no referrer; an API answer runs nothing.
_SECURITY_HEADERS = [
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"no-referrer"),
]
_API_POLICY = (b"content-security-policy", b"default-src 'none'; frame-ancestors 'none'")
#: Swagger UI runs its own script and styles from the package.
_DOCS_POLICY = (
    b"content-security-policy",
    b"default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; "
    b"img-src 'self' data:; frame-ancestors 'none'",
)


#: CORS (Fetch standard): any site may call the API from a browser. A token is a
#: header, never a cookie, so no origin gains what it did not already hold, and no
#: answer depends on the origin: every answer allows ``*`` and none varies on Origin,
#: so a shared cache serves one copy to browsers and to everyone else.
_CORS_HEADERS = [
    (b"access-control-allow-origin", b"*"),
    (
        b"access-control-expose-headers",
        b"ETag, Last-Modified, Link, Location, Retry-After, RateLimit, RateLimit-Policy, "
        b"X-Request-ID",
    ),
]
_PREFLIGHT_HEADERS = [
    (b"access-control-allow-origin", b"*"),
    (b"access-control-allow-methods", b"GET, HEAD, POST, PUT, PATCH, DELETE"),
    (
        b"access-control-allow-headers",
        b"Authorization, Content-Type, If-Match, If-None-Match, If-Modified-Since, "
        b"Idempotency-Key, Last-Event-ID, X-Request-ID",
    ),
    (b"access-control-max-age", b"600"),
    (b"cache-control", b"public, max-age=600"),
]


#: What ``SecurityHeadersMiddleware`` adds to an API answer.
API_ANSWER_HEADERS = [*_SECURITY_HEADERS, _API_POLICY, *_CORS_HEADERS]


class SecurityHeadersMiddleware:
    """Security and CORS headers on every answer, and CORS preflights answered."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        docs = scope["path"].startswith("/docs")
        policy = _DOCS_POLICY if docs else _API_POLICY
        added = [*_SECURITY_HEADERS, policy, *_CORS_HEADERS] if docs else API_ANSWER_HEADERS
        if scope["method"] == "OPTIONS" and _is_preflight(scope["headers"]):
            await send(
                {
                    "type": "http.response.start",
                    "status": 204,
                    "headers": [*_PREFLIGHT_HEADERS, *_SECURITY_HEADERS, policy],
                }
            )
            await send({"type": "http.response.body", "body": b""})
            return

        async def send_secured(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []), *added]
            await send(message)

        await self.app(scope, receive, send_secured)


def _is_preflight(headers: list[tuple[bytes, bytes]]) -> bool:
    names = {name for name, _ in headers}
    return b"origin" in names and b"access-control-request-method" in names


#: Path segments that hold an id: only its canonical decimal spelling names it.
_ID_SEGMENT = re.compile(
    r"^/v1/(?:articles|videos|notices|webhooks)/([^/]+)(?:/(?:revisions|deliveries)/([^/]+))?"
)
#: How an integer is written once: no sign but a minus, no leading zero, no ``_``
#: (``0`` and ``-3`` are out of range, a 422, as the route says).
_CANONICAL_ID = re.compile(r"^(0|-?[1-9][0-9]*)$")
_NUMERIC = re.compile(r"^[+-]?[0-9_]+$")


class CanonicalRequestMiddleware:
    """One spelling per request: ``/v1/articles/007`` or ``+7`` is no other name for
    article 7 (404, as an id that never existed), and a query parameter given twice
    is a 400, not a choice between its values (no parameter takes a list)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        found = _ID_SEGMENT.match(scope["path"])
        if found is not None:
            for segment in found.groups():
                if (
                    segment is not None
                    and _NUMERIC.match(segment)
                    and not _CANONICAL_ID.match(segment)
                ):
                    await send_problem(
                        scope, send, 404, "Not Found", "not-found", "No resource at this address."
                    )
                    return
        query: bytes = scope.get("query_string", b"")
        if b"&" in query:
            names = [name for name, _ in parse_qsl(query.decode("latin-1"), keep_blank_values=True)]
            repeated = sorted({name for name in names if names.count(name) > 1})
            if repeated:
                await send_problem(
                    scope,
                    send,
                    400,
                    "Bad Request",
                    "bad-request",
                    f"Give each query parameter once: {', '.join(repeated)} came more than once.",
                    errors=[
                        {"location": "query", "field": name, "message": "repeated"}
                        for name in repeated
                    ],
                )
                return
        await self.app(scope, receive, send)
