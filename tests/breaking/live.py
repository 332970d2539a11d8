"""Live servers and a Server-Sent Events client for the stream's tests.

The servers are real ``uvicorn`` processes, each on a socket of its own, sharing
the test database; the client reads the wire format over a real HTTP connection
and parses it as the WHATWG EventSource does (``id`` is remembered across events
and set even by a block with no data; only a block with data is an event).
"""

import os
import queue
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class Event:
    event: str
    data: str
    id: str
    #: When it arrived: ``time.monotonic()`` and ``time.time()``.
    monotonic: float
    wall: float


class Server:
    """``uvicorn app.main:create_app`` in a process of its own."""

    def __init__(self, database_url: str, settings: dict[str, str]) -> None:
        self.database_url = database_url
        self.settings = settings
        self.process: subprocess.Popen[bytes] | None = None
        self.url = ""
        self.start()

    def start(self) -> None:
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        listener.bind(("127.0.0.1", 0))
        listener.listen(64)
        self.url = f"http://127.0.0.1:{listener.getsockname()[1]}"
        env = {
            **os.environ,
            "MASTHEAD_DATABASE_URL": self.database_url,
            **{f"MASTHEAD_{name.upper()}": value for name, value in self.settings.items()},
        }
        # The server's output, for a failing assertion to show; closed with the file object.
        self.log = tempfile.TemporaryFile()  # noqa: SIM115
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "uvicorn",
                "app.main:create_app",
                "--factory",
                "--fd",
                str(listener.fileno()),
                "--log-level",
                "warning",
            ],
            cwd=ROOT,
            env=env,
            pass_fds=[listener.fileno()],
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        listener.close()

    def wait_ready(self, timeout: float = 90.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            assert self.process is not None and self.process.poll() is None, self.output()
            try:
                if httpx.get(f"{self.url}/healthz", timeout=2).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        raise AssertionError(f"server did not start: {self.output()}")

    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def terminate(self) -> None:
        if self.alive():
            assert self.process is not None
            self.process.send_signal(signal.SIGTERM)

    def stop(self) -> None:
        if self.process is None:
            return
        self.terminate()
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()

    def output(self) -> str:
        self.log.seek(0)
        return self.log.read().decode(errors="replace")[-4000:]


@dataclass
class Stream:
    """An open ``text/event-stream`` response, read on a thread of its own."""

    url: str
    headers: dict[str, str] = field(default_factory=dict)
    status: int = 0
    response_headers: httpx.Headers | None = None
    body: bytes = b""
    last_event_id: str = ""
    retry: int | None = None
    #: ``(text, time.monotonic(), last event id after the block)`` of each comment.
    comments: list[tuple[str, float, str]] = field(default_factory=list)
    #: Whether the server ended the response in good order.
    ended_cleanly: bool = False

    def __post_init__(self) -> None:
        self.events: queue.Queue[Event] = queue.Queue()
        self.opened = threading.Event()
        self.positioned = threading.Event()
        self.finished = threading.Event()
        self.error: BaseException | None = None
        self._client = httpx.Client(timeout=httpx.Timeout(30.0, read=None))
        self._thread = threading.Thread(target=self._read, daemon=True)
        self._thread.start()
        if not self.opened.wait(30):
            raise AssertionError("the stream did not answer")

    def _read(self) -> None:
        try:
            with self._client.stream("GET", self.url, headers=self.headers) as response:
                self.status = response.status_code
                self.response_headers = response.headers
                if response.status_code != 200:
                    self.body = response.read()
                    self.opened.set()
                    return
                self.opened.set()
                self._parse(response)
                self.ended_cleanly = True
        except BaseException as failure:  # closed by the test, or a broken connection
            self.error = failure
        finally:
            self.opened.set()
            self.finished.set()

    def _parse(self, response: httpx.Response) -> None:
        data: list[str] = []
        kind = ""
        pending_id = self.last_event_id
        comment: str | None = None
        for line in response.iter_lines():
            if line == "":
                self.last_event_id = pending_id
                self.positioned.set()
                if comment is not None:
                    self.comments.append((comment, time.monotonic(), self.last_event_id))
                    comment = None
                if data:
                    self.events.put(
                        Event(
                            kind or "message",
                            "\n".join(data),
                            self.last_event_id,
                            time.monotonic(),
                            time.time(),
                        )
                    )
                data, kind = [], ""
                continue
            if line.startswith(":"):
                comment = line[1:].strip()
                continue
            name, _, value = line.partition(":")
            value = value.removeprefix(" ")
            if name == "event":
                kind = value
            elif name == "data":
                data.append(value)
            elif name == "id" and "\0" not in value:
                pending_id = value
            elif name == "retry" and value.isdigit():
                self.retry = int(value)

    def next(self, timeout: float = 10.0) -> Event:
        try:
            return self.events.get(timeout=timeout)
        except queue.Empty:
            raise AssertionError(f"no event within {timeout} s") from None

    def quiet(self, seconds: float) -> list[Event]:
        """Every event that arrives within ``seconds`` (a check that none does)."""
        found = []
        deadline = time.monotonic() + seconds
        while (left := deadline - time.monotonic()) > 0:
            try:
                found.append(self.events.get(timeout=left))
            except queue.Empty:
                break
        return found

    def wait_positioned(self, timeout: float = 10.0) -> None:
        if not self.positioned.wait(timeout):
            raise AssertionError("the stream sent no position")

    def close(self) -> None:
        self._client.close()
        self._thread.join(10)

    def __enter__(self) -> "Stream":
        return self

    def __exit__(self, *_: Any) -> None:
        self.close()
