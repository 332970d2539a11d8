"""The HTTP/1.1 protocol ``masthead serve`` runs: uvicorn's httptools protocol with
bounds on the request head, and problem+json for what it refuses to parse.

httptools buffers a request line or header of any size, so one 64 MiB header would
hold a worker while it arrives; the head is refused as soon as it passes the bound.
"""

from typing import Any

import orjson
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from app.errors import PROBLEM_MEDIA_TYPE, PROBLEM_TYPE_BASE

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
        super().on_headers_complete()

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
