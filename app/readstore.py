"""The hot read path's database access, with no thread-pool hop.

SQLite is read inline on the event loop through the standard ``sqlite3``
module (a primary-key read takes tens of microseconds, less than a hop to a
worker thread); PostgreSQL is read through an ``asyncpg`` pool sized for the
concurrency served. Statements are SQLAlchemy Core ``select()`` constructs,
compiled once per dialect.
"""

import asyncio
import sqlite3
from collections.abc import Mapping, Sequence
from typing import Any, Protocol

import asyncpg
from sqlalchemy import ColumnElement, LargeBinary, Select
from sqlalchemy.dialects.postgresql.asyncpg import dialect as asyncpg_dialect
from sqlalchemy.dialects.sqlite import dialect as sqlite_dialect
from sqlalchemy.engine import make_url
from sqlalchemy.exc import InterfaceError, OperationalError
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import GenericFunction

Row = Sequence[Any]

_DIALECTS = {
    "sqlite": sqlite_dialect(),
    "postgresql": asyncpg_dialect(paramstyle="numeric_dollar"),  # type: ignore[no-untyped-call]
}


class utf8(GenericFunction[bytes]):
    """A text column read as its UTF-8 bytes.

    Stored renderings are sent as they are: decoding them into ``str`` (tens of
    kilobytes, much of it Cyrillic or Arabic) only for the response to encode them
    again costs more than the read itself, and ``orjson`` parses bytes directly.
    """

    type = LargeBinary()
    inherit_cache = True


@compiles(utf8, "sqlite")
def _utf8_sqlite(element: utf8, compiler: SQLCompiler, **kw: Any) -> str:
    # A TEXT value cast to BLOB keeps its bytes (the database's encoding, UTF-8).
    return f"CAST({compiler.process(element.clauses, **kw)} AS BLOB)"


@compiles(utf8, "postgresql")
def _utf8_postgresql(element: utf8, compiler: SQLCompiler, **kw: Any) -> str:
    # Not ::bytea, which would read backslashes in the text as escapes.
    return f"convert_to({compiler.process(element.clauses, **kw)}, 'UTF8')"


def utf8_column(column: ColumnElement[str]) -> ColumnElement[bytes]:
    """``column``'s text as UTF-8 bytes (NULL stays NULL)."""
    found: ColumnElement[bytes] = utf8(column)
    return found


class Query:
    """A ``select()`` compiled once for each backend, with its parameter order."""

    def __init__(self, statement: Select[Any]) -> None:
        self.statement = statement
        self._compiled: dict[str, tuple[str, list[str], dict[str, Any]]] = {}

    def compiled(self, backend: str) -> tuple[str, list[str], dict[str, Any]]:
        found = self._compiled.get(backend)
        if found is None:
            compiled = self.statement.compile(dialect=_DIALECTS[backend])
            names = list(compiled.positiontup or [])
            found = (str(compiled), names, dict(compiled.params))
            self._compiled[backend] = found
        return found

    def args(self, backend: str, params: Mapping[str, Any]) -> tuple[str, list[Any]]:
        sql, names, defaults = self.compiled(backend)
        return sql, [params[name] if name in params else defaults[name] for name in names]


class ReadStore(Protocol):
    backend: str

    async def one(self, query: Query, params: Mapping[str, Any]) -> Row | None: ...

    async def all(self, query: Query, params: Mapping[str, Any]) -> list[Row]: ...

    async def ping(self) -> None: ...

    async def close(self) -> None: ...

    def usage(self) -> tuple[int, int]:
        """Connections open, and of them in use."""
        ...


class SQLiteReadStore:
    backend = "sqlite"

    def __init__(self, path: str) -> None:
        self.path = path
        self._conn: sqlite3.Connection | None = None

    def _connection(self) -> sqlite3.Connection:
        if self._conn is None:
            conn = sqlite3.connect(
                self.path, check_same_thread=False, isolation_level=None, uri=False
            )
            conn.execute("PRAGMA busy_timeout=5000")
            conn.execute("PRAGMA query_only=1")
            # A bounded page cache and no memory map: the server's resident size
            # must not grow with the store.
            conn.execute("PRAGMA cache_size=-16384")
            conn.execute("PRAGMA mmap_size=0")
            self._conn = conn
        return self._conn

    def _execute(self, query: Query, params: Mapping[str, Any]) -> sqlite3.Cursor:
        sql, args = query.args("sqlite", params)
        try:
            return self._connection().execute(sql, args)
        except sqlite3.OperationalError:
            # A reopened connection recovers from a replaced or vanished file.
            self._reset()
            raise

    def _reset(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    async def one(self, query: Query, params: Mapping[str, Any]) -> Row | None:
        row: Row | None = self._execute(query, params).fetchone()
        return row

    async def all(self, query: Query, params: Mapping[str, Any]) -> list[Row]:
        return self._execute(query, params).fetchall()

    def data_version(self) -> int:
        """Moves whenever another connection, in any process, commits a write."""
        try:
            row = self._connection().execute("PRAGMA data_version").fetchone()
        except sqlite3.Error:
            self._reset()
            raise
        return int(row[0])

    async def ping(self) -> None:
        try:
            self._connection().execute("SELECT 1 FROM alembic_version").fetchone()
        except sqlite3.Error:
            self._reset()
            raise

    async def close(self) -> None:
        self._reset()

    def usage(self) -> tuple[int, int]:
        # One connection, used inline on the event loop: never busy between requests.
        return (0 if self._conn is None else 1), 0


class PostgresReadStore:
    backend = "postgresql"

    def __init__(self, dsn: str, pool_size: int, connect_timeout: float = 5) -> None:
        self.dsn = dsn
        self.pool_size = pool_size
        self.connect_timeout = connect_timeout
        self._pool: asyncpg.Pool | None = None
        self._lock = asyncio.Lock()

    async def _get_pool(self) -> asyncpg.Pool:
        if self._pool is None:
            async with self._lock:
                if self._pool is None:
                    self._pool = await asyncpg.create_pool(
                        self.dsn,
                        min_size=min(4, self.pool_size),
                        max_size=self.pool_size,
                        max_inactive_connection_lifetime=300,
                        timeout=self.connect_timeout,
                    )
        return self._pool

    async def one(self, query: Query, params: Mapping[str, Any]) -> Row | None:
        sql, args = query.args("postgresql", params)
        pool = await self._get_pool()
        row = await pool.fetchrow(sql, *args)
        return None if row is None else tuple(row)

    async def all(self, query: Query, params: Mapping[str, Any]) -> list[Row]:
        sql, args = query.args("postgresql", params)
        pool = await self._get_pool()
        return [tuple(record) for record in await pool.fetch(sql, *args)]

    async def ping(self) -> None:
        pool = await self._get_pool()
        await pool.fetchval("SELECT 1", timeout=2)

    def usage(self) -> tuple[int, int]:
        if self._pool is None:
            return 0, 0
        size = self._pool.get_size()
        return size, size - self._pool.get_idle_size()

    async def close(self) -> None:
        if self._pool is not None:
            await self._pool.close()
            self._pool = None


def make_read_store(database_url: str, pool_size: int) -> ReadStore:
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        return SQLiteReadStore(url.database or ":memory:")
    dsn = url.set(drivername="postgresql").render_as_string(hide_password=False)
    return PostgresReadStore(dsn, pool_size)


#: What a database that cannot be reached, or stopped answering, raises.
CONNECTION_ERRORS: tuple[type[Exception], ...] = (
    OperationalError,
    InterfaceError,
    sqlite3.OperationalError,
    asyncpg.PostgresConnectionError,
    asyncpg.CannotConnectNowError,
    asyncpg.TooManyConnectionsError,
    asyncpg.InterfaceError,
    # A pooled connection cut in the middle of a statement is left in a state that
    # asyncpg reports as its own error; the pool replaces it on the next acquire.
    asyncpg.InternalClientError,
    asyncpg.AdminShutdownError,
    ConnectionError,
    OSError,
    TimeoutError,
)


def is_connection_error(exc: BaseException) -> bool:
    """Whether an exception means the database cannot be reached right now."""
    return isinstance(exc, CONNECTION_ERRORS)


def sqlite_error_name(exc: BaseException) -> str | None:
    """SQLite's name for the error (``SQLITE_FULL``, ``SQLITE_READONLY``...), if it is one."""
    original = getattr(exc, "orig", exc)
    name = getattr(original, "sqlite_errorname", None)
    return name if isinstance(name, str) else None
