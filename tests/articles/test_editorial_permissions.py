"""Who may do what: 401 without a good token, 403 for a role or service that may
not, and the same 404 as an unknown id wherever 403 would reveal a hidden item."""

from typing import Any

import httpx
import pytest
from support import assert_problem

from articles.editorial_kit import UNKNOWN_ID, Newsroom, room

__all__ = ["room"]

# Every write, as (method, path tail, JSON body); the body is valid for a draft.
WRITES: list[tuple[str, str, Any]] = [
    ("PATCH", "", {"dek": "A new standfirst."}),
    ("DELETE", "", None),
    ("POST", "/publish", None),
    ("POST", "/unpublish", None),
    ("PUT", "/summary", {"bullets": ["One point."]}),
    ("DELETE", "/summary", None),
    ("PUT", "/related-videos", {"video_ids": []}),
]
READS = ["/revisions", "/revisions/1"]


def write(
    room: Newsroom, who: str | None, article_id: int, method: str, tail: str, body: Any
) -> httpx.Response:
    headers = {"If-Match": "*"}
    if method == "PATCH":
        headers["Content-Type"] = "application/merge-patch+json"
    return room.action(
        method,
        f"/v1/articles/{article_id}{tail}",
        who,
        headers=headers,
        **({"json": body} if body is not None and method != "PATCH" else {}),
        **({"content": httpx.Request("X", "/", json=body).content} if method == "PATCH" else {}),
    )


def without_instance(problem: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in problem.items() if key != "instance"}


def test_the_same_editor_gets_no_access_to_a_ru_draft(room: Newsroom) -> None:
    ru_draft = room.draft("ru_editor", service="ru", headline="Новости дня")["id"]
    assert room.get(ru_draft, "ru_editor").status_code == 200
    unknown = without_instance(assert_problem(room.get(UNKNOWN_ID, "en_editor"), 404))
    assert without_instance(assert_problem(room.get(ru_draft, "en_editor"), 404)) == unknown
    for tail in ("/summary", "/related-videos", *READS):
        assert_problem(room.get(ru_draft, "en_editor", tail=tail), 404)
    for method, tail, body in WRITES:
        response = write(room, "en_editor", ru_draft, method, tail, body)
        hidden = without_instance(assert_problem(response, 404))
        never = without_instance(
            assert_problem(write(room, "en_editor", UNKNOWN_ID, method, tail, body), 404)
        )
        assert hidden == never, (method, tail)
    # Nothing changed.
    assert room.get(ru_draft, "ru_editor").headers["etag"] == f'"article-{ru_draft}-v1"'


def test_a_published_ru_article_is_403_to_write_for_an_en_editor(room: Newsroom) -> None:
    ru_article = room.draft("ru_editor", service="ru", headline="Новости дня")["id"]
    room.publish(ru_article, "ru_editor")
    public = room.get(ru_article, "en_editor")
    assert public.status_code == 200
    assert public.headers["cache-control"] == "private, no-store"
    for method, tail, body in WRITES:
        assert_problem(write(room, "en_editor", ru_article, method, tail, body), 403)
    assert_problem(room.get(ru_article, "en_editor", tail="/revisions"), 403)


def test_an_en_editor_cannot_create_in_ru(room: Newsroom) -> None:
    assert_problem(room.create("en_editor", service="ru"), 403)
    assert_problem(room.create("en_viewer", service="en"), 403)
    unknown = assert_problem(room.create("admin", service="xx"), 422)
    assert unknown["errors"][0]["field"] == "service"


def test_a_viewer_reads_drafts_but_writes_nothing(room: Newsroom) -> None:
    draft = room.draft("en_editor")
    article_id = draft["id"]
    seen = room.get(article_id, "en_viewer")
    assert seen.status_code == 200
    assert seen.json()["status"] == "draft"
    assert room.get(article_id, "en_viewer", tail="/revisions").status_code == 200
    assert room.get(article_id, "en_viewer", tail="/revisions/1").status_code == 200
    for method, tail, body in WRITES:
        assert_problem(write(room, "en_viewer", article_id, method, tail, body), 403)
    assert room.get(article_id, "en_viewer").headers["etag"] == draft["_etag"]


def test_an_admin_may_do_everything_everywhere(room: Newsroom) -> None:
    ru_draft = room.draft("admin", service="ru", headline="Новости дня")["id"]
    assert room.get(ru_draft, "admin").status_code == 200
    for method, tail, body in WRITES:
        response = write(room, "admin", ru_draft, method, tail, body)
        assert response.status_code < 400 or response.status_code == 409, (method, tail)


@pytest.mark.parametrize("token", [None, "Bearer mh_unknown", "Basic abc", "Bearer "])
def test_writes_without_a_good_token_are_401(room: Newsroom, token: str | None) -> None:
    article_id = room.draft()["id"]
    headers = {} if token is None else {"Authorization": token}
    create = room.client.post("/v1/articles", json={"service": "en"}, headers=headers)
    assert_problem(create, 401)
    for method, tail, body in WRITES:
        response = room.client.request(
            method,
            f"/v1/articles/{article_id}{tail}",
            json=body,
            headers={**headers, "If-Match": "*"},
        )
        assert_problem(response, 401)
        assert response.headers["www-authenticate"].startswith("Bearer")
    for tail in READS:
        response = room.client.get(f"/v1/articles/{article_id}{tail}", headers=headers)
        assert_problem(response, 401)


def test_a_revoked_token_is_401(room: Newsroom) -> None:
    from app.auth.service import revoke_token
    from app.models import ApiToken

    article_id = room.draft()["id"]
    secret = room.token("editor", ["en"], "leaver")
    with room.sessions.begin() as session:
        from sqlalchemy import select

        token = session.scalars(select(ApiToken).where(ApiToken.name == "leaver")).one()
        revoke_token(session, token.id)
    response = room.client.get(
        f"/v1/articles/{article_id}", headers={"Authorization": f"Bearer {secret}"}
    )
    assert_problem(response, 401)


def test_a_draft_without_a_token_answers_exactly_what_an_unknown_id_answers(
    room: Newsroom,
) -> None:
    article_id = room.draft()["id"]
    for tail in ("", "/summary", "/related-videos"):
        hidden = room.get(article_id, tail=tail)
        unknown = room.get(UNKNOWN_ID, tail=tail)
        assert hidden.status_code == unknown.status_code == 404
        hidden_body = without_instance(hidden.json())
        assert hidden_body == without_instance(unknown.json())
        # The headers too, but for those that follow the path's length or the request.
        varying = {"x-request-id", "content-length"}
        assert {k: v for k, v in hidden.headers.items() if k not in varying} == {
            k: v for k, v in unknown.headers.items() if k not in varying
        }


def test_editor_of_two_services_works_in_both(room: Newsroom) -> None:
    secret = room.token("editor", ["en", "ru"], "both")
    room.tokens["both"] = secret
    en = room.create("both", service="en")
    ru = room.create("both", service="ru", headline="Погода")
    assert en.status_code == ru.status_code == 201
