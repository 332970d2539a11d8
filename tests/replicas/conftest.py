"""A real PostgreSQL primary and streaming replica for the replica tests."""

import contextlib
import os
import subprocess
from collections.abc import Iterator
from typing import Any

import pytest
from factories import bundle, service
from pgcluster import ensure_server_binaries, find_pg_bindir
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session, sessionmaker
from support import empty_tables

from app import migrate
from app.auth.service import create_token
from app.db import make_engine, make_sessionmaker
from app.imports.bundle import load_bundle
from app.models import Article
from replicas.standby import Standby, primary_and_standby


def _on_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false")


def _require_replication() -> None:
    backends = os.environ.get("MASTHEAD_TEST_BACKENDS", "sqlite,postgresql").split(",")
    if "postgresql" not in backends and not _on_ci():
        pytest.skip("replicas are PostgreSQL's: MASTHEAD_TEST_BACKENDS leaves PostgreSQL out")
    # Installed when missing and possible, as for the rest of the suite; if not,
    # the skip (or failure) below says why.
    with contextlib.suppress(RuntimeError, OSError, subprocess.SubprocessError):
        ensure_server_binaries()
    bindir = find_pg_bindir()
    if bindir is None or not (bindir / "pg_basebackup").is_file():
        reason = "needs PostgreSQL server binaries with pg_basebackup (Debian: postgresql)"
        if _on_ci():
            pytest.fail(f"{reason}; CI must have them", pytrace=False)
        pytest.skip(reason)


@pytest.fixture(scope="package")
def _cluster() -> Iterator[tuple[str, Standby]]:
    _require_replication()
    with primary_and_standby() as (primary_url, replica):
        migrate.upgrade(primary_url)
        replica.wait_for(primary_url)
        yield primary_url, replica


@pytest.fixture(scope="package")
def primary_engine(_cluster: tuple[str, Standby]) -> Iterator[Engine]:
    engine = make_engine(_cluster[0])
    yield engine
    engine.dispose()


@pytest.fixture
def primary_url(_cluster: tuple[str, Standby]) -> str:
    return _cluster[0]


@pytest.fixture
def replica(_cluster: tuple[str, Standby], primary_engine: Engine) -> Standby:
    """The replica, running and replaying, of a primary with empty tables."""
    primary_url, standby = _cluster
    if not (standby.datadir / "postmaster.pid").exists():
        standby.start()
    standby.resume_replay()
    empty_tables(primary_engine)
    standby.wait_for(primary_url)
    return standby


@pytest.fixture
def sessions(primary_engine: Engine, replica: Standby) -> sessionmaker[Session]:
    return make_sessionmaker(primary_engine)


class Newsroom:
    """Writes straight into the primary (no HTTP, so no read-your-writes cookie)."""

    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self.sessions = sessions

    def load(self, *articles: dict[str, Any]) -> list[int]:
        with self.sessions.begin() as session:
            load_bundle(session, bundle(services=[service("en")], articles=list(articles)))
            uris = [item["uri"] for item in articles]
            found = dict(
                session.execute(select(Article.uri, Article.id).where(Article.uri.in_(uris))).all()
            )
        return [found[uri] for uri in uris]

    def token(self, role: str = "editor", services: tuple[str, ...] = ("en",)) -> str:
        with self.sessions.begin() as session:
            load_bundle(session, bundle(services=[service(code) for code in services]))
            _, secret = create_token(session, role, list(services), "replica test")
        return secret


@pytest.fixture
def newsroom(sessions: sessionmaker[Session]) -> Newsroom:
    return Newsroom(sessions)
