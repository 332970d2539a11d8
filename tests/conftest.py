"""Test setup: every test runs against real SQLite and a throwaway PostgreSQL.

Each backend's database is built once by Alembic; every test starts from empty
tables. The app is driven over HTTP through its ASGI interface.
"""

import os
import tempfile
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from typing import Any

import pytest
from fastapi.testclient import TestClient
from pgcluster import ensure_server_binaries, throwaway_postgres
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker
from support import PRINTED, empty_tables

from app import migrate
from app.config import Settings
from app.db import make_engine, make_sessionmaker
from app.imports.bundle import load_bundle
from app.main import create_app

BACKENDS = os.environ.get("MASTHEAD_TEST_BACKENDS", "sqlite,postgresql").split(",")

_printed: list[tuple[str, str]] = []


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    # On the main process this also sees the reports of every worker, properties included.
    if report.when == "call":
        _printed.extend(
            (report.nodeid, str(value)) for name, value in report.user_properties if name == PRINTED
        )


def pytest_terminal_summary(terminalreporter: Any) -> None:
    for nodeid, text in sorted(_printed):
        terminalreporter.write_sep("-", nodeid)
        terminalreporter.write_line(text)


@pytest.fixture(scope="session")
def _stack() -> Iterator[ExitStack]:
    with ExitStack() as stack:
        yield stack


@pytest.fixture(scope="session", params=BACKENDS)
def database_url(request: pytest.FixtureRequest, _stack: ExitStack) -> str:
    """A migrated, empty database on one backend."""
    if request.param == "sqlite":
        folder = _stack.enter_context(tempfile.TemporaryDirectory(prefix="masthead-test-"))
        url = f"sqlite:///{folder}/masthead.db"
    else:
        ensure_server_binaries()
        url = _stack.enter_context(throwaway_postgres())
    migrate.upgrade(url)
    return url


@pytest.fixture(scope="session")
def engine(database_url: str) -> Iterator[Engine]:
    engine = make_engine(database_url)
    yield engine
    engine.dispose()


@pytest.fixture
def sessions(engine: Engine) -> sessionmaker[Session]:
    """A session factory on an empty database."""
    empty_tables(engine)
    return make_sessionmaker(engine)


@pytest.fixture(scope="session")
def _app_client(database_url: str) -> Iterator[TestClient]:
    # Tests of webhook delivery run workers of their own, with their own settings.
    app = create_app(Settings(database_url=database_url, webhook_worker=False))
    with TestClient(app, raise_server_exceptions=False) as client:
        yield client


@pytest.fixture
def client(_app_client: TestClient, sessions: sessionmaker[Session]) -> TestClient:
    """An HTTP client of the app, on an empty database."""
    _app_client.headers.clear()
    _app_client.cookies.clear()
    return _app_client


@pytest.fixture
def store(sessions: sessionmaker[Session]) -> Callable[[dict[str, Any]], dict[str, int]]:
    """Load a content bundle through the real write path, in one transaction."""

    def load(bundle: dict[str, Any]) -> dict[str, int]:
        with sessions.begin() as session:
            return load_bundle(session, bundle)

    return load
