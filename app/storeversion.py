"""The store's version as a server process sees it: it moves whenever any process
commits a write, so that answers kept in memory are dropped as soon as they may be
stale.

SQLite: ``PRAGMA data_version`` of the read connection, which moves with every
commit of any other connection, in any process on the host; reading it costs a few
microseconds, so it is read with every request.

PostgreSQL: a counter moved by LISTEN/NOTIFY. Every transaction that writes sends a
notice on its own connection (PostgreSQL delivers it at commit and drops it on
rollback), and each server process listens on one connection of its own. A write
committed in a process that listens is answered only once that process has heard
its own notice, by which time PostgreSQL has signalled every listener; what is left
is the time another process takes to read the notice from its socket (measured in
the README's Performance section). A process that lost its listening connection
keeps nothing until it has listened again.

What moved is read from the change log (``app.changes.service.changed_since``).
Writes whose effect on public answers no change row tells (a notice, a service, a
section...) move the change counter's ``purges`` in their own transaction
(``tell_untold_writes``), and then every kept answer is dropped.
"""

import asyncio
import itertools
import logging
import os
import re
import sqlite3
import threading
from typing import Any, Protocol

import asyncpg
from sqlalchemy import Engine, event
from sqlalchemy.exc import SQLAlchemyError

from app.readstore import PostgresReadStore, ReadStore, SQLiteReadStore

log = logging.getLogger("masthead.storeversion")

CHANNEL = "masthead_writes"
#: How long a committed write waits to hear its own notice before it is answered.
HEARD_TIMEOUT_S = 0.5
_RECONNECT_S = 1.0
_WRITES = (
    *("INSERT", "UPDATE", "DELETE", "REPLACE", "TRUNCATE"),
    *("CREATE", "ALTER", "DROP", "WITH", "MERGE"),
)
_PENDING = "masthead.notice"
_COMMITTED = "masthead.notice.committed"

_tokens = itertools.count(1)
_lock = threading.Lock()
#: Notices sent by this process and not heard yet, by payload.
_awaited: dict[str, threading.Event] = {}
#: The listeners of this process (a process usually has one; tests may run several).
_listeners: set["ChangeListener"] = set()


class StoreVersion(Protocol):
    def current(self) -> int | None:
        """The version now; None when it cannot be known (nothing may be kept)."""

    async def open(self) -> None: ...

    async def close(self) -> None: ...


class SQLiteVersion:
    def __init__(self, store: SQLiteReadStore) -> None:
        self.store = store

    def current(self) -> int | None:
        try:
            return self.store.data_version()
        except sqlite3.Error:
            return None

    async def open(self) -> None:
        return None

    async def close(self) -> None:
        return None


class ChangeListener:
    """Listens for the notices of writes; each one moves the version."""

    def __init__(self, dsn: str) -> None:
        self.dsn = dsn
        self.version = 0
        self.live = False
        self.thread_id: int | None = None
        self._conn: asyncpg.Connection | None = None
        self._reconnect: asyncio.Task[None] | None = None
        self._closing = False

    def current(self) -> int | None:
        return self.version if self.live else None

    async def open(self) -> None:
        self.thread_id = threading.get_ident()
        with _lock:
            _listeners.add(self)
        try:
            await self._connect()
        except (OSError, asyncpg.PostgresError) as exc:
            log.warning("not listening for writes yet: %s", exc)
            self._schedule_reconnect()

    async def _connect(self) -> None:
        conn = await asyncpg.connect(self.dsn, timeout=5)
        await conn.add_listener(CHANNEL, self._heard)
        conn.add_termination_listener(self._lost)
        self._conn = conn
        # Whatever was written while nobody listened is unknown: start afresh.
        self.version += 1
        self.live = True

    def _heard(self, _conn: Any, _pid: int, _channel: str, payload: object) -> None:
        self.version += 1
        with _lock:
            heard = _awaited.pop(str(payload), None)
        if heard is not None:
            heard.set()

    def _lost(self, _conn: Any) -> None:
        self.live = False
        self._conn = None
        if not self._closing:
            self._schedule_reconnect()

    def _schedule_reconnect(self) -> None:
        if self._reconnect is None or self._reconnect.done():
            self._reconnect = asyncio.get_running_loop().create_task(self._reconnecting())

    async def _reconnecting(self) -> None:
        while not self._closing and not self.live:
            await asyncio.sleep(_RECONNECT_S)
            try:
                await self._connect()
            except (OSError, asyncpg.PostgresError) as exc:
                log.warning("not listening for writes yet: %s", exc)

    async def close(self) -> None:
        self._closing = True
        self.live = False
        with _lock:
            _listeners.discard(self)
        if self._reconnect is not None:
            self._reconnect.cancel()
        if self._conn is not None:
            conn, self._conn = self._conn, None
            await conn.close()


def store_version(store: ReadStore) -> StoreVersion:
    if isinstance(store, SQLiteReadStore):
        return SQLiteVersion(store)
    assert isinstance(store, PostgresReadStore)
    return ChangeListener(store.dsn)


# The writing side ------------------------------------------------------------------


def _before_execute(
    conn: Any, cursor: Any, statement: str, _params: Any, _context: Any, _many: bool
) -> None:
    info = conn.info
    if _PENDING in info or not statement.lstrip()[:8].upper().startswith(_WRITES):
        return
    token = f"{os.getpid()}-{next(_tokens)}"
    with _lock:
        if _listeners:
            _awaited[token] = threading.Event()
    cursor.connection.execute("SELECT pg_notify(%s, %s)", (CHANNEL, token))
    info[_PENDING] = token


def _info(conn: Any) -> dict[Any, Any] | None:
    """The connection's info, or None for a connection the database dropped (its
    record's leftovers are cleared at check-in)."""
    try:
        info: dict[Any, Any] = conn.info
    except SQLAlchemyError:
        return None
    return info


def _committed(conn: Any) -> None:
    info = _info(conn)
    token = None if info is None else info.pop(_PENDING, None)
    if info is not None and token is not None:
        info[_COMMITTED] = token


def _rolled_back(conn: Any) -> None:
    info = _info(conn)
    token = None if info is None else info.pop(_PENDING, None)
    if token is not None:
        with _lock:
            _awaited.pop(token, None)


def _checked_in(_dbapi_connection: Any, record: Any) -> None:
    """After the commit: wait until this process has heard the write's notice."""
    record.info.pop(_PENDING, None)  # a transaction the pool rolled back
    token = record.info.pop(_COMMITTED, None)
    if token is None:
        return
    with _lock:
        heard = _awaited.get(token)
        on_listener_thread = any(
            listener.thread_id == threading.get_ident() for listener in _listeners
        )
    if heard is None:
        return
    # A write made on a listener's own event loop cannot wait for it.
    if not on_listener_thread:
        heard.wait(HEARD_TIMEOUT_S)
    with _lock:
        _awaited.pop(token, None)


#: The tables a write may change with the change log telling every effect it has on
#: public answers: an item and what it is made of, rendered in the same transaction
#: and compared with what the log last said; the log itself; and what public reads
#: never read (tokens, webhooks, idempotency records).
TOLD = frozenset(
    {
        "articles",
        "article_slugs",
        "article_tags",
        "article_authors",
        "article_videos",
        "article_renders",
        "article_related_videos",
        "corrections",
        "summaries",
        "revisions",
        "videos",
        "video_tags",
        "video_renders",
        "search_documents",
        "changes",
        "change_items",
        "change_counter",
        "change_consumers",
        "api_tokens",
        "idempotency_records",
        "webhook_subscriptions",
        "webhook_deliveries",
        "webhook_attempts",
    }
)
_TARGET = re.compile(r'\s*(?:INSERT(?:\s+OR\s+\w+)?\s+INTO|UPDATE|DELETE\s+FROM)\s+"?(\w+)', re.I)
#: ``Connection.info`` flag: the transaction wrote a table outside ``TOLD``.
UNTOLD = "masthead.changes.untold"
_PURGE = "UPDATE change_counter SET purges = purges + 1 WHERE id = 1"


def _note_write(
    conn: Any, _cursor: Any, statement: str, _params: Any, _context: Any, _many: bool
) -> None:
    if not statement.lstrip()[:8].upper().startswith(_WRITES):
        return
    info = conn.info
    if UNTOLD in info:
        return
    target = _TARGET.match(statement)
    if target is None or target.group(1).lower() not in TOLD:
        info[UNTOLD] = True


def _purge_if_untold(conn: Any) -> None:
    """Just before the commit: move ``purges`` within the transaction."""
    if conn.info.pop(UNTOLD, False):
        # On the driver's own cursor: the statement is not a write to note.
        cursor = conn.connection.dbapi_connection.cursor()
        try:
            cursor.execute(_PURGE)
        finally:
            cursor.close()


def _forget(conn: Any) -> None:
    info = _info(conn)
    if info is not None:
        info.pop(UNTOLD, None)


def tell_untold_writes(engine: Engine) -> None:
    """Make every commit through ``engine`` that wrote a table outside ``TOLD`` move
    the change counter's ``purges`` (not for the engine that migrates the schema)."""
    event.listen(engine, "before_cursor_execute", _note_write)
    event.listen(engine, "commit", _purge_if_untold)
    event.listen(engine, "rollback", _forget)


def notify_writes(engine: Engine) -> None:
    """Make every transaction that writes through ``engine`` (PostgreSQL) send a notice."""
    event.listen(engine, "before_cursor_execute", _before_execute)
    event.listen(engine, "commit", _committed)
    event.listen(engine, "rollback", _rolled_back)
    event.listen(engine.pool, "checkin", _checked_in)
