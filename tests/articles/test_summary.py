"""GET /v1/articles/{id}/summary: the key points box."""

from typing import Any

from factories import article, bundle
from fastapi.testclient import TestClient
from support import assert_problem


def only_id(client: TestClient) -> int:
    [item] = client.get("/v1/articles").json()["items"]
    return int(item["id"])


def test_summary_endpoint_serves_the_editorial_summary(client: TestClient, store: Any) -> None:
    bullets = ["Rates rose.", "Markets fell."]
    store(bundle(articles=[article("en", summary=bullets, updated_at="2025-09-03T12:00:00Z")]))
    article_id = only_id(client)
    response = client.get(f"/v1/articles/{article_id}/summary")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    assert response.json() == {
        "bullets": bullets,
        "source": "editorial",
        "updated_at": "2025-09-03T12:00:00Z",
    }
    assert response.json() == client.get(f"/v1/articles/{article_id}").json()["summary"]


def test_summary_endpoint_serves_the_generated_summary(client: TestClient, store: Any) -> None:
    store(bundle(articles=[article("en")]))
    article_id = only_id(client)
    summary = client.get(f"/v1/articles/{article_id}/summary").json()
    assert summary["source"] == "generated"
    assert 1 <= len(summary["bullets"]) <= 3
    assert summary == client.get(f"/v1/articles/{article_id}").json()["summary"]


def test_summary_bullets_are_plain_text(client: TestClient, store: Any) -> None:
    store(bundle(articles=[article("en", summary=["<b>Bold</b> <script>x()</script>claim"])]))
    summary = client.get(f"/v1/articles/{only_id(client)}/summary").json()
    assert summary["bullets"] == ["Bold claim"]


def test_summary_of_an_unknown_article_is_404(client: TestClient, store: Any) -> None:
    store(bundle())
    assert_problem(client.get("/v1/articles/31337/summary"), 404)
    assert_problem(client.get("/v1/articles/zero/summary"), 422)
