"""API8, security misconfiguration: no banner, no debug, no stack trace, as users
run the server (security headers and CORS: tests/security/test_probe_*.py)."""

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient
from faults.live import Masthead, masthead

from app import migrate
from app.config import Settings
from app.main import create_app


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Masthead]:
    folder: Path = tmp_path_factory.mktemp("served")
    url = f"sqlite:///{folder}/masthead.db"
    migrate.upgrade(url)
    with masthead(url, folder / "serve.log") as running:
        yield running


@pytest.mark.parametrize("path", ["/healthz", "/v1/articles", "/v1/articles/1", "/nowhere"])
def test_no_answer_names_the_server_software(server: Masthead, path: str) -> None:
    response = httpx.get(server.base_url + path)
    assert "server" not in response.headers
    assert "x-powered-by" not in response.headers
    assert "uvicorn" not in response.text.lower()


def test_a_malformed_request_gets_no_trace(server: Masthead) -> None:
    response = httpx.post(
        server.base_url + "/v1/articles",
        content=b"{not json",
        headers={"Content-Type": "application/json", "Authorization": "Bearer nope"},
    )
    assert response.status_code in (401, 422)
    assert "Traceback" not in response.text
    assert response.headers["content-type"].startswith("application/problem+json")


def test_the_app_runs_without_debug(tmp_path: Path) -> None:
    app = create_app(Settings(database_url=f"sqlite:///{tmp_path}/m.db"))
    assert app.debug is False
    with TestClient(app, raise_server_exceptions=False) as client:
        # Unknown methods and routes answer problems, never a debug page.
        response = client.request("TRACE", "/v1/articles")
        assert response.status_code in (404, 405)
        assert response.headers["content-type"].startswith("application/problem+json")
