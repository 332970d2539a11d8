"""Database engines, the session factory and the per-request session dependency."""

from collections.abc import Iterator
from typing import Annotated, Any

from fastapi import Depends, Request
from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.orm import Session, sessionmaker

from app.kit.images import Resizer
from app.storeversion import notify_writes


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


def _sqlite_on_connect(dbapi_connection: Any, _record: Any) -> None:
    # Transactions are begun by _sqlite_begin below, not by the driver.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.close()


def _sqlite_begin(connection: Connection) -> None:
    """Writers take SQLite's write lock when they begin, so concurrent writers
    queue on busy_timeout instead of failing when a read lock cannot be upgraded."""
    connection.exec_driver_sql("BEGIN IMMEDIATE")


def make_engine(raw_url: str) -> Engine:
    url = sync_url(raw_url)
    if url.get_backend_name() == "sqlite":
        engine = create_engine(url, connect_args={"check_same_thread": False})
        event.listen(engine, "connect", _sqlite_on_connect)
        event.listen(engine, "begin", _sqlite_begin)
        return engine
    engine = create_engine(url, pool_size=5, max_overflow=10, pool_pre_ping=True, pool_recycle=1800)
    notify_writes(engine)
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


def get_session(request: Request) -> Iterator[Session]:
    """One transaction per request: commit once on success, roll back on error."""
    session: Session = request.app.state.sessionmaker()
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
