"""Assertions and helpers shared by the HTTP tests."""

import os
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import Engine, text

from app.models import Base

PROBLEM_KEYS = {"type", "title", "status", "detail", "instance"}

#: Data shipped with the tests, each folder with its source and licence.
FIXTURES = Path(__file__).resolve().parent / "fixtures"
#: Data sets licensed for internal tests only: read beside the checkout, never copied in.
SHARED_DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
#: The name of a ``record_property`` whose text is printed at the end of the run: it
#: reaches the terminal from a worker process too, where a test's own output does not.
PRINTED = "printed"


def shared_data(relative: str) -> Path:
    """A file of ../shared/data that may not be shipped with the repository.

    A clone without ../shared skips the test that needs it, saying why; CI has the
    folder, so there a missing file fails the test instead of hiding it.
    """
    path = SHARED_DATA / relative
    if path.exists():
        return path
    reason = f"needs ../shared/data/{relative} (internal-only data, not shipped)"
    if os.environ.get("CI", "").strip().lower() not in ("", "0", "false"):
        pytest.fail(f"{reason}; CI must have it", pytrace=False)
    pytest.skip(reason)


def assert_problem(response: httpx.Response, status: int) -> dict[str, Any]:
    """An RFC 9457 answer with this status, that leaks nothing internal."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    body: dict[str, Any] = response.json()
    assert body.keys() >= PROBLEM_KEYS
    assert body["status"] == status
    assert body["type"].startswith("https://")
    assert body["title"]
    assert body["detail"]
    assert body["instance"] == response.request.url.path
    for leak in ("Traceback", "sqlalchemy", "sqlite3", "asyncpg", "SELECT ", "/work/"):
        assert leak not in response.text
    return body


def soon(seconds: float = 1.5) -> datetime:
    """The first whole second at least ``seconds`` from now (the API speaks whole seconds)."""
    moment = datetime.now(UTC) + timedelta(seconds=seconds)
    return moment.replace(microsecond=0) + timedelta(seconds=1)


def wait_until(moment: datetime) -> None:
    time.sleep(max(0.0, (moment - datetime.now(UTC)).total_seconds()) + 0.05)


def empty_tables(engine: Engine) -> None:
    """Delete every row of every table, children first, and restart the id sequences.

    On PostgreSQL a DELETE of these few rows plus ``setval`` is some thirty times
    faster than ``TRUNCATE ... RESTART IDENTITY``, which recreates every table's files.

    The change counter's one row is kept, as a migrated store has it, with its
    numbering restarted and its ``purges`` moved on, as after any write that no
    change row describes: a server that kept answers from before drops them all.
    """
    tables = [
        table.name
        for table in reversed(Base.metadata.sorted_tables)
        if table.name != "change_counter"
    ]
    with engine.begin() as connection:
        connection.execute(
            text("UPDATE change_counter SET seq = 0, recorded_at = NULL, purges = purges + 1")
        )
        if connection.dialect.name == "postgresql":
            connection.execute(text("; ".join(f"DELETE FROM {table}" for table in tables)))
            connection.execute(
                text(
                    "SELECT setval(c.oid, 1, false) FROM pg_class c"
                    " JOIN pg_namespace n ON n.oid = c.relnamespace"
                    " WHERE c.relkind = 'S' AND n.nspname = current_schema()"
                )
            )
        else:
            for table in tables:
                connection.execute(text(f"DELETE FROM {table}"))
