"""The breaking-news stream's fan-out: one per server process.

One task per process follows the change log and hands each page of it to every
stream the process serves; no stream ever queries the database on its own,
except to catch up after ``Last-Event-ID``. The task wakes on PostgreSQL's
``NOTIFY`` (sent by each committing writer, whichever process or host it runs
on), and on SQLite reads the log's head every ``breaking_stream_poll_seconds``:
a primary-key read on the connection the process already has, which sees the
commits of every process on the machine. It also records the changes the clock
makes (a breaking flag that comes down by itself) when they fall due.

While no stream is open the task does nothing. The streams end when the server
shuts down: ``close_streams`` is called from the server's exit signal, before
it waits for open connections to finish.
"""

import asyncio
import contextlib
import logging
import signal
import threading
from collections import deque
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from types import FrameType
from typing import Any

import asyncpg
from sqlalchemy.orm import Session, sessionmaker
from starlette.responses import StreamingResponse
from starlette.types import Receive, Scope, Send

from app.breaking.service import Reader, Record, event, log_head, read_records
from app.changes.service import anything_due, materialise
from app.config import Settings
from app.errors import AppError, ServiceUnavailable
from app.readmodel.changes import CHANGES_CHANNEL
from app.readstore import PostgresReadStore, ReadStore, is_connection_error

log = logging.getLogger("masthead.breaking")

#: Changes read from the log at once.
PAGE = 500
#: Pages a stream may fall behind before it is closed (its client then resumes).
BACKLOG = 64
#: Without a notification, how often PostgreSQL's log head is read anyway.
SAFETY_SECONDS = 5.0
#: How long a client waits before reconnecting, told at the start of each stream.
RETRY_MS = 3000


class TooManyStreams(AppError):
    status = 429
    title = "Too Many Requests"
    slug = "too-many-requests"


@dataclass(eq=False)
class Subscription:
    """One open stream: the pages handed to it, and where its catch-up ends."""

    client: str
    #: Everything numbered up to here has been considered for this stream.
    position: int
    #: The broadcaster's position when the stream opened: what it must read itself.
    catch_up_until: int
    pages: deque[tuple[list[Record], int]] = field(default_factory=deque)
    ready: asyncio.Event = field(default_factory=asyncio.Event)
    ended: bool = False

    def offer(self, records: list[Record], reached: int) -> None:
        if len(self.pages) >= BACKLOG:
            self.end()
            return
        self.pages.append((records, reached))
        self.ready.set()

    def end(self) -> None:
        self.ended = True
        self.ready.set()


class Broadcaster:
    def __init__(
        self, settings: Settings, store: ReadStore, sessions: sessionmaker[Session]
    ) -> None:
        self.settings = settings
        self.store = store
        self.sessions = sessions
        #: Everything numbered up to here has been handed to the open streams.
        self.position = 0
        self.streams: set[Subscription] = set()
        self.per_client: dict[str, int] = {}
        self.closing = False
        self._wake = asyncio.Event()
        self._notified = True
        self._tasks: list[asyncio.Task[None]] = []
        self._loop: asyncio.AbstractEventLoop | None = None
        self._restore_signals: Callable[[], None] = lambda: None

    # Streams ------------------------------------------------------------------------------

    def subscribe(self, client: str, start: int, head: int) -> Subscription:
        """Open a stream of the changes numbered after ``start``; ``head`` is the
        log's head as just read."""
        if self.closing:
            raise ServiceUnavailable(
                "The server is shutting down.", headers={"Retry-After": str(RETRY_MS // 1000)}
            )
        if len(self.streams) >= self.settings.breaking_stream_max:
            raise ServiceUnavailable(
                "This server has as many open streams as it serves; try another shortly.",
                headers={"Retry-After": "10"},
            )
        if self.per_client.get(client, 0) >= self.settings.breaking_stream_per_client:
            raise TooManyStreams(
                f"At most {self.settings.breaking_stream_per_client} streams are open "
                "at once per client.",
                headers={"Retry-After": "10"},
            )
        if not self.streams or head < self.position:
            # Idle until now, nothing was followed: following starts here (as it does
            # when the log went back, a database restored from a backup).
            self.position = head
        subscription = Subscription(client, start, self.position)
        self.streams.add(subscription)
        self.per_client[client] = self.per_client.get(client, 0) + 1
        self._wake.set()
        return subscription

    def unsubscribe(self, subscription: Subscription) -> None:
        if subscription not in self.streams:
            return
        self.streams.discard(subscription)
        left = self.per_client.pop(subscription.client) - 1
        if left:
            self.per_client[subscription.client] = left

    async def events(self, subscription: Subscription, reader: Reader) -> AsyncIterator[bytes]:
        """The stream's wire format: its position first, then its events and heartbeats."""
        heartbeat = self.settings.breaking_stream_heartbeat_seconds
        yield b"retry: %d\nid: %d\n\n" % (RETRY_MS, subscription.position)
        while subscription.position < subscription.catch_up_until and not subscription.ended:
            try:
                found, reached = await read_records(
                    self.store, subscription.position, subscription.catch_up_until, PAGE
                )
            except Exception as failure:
                if not is_connection_error(failure):
                    raise
                # The client comes back after ``retry`` and resumes from its last id.
                log.warning("breaking stream cannot catch up: database unreachable")
                return
            for chunk in self._render(subscription, found, reached, reader):
                yield chunk
        while not subscription.ended:
            if not subscription.pages:
                subscription.ready.clear()
                try:
                    await asyncio.wait_for(subscription.ready.wait(), heartbeat)
                except TimeoutError:
                    # A comment, with the position: a reconnect resumes from there.
                    yield b": heartbeat\nid: %d\n\n" % subscription.position
                continue
            found, reached = subscription.pages.popleft()
            for chunk in self._render(subscription, found, reached, reader):
                yield chunk

    @staticmethod
    def _render(
        subscription: Subscription,
        found: list[Record],
        reached: int,
        reader: Reader,
    ) -> list[bytes]:
        chunks = []
        for record in found:
            if record.seq > subscription.position:
                chunk = event(record, reader)
                if chunk is not None:
                    chunks.append(chunk)
        subscription.position = max(subscription.position, reached)
        return [b"".join(chunks)] if chunks else []

    def close_streams(self) -> None:
        """End every stream, and open no more: the server is shutting down."""
        self.closing = True
        for subscription in self.streams:
            subscription.end()

    # Following the log --------------------------------------------------------------------

    def _dispatch(self, found: list[Record], reached: int) -> None:
        fresh = [record for record in found if record.seq > self.position]
        for subscription in self.streams:
            subscription.offer(fresh, reached)
        self.position = max(self.position, reached)

    async def _follow(self) -> None:
        while True:
            head = await log_head(self.store)
            if head <= self.position:
                return
            found, reached = await read_records(self.store, self.position, head, PAGE)
            self._dispatch(found, reached)
            if reached >= head:
                return

    async def _pass(self, read_head: bool) -> None:
        if await anything_due(self.store):
            await asyncio.to_thread(materialise, self.sessions)
            read_head = True
        if read_head:
            await self._follow()

    async def _run(self) -> None:
        sqlite = self.store.backend == "sqlite"
        poll = self.settings.breaking_stream_poll_seconds
        loop = asyncio.get_running_loop()
        safety_at = loop.time() + SAFETY_SECONDS
        while not self.closing:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), poll)
            self._wake.clear()
            if not self.streams:
                continue
            read_head = sqlite or self._notified or loop.time() >= safety_at
            if read_head and not sqlite:
                self._notified = False
                safety_at = loop.time() + SAFETY_SECONDS
            try:
                await self._pass(read_head)
            except Exception:
                log.exception("breaking stream pass failed; trying again")
                self._notified = True
                await asyncio.sleep(1.0)

    def _notify(self, *_: object) -> None:
        self._notified = True
        self._wake.set()

    async def _listen(self, dsn: str) -> None:
        """Keep one connection listening; after each (re)connection read the log, in
        case a notification came while none was listening."""
        while not self.closing:
            connection: asyncpg.Connection | None = None
            try:
                connection = await asyncpg.connect(dsn, timeout=5)
                lost = asyncio.Event()
                connection.add_termination_listener(lambda _, lost=lost: lost.set())
                await connection.add_listener(CHANGES_CHANNEL, self._notify)
                self._notify()
                await lost.wait()
            except asyncio.CancelledError:
                raise
            except Exception:
                log.warning("breaking stream cannot listen for changes; retrying", exc_info=True)
            finally:
                if connection is not None and not connection.is_closed():
                    await connection.close(timeout=2)
            await asyncio.sleep(1.0)

    # Life ---------------------------------------------------------------------------------

    def start(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._tasks.append(asyncio.create_task(self._run()))
        if isinstance(self.store, PostgresReadStore):
            self._tasks.append(asyncio.create_task(self._listen(self.store.dsn)))
        self._restore_signals = _on_exit_signal(self._close_soon)

    def _close_soon(self) -> None:
        # Signal handlers run between any two bytecodes: hand over to the loop.
        if self._loop is not None and not self._loop.is_closed():
            self._loop.call_soon_threadsafe(self.close_streams)

    async def stop(self) -> None:
        self._restore_signals()
        self.close_streams()
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        self._tasks.clear()


def _on_exit_signal(callback: Callable[[], None]) -> Callable[[], None]:
    """Call ``callback`` on SIGINT and SIGTERM, then the server's own handler; returns
    what puts the server's handlers back.

    Servers such as uvicorn wait for open responses to finish before they tell the
    application to shut down, and a stream never finishes by itself."""
    if threading.current_thread() is not threading.main_thread():
        return lambda: None
    installed: dict[int, tuple[Any, Any]] = {}
    for number in (signal.SIGINT, signal.SIGTERM):
        previous = signal.getsignal(number)
        if not callable(previous):
            continue

        def handler(signum: int, frame: FrameType | None, previous: Any = previous) -> None:
            callback()
            previous(signum, frame)

        signal.signal(number, handler)
        installed[number] = (handler, previous)

    def restore() -> None:
        for number, (handler, previous) in installed.items():
            if signal.getsignal(number) is handler:
                signal.signal(number, previous)

    return restore


class EventStream(StreamingResponse):
    """A stream's response; it gives its place back however it ends, even unstarted."""

    media_type = "text/event-stream"

    def __init__(
        self,
        broadcaster: Broadcaster,
        subscription: Subscription,
        reader: Reader,
        headers: dict[str, str],
    ) -> None:
        super().__init__(broadcaster.events(subscription, reader), headers=headers)
        self.broadcaster = broadcaster
        self.subscription = subscription

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        try:
            await super().__call__(scope, receive, send)
        finally:
            self.broadcaster.unsubscribe(self.subscription)
