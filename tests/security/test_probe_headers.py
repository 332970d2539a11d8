"""What a careful operator checks at the edge: security headers on every answer,
CORS for browsers, and addresses that never come from the request's Host."""

from typing import Any

import pytest
from factories import article, bundle
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from app.auth.service import create_token


@pytest.fixture
def moved(store: Any, client: TestClient) -> dict[str, Any]:
    """An article whose slug changed, so that its old address answers 301."""
    item = article("en", "Pension reform announced", uri="urn:a:host", slug="pension-reform")
    store(bundle(articles=[item]))
    item.update(slug="pension-reform-announced")
    store(bundle(articles=[item]))
    return {"id": client.get("/v1/articles").json()["items"][0]["id"]}


FORGED = {"Host": "evil.example", "X-Forwarded-Host": "evil.example"}


@pytest.mark.parametrize(
    "path", ["/v1/services", "/v1/articles", "/v1/articles/1", "/healthz", "/openapi.json"]
)
def test_every_answer_carries_the_security_headers(client: TestClient, path: str) -> None:
    answer = client.get(path)
    assert answer.headers["x-content-type-options"] == "nosniff"
    assert answer.headers["x-frame-options"] == "DENY"
    assert answer.headers["referrer-policy"] == "no-referrer"
    assert answer.headers["content-security-policy"] == "default-src 'none'; frame-ancestors 'none'"


def test_the_docs_may_run_their_own_script_and_nothing_else(client: TestClient) -> None:
    policy = client.get("/docs").headers["content-security-policy"]
    assert "default-src 'self'" in policy
    assert "frame-ancestors 'none'" in policy
    assert "http" not in policy


def test_a_browser_on_any_site_may_read_the_public_api(client: TestClient) -> None:
    answer = client.get("/v1/services", headers={"Origin": "https://news.example"})
    assert answer.status_code == 200
    assert answer.headers["access-control-allow-origin"] == "*"
    assert "access-control-allow-credentials" not in answer.headers
    exposed = answer.headers["access-control-expose-headers"].lower()
    assert "etag" in exposed and "link" in exposed
    # The same answer without an Origin: one copy in a shared cache serves both.
    plain = client.get("/v1/services")
    assert plain.headers["access-control-allow-origin"] == "*"
    assert "origin" not in plain.headers["vary"].lower()


def test_a_preflight_names_the_methods_and_headers_a_write_needs(client: TestClient) -> None:
    answer = client.options(
        "/v1/articles/1",
        headers={
            "Origin": "https://cms.example",
            "Access-Control-Request-Method": "PATCH",
            "Access-Control-Request-Headers": "authorization, if-match, content-type",
        },
    )
    assert answer.status_code == 204
    assert answer.headers["access-control-allow-origin"] == "*"
    assert "PATCH" in answer.headers["access-control-allow-methods"]
    allowed = answer.headers["access-control-allow-headers"].lower()
    assert {"authorization", "if-match", "content-type"} <= {h.strip() for h in allowed.split(",")}
    assert "access-control-allow-credentials" not in answer.headers


def test_a_plain_options_is_still_a_405(client: TestClient) -> None:
    answer = client.options("/v1/services")
    assert answer.status_code == 405
    assert "POST" in answer.headers["allow"]


def test_a_redirect_never_names_the_requests_host(client: TestClient, moved: Any) -> None:
    answer = client.get(
        "/v1/services/en/articles/pension-reform?fields=id",
        headers=FORGED,
        follow_redirects=False,
    )
    assert answer.status_code == 301
    assert answer.headers["location"] == (
        "/v1/services/en/articles/pension-reform-announced?fields=id"
    )


def test_a_next_link_never_names_the_requests_host(store: Any, client: TestClient) -> None:
    store(bundle(articles=[article("en", f"Story {n}", uri=f"urn:a:{n}") for n in range(3)]))
    answer = client.get("/v1/articles?limit=1", headers=FORGED)
    assert answer.headers["link"].startswith("</v1/articles?")
    assert "evil" not in answer.text


def test_a_created_items_location_never_names_the_requests_host(
    client: TestClient, sessions: sessionmaker[Session]
) -> None:
    with sessions.begin() as session:
        _, secret = create_token(session, "admin", [], "probe")
    answer = client.post(
        "/v1/authors",
        json={"slug": "jane", "name": "Jane"},
        headers={"Authorization": f"Bearer {secret}", **FORGED},
    )
    assert answer.status_code == 201, answer.text
    assert answer.headers["location"].startswith("/v1/authors/")
