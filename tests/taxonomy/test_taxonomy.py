"""Sections, tags and authors: lists, details, the service filter, ambiguity."""

from typing import Any

import pytest
from factories import article, author, bundle, service, term
from fastapi.testclient import TestClient
from support import assert_problem


@pytest.fixture
def taxonomy(store: Any) -> None:
    store(
        bundle(
            services=[service("en"), service("ru")],
            sections=[
                term("en", "world", "World"),
                term("en", "economy"),
                term("ru", "world", "Мир"),
            ],
            tags=[term("en", "elections"), term("ru", "elections", "Выборы"), term("ru", "sport")],
            authors=[
                {"slug": "jane-doe", "name": "Jane Doe", "bio": "Covers Europe."},
                author("ivan-petrov", "Ivan Petrov"),
                author("no-articles", "Nobody Yet"),
            ],
            articles=[
                article("en", authors=["jane-doe"]),
                article("ru", authors=["ivan-petrov", "jane-doe"]),
            ],
        )
    )


def slugs(client: TestClient, path: str, **params: Any) -> list[tuple[str, str]]:
    response = client.get(path, params=params)
    assert response.status_code == 200, response.text
    return [(item["slug"], item.get("service", "")) for item in response.json()["items"]]


def test_sections_list_every_service(client: TestClient, taxonomy: None) -> None:
    items = client.get("/v1/sections").json()["items"]
    assert items == [
        {"slug": "world", "name": "World", "service": "en"},
        {"slug": "economy", "name": "Economy", "service": "en"},
        {"slug": "world", "name": "Мир", "service": "ru"},
    ]


def test_sections_filter_by_service(client: TestClient, taxonomy: None) -> None:
    assert slugs(client, "/v1/sections", service="en") == [("world", "en"), ("economy", "en")]
    assert slugs(client, "/v1/sections", service="ru") == [("world", "ru")]


def test_tags_list_and_filter_by_service(client: TestClient, taxonomy: None) -> None:
    assert slugs(client, "/v1/tags") == [("elections", "en"), ("elections", "ru"), ("sport", "ru")]
    assert slugs(client, "/v1/tags", service="ru") == [("elections", "ru"), ("sport", "ru")]


def test_authors_list_everyone(client: TestClient, taxonomy: None) -> None:
    items = client.get("/v1/authors").json()["items"]
    assert items == [
        {"slug": "jane-doe", "name": "Jane Doe", "bio": "Covers Europe."},
        {"slug": "ivan-petrov", "name": "Ivan Petrov", "bio": None},
        {"slug": "no-articles", "name": "Nobody Yet", "bio": None},
    ]


def test_authors_filtered_by_service_are_those_who_wrote_there(
    client: TestClient, taxonomy: None
) -> None:
    en = [
        item["slug"] for item in client.get("/v1/authors", params={"service": "en"}).json()["items"]
    ]
    ru = [
        item["slug"] for item in client.get("/v1/authors", params={"service": "ru"}).json()["items"]
    ]
    assert en == ["jane-doe"]
    assert ru == ["jane-doe", "ivan-petrov"]


@pytest.mark.parametrize("kind", ["sections", "tags", "authors"])
def test_taxonomy_lists_page_with_cursor_and_link(
    client: TestClient, taxonomy: None, kind: str
) -> None:
    seen: list[Any] = []
    url: str | None = f"/v1/{kind}?limit=1"
    pages = 0
    while url:
        response = client.get(url)
        assert response.status_code == 200
        body = response.json()
        seen.extend(body["items"])
        pages += 1
        link = response.headers.get("link")
        assert (link is None) == (body["next_cursor"] is None)
        url = link[1 : link.index(">")] if link else None
    assert seen == client.get(f"/v1/{kind}").json()["items"]
    assert pages == len(seen)


@pytest.mark.parametrize("kind", ["sections", "tags", "authors"])
def test_taxonomy_lists_reject_bad_parameters(
    client: TestClient, taxonomy: None, kind: str
) -> None:
    assert_problem(client.get(f"/v1/{kind}", params={"limit": 0}), 422)
    assert_problem(client.get(f"/v1/{kind}", params={"limit": 101}), 422)
    assert_problem(client.get(f"/v1/{kind}", params={"cursor": "bogus"}), 400)
    assert_problem(client.get(f"/v1/{kind}", params={"service": "zz"}), 404)


def test_taxonomy_cursor_of_one_kind_is_refused_by_another(
    client: TestClient, taxonomy: None
) -> None:
    cursor = client.get("/v1/sections", params={"limit": 1}).json()["next_cursor"]
    assert cursor
    assert_problem(client.get("/v1/tags", params={"cursor": cursor}), 400)


def test_section_detail_with_its_service(client: TestClient, taxonomy: None) -> None:
    response = client.get("/v1/sections/economy")
    assert response.status_code == 200
    assert response.json() == {"slug": "economy", "name": "Economy", "service": "en"}
    ru = client.get("/v1/sections/world", params={"service": "ru"})
    assert ru.json() == {"slug": "world", "name": "Мир", "service": "ru"}


def test_tag_detail(client: TestClient, taxonomy: None) -> None:
    response = client.get("/v1/tags/sport")
    assert response.json() == {"slug": "sport", "name": "Sport", "service": "ru"}


@pytest.mark.parametrize("path", ["/v1/sections/world", "/v1/tags/elections"])
def test_slug_shared_by_services_needs_a_service(
    client: TestClient, taxonomy: None, path: str
) -> None:
    body = assert_problem(client.get(path), 400)
    assert body["errors"][0]["field"] == "service"
    assert client.get(path, params={"service": "en"}).json()["service"] == "en"
    assert client.get(path, params={"service": "ru"}).json()["service"] == "ru"


def test_author_detail(client: TestClient, taxonomy: None) -> None:
    response = client.get("/v1/authors/jane-doe")
    assert response.status_code == 200
    assert response.json() == {"slug": "jane-doe", "name": "Jane Doe", "bio": "Covers Europe."}


@pytest.mark.parametrize("path", ["/v1/sections/nowhere", "/v1/tags/nothing", "/v1/authors/nobody"])
def test_unknown_taxonomy_slug_is_404(client: TestClient, taxonomy: None, path: str) -> None:
    assert_problem(client.get(path), 404)


def test_taxonomy_slug_of_another_service_is_404(client: TestClient, taxonomy: None) -> None:
    assert_problem(client.get("/v1/sections/economy", params={"service": "ru"}), 404)
    assert_problem(client.get("/v1/tags/sport", params={"service": "zz"}), 404)


@pytest.mark.parametrize("path", ["/v1/sections/a.b", "/v1/tags/" + "x" * 201])
def test_malformed_taxonomy_slug_is_422(client: TestClient, taxonomy: None, path: str) -> None:
    assert_problem(client.get(path), 422)
