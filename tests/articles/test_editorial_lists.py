"""``GET /v1/articles?status=...``: editors and viewers list their services' drafts,
scheduled, published and archived articles."""

from datetime import UTC, datetime, timedelta
from typing import Any

from support import assert_problem

from articles.editorial_kit import Newsroom, room

__all__ = ["room"]


def by_status(room: Newsroom, who: str | None, **params: Any) -> Any:
    return room.client.get("/v1/articles", params=params, headers=room.headers(who))


def ids(response: Any) -> list[int]:
    assert response.status_code == 200, response.text
    return [item["id"] for item in response.json()["items"]]


def test_a_viewer_lists_the_drafts_of_its_services_only(room: Newsroom) -> None:
    en_first = room.draft()["id"]
    en_second = room.draft()["id"]
    ru_draft = room.draft("ru_editor", service="ru", headline="Погода")["id"]
    published = room.draft()["id"]
    room.publish(published)
    response = by_status(room, "en_viewer", status="draft")
    assert ids(response) == [en_second, en_first]
    assert response.headers["cache-control"] == "private, no-store"
    assert ids(by_status(room, "ru_editor", status="draft")) == [ru_draft]
    assert ids(by_status(room, "admin", status="draft")) == [ru_draft, en_second, en_first]
    assert ids(by_status(room, "en_viewer", status="published")) == [published]
    teaser = by_status(room, "en_viewer", status="draft").json()["items"][0]
    assert teaser.keys() == room.client.get("/v1/articles").json()["items"][0].keys()


def test_scheduled_articles_list_as_published_once_their_time_has_come(room: Newsroom) -> None:
    later = room.draft()["id"]
    room.publish(later, at=(datetime.now(UTC) + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%SZ"))
    assert ids(by_status(room, "en_editor", status="scheduled")) == [later]
    assert ids(by_status(room, "en_editor", status="published")) == []
    archived = room.draft()["id"]
    room.action(
        "DELETE", f"/v1/articles/{archived}", "en_editor", headers={"If-Match": room.etag(archived)}
    )
    assert ids(by_status(room, "en_editor", status="archived")) == [archived]


def test_status_lists_page_with_a_cursor(room: Newsroom) -> None:
    made = [room.draft()["id"] for _ in range(5)]
    first = by_status(room, "en_editor", status="draft", limit=2)
    assert ids(first) == made[::-1][:2]
    assert 'rel="next"' in first.headers["link"]
    second = by_status(
        room, "en_editor", status="draft", limit=2, cursor=first.json()["next_cursor"]
    )
    assert ids(second) == made[::-1][2:4]
    trimmed = by_status(room, "en_editor", status="draft", fields="id,headline")
    assert set(trimmed.json()["items"][0]) == {"id", "headline"}


def test_status_lists_need_a_token_and_a_readable_service(room: Newsroom) -> None:
    assert_problem(by_status(room, None, status="draft"), 401)
    assert_problem(by_status(room, "en_viewer", status="draft", service="ru"), 403)
    assert_problem(by_status(room, "en_viewer", status="draft", service="zz"), 404)
    assert_problem(by_status(room, "en_viewer", status="draft", tag="politics"), 400)
    assert_problem(by_status(room, "en_viewer", status="drafts"), 422)
    assert ids(by_status(room, "en_viewer", status="draft", service="en")) == []
