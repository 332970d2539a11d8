"""GET /v1/services and /v1/services/{code}."""

from typing import Any

import pytest
from factories import bundle, service
from fastapi.testclient import TestClient
from support import assert_problem


@pytest.fixture
def services(store: Any) -> None:
    store(
        bundle(
            services=[
                service("en", name="English", description="News in English."),
                service("fa", name="Persian", direction="rtl", timezone="Asia/Tehran"),
                service("ru", name="Russian"),
            ]
        )
    )


def test_services_are_listed_by_code(client: TestClient, services: None) -> None:
    response = client.get("/v1/services")
    assert response.status_code == 200
    body = response.json()
    assert [item["code"] for item in body["items"]] == ["en", "fa", "ru"]
    assert body["next_cursor"] is None


def test_service_detail_has_every_documented_field(client: TestClient, services: None) -> None:
    response = client.get("/v1/services/fa")
    assert response.status_code == 200
    assert response.json() == {
        "code": "fa",
        "name": "Persian",
        "description": None,
        "language": "fa",
        "direction": "rtl",
        "timezone": "Asia/Tehran",
        "site_url": "https://fa.news.example",
    }


def test_service_in_list_equals_its_detail(client: TestClient, services: None) -> None:
    for item in client.get("/v1/services").json()["items"]:
        assert client.get(f"/v1/services/{item['code']}").json() == item
    en = client.get("/v1/services/en").json()
    assert (en["description"], en["direction"]) == ("News in English.", "ltr")


def test_unknown_service_is_404(client: TestClient, services: None) -> None:
    body = assert_problem(client.get("/v1/services/de"), 404)
    assert "de" in body["detail"]


@pytest.mark.parametrize("code", ["EN", "e_n", "-en", "x" * 40])
def test_malformed_service_code_is_422(client: TestClient, services: None, code: str) -> None:
    assert_problem(client.get(f"/v1/services/{code}"), 422)


def test_no_services_is_an_empty_list(client: TestClient) -> None:
    response = client.get("/v1/services")
    assert response.status_code == 200
    assert response.json() == {"items": [], "next_cursor": None}
