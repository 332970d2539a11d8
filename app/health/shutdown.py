"""Draining: what a worker knows once it has been asked to stop.

uvicorn stops accepting connections on SIGTERM or SIGINT and waits for the requests
in flight; a stream that never ends would hold it forever. Long-lived responses
(Server-Sent Events) watch :data:`DRAINING` and close at their next event boundary,
and /readyz answers 503 so that a balancer sends no more traffic here.
"""

import asyncio
import signal
from collections.abc import Callable
from types import FrameType
from typing import Any

_SIGNALS = (signal.SIGTERM, signal.SIGINT)


class Draining:
    def __init__(self) -> None:
        self._event: asyncio.Event | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    def is_set(self) -> bool:
        return self._event is not None and self._event.is_set()

    async def wait(self) -> None:
        """Return once the worker is draining (a stream races this with its next event)."""
        await self._ensure().wait()

    def _ensure(self) -> asyncio.Event:
        if self._event is None:
            self._event = asyncio.Event()
            self._loop = asyncio.get_running_loop()
        return self._event

    def start(self) -> None:
        """Begin draining (from the event loop's thread)."""
        self._ensure().set()

    def reset(self) -> None:
        self._event = None
        self._loop = None

    def watch_signals(self) -> Callable[[], None]:
        """Chain onto the server's SIGTERM/SIGINT handlers; returns what undoes it.

        Called from the app's startup, inside uvicorn's own signal capture, so the
        server still runs its shutdown and the signal is not swallowed."""
        event = self._ensure()
        loop = self._loop
        assert loop is not None
        previous: dict[int, Any] = {}

        def handle(signum: int, frame: FrameType | None) -> None:
            loop.call_soon_threadsafe(event.set)
            handler = previous.get(signum)
            if callable(handler):
                handler(signum, frame)

        for signum in _SIGNALS:
            try:
                previous[signum] = signal.signal(signum, handle)
            except ValueError:
                # Not the main thread (an in-process test client): nobody sends signals.
                return lambda: None

        def undo() -> None:
            for signum, handler in previous.items():
                if signal.getsignal(signum) is handle:
                    signal.signal(signum, handler)

        return undo


DRAINING = Draining()
