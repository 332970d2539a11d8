"""Apps with rate limits on, each counting in a state file of its own test, and Redis."""

from collections.abc import Callable, Iterator
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import pytest
import redis
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from app.auth.service import create_token
from app.config import Settings
from app.main import create_app
from app.models import Service
from ratelimit.redis_kit import throwaway_redis

Limited = Callable[..., TestClient]


@pytest.fixture
def limited(
    database_url: str, sessions: sessionmaker[Session], tmp_path: Path
) -> Iterator[Limited]:
    """Start the app with rate limits on: ``limited(rate_limit_anonymous=3, ...)``.

    Apps started with the same ``host`` count together, as the worker processes of one
    host do; another ``host`` counts apart."""
    with ExitStack() as stack:

        def start(host: str = "a", **settings: Any) -> TestClient:
            values = {
                "database_url": database_url,
                "webhook_worker": False,
                "rate_limit_enabled": True,
                "rate_limit_state_file": str(tmp_path / f"host-{host}"),
                **settings,
            }
            app = create_app(Settings(**values))
            return stack.enter_context(TestClient(app, raise_server_exceptions=False))

        yield start


@pytest.fixture
def token(sessions: sessionmaker[Session]) -> Callable[[str], str]:
    """A new token of this role (for the service ``en``), as its secret."""
    with sessions.begin() as session:
        session.add(Service(code="en", name="English", language="en", timezone="Europe/London"))

    def make(role: str) -> str:
        with sessions.begin() as session:
            _, secret = create_token(session, role, [] if role == "admin" else ["en"])
            return secret

    return make


@pytest.fixture(scope="session")
def _redis_server() -> Iterator[str]:
    with throwaway_redis() as url:
        yield url


@pytest.fixture
def redis_url(_redis_server: str) -> str:
    """The URL of a running, empty Redis."""
    with redis.Redis.from_url(_redis_server) as client:
        client.flushall()
    return _redis_server
