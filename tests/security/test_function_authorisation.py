"""API5, broken function level authorisation: viewers never write, editors never
reach another service's writes or the admin routes; every write of the spec refuses
a viewer."""

from typing import Any

import orjson
import pytest
from articles.editorial_kit import Newsroom, room
from support import FIXTURES

__all__ = ["room"]

SPEC = orjson.loads((FIXTURES.parent.parent / "openapi" / "openapi.json").read_bytes())
WRITES = sorted(
    (method.upper(), path)
    for path, operations in SPEC["paths"].items()
    for method in operations
    if method in ("post", "put", "patch", "delete")
)
SAMPLES = {"{article_id}": "1", "{video_id}": "1", "{code}": "en", "{slug}": "world", "{n}": "1"}

#: Valid bodies, so that a refusal is the authorisation's and not validation's.
BODIES: dict[str, dict[str, Any]] = {
    "/v1/articles": {"service": "en", "headline": "H", "body": []},
    "/v1/videos": {
        "service": "en",
        "title": "T",
        "duration": 1,
        "thumbnail": {"url": "https://img.example.com/t.jpg"},
        "renditions": [],
        "captions": [],
    },
    "/v1/sections": {"service": "en", "slug": "new", "name": "New"},
    "/v1/tags": {"service": "en", "slug": "new", "name": "New"},
    "/v1/authors": {"slug": "new", "name": "New"},
    "/v1/notices": {"text": "Notice", "countries": ["RU"]},
    "/v1/services": {"code": "de", "name": "Deutsch", "language": "de"},
    "/v1/webhooks": {"url": "https://hooks.example.com/x", "events": ["article.published"]},
}


def concrete(path: str) -> str:
    for placeholder, value in SAMPLES.items():
        path = path.replace(placeholder, value)
    return (
        path.replace("{delivery_id}", "1").replace("{webhook_id}", "1").replace("{notice_id}", "1")
    )


def test_the_spec_has_writes_to_check() -> None:
    assert len(WRITES) > 20


@pytest.mark.parametrize(("method", "path"), WRITES)
def test_no_write_of_the_spec_succeeds_for_a_viewer_or_anonymously(
    room: Newsroom, method: str, path: str
) -> None:
    body = BODIES.get(path)
    for who in ("en_viewer", None):
        response = room.action(
            method,
            concrete(path),
            who,
            json=body,
            headers={"If-Match": '"x"', "Content-Type": "application/json"},
        )
        assert response.status_code >= 400, (who, method, path, response.text)
        assert response.status_code < 500, (who, method, path, response.text)
        if body is not None:
            assert response.status_code == (403 if who else 401), (who, response.text)


@pytest.mark.parametrize("path", ["/v1/services", "/v1/webhooks"])
def test_editors_cannot_reach_admin_routes(room: Newsroom, path: str) -> None:
    created = room.action("POST", path, "en_editor", json=BODIES[path])
    assert created.status_code == 403, created.text
    listed = room.action("GET", "/v1/webhooks", "en_editor")
    assert listed.status_code == 403


@pytest.mark.parametrize("path", ["/v1/articles", "/v1/videos", "/v1/sections", "/v1/tags"])
def test_editors_cannot_write_into_another_service(room: Newsroom, path: str) -> None:
    body = {**BODIES[path], "service": "ru"}
    assert room.action("POST", path, "en_editor", json=body).status_code == 403
    assert room.action("POST", path, "ru_editor", json=body).status_code == 201
