"""POST/PATCH/DELETE /v1/services: admin only; a new site URL re-renders the
canonical URLs of the service's articles."""

from typing import Any

import pytest
from factories import article, bundle, notice, service
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from store_kit import Desk, assert_no_markup, make_desk
from support import assert_problem

from app.models import Article


@pytest.fixture
def desk(client: TestClient, sessions: sessionmaker[Session], store: Any) -> Desk:
    store(
        bundle(
            services=[service("en"), service("ru")],
            articles=[article("en", "Markets rally", uri="urn:a:markets")],
        )
    )
    return make_desk(client, sessions)


FARSI = {
    "code": "fa",
    "name": "BBC Persian",
    "language": "fa",
    "direction": "rtl",
    "timezone": "Asia/Tehran",
    "site_url": "https://fa.news.example",
}


def test_admin_creates_a_service(desk: Desk) -> None:
    response = desk.post("/v1/services", FARSI)
    assert response.status_code == 201, response.text
    assert response.json() == {**FARSI, "description": None}
    assert response.headers["location"] == "/v1/services/fa"
    public = desk.client.get("/v1/services/fa")
    assert public.json()["direction"] == "rtl"
    assert public.headers["etag"] == response.headers["etag"]
    assert_problem(desk.post("/v1/services", FARSI), 409)


@pytest.mark.parametrize(
    ("who", "body", "status"),
    [
        (None, FARSI, 401),
        ("en_editor", FARSI, 403),
        ("en_viewer", FARSI, 403),
        ("admin", {**FARSI, "timezone": "Mars/Olympus"}, 422),
        ("admin", {**FARSI, "code": "FA"}, 422),
        ("admin", {**FARSI, "direction": "up"}, 422),
        ("admin", {**FARSI, "site_url": "javascript:alert(1)"}, 422),
        ("admin", {**FARSI, "colour": "red"}, 422),
    ],
)
def test_service_create_failures(
    desk: Desk, who: str | None, body: dict[str, Any], status: int
) -> None:
    assert_problem(desk.post("/v1/services", body, who=who), status)


def test_new_site_url_moves_every_canonical_url(
    desk: Desk, sessions: sessionmaker[Session]
) -> None:
    with sessions() as session:
        article_id = session.scalar(select(Article.id).where(Article.uri == "urn:a:markets"))
    before = desk.client.get(f"/v1/articles/{article_id}").json()["url"]
    assert before.startswith("https://en.news.example/")
    etag = desk.client.get("/v1/services/en").headers["etag"]
    assert_problem(desk.patch("/v1/services/en", {"site_url": "https://x.example"}), 428)
    assert_problem(desk.patch("/v1/services/en", {"name": "x"}, who="en_editor", etag=etag), 403)
    response = desk.patch(
        "/v1/services/en",
        {"site_url": "https://www.example.com/news", "name": "<b>English</b>"},
        etag=etag,
    )
    assert response.status_code == 200, response.text
    assert response.json()["name"] == "English"
    after = desk.client.get(f"/v1/articles/{article_id}").json()["url"]
    assert after.startswith("https://www.example.com/news/a/")
    assert_problem(desk.patch("/v1/services/en", {"name": "x"}, etag=etag), 412)
    etag = response.headers["etag"]
    assert_problem(desk.patch("/v1/services/en", {"code": "english"}, etag=etag), 422)
    assert_problem(desk.patch("/v1/services/en", {"language": None}, etag=etag), 422)
    assert_problem(desk.patch("/v1/services/xx", {"name": "x"}, etag=etag), 404)


def test_a_service_with_content_or_notices_is_not_deleted(desk: Desk, store: Any) -> None:
    etag = desk.client.get("/v1/services/en").headers["etag"]
    assert_problem(desk.delete("/v1/services/en", etag=etag), 409)
    store(bundle(services=[service("ru")], notices=[notice("ru-only", ["RU"], services=["ru"])]))
    ru = desk.client.get("/v1/services/ru").headers["etag"]
    body = assert_problem(desk.delete("/v1/services/ru", etag=ru), 409)
    assert "Notices" in body["detail"]
    created = desk.post("/v1/services", FARSI)
    sections = desk.post("/v1/sections", {"service": "fa", "slug": "iran", "name": "Iran"})
    assert sections.status_code == 201
    assert_problem(
        desk.delete("/v1/services/fa", who="en_editor", etag=created.headers["etag"]), 403
    )
    assert_problem(desk.delete("/v1/services/fa"), 428)
    assert desk.delete("/v1/services/fa", etag=created.headers["etag"]).status_code == 204
    assert_problem(desk.client.get("/v1/services/fa"), 404)
    assert_problem(desk.client.get("/v1/sections/iran", params={"service": "fa"}), 404)


def test_service_text_is_sanitised(desk: Desk) -> None:
    body = {
        **FARSI,
        "name": "<script>alert(1)</script>Persian",
        "description": '<img src=x onerror="alert(1)">News in Persian',
    }
    response = desk.post("/v1/services", body)
    assert response.status_code == 201, response.text
    assert_no_markup(response.json())
    assert_no_markup(desk.client.get("/v1/services/fa").json())
