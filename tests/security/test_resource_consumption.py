"""API4, unrestricted resource consumption: every request is bounded in page size,
body size, query length, JSON depth and import size (rate limits: tests/ratelimit/;
event-stream connections per client: tests/breaking/)."""

import orjson
import pytest
from articles.editorial_kit import Newsroom, room
from fastapi.testclient import TestClient
from support import assert_problem

from app.http.limits import DEFAULT_LIMIT, IMPORT_LIMIT
from app.imports.schemas import MAX_ITEMS
from app.search.service import MAX_QUERY

__all__ = ["room"]


@pytest.mark.parametrize("path", ["/v1/articles", "/v1/videos", "/v1/tags", "/v1/search?q=a"])
def test_a_page_holds_at_most_100_items(client: TestClient, path: str) -> None:
    joiner = "&" if "?" in path else "?"
    assert_problem(client.get(f"{path}{joiner}limit=101"), 422)
    assert_problem(client.get(f"{path}{joiner}limit=100000000000000000000"), 422)


def test_a_search_query_is_bounded(client: TestClient) -> None:
    assert_problem(client.get("/v1/search", params={"q": "a" * (MAX_QUERY + 1)}), 422)
    many_words = " ".join(f"w{n}" for n in range(200))
    assert client.get("/v1/search", params={"q": many_words}).status_code in (400, 422)


def test_a_body_over_the_limit_is_413_before_it_is_read(room: Newsroom) -> None:
    response = room.client.post(
        "/v1/articles",
        content=b"{" + b" " * DEFAULT_LIMIT + b"}",
        headers={**room.headers("en_editor"), "Content-Type": "application/json"},
    )
    assert_problem(response, 413)


def test_an_import_over_its_limit_is_413(room: Newsroom) -> None:
    response = room.client.post(
        "/v1/import",
        content=b"x",
        headers={
            **room.headers("en_editor"),
            "Content-Type": "application/json",
            "Content-Length": str(IMPORT_LIMIT + 1),
        },
    )
    assert_problem(response, 413)


def test_an_import_of_too_many_items_is_422_and_imports_nothing(room: Newsroom) -> None:
    items = [{"uri": f"urn:x:{n}"} for n in range(MAX_ITEMS + 1)]
    response = room.client.post(
        "/v1/import", params={"service": "en"}, json={"items": items}, headers=room.headers("admin")
    )
    assert_problem(response, 422)


@pytest.mark.parametrize("depth", [100, 10_000, 100_000])
def test_deeply_nested_json_is_a_4xx_not_a_crash(room: Newsroom, depth: int) -> None:
    nested = b"[" * depth + b"]" * depth
    for path in ("/v1/articles", "/v1/import?service=en"):
        response = room.client.post(
            path,
            content=b'{"service": "en", "headline": "x", "body": ' + nested + b"}",
            headers={**room.headers("en_editor"), "Content-Type": "application/json"},
        )
        assert 400 <= response.status_code < 500, (path, depth, response.status_code)
        assert_problem(response, response.status_code)


def test_deep_json_in_a_merge_patch_is_a_4xx(room: Newsroom) -> None:
    draft = room.draft()
    nested = {"a": None}
    for _ in range(5000):
        nested = {"a": nested}
    response = room.client.patch(
        f"/v1/articles/{draft['id']}",
        content=orjson.dumps({"dek": "x"})[:-1]
        + b', "kicker": '
        + b"[" * 50_000
        + b"]" * 50_000
        + b"}",
        headers={
            **room.headers("en_editor"),
            "If-Match": draft["_etag"],
            "Content-Type": "application/merge-patch+json",
        },
    )
    assert 400 <= response.status_code < 500
