"""API3, broken object property level authorisation: what the server owns (ids,
status, versions, times, counts) cannot be written by a client."""

from typing import Any

import orjson
import pytest
from articles.editorial_kit import Newsroom, room
from support import assert_problem

__all__ = ["room"]

SERVER_OWNED: dict[str, Any] = {
    "id": 999,
    "status": "published",
    "version": 7,
    "url": "https://evil.example/",
    "published_at": "2020-01-01T00:00:00Z",
    "first_published_at": "2020-01-01T00:00:00Z",
    "updated_at": "2020-01-01T00:00:00Z",
    "word_count": 1,
    "revisions": [],
    "corrections": [{"at": "2020-01-01T00:00:00Z", "text": "x"}],
}


@pytest.mark.parametrize("name", sorted(SERVER_OWNED))
def test_a_create_naming_a_server_owned_field_is_422_and_creates_nothing(
    room: Newsroom, name: str
) -> None:
    response = room.create(**{name: SERVER_OWNED[name]})
    body = assert_problem(response, 422)
    assert any(name in error["field"] for error in body["errors"])
    listed = room.client.get(
        "/v1/articles", params={"status": "draft", "service": "en"}, headers=room.headers("admin")
    )
    assert listed.json()["items"] == []


@pytest.mark.parametrize("name", ["id", "status", "version", "service_id", "published_at"])
def test_a_patch_of_a_server_owned_field_is_422_and_changes_nothing(
    room: Newsroom, name: str
) -> None:
    draft = room.draft()
    response = room.patch(draft["id"], {name: SERVER_OWNED.get(name, 1)}, etag=draft["_etag"])
    assert_problem(response, 422)
    after = room.get(draft["id"], "en_editor")
    assert after.json()["status"] == "draft"
    assert after.headers["etag"] == draft["_etag"]


def test_a_token_cannot_be_given_a_role_through_a_body(room: Newsroom) -> None:
    response = room.client.post(
        "/v1/sections",
        content=orjson.dumps({"service": "en", "slug": "s", "name": "S", "role": "admin"}),
        headers={**room.headers("en_editor"), "Content-Type": "application/json"},
    )
    assert_problem(response, 422)
