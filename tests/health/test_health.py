"""Liveness, readiness, and how the API behaves when its database is unreachable."""

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from support import assert_problem

from app import migrate
from app.config import Settings
from app.main import create_app


def test_healthz_says_ok(client: TestClient) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert response.headers["cache-control"] == "no-store"


def test_readyz_says_ready_when_the_database_answers(client: TestClient) -> None:
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json() == {"status": "ready"}
    assert response.headers["cache-control"] == "no-store"


def unreachable_urls(tmp_path: Path) -> dict[str, str]:
    return {
        # A file in a folder that does not exist: SQLite cannot open it.
        "sqlite": f"sqlite:///{tmp_path}/missing-folder/masthead.db",
        # Port 9 on loopback: nothing listens there, the connection is refused at once.
        "postgresql": "postgresql://masthead:secret@127.0.0.1:9/masthead",
    }


@pytest.fixture(params=["sqlite", "postgresql"])
def broken_client(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[TestClient]:
    url = unreachable_urls(tmp_path)[request.param]
    with TestClient(
        create_app(Settings(database_url=url)), raise_server_exceptions=False
    ) as client:
        yield client


def test_readyz_is_503_with_retry_after_when_the_database_is_unreachable(
    broken_client: TestClient,
) -> None:
    response = broken_client.get("/readyz")
    assert_problem(response, 503)
    assert int(response.headers["retry-after"]) > 0


@pytest.mark.parametrize(
    "path",
    [
        "/v1/articles",
        "/v1/articles/1",
        "/v1/articles/1/summary",
        "/v1/articles/1/related-videos",
        "/v1/services",
        "/v1/services/en",
        "/v1/services/en/articles/some-slug",
        "/v1/videos",
        "/v1/videos/1",
        "/v1/sections",
        "/v1/tags/some-tag",
        "/v1/authors",
    ],
)
def test_reads_are_503_not_500_when_the_database_is_unreachable(
    broken_client: TestClient, path: str
) -> None:
    response = broken_client.get(path)
    body = assert_problem(response, 503)
    assert "secret" not in response.text
    assert "missing-folder" not in body["detail"]
    assert int(response.headers["retry-after"]) > 0


def test_healthz_stays_up_when_the_database_is_unreachable(broken_client: TestClient) -> None:
    assert broken_client.get("/healthz").status_code == 200


def test_api_recovers_by_itself_when_the_database_comes_back(tmp_path: Path) -> None:
    folder = tmp_path / "later"
    url = f"sqlite:///{folder}/masthead.db"
    with TestClient(
        create_app(Settings(database_url=url)), raise_server_exceptions=False
    ) as client:
        assert client.get("/readyz").status_code == 503
        assert client.get("/v1/services").status_code == 503
        folder.mkdir()
        migrate.upgrade(url)
        assert client.get("/readyz").status_code == 200
        response = client.get("/v1/services")
        assert response.status_code == 200
        assert response.json() == {"items": [], "next_cursor": None}
