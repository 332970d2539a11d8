"""Public reads spread over PostgreSQL streaming replicas; the rest on the primary.

Which server answers is decided once per request, by ``ReplicaRoutingMiddleware``:

* an anonymous ``GET`` (the public API) reads from a replica, unless it carries the
  read-your-writes cookie of a write that no usable replica has replayed yet;
* a request with a token (editors, their drafts, their token lookup), any write,
  the change feed (which records the changes the clock made and reads them back),
  and anything outside a request (the webhook worker) use the primary.

Read-your-writes: a successful write answers with a cookie holding the primary's
WAL insert position after its commit; a read carrying it goes to a replica only
once that replica has replayed past it. Each worker polls the primary's WAL
position and each replica's replay position every ``replica_poll_ms``; a replica
is used while its last poll succeeded, recently, and it lags the primary by no
more than ``replica_max_lag_ms`` (the time since the primary had WAL that the
replica has not yet replayed). A statement that fails on a replica is run again
on the primary within the same request, and that request stays on the primary;
a connection failure also takes the replica out of use until a poll reaches it.

Each worker reads from one preferred replica (the others when it is not usable),
so that answers kept in memory and compared by store version stay valid, and a
client on one connection never sees the store go back in time between replicas.
"""

from __future__ import annotations

import asyncio
import contextvars
import logging
import math
import os
import time
from collections import deque
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import asyncpg
from sqlalchemy import func, select
from sqlalchemy.engine import make_url
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.config import Settings
from app.readstore import (
    PostgresReadStore,
    Query,
    ReadStore,
    Row,
    is_connection_error,
    make_read_store,
)

log = logging.getLogger("masthead.replicas")

#: The read-your-writes cookie: the primary's WAL position after the client's last write.
COOKIE = "masthead-lsn"
# Requests that are public but read on the primary (see the module docstring).
_PRIMARY_PATHS = ("/v1/changes",)
_UNSAFE = frozenset({"POST", "PUT", "PATCH", "DELETE"})
_POLL_TIMEOUT_S = 1.0
# A replica connection is given up quickly: the primary is there to answer instead.
_REPLICA_CONNECT_TIMEOUT_S = 1.0

PRIMARY_LSN = Query(select(func.pg_current_wal_insert_lsn()))
REPLAY_LSN = Query(select(func.pg_last_wal_replay_lsn()))


@dataclass(slots=True, eq=False)
class Replica:
    """One replica and what its last poll said."""

    name: str
    store: PostgresReadStore
    replay_lsn: int | None = None
    lag_ms: float | None = None
    polled_at: float | None = None
    up: bool = False


@dataclass(slots=True)
class Route:
    """Where the statements of one request go: a replica, or None for the primary."""

    replica: Replica | None


_ROUTE: contextvars.ContextVar[Route | None] = contextvars.ContextVar(
    "masthead_route", default=None
)


@dataclass(slots=True)
class _History:
    """The primary's WAL position as polled: (monotonic time, LSN), rising LSNs only."""

    samples: deque[tuple[float, int]] = field(default_factory=deque)

    def add(self, at: float, lsn: int, keep_s: float) -> None:
        if not self.samples or lsn > self.samples[-1][1]:
            self.samples.append((at, lsn))
        # The oldest sample stays while the next one is recent: a replica behind it
        # must still measure as far behind.
        while len(self.samples) > 1 and self.samples[1][0] < at - keep_s:
            self.samples.popleft()

    def lag_ms(self, replay_lsn: int, now: float) -> float:
        """How long ago the primary first had WAL that is not yet replayed (0: none)."""
        for at, lsn in self.samples:
            if lsn > replay_lsn:
                return (now - at) * 1000
        return 0.0


class ReplicatedReadStore:
    """A read store that sends each request's statements where its route says."""

    backend = "postgresql"

    def __init__(
        self,
        primary: PostgresReadStore,
        replicas: Sequence[PostgresReadStore],
        *,
        max_lag_ms: float,
        poll_ms: float,
    ) -> None:
        self.primary = primary
        self.replicas = [Replica(name=_describe(store.dsn), store=store) for store in replicas]
        self.max_lag_ms = max_lag_ms
        self.poll_s = poll_ms / 1000
        # Spread the workers of a host over the replicas; see the module docstring.
        first = os.getpid() % len(self.replicas)
        self._preference = self.replicas[first:] + self.replicas[:first]
        self._history = _History()
        self._poller: asyncio.Task[None] | None = None

    # -- routing ------------------------------------------------------------------

    def usable(self, replica: Replica, now: float | None = None) -> bool:
        if not replica.up or replica.lag_ms is None or replica.polled_at is None:
            return False
        now = time.monotonic() if now is None else now
        # What happened since the last poll is unknown: its age counts as lag.
        return replica.lag_ms + (now - replica.polled_at) * 1000 <= self.max_lag_ms

    def choose(self, min_lsn: int | None) -> Replica | None:
        """The replica a public read goes to, or None for the primary."""
        self._ensure_polling()
        now = time.monotonic()
        for replica in self._preference:
            if not self.usable(replica, now):
                continue
            if min_lsn is not None and (replica.replay_lsn or 0) < min_lsn:
                continue
            return replica
        return None

    async def write_lsn(self) -> int:
        """The primary's WAL insert position: past every commit made so far."""
        row = await self.primary.one(PRIMARY_LSN, {})
        assert row is not None
        return int(row[0])

    # -- the ReadStore interface ----------------------------------------------------

    async def one(self, query: Query, params: Mapping[str, Any]) -> Row | None:
        route = _ROUTE.get()
        replica = self._replica_for(route)
        if replica is not None:
            try:
                return await replica.store.one(query, params)
            except Exception as exc:
                self._failed(replica, route, exc)
        return await self.primary.one(query, params)

    async def all(self, query: Query, params: Mapping[str, Any]) -> list[Row]:
        route = _ROUTE.get()
        replica = self._replica_for(route)
        if replica is not None:
            try:
                return await replica.store.all(query, params)
            except Exception as exc:
                self._failed(replica, route, exc)
        return await self.primary.all(query, params)

    async def ping(self) -> None:
        await self.primary.ping()

    def usage(self) -> tuple[int, int]:
        """Connections open and in use, the primary's and every replica's together."""
        readings = [self.primary.usage(), *(replica.store.usage() for replica in self.replicas)]
        return sum(size for size, _ in readings), sum(used for _, used in readings)

    async def close(self) -> None:
        if self._poller is not None:
            # Cancelled again until it ends: on Python 3.11 ``asyncio.wait_for`` loses a
            # cancellation that arrives as the statement it waits for completes.
            while not self._poller.done():
                self._poller.cancel()
                await asyncio.wait({self._poller}, timeout=0.1)
            self._poller = None
        for replica in self.replicas:
            await replica.store.close()
        await self.primary.close()

    def _replica_for(self, route: Route | None) -> Replica | None:
        if route is None or route.replica is None:
            return None
        # A replica that went down or fell behind during a long request is left for
        # the primary, which is ahead of it: the request never sees time go back.
        if not self.usable(route.replica):
            route.replica = None
        return route.replica

    def _failed(self, replica: Replica, route: Route | None, exc: Exception) -> None:
        if route is not None:
            route.replica = None
        if is_connection_error(exc) or isinstance(exc, asyncpg.OperatorInterventionError):
            if replica.up:
                log.warning("replica %s is unreachable, reading from the primary", replica.name)
            replica.up = False

    # -- polling ------------------------------------------------------------------

    def _ensure_polling(self) -> None:
        if self._poller is None:
            # A context of its own: not the route of the request that happened to start it.
            self._poller = asyncio.get_running_loop().create_task(
                self._poll_forever(), context=contextvars.Context()
            )

    async def _poll_forever(self) -> None:
        while True:
            began = time.monotonic()
            try:
                await self.poll()
            except Exception:
                # Unpolled replicas soon count as lagging: reads go to the primary.
                log.exception("polling the replicas failed")
            await asyncio.sleep(max(0.0, self.poll_s - (time.monotonic() - began)))

    async def poll(self) -> None:
        """Read the primary's WAL position, then each replica's replay position."""
        try:
            row = await asyncio.wait_for(self.primary.one(PRIMARY_LSN, {}), _POLL_TIMEOUT_S)
        except Exception:
            row = None  # the primary's last known position still measures the replicas
        if row is not None:
            keep_s = 2 * self.max_lag_ms / 1000 + 1
            self._history.add(time.monotonic(), int(row[0]), keep_s)
        await asyncio.gather(*(self._poll_replica(replica) for replica in self.replicas))

    async def _poll_replica(self, replica: Replica) -> None:
        try:
            row = await asyncio.wait_for(replica.store.one(REPLAY_LSN, {}), _POLL_TIMEOUT_S)
        except Exception:
            if replica.up:
                log.warning("replica %s is unreachable, reading from the primary", replica.name)
            replica.up = False
            return
        now = time.monotonic()
        if row is None or row[0] is None:
            # Not a standby (promoted, or a primary listed by mistake): never read there.
            replica.up = False
            return
        was_usable = self.usable(replica, now)
        replica.replay_lsn = int(row[0])
        replica.lag_ms = self._history.lag_ms(replica.replay_lsn, now)
        replica.polled_at = now
        replica.up = True
        if was_usable and not self.usable(replica, now):
            log.warning("replica %s is %.0f ms behind, skipped", replica.name, replica.lag_ms)
        elif not was_usable and self.usable(replica, now):
            log.info("replica %s is in use", replica.name)


def _describe(dsn: str) -> str:
    url = make_url(dsn)
    return f"{url.host}:{url.port or 5432}/{url.database}"


def make_store(settings: Settings) -> ReadStore:
    """The read store of the settings: the primary's, routed to replicas if any."""
    store = make_read_store(settings.database_url, settings.pool_size)
    if not settings.database_replica_urls:
        return store
    if not isinstance(store, PostgresReadStore):
        raise ValueError("Replicas (MASTHEAD_DATABASE_REPLICA_URLS) need a PostgreSQL primary.")
    replicas = []
    for url in settings.database_replica_urls:
        replica = make_read_store(url, settings.pool_size)
        if not isinstance(replica, PostgresReadStore):
            raise ValueError(f"A replica must be a PostgreSQL URL: {_describe(url)!r}.")
        replica.connect_timeout = _REPLICA_CONNECT_TIMEOUT_S
        replicas.append(replica)
    return ReplicatedReadStore(
        store,
        replicas,
        max_lag_ms=settings.replica_max_lag_ms,
        poll_ms=settings.replica_poll_ms,
    )


# -- the per-request decision -------------------------------------------------------


def _cookie_lsn(headers: Sequence[tuple[bytes, bytes]]) -> int | None:
    """The LSN of the read-your-writes cookie; a malformed one counts as none."""
    for name, value in headers:
        if name != b"cookie":
            continue
        for part in value.split(b";"):
            key, _, raw = part.strip().partition(b"=")
            if key == COOKIE.encode() and raw.isdigit() and len(raw) <= 20:
                return int(raw)
    return None


class ReplicaRoutingMiddleware:
    """Decides where each request reads, and gives writers their read-your-writes cookie."""

    def __init__(self, app: ASGIApp, settings: Settings) -> None:
        self.app = app
        # The cookie outlives the lag bound: by then every replica in use has replayed
        # the write anyway.
        self.cookie_max_age_s = math.ceil(
            (settings.replica_max_lag_ms + settings.replica_poll_ms) / 1000
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        store = scope["app"].state.read_store if scope["type"] == "http" else None
        if not isinstance(store, ReplicatedReadStore):
            await self.app(scope, receive, send)
            return
        method: str = scope["method"]
        headers: list[tuple[bytes, bytes]] = scope["headers"]
        if method in _UNSAFE:
            await self.app(scope, receive, self._with_cookie(store, send))
            return
        public = (
            method in ("GET", "HEAD")
            and not scope["path"].startswith(_PRIMARY_PATHS)
            and not any(name == b"authorization" for name, _ in headers)
        )
        route = Route(store.choose(_cookie_lsn(headers)) if public else None)
        token = _ROUTE.set(route)
        try:
            await self.app(scope, receive, send)
        finally:
            _ROUTE.reset(token)

    def _with_cookie(self, store: ReplicatedReadStore, send: Send) -> Send:
        async def sending(message: Message) -> None:
            if message["type"] == "http.response.start" and message["status"] < 400:
                try:
                    lsn = await store.write_lsn()
                except Exception:
                    # Without the cookie the next read may be a little stale; the write
                    # itself has succeeded and is answered as such.
                    log.warning("no WAL position for the read-your-writes cookie", exc_info=True)
                else:
                    cookie = (
                        f"{COOKIE}={lsn}; Max-Age={self.cookie_max_age_s}; Path=/; "
                        "HttpOnly; SameSite=Lax"
                    )
                    message = {
                        **message,
                        "headers": [*message.get("headers", ()), (b"set-cookie", cookie.encode())],
                    }
            await send(message)

        return sending
