"""Tokens and requests for the tests of the store's editorial writes and imports."""

from dataclasses import dataclass, field
from typing import Any

import httpx
import orjson
from fastapi.testclient import TestClient
from sqlalchemy import Engine, text
from sqlalchemy.orm import Session, sessionmaker

from app.auth.service import create_token

#: Who holds which token: role and services.
ROLES: dict[str, tuple[str, list[str]]] = {
    "admin": ("admin", []),
    "en_editor": ("editor", ["en"]),
    "ru_editor": ("editor", ["ru"]),
    "both_editor": ("editor", ["en", "ru"]),
    "en_viewer": ("viewer", ["en"]),
}

#: Classic payloads that must never come back out as markup.
XSS = [
    "<script>alert(1)</script>",
    '<img src=x onerror="alert(1)">',
    "<svg/onload=alert(1)>",
    '<a href="javascript:alert(1)">click</a>',
    "<iframe src=javascript:alert(1)></iframe>",
    '"><script>alert(document.cookie)</script>',
    "<body onload=alert(1)>",
    '<div style="background:url(javascript:alert(1))">x</div>',
    "<math><mi xlink:href=javascript:alert(1)>x</mi></math>",
    "<details open ontoggle=alert(1)>",
    "<<script>script>alert(1)<</script>/script>",
    "&lt;script&gt;alert(1)&lt;/script&gt;",
]


def assert_no_markup(value: Any) -> None:
    """No tag, event handler or javascript: URL anywhere in a JSON document."""
    flat = orjson.dumps(value).decode().lower()
    for needle in ("<script", "<img", "<svg", "<iframe", "<body", "<div", "<math", "<details"):
        assert needle not in flat, needle
    assert "javascript:" not in flat
    assert "onerror=" not in flat and "onload=" not in flat and "ontoggle=" not in flat


@dataclass
class Desk:
    """An HTTP client with one token per role."""

    client: TestClient
    sessions: sessionmaker[Session]
    tokens: dict[str, str] = field(default_factory=dict)

    def headers(self, who: str | None, **extra: str) -> dict[str, str]:
        found = {name.replace("_", "-"): value for name, value in extra.items()}
        if who is not None:
            found["Authorization"] = f"Bearer {self.tokens[who]}"
        return found

    def post(
        self, path: str, body: Any, who: str | None = "admin", **headers: str
    ) -> httpx.Response:
        return self.client.post(path, json=body, headers=self.headers(who, **headers))

    def patch(
        self,
        path: str,
        patch: Any,
        who: str | None = "admin",
        etag: str | None = None,
        content_type: str = "application/merge-patch+json",
    ) -> httpx.Response:
        headers = self.headers(who, Content_Type=content_type)
        if etag is not None:
            headers["If-Match"] = etag
        return self.client.patch(path, content=orjson.dumps(patch), headers=headers)

    def delete(
        self, path: str, who: str | None = "admin", etag: str | None = None
    ) -> httpx.Response:
        headers = self.headers(who)
        if etag is not None:
            headers["If-Match"] = etag
        return self.client.delete(path, headers=headers)


def make_desk(client: TestClient, sessions: sessionmaker[Session]) -> Desk:
    """Tokens for every role; the services they name must exist already."""
    desk = Desk(client, sessions)
    with sessions.begin() as session:
        for who, (role, services) in ROLES.items():
            desk.tokens[who] = create_token(session, role, services, who)[1]
    return desk


#: The tables an import writes, with a stable order, for before/after comparisons.
DUMPED = {
    "services": "code",
    "sections": "service_id, slug",
    "tags": "service_id, slug",
    "authors": "slug",
    "videos": "uri",
    "video_tags": "video_id, tag_id",
    "video_renders": "video_id",
    "articles": "uri",
    "article_tags": "article_id, tag_id",
    "article_authors": "article_id, author_id",
    "article_videos": "article_id, video_id",
    "article_slugs": "article_id, slug",
    "summaries": "article_id, source",
    "corrections": "article_id, created_at",
    "article_renders": "article_id",
    "article_related_videos": "article_id, video_id",
}


def dump_store(engine: Engine) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of the content tables, in a stable order."""
    with engine.connect() as connection:
        return {
            table: [
                tuple(row)
                for row in connection.execute(text(f"SELECT * FROM {table} ORDER BY {order}"))
            ]
            for table, order in DUMPED.items()
        }
