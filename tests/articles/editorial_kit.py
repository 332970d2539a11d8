"""A small newsroom for the editorial API tests: services, taxonomy, a video and
one token per role, made through the real write paths."""

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import httpx
import orjson
import pytest
from factories import author, bundle, service, term, video
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from app.auth.service import create_token
from app.models import Video

UNKNOWN_ID = 987654

#: Who holds which token: role and services.
ROLES: dict[str, tuple[str, list[str]]] = {
    "admin": ("admin", []),
    "en_editor": ("editor", ["en"]),
    "ru_editor": ("editor", ["ru"]),
    "en_viewer": ("viewer", ["en"]),
}


@dataclass
class Newsroom:
    client: TestClient
    sessions: sessionmaker[Session]
    tokens: dict[str, str] = field(default_factory=dict)
    videos: list[int] = field(default_factory=list)

    def headers(self, who: str | None, **extra: str) -> dict[str, str]:
        found = {name.replace("_", "-"): value for name, value in extra.items()}
        if who is not None:
            found["Authorization"] = f"Bearer {self.tokens[who]}"
        return found

    def token(self, role: str, services: list[str], name: str = "test") -> str:
        with self.sessions.begin() as session:
            _, secret = create_token(session, role, services, name)
        return secret

    def create(self, who: str = "en_editor", **fields: Any) -> httpx.Response:
        document = {
            "service": "en",
            "headline": "Parliament passes the budget after a long night",
            "body": [
                {"type": "paragraph", "text": "Lawmakers voted <b>late on Monday</b>."},
                {"type": "paragraph", "text": "The deficit will narrow, the minister said."},
            ],
            **fields,
        }
        return self.client.post("/v1/articles", json=document, headers=self.headers(who))

    def draft(self, who: str = "en_editor", **fields: Any) -> dict[str, Any]:
        """A new draft's representation (with its ETag under ``_etag``)."""
        response = self.create(who, **fields)
        assert response.status_code == 201, response.text
        document: dict[str, Any] = response.json()
        document["_etag"] = response.headers["etag"]
        return document

    def get(self, article_id: int, who: str | None = None, tail: str = "") -> httpx.Response:
        return self.client.get(f"/v1/articles/{article_id}{tail}", headers=self.headers(who))

    def etag(self, article_id: int, who: str = "admin") -> str:
        response = self.get(article_id, who)
        assert response.status_code == 200, response.text
        return response.headers["etag"]

    def patch(
        self,
        article_id: int,
        patch: dict[str, Any],
        who: str = "en_editor",
        etag: str | None = None,
        content_type: str = "application/merge-patch+json",
    ) -> httpx.Response:
        headers = self.headers(who, Content_Type=content_type)
        headers["If-Match"] = etag if etag is not None else self.etag(article_id)
        return self.client.patch(
            f"/v1/articles/{article_id}", content=orjson.dumps(patch), headers=headers
        )

    def publish(
        self, article_id: int, who: str = "en_editor", at: str | None = None, **headers: str
    ) -> httpx.Response:
        return self.client.post(
            f"/v1/articles/{article_id}/publish",
            json={"at": at} if at is not None else None,
            headers=self.headers(who, **headers),
        )

    def action(self, method: str, path: str, who: str | None, **kwargs: Any) -> httpx.Response:
        headers = self.headers(who, **kwargs.pop("headers", {}))
        return self.client.request(method, path, headers=headers, **kwargs)


def make_newsroom(
    client: TestClient,
    sessions: sessionmaker[Session],
    store: Callable[[dict[str, Any]], Any],
) -> Newsroom:
    store(
        bundle(
            services=[service("en"), service("ru")],
            sections=[term("en", "world"), term("ru", "world")],
            tags=[term("en", "politics"), term("en", "economy"), term("ru", "politics")],
            authors=[author("jane-doe"), author("ivan-petrov")],
            videos=[video("en", "Budget vote in parliament"), video("en", "Minister interview")],
        )
    )
    room = Newsroom(client, sessions)
    for who, (role, services) in ROLES.items():
        room.tokens[who] = room.token(role, services, who)
    with sessions() as session:
        room.videos = list(session.scalars(select(Video.id).order_by(Video.id)))
    return room


@pytest.fixture
def room(
    client: TestClient,
    sessions: sessionmaker[Session],
    store: Callable[[dict[str, Any]], Any],
) -> Newsroom:
    return make_newsroom(client, sessions, store)
