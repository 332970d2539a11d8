"""The HTTP/1.1 protocol ``masthead serve`` runs: uvicorn's httptools protocol with
bounds on the request head, and problem+json for what it refuses to parse.

httptools buffers a request line or header of any size, so one 64 MiB header would
hold a worker while it arrives; the head is refused as soon as it passes the bound.
"""

import time
from typing import Any, cast

import orjson
from uvicorn._types import ASGISendEvent, HTTPResponseStartEvent
from uvicorn.protocols.http.httptools_impl import (
    HEADER_RE,
    HEADER_VALUE_RE,
    STATUS_LINE,
    HttpToolsProtocol,
    RequestResponseCycle,
)

from app.errors import PROBLEM_MEDIA_TYPE, PROBLEM_TYPE_BASE
from app.http.frontcache import ARRIVED

#: Bytes of request target (path and query) and of all header lines together.
MAX_TARGET = 8 * 1024
MAX_HEADERS = 32 * 1024

_REASONS = {
    400: ("Bad Request", "bad-request", "The request is not valid HTTP/1.1."),
    414: ("URI Too Long", "uri-too-long", f"The request target exceeds {MAX_TARGET} bytes."),
    431: (
        "Request Header Fields Too Large",
        "request-header-fields-too-large",
        f"The request's header fields exceed {MAX_HEADERS} bytes.",
    ),
}


class _Refused(Exception):
    """Stops the parser; the status is the answer."""

    def __init__(self, status: int) -> None:
        super().__init__(status)
        self.status = status


class _Prefixed:
    """The transport, with the kept head written before the first content."""

    __slots__ = ("head", "transport")

    def __init__(self, transport: Any, head: bytes) -> None:
        self.transport = transport
        self.head = head

    def write(self, data: bytes) -> None:
        head, self.head = self.head, b""
        self.transport.write(head + data)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.transport, name)


class _CoalescingCycle(RequestResponseCycle):
    """Writes a response's head together with its content, when its length is known:
    one system call and one wake-up of the client instead of two. A streamed answer
    (chunked, such as the breaking-news events) and the answer to a HEAD, which has
    no content, have their head written at once."""

    _head = b""

    async def send(self, message: ASGISendEvent) -> None:
        starting = message["type"] == "http.response.start" and not self.response_started
        if starting and not self.access_log:
            if self.flow.write_paused and not self.disconnected:
                await self.flow.drain()
            if self.disconnected:
                return
            head = self._head_of(cast(HTTPResponseStartEvent, message))
            if self.chunked_encoding or self.scope["method"] == "HEAD":
                self.transport.write(head)
            else:
                self._head = head
            return
        if self._head and message["type"] == "http.response.body":
            if self.flow.write_paused and not self.disconnected:
                await self.flow.drain()
            transport, prefixed = self.transport, _Prefixed(self.transport, self._head)
            self._head = b""
            self.transport = prefixed  # type: ignore[assignment]
            try:
                await super().send(message)
            finally:
                self.transport = transport
            return
        await super().send(message)

    def _head_of(self, message: HTTPResponseStartEvent) -> bytes:
        """The status line and header fields, as uvicorn writes them (with no access log
        of its own), the names and the values checked in one pass each over all of
        them rather than two passes per field, which cost more than the rest of a kept
        answer."""
        self.response_started = True
        self.waiting_for_100_continue = False
        status = message["status"]
        headers = self.default_headers + list(message.get("headers", []))
        # Neither separator is a character either pattern looks for.
        if HEADER_RE.search(b"a".join([name for name, _ in headers])):
            raise RuntimeError("Invalid HTTP header name.")
        if HEADER_VALUE_RE.search(b"\t".join([value for _, value in headers])):
            raise RuntimeError("Invalid HTTP header value.")
        content = [STATUS_LINE[status]]
        closing = False
        for name, value in headers:
            name = name.lower()
            if name == b"content-length" and self.chunked_encoding is None:
                self.expected_content_length = int(value.decode())
                self.chunked_encoding = False
            elif name == b"transfer-encoding" and value.lower() == b"chunked":
                self.expected_content_length = 0
                self.chunked_encoding = True
            elif name == b"connection" and b"close" in [
                token.lower().strip() for token in value.split(b",")
            ]:
                self.keep_alive = False
                closing = True
            content.extend([name, b": ", value, b"\r\n"])
        if not self.keep_alive and not closing:
            content.append(b"connection: close\r\n")
        if (
            self.chunked_encoding is None
            and self.scope["method"] != "HEAD"
            and status not in (204, 304)
        ):
            self.chunked_encoding = True
            content.append(b"transfer-encoding: chunked\r\n")
        content.append(b"\r\n")
        return b"".join(content)


class BoundedHttpToolsProtocol(HttpToolsProtocol):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._refusal = 400
        self._in_head = True
        self._head_bytes = 0
        self._header_bytes = 0

    def data_received(self, data: bytes) -> None:
        if self._in_head:
            self._head_bytes += len(data)
        super().data_received(data)
        # A head that goes on arriving past the bound is refused before it ends.
        too_long = self._head_bytes > MAX_TARGET + MAX_HEADERS
        if self._in_head and too_long and not self.transport.is_closing():
            self._refusal = 431
            self.send_400_response("")

    def on_message_begin(self) -> None:
        super().on_message_begin()
        self._refusal = 400
        self._in_head = True
        self._header_bytes = 0

    def on_url(self, url: bytes) -> None:
        super().on_url(url)
        if len(self.url) > MAX_TARGET:
            self._refusal = 414
            raise _Refused(414)

    def on_header(self, name: bytes, value: bytes) -> None:
        self._header_bytes += len(name) + len(value) + 4
        if self._header_bytes > MAX_HEADERS:
            self._refusal = 431
            raise _Refused(431)
        super().on_header(name, value)

    def on_headers_complete(self) -> None:
        self._in_head = False
        self._head_bytes = 0
        # Every write committed before the client sent this request is visible to a
        # read of the store's version begun from now on (``FrontCache.epoch``).
        cast(dict[str, Any], self.scope)[ARRIVED] = time.monotonic_ns()
        before = self.cycle
        super().on_headers_complete()
        if self.cycle is not before:
            self.cycle.__class__ = _CoalescingCycle

    def send_400_response(self, msg: str) -> None:
        """What the parser refuses, as problem+json (uvicorn answers in plain text)."""
        status = self._refusal
        title, slug, detail = _REASONS[status]
        body = orjson.dumps(
            {
                "type": PROBLEM_TYPE_BASE + slug,
                "title": title,
                "status": status,
                "detail": detail,
                "instance": "/",
            }
        )
        head = [f"HTTP/1.1 {status} {title}".encode()]
        head += [name + b": " + value for name, value in self.server_state.default_headers]
        head += [
            b"content-type: " + PROBLEM_MEDIA_TYPE.encode(),
            b"content-length: " + str(len(body)).encode(),
            b"cache-control: no-store",
            b"connection: close",
        ]
        self.transport.write(b"\r\n".join(head) + b"\r\n\r\n" + body)
        self.transport.close()
