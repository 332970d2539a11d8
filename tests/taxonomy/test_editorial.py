"""POST/PATCH/DELETE of sections, tags and authors: permissions, If-Match, and
every article and video that carries a term re-rendered by the write."""

from typing import Any

import pytest
from factories import article, author, bundle, service, term, video
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from store_kit import XSS, Desk, assert_no_markup, make_desk
from support import assert_problem

from app.models import Article


@pytest.fixture
def desk(client: TestClient, sessions: sessionmaker[Session], store: Any) -> Desk:
    store(
        bundle(
            services=[service("en"), service("ru")],
            sections=[term("en", "world"), term("en", "empty"), term("ru", "world")],
            tags=[term("en", "war"), term("en", "budget"), term("ru", "war")],
            authors=[author("jane-roe", "Jane Roe"), author("idle-writer")],
            videos=[video("en", "Front line", uri="urn:v:front", section="world", tags=["war"])],
            articles=[
                article(
                    "en",
                    "Talks resume in Geneva",
                    uri="urn:a:talks",
                    section="world",
                    tags=["war", "budget"],
                    authors=["jane-roe"],
                    related_videos=["urn:v:front"],
                )
            ],
        )
    )
    return make_desk(client, sessions)


def story(desk: Desk, sessions: sessionmaker[Session]) -> dict[str, Any]:
    with sessions() as session:
        article_id = session.scalar(select(Article.id).where(Article.uri == "urn:a:talks"))
    detail: dict[str, Any] = desk.client.get(f"/v1/articles/{article_id}").json()
    return detail


def public_etag(desk: Desk, path: str, **params: str) -> str:
    response = desk.client.get(path, params=params)
    assert response.status_code == 200, response.text
    return response.headers["etag"]


# Sections --------------------------------------------------------------------


def test_editor_creates_a_section_in_their_service(desk: Desk) -> None:
    response = desk.post(
        "/v1/sections", {"service": "en", "slug": "sport", "name": "Sport"}, who="en_editor"
    )
    assert response.status_code == 201, response.text
    assert response.json() == {"slug": "sport", "name": "Sport", "service": "en"}
    assert response.headers["location"] == "/v1/sections/sport?service=en"
    public = desk.client.get("/v1/sections/sport", params={"service": "en"})
    assert public.json()["name"] == "Sport"
    assert public.headers["etag"] == response.headers["etag"]


def test_slug_is_made_from_the_name(desk: Desk) -> None:
    response = desk.post("/v1/sections", {"service": "ru", "name": "Новости дня"}, who="ru_editor")
    assert response.status_code == 201, response.text
    assert response.json()["slug"] == "novosti-dnia"


@pytest.mark.parametrize(
    ("who", "body", "status"),
    [
        (None, {"service": "en", "slug": "a", "name": "A"}, 401),
        ("en_viewer", {"service": "en", "slug": "a", "name": "A"}, 403),
        ("ru_editor", {"service": "en", "slug": "a", "name": "A"}, 403),
        ("admin", {"service": "xx", "slug": "a", "name": "A"}, 422),
        ("admin", {"service": "en", "slug": "world", "name": "World"}, 409),
        ("admin", {"service": "en", "slug": "a b", "name": "A"}, 422),
        ("admin", {"service": "en", "slug": "a", "name": "A", "colour": "red"}, 422),
        ("admin", {"service": "en", "name": "!!!"}, 422),
    ],
)
def test_section_create_failures(
    desk: Desk, who: str | None, body: dict[str, Any], status: int
) -> None:
    assert_problem(desk.post("/v1/sections", body, who=who), status)


def test_section_rename_re_renders_articles_and_videos(
    desk: Desk, sessions: sessionmaker[Session]
) -> None:
    etag = public_etag(desk, "/v1/sections/world", service="en")
    response = desk.patch(
        "/v1/sections/world?service=en", {"name": "World news"}, who="en_editor", etag=etag
    )
    assert response.status_code == 200, response.text
    assert response.json()["name"] == "World news"
    detail = story(desk, sessions)
    assert detail["section"] == {"slug": "world", "name": "World news"}
    video_id = detail["related_videos"][0]["id"]
    assert detail["related_videos"][0]["section"]["name"] == "World news"
    assert desk.client.get(f"/v1/videos/{video_id}").json()["section"]["name"] == "World news"
    moved = desk.patch(
        "/v1/sections/world?service=en", {"slug": "international"}, etag=response.headers["etag"]
    )
    assert moved.status_code == 200, moved.text
    assert story(desk, sessions)["section"]["slug"] == "international"
    assert_problem(desk.client.get("/v1/sections/world", params={"service": "en"}), 404)


def test_section_patch_failures(desk: Desk) -> None:
    path = "/v1/sections/world?service=en"
    etag = public_etag(desk, "/v1/sections/world", service="en")
    assert_problem(desk.patch(path, {"name": "X"}), 428)
    assert_problem(desk.patch(path, {"name": "X"}, etag='"nope"'), 412)
    assert_problem(desk.patch(path, {"name": "X"}, etag=f"W/{etag}"), 412)
    assert_problem(desk.patch(path, {"name": None}, etag=etag), 422)
    assert_problem(desk.patch(path, {"service": "ru"}, etag=etag), 422)
    assert_problem(desk.patch(path, {"slug": "empty"}, etag=etag), 409)
    assert_problem(desk.patch(path, {"name": "X"}, who="ru_editor", etag=etag), 403)
    assert_problem(desk.patch("/v1/sections/nope?service=en", {"name": "X"}, etag=etag), 404)
    assert_problem(desk.patch("/v1/sections/world?service=xx", {"name": "X"}, etag=etag), 404)
    assert_problem(desk.patch("/v1/sections/world", {"name": "X"}, etag=etag), 422)
    assert desk.client.get("/v1/sections/world", params={"service": "en"}).headers["etag"] == etag


def test_a_section_in_use_is_not_deleted(desk: Desk) -> None:
    etag = public_etag(desk, "/v1/sections/world", service="en")
    body = assert_problem(desk.delete("/v1/sections/world?service=en", etag=etag), 409)
    assert "holds" in body["detail"]
    empty = public_etag(desk, "/v1/sections/empty", service="en")
    assert_problem(desk.delete("/v1/sections/empty?service=en", etag=etag), 412)
    assert_problem(desk.delete("/v1/sections/empty?service=en"), 428)
    assert (
        desk.delete("/v1/sections/empty?service=en", who="en_editor", etag=empty).status_code == 204
    )
    assert_problem(desk.client.get("/v1/sections/empty", params={"service": "en"}), 404)


# Tags ------------------------------------------------------------------------


def test_tag_rename_and_delete_re_render_what_carries_it(
    desk: Desk, sessions: sessionmaker[Session]
) -> None:
    created = desk.post("/v1/tags", {"service": "en", "slug": "peace", "name": "Peace"})
    assert created.status_code == 201, created.text
    etag = public_etag(desk, "/v1/tags/war", service="en")
    renamed = desk.patch(
        "/v1/tags/war?service=en", {"name": "Conflict"}, who="en_editor", etag=etag
    )
    assert renamed.status_code == 200, renamed.text
    detail = story(desk, sessions)
    assert {t["name"] for t in detail["tags"]} == {"Conflict", "Budget"}
    assert detail["related_videos"][0]["tags"] == [{"slug": "war", "name": "Conflict"}]
    deleted = desk.delete("/v1/tags/war?service=en", etag=renamed.headers["etag"])
    assert deleted.status_code == 204
    detail = story(desk, sessions)
    assert [t["slug"] for t in detail["tags"]] == ["budget"]
    assert desk.client.get(f"/v1/videos/{detail['related_videos'][0]['id']}").json()["tags"] == []
    articles = desk.client.get("/v1/articles", params={"tag": "war", "service": "en"}).json()
    assert articles["items"] == []
    # The other service's tag of the same slug is untouched.
    assert desk.client.get("/v1/tags/war", params={"service": "ru"}).status_code == 200


def test_tag_writes_need_a_writer_of_the_service(desk: Desk) -> None:
    etag = public_etag(desk, "/v1/tags/war", service="ru")
    assert_problem(
        desk.post("/v1/tags", {"service": "ru", "slug": "x", "name": "X"}, who="en_editor"), 403
    )
    assert_problem(desk.delete("/v1/tags/war?service=ru", who="en_editor", etag=etag), 403)
    assert_problem(desk.delete("/v1/tags/war?service=ru", who=None, etag=etag), 401)
    assert desk.delete("/v1/tags/war?service=ru", who="both_editor", etag=etag).status_code == 204


def test_tag_post_replays_an_idempotency_key(desk: Desk) -> None:
    body = {"service": "en", "slug": "peace", "name": "Peace"}
    first = desk.post("/v1/tags", body, Idempotency_Key="t1")
    again = desk.post("/v1/tags", body, Idempotency_Key="t1")
    assert (first.status_code, again.status_code) == (201, 201)
    assert again.headers["idempotency-replayed"] == "true"
    assert_problem(desk.post("/v1/tags", body), 409)


# Authors -----------------------------------------------------------------------


def test_any_editor_writes_authors(desk: Desk, sessions: sessionmaker[Session]) -> None:
    created = desk.post(
        "/v1/authors", {"name": "Олена Петренко", "bio": "Kyiv correspondent."}, who="ru_editor"
    )
    assert created.status_code == 201, created.text
    assert created.json() == {
        "slug": "olena-petrenko",
        "name": "Олена Петренко",
        "bio": "Kyiv correspondent.",
    }
    assert_problem(desk.post("/v1/authors", {"name": "X"}, who="en_viewer"), 403)
    assert_problem(desk.post("/v1/authors", {"name": "X"}, who=None), 401)
    assert_problem(desk.post("/v1/authors", {"slug": "jane-roe", "name": "Jane"}), 409)
    etag = public_etag(desk, "/v1/authors/jane-roe")
    renamed = desk.patch(
        "/v1/authors/jane-roe", {"name": "Jane Roe-Smith"}, who="ru_editor", etag=etag
    )
    assert renamed.status_code == 200, renamed.text
    assert story(desk, sessions)["authors"] == [{"slug": "jane-roe", "name": "Jane Roe-Smith"}]
    assert_problem(desk.patch("/v1/authors/jane-roe", {"name": "Y"}, etag=etag), 412)
    assert_problem(desk.patch("/v1/authors/nobody", {"name": "Y"}, etag=etag), 404)


def test_a_credited_author_is_not_deleted(desk: Desk) -> None:
    etag = public_etag(desk, "/v1/authors/jane-roe")
    assert_problem(desk.delete("/v1/authors/jane-roe", etag=etag), 409)
    idle = public_etag(desk, "/v1/authors/idle-writer")
    assert desk.delete("/v1/authors/idle-writer", who="en_editor", etag=idle).status_code == 204
    assert_problem(desk.client.get("/v1/authors/idle-writer"), 404)


@pytest.mark.parametrize("payload", XSS)
def test_markup_in_names_and_bios_never_comes_back(desk: Desk, payload: str) -> None:
    response = desk.post(
        "/v1/authors", {"slug": "x-author", "name": f"{payload} Ann", "bio": payload}
    )
    assert response.status_code == 201, response.text
    assert_no_markup(response.json())
    assert_no_markup(desk.client.get("/v1/authors/x-author").json())
    section = desk.post(
        "/v1/sections", {"service": "en", "slug": "x-section", "name": f"{payload} S"}
    )
    assert section.status_code == 201, section.text
    assert_no_markup(desk.client.get("/v1/sections/x-section", params={"service": "en"}).json())
