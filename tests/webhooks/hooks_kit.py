"""A Masthead with its delivery worker running, an admin token, and helpers to
subscribe and to make the changes that events announce."""

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from factories import bundle, service
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from app.auth.service import create_token
from app.config import Settings
from app.main import create_app

ARTICLE_EVENTS = ["article.published", "article.updated", "article.unpublished", "article.archived"]
VIDEO_EVENTS = ["video.published", "video.updated", "video.unpublished"]
ALL_EVENTS = [*ARTICLE_EVENTS, *VIDEO_EVENTS, "cache.purge"]

#: A worker that retries within tenths of a second, for tests of the schedule's shape.
FAST: dict[str, Any] = {
    "webhook_allow_private_targets": True,
    "webhook_retry_base_seconds": 0.05,
    "webhook_retry_max_seconds": 0.5,
    "webhook_poll_seconds": 0.05,
    "webhook_timeout_seconds": 1.0,
    "webhook_lease_seconds": 5.0,
}


@contextmanager
def masthead(database_url: str, **settings: Any) -> Iterator[TestClient]:
    """A Masthead app instance (its lifespan, so its worker, runs inside)."""
    app = create_app(Settings(database_url=database_url, **{**FAST, **settings}))
    with TestClient(app, raise_server_exceptions=False) as client:
        yield client


@dataclass
class Hooks:
    client: TestClient
    sessions: sessionmaker[Session]
    admin: str
    editor: str

    def headers(self, token: str | None = None, **extra: str) -> dict[str, str]:
        found = {name.replace("_", "-"): value for name, value in extra.items()}
        found["Authorization"] = f"Bearer {token or self.admin}"
        return found

    def subscribe(self, url: str, events: list[str] | None = None, **extra: Any) -> dict[str, Any]:
        response = self.client.post(
            "/v1/webhooks",
            json={"url": url, "events": events or ALL_EVENTS, **extra},
            headers=self.headers(),
        )
        assert response.status_code == 201, response.text
        found: dict[str, Any] = response.json()
        return found

    def article(self, service_code: str = "en", headline: str = "Storm closes the harbour") -> int:
        response = self.client.post(
            "/v1/articles",
            json={
                "service": service_code,
                "headline": headline,
                "body": [{"type": "paragraph", "text": "Ferries stay in port until Friday."}],
            },
            headers=self.headers(),
        )
        assert response.status_code == 201, response.text
        article_id: int = response.json()["id"]
        return article_id

    def publish(self, article_id: int) -> None:
        response = self.client.post(f"/v1/articles/{article_id}/publish", headers=self.headers())
        assert response.status_code == 200, response.text

    def edit(self, article_id: int, patch: dict[str, Any]) -> None:
        etag = self.client.get(f"/v1/articles/{article_id}", headers=self.headers()).headers["etag"]
        response = self.client.patch(
            f"/v1/articles/{article_id}", json=patch, headers=self.headers(If_Match=etag)
        )
        assert response.status_code == 200, response.text

    def act(
        self, method: str, path: str, token: str | None = None, **headers: str
    ) -> httpx.Response:
        return self.client.request(method, path, headers=self.headers(token, **headers))

    def deliveries(self, webhook_id: int, **params: str) -> list[dict[str, Any]]:
        response = self.client.get(
            f"/v1/webhooks/{webhook_id}/deliveries",
            params={"limit": 100, **params},
            headers=self.headers(),
        )
        assert response.status_code == 200, response.text
        items: list[dict[str, Any]] = response.json()["items"]
        return items

    def settled(self, webhook_id: int, count: int, timeout: float = 30.0) -> list[dict[str, Any]]:
        """The webhook's ``count`` deliveries once none is pending any more.

        The receiver has a request before the worker has written down how it went, so a
        test that read the log as soon as the receiver answered could find the last
        attempt missing."""
        deadline = time.monotonic() + timeout
        while True:
            found = self.deliveries(webhook_id)
            if len(found) >= count and all(item["status"] != "pending" for item in found):
                return found
            if time.monotonic() > deadline:
                raise AssertionError(f"{count} deliveries still pending after {timeout} s: {found}")
            time.sleep(0.05)


def prepare(
    sessions: sessionmaker[Session], store: Callable[[dict[str, Any]], Any]
) -> tuple[str, str]:
    store(bundle(services=[service("en"), service("ru")]))
    with sessions.begin() as session:
        admin = create_token(session, "admin", [], "admin")[1]
        editor = create_token(session, "editor", ["en"], "editor")[1]
    return admin, editor


@pytest.fixture
def hooks(
    database_url: str,
    sessions: sessionmaker[Session],
    store: Callable[[dict[str, Any]], Any],
) -> Iterator[Hooks]:
    admin, editor = prepare(sessions, store)
    with masthead(database_url) as client:
        yield Hooks(client, sessions, admin, editor)
