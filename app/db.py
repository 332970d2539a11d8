"""Database engines, the session factory and the per-request session dependency."""

import contextlib
import inspect
import json
import random
import sqlite3
import threading
import time
import weakref
from collections.abc import Callable, Iterator
from functools import partial, wraps
from typing import Annotated, Any, TypeVar

import orjson
from fastapi import Depends, Request
from fastapi.routing import APIRoute
from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.orm import Session, sessionmaker

from app.kit.images import Resizer
from app.storeversion import notify_writes, tell_untold_writes


def sync_url(raw: str) -> URL:
    """The URL for the synchronous engine (writes, migrations, cold reads)."""
    url = make_url(raw)
    if url.get_backend_name() == "postgresql":
        url = url.set(drivername="postgresql+psycopg")
    elif url.get_backend_name() == "sqlite":
        url = url.set(drivername="sqlite")
    return url


def is_sqlite(raw: str) -> bool:
    return make_url(raw).get_backend_name() == "sqlite"


#: How long a statement waits for a lock another connection holds, unless the URL's
#: ``?timeout=`` (seconds, as the sqlite3 driver reads it) says otherwise.
BUSY_TIMEOUT_S = 10.0
#: How many busy timeouts a write waits for the write lock before the last try,
#: whose failure the request answers 503 busy.
BEGIN_RETRIES = 2
#: How long each try at the write lock waits in SQLite's own busy handler.
BEGIN_POLL_MS = 5
#: An execution option: the kind of transaction a connection begins on SQLite.
BEGIN = "masthead_begin"
READ = "DEFERRED"
WRITE = "IMMEDIATE"


def busy_timeout_s(url: URL) -> float:
    raw = url.query.get("timeout")
    return float(raw if isinstance(raw, str) else raw[0]) if raw else BUSY_TIMEOUT_S


def _sqlite_on_connect(busy_ms: int, dbapi_connection: Any, _record: Any) -> None:
    # Transactions are begun by _sqlite_begin below, not by the driver.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={busy_ms}")
    cursor.close()


def _is_busy(error: sqlite3.OperationalError) -> bool:
    return getattr(error, "sqlite_errorname", "").startswith("SQLITE_BUSY")


def _sqlite_begin(connection: Connection) -> None:
    """Writers take SQLite's write lock when they begin, so concurrent writers
    queue instead of failing when a read lock cannot be upgraded; transactions that
    only read (``BEGIN=READ``) begin deferred and never wait.

    A writer that finds the lock taken polls for it every few milliseconds, for
    ``BEGIN_RETRIES`` busy timeouts, then tries once more with the whole busy
    timeout. SQLite's own busy handler sleeps up to 100 ms between its tries: a
    writer of another process (the other server workers, an import) would find
    the lock released and taken again by this process's next writer every time.
    Trying again is safe: the transaction has not run a statement yet."""
    mode = connection.get_execution_options().get(BEGIN, WRITE)
    if mode == READ:
        connection.exec_driver_sql("BEGIN")
        return
    driver = connection.connection.driver_connection
    assert driver is not None
    busy_s = busy_timeout_s(connection.engine.url)
    deadline = time.monotonic() + busy_s * BEGIN_RETRIES
    driver.execute(f"PRAGMA busy_timeout={BEGIN_POLL_MS}")
    try:
        while True:
            try:
                driver.execute("BEGIN IMMEDIATE")
                return
            except sqlite3.OperationalError as error:
                if not _is_busy(error):
                    raise
            if time.monotonic() >= deadline:
                break
            time.sleep(random.uniform(0.001, 0.005))
    finally:
        driver.execute(f"PRAGMA busy_timeout={round(busy_s * 1000)}")
    # The last attempt through SQLAlchemy, whose error the API answers 503 busy.
    connection.exec_driver_sql("BEGIN IMMEDIATE")


def _json_loads(text: str | bytes) -> Any:
    """JSON columns read with orjson (article bodies are read back at every render);
    what orjson refuses and the standard library wrote (NaN, integers past 64 bits)
    is still read."""
    try:
        return orjson.loads(text)
    except orjson.JSONDecodeError:
        return json.loads(text)


def make_engine(raw_url: str, *, migrating: bool = False) -> Engine:
    """The engine of the store; ``migrating``: for the schema's migrations, whose
    commits may come before the change counter they would move exists."""
    url = sync_url(raw_url)
    if url.get_backend_name() == "sqlite":
        busy_ms = round(busy_timeout_s(url) * 1000)
        engine = create_engine(
            url, connect_args={"check_same_thread": False}, json_deserializer=_json_loads
        )
        event.listen(engine, "connect", partial(_sqlite_on_connect, busy_ms))
        event.listen(engine, "begin", _sqlite_begin)
    else:
        engine = create_engine(
            url,
            pool_size=5,
            max_overflow=10,
            pool_pre_ping=True,
            pool_recycle=1800,
            json_deserializer=_json_loads,
        )
        notify_writes(engine)
    if not migrating:
        tell_untold_writes(engine)
    return engine


def pool_usage(engine: Engine) -> tuple[int, int]:
    """Connections the engine's pool holds open, and of them lent out."""
    pool: Any = engine.pool
    try:
        in_use = int(pool.checkedout())
        return in_use + int(pool.checkedin()), in_use
    except AttributeError:
        # A pool that keeps no count (SQLite's per-thread pools, NullPool).
        return 0, 0


def make_sessionmaker(engine: Engine, resizer: Resizer | None = None) -> sessionmaker[Session]:
    """Sessions on the engine; renderings they make address image renditions
    through ``resizer`` (none: every image is its original alone)."""
    info = {} if resizer is None else {"resizer": resizer}
    return sessionmaker(engine, expire_on_commit=False, info=info)


def reading(sessions: sessionmaker[Session]) -> Session:
    """A session for a transaction that only reads: on SQLite it takes no write
    lock, so it neither waits for writers nor makes them wait."""
    engine: Engine = sessions.kw["bind"]
    return sessions(bind=engine.execution_options(**{BEGIN: READ}))


#: Requests that change nothing; their session only reads.
_SAFE_METHODS = frozenset(("GET", "HEAD", "OPTIONS"))


def get_session(request: Request) -> Iterator[Session]:
    """One transaction per request: commit once on success, roll back on error."""
    sessions: sessionmaker[Session] = request.app.state.sessionmaker
    session = reading(sessions) if request.method in _SAFE_METHODS else sessions()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


# scope="function": the commit happens before the response is sent, so a failed
# commit can never answer 2xx.
SessionDep = Annotated[Session, Depends(get_session, scope="function")]


ResultT = TypeVar("ResultT")


def committed(endpoint: Callable[..., ResultT]) -> Callable[..., ResultT]:
    """The endpoint, committing its sessions before it returns, in the worker thread
    it ran in. ``get_session`` would commit too, but only after a trip through the
    event loop and back to the thread pool: under read load that trip takes longer
    than the write itself, and on SQLite the write lock is held all along.

    The writers of one process also take turns on a mutex first. On SQLite one of
    them at a time waits on SQLite's lock (which it polls, sleeping up to 100 ms
    between tries) and the others are woken the moment it is done. On PostgreSQL,
    where writers queue on the change log's counter row anyway, a dozen writer
    threads at once would each take the interpreter in turn and starve the event
    loop that serves the reads (reads while publishing: 7 rps with them, 436 with
    turns, in the benchmark's quick run)."""

    @wraps(endpoint)
    def run(**values: Any) -> ResultT:
        sessions = [value for value in values.values() if isinstance(value, Session)]
        with _turn(sessions):
            try:
                result = endpoint(**values)
                for session in sessions:
                    session.commit()
            except BaseException:
                for session in sessions:
                    session.rollback()
                raise
        return result

    return run


_turns: weakref.WeakKeyDictionary[Engine, threading.Lock] = weakref.WeakKeyDictionary()
_turns_lock = threading.Lock()


@contextlib.contextmanager
def _turn(sessions: list[Session]) -> Iterator[None]:
    writers = [
        session.bind
        for session in sessions
        if isinstance(session.bind, Engine)
        and session.bind.get_execution_options().get(BEGIN, WRITE) == WRITE
    ]
    if not writers:
        yield
        return
    engine = writers[0]
    with _turns_lock:
        turn = _turns.setdefault(engine, threading.Lock())
    # Bounded: past the time SQLite itself would wait, let SQLite decide.
    held = turn.acquire(timeout=busy_timeout_s(engine.url) * (BEGIN_RETRIES + 1))
    try:
        yield
    finally:
        if held:
            turn.release()


class CommittedRoute(APIRoute):
    """A route whose (synchronous) endpoint commits its sessions itself: see ``committed``."""

    def __init__(self, path: str, endpoint: Callable[..., Any], **kwargs: Any) -> None:
        if not inspect.iscoroutinefunction(endpoint):
            endpoint = committed(endpoint)
        super().__init__(path, endpoint, **kwargs)
