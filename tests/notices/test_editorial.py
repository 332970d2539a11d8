"""POST/PATCH/DELETE /v1/notices: who may write which notice, and readers seeing
each change on their next read."""

from typing import Any

import pytest
from factories import article, bundle, service
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from store_kit import XSS, Desk, assert_no_markup, make_desk
from support import assert_problem

from app.models import Article

RUSSIA = {"CF-IPCountry": "RU"}


@pytest.fixture
def desk(client: TestClient, sessions: sessionmaker[Session], store: Any) -> Desk:
    store(
        bundle(
            services=[service("en"), service("ru")],
            articles=[
                article("en", "Sanctions widen", uri="urn:a:en"),
                article("ru", "Санкции расширены", uri="urn:a:ru"),
            ],
        )
    )
    return make_desk(client, sessions)


def notices(desk: Desk, sessions: sessionmaker[Session], uri: str) -> list[str]:
    with sessions() as session:
        article_id = session.scalar(select(Article.id).where(Article.uri == uri))
    detail = desk.client.get(f"/v1/articles/{article_id}", headers=RUSSIA).json()
    return [notice["text"] for notice in detail["notices"]]


def notice(**extra: Any) -> dict[str, Any]:
    return {"text": "This site is blocked in Russia; use a mirror.", "countries": ["RU"], **extra}


def test_notice_lifecycle_shows_to_readers_at_once(
    desk: Desk, sessions: sessionmaker[Session]
) -> None:
    created = desk.post("/v1/notices", notice(services=["en"], language="en"), who="en_editor")
    assert created.status_code == 201, created.text
    body = created.json()
    assert created.headers["location"] == f"/v1/notices/{body['id']}"
    assert body["services"] == ["en"] and body["countries"] == ["RU"]
    assert notices(desk, sessions, "urn:a:en") == [body["text"]]
    assert notices(desk, sessions, "urn:a:ru") == []
    path = f"/v1/notices/{body['id']}"
    changed = desk.patch(
        path, {"text": "Mirror: example.onion"}, who="en_editor", etag=created.headers["etag"]
    )
    assert changed.status_code == 200, changed.text
    assert notices(desk, sessions, "urn:a:en") == ["Mirror: example.onion"]
    assert_problem(desk.patch(path, {"text": "x"}, etag=created.headers["etag"]), 412)
    assert_problem(desk.delete(path), 428)
    assert desk.delete(path, who="en_editor", etag=changed.headers["etag"]).status_code == 204
    assert notices(desk, sessions, "urn:a:en") == []
    assert_problem(desk.delete(path, etag=changed.headers["etag"]), 404)


@pytest.mark.parametrize(
    ("who", "services", "status"),
    [
        (None, ["en"], 401),
        ("en_viewer", ["en"], 403),
        ("en_editor", None, 403),
        ("en_editor", ["en", "ru"], 403),
        ("both_editor", ["en", "ru"], 201),
        ("admin", None, 201),
    ],
)
def test_editors_write_notices_of_their_services_only(
    desk: Desk, who: str | None, services: list[str] | None, status: int
) -> None:
    body = notice() if services is None else notice(services=services)
    response = desk.post("/v1/notices", body, who=who)
    assert response.status_code == status, response.text


def test_an_editor_cannot_widen_a_notice_beyond_their_services(desk: Desk) -> None:
    created = desk.post("/v1/notices", notice(services=["en"]), who="en_editor")
    path = f"/v1/notices/{created.json()['id']}"
    etag = created.headers["etag"]
    assert_problem(desk.patch(path, {"services": None}, who="en_editor", etag=etag), 403)
    assert_problem(desk.patch(path, {"services": ["ru"]}, who="en_editor", etag=etag), 403)
    assert_problem(desk.patch(path, {"text": "x"}, who="ru_editor", etag=etag), 403)
    everywhere = desk.post("/v1/notices", notice(), who="admin")
    assert_problem(
        desk.delete(
            f"/v1/notices/{everywhere.json()['id']}",
            who="en_editor",
            etag=everywhere.headers["etag"],
        ),
        403,
    )


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"countries": []}, "countries"),
        ({"countries": ["Russia"]}, "countries.0"),
        ({"services": ["xx"]}, "services.0"),
        ({"language": "not a language"}, "language"),
        ({"active_from": "2025-02-01T00:00:00Z", "active_until": "2025-01-01T00:00:00Z"}, ""),
        ({"active_from": "2025-02-01T00:00:00"}, "active_from"),
        ({"key": "k"}, "key"),
        ({"text": "<script>alert(1)</script>"}, "text"),
    ],
)
def test_invalid_notices_are_422(desk: Desk, change: dict[str, Any], field: str) -> None:
    body = assert_problem(desk.post("/v1/notices", notice(**change)), 422)
    assert field in [error["field"] for error in body["errors"]], body["errors"]


def test_notice_windows_are_respected(desk: Desk, sessions: sessionmaker[Session]) -> None:
    desk.post("/v1/notices", notice(text="Later", active_from="2999-01-01T00:00:00Z"))
    desk.post("/v1/notices", notice(text="Over", active_until="2000-01-01T00:00:00Z"))
    desk.post("/v1/notices", notice(text="Now"))
    assert notices(desk, sessions, "urn:a:ru") == ["Now"]


@pytest.mark.parametrize("payload", XSS)
def test_markup_in_notice_text_never_comes_back(
    desk: Desk, sessions: sessionmaker[Session], payload: str
) -> None:
    created = desk.post("/v1/notices", notice(text=f"{payload} Read on."))
    assert created.status_code == 201, created.text
    assert_no_markup(created.json())
    assert_no_markup(notices(desk, sessions, "urn:a:en"))
