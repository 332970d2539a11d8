"""A webhook receiver for tests: a real HTTP server on 127.0.0.1, in a thread,
that answers as it is told and keeps every request it got."""

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import orjson
from standardwebhooks import Webhook


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes
    status: int

    @property
    def json(self) -> Any:
        return orjson.loads(self.body)


#: What the receiver does with the n-th request (0-based): a status to answer,
#: or ``"hang"`` to answer nothing until the test ends.
Behaviour = Callable[[int], int | str]


class Receiver:
    def __init__(self, behaviour: Behaviour | None = None) -> None:
        self.behaviour: Behaviour = behaviour or (lambda n: 200)
        self.requests: list[Received] = []
        self._lock = threading.Lock()
        self._released = threading.Event()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("content-length", "0")))
                with receiver._lock:
                    n = len(receiver.requests)
                    answer = receiver.behaviour(n)
                    status = answer if isinstance(answer, int) else 0
                    receiver.requests.append(
                        Received(
                            self.path, {k.lower(): v for k, v in self.headers.items()}, body, status
                        )
                    )
                if answer == "hang":
                    receiver._released.wait(60)
                    return
                assert isinstance(answer, int)
                self.send_response(answer)
                if 300 <= answer < 400:
                    self.send_header("Location", "http://127.0.0.1:1/elsewhere")
                reply = b'{"ok": true}' if answer < 300 else b"receiver says no " * 200
                self.send_header("Content-Length", str(len(reply)))
                self.end_headers()
                self.wfile.write(reply)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/hooks"

    def start(self) -> "Receiver":
        self._thread.start()
        return self

    def stop(self) -> None:
        self._released.set()
        self.server.shutdown()
        self.server.server_close()

    def succeeded(self) -> list[Received]:
        with self._lock:
            return [r for r in self.requests if 200 <= r.status < 300]

    def wait_for(
        self, count: int, timeout: float = 20.0, *, ok_only: bool = True
    ) -> list[Received]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = self.succeeded() if ok_only else list(self.requests)
            if len(found) >= count:
                return found
            time.sleep(0.02)
        raise AssertionError(f"{count} requests expected, {len(self.requests)} received")

    def verified(self, secret: str) -> list[Any]:
        """Every successful delivery's payload, each checked with the Standard
        Webhooks library against the secret."""
        return [Webhook(secret).verify(r.body, r.headers) for r in self.succeeded()]


@contextmanager
def receiving(behaviour: Behaviour | None = None) -> Iterator[Receiver]:
    receiver = Receiver(behaviour).start()
    try:
        yield receiver
    finally:
        receiver.stop()
