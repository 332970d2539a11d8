"""API1, broken object level authorisation: every route that takes an article id
keeps another service's article from an editor of the first, whatever the method."""

import pytest
from articles.editorial_kit import Newsroom, room

__all__ = ["room"]

ARTICLE_ROUTES = [
    ("GET", ""),
    ("PATCH", ""),
    ("DELETE", ""),
    ("POST", "/publish"),
    ("POST", "/unpublish"),
    ("GET", "/summary"),
    ("PUT", "/summary"),
    ("DELETE", "/summary"),
    ("GET", "/related-videos"),
    ("PUT", "/related-videos"),
    ("GET", "/revisions"),
    ("GET", "/revisions/1"),
    ("POST", "/revisions/1/restore"),
]


@pytest.mark.parametrize(("method", "tail"), ARTICLE_ROUTES)
def test_an_editor_cannot_touch_a_draft_of_another_service(
    room: Newsroom, method: str, tail: str
) -> None:
    draft = room.draft("ru_editor", service="ru", headline="Черновик")
    body = {"bullets": ["x"]} if tail == "/summary" else {"video_ids": []}
    response = room.action(
        method,
        f"/v1/articles/{draft['id']}{tail}",
        "en_editor",
        json=body if method in ("PUT", "PATCH") else None,
        headers={"If-Match": draft["_etag"], "Content-Type": "application/json"},
    )
    # Exactly what an id that never existed answers, or a refusal to write.
    assert response.status_code in (403, 404), (method, tail, response.text)
    after = room.get(draft["id"], "ru_editor")
    assert after.status_code == 200
    assert after.headers["etag"] == draft["_etag"]
    assert after.json()["status"] == "draft"


def test_a_viewer_of_one_service_sees_no_draft_of_another(room: Newsroom) -> None:
    draft = room.draft("ru_editor", service="ru", headline="Черновик")
    assert room.get(draft["id"], "en_viewer").status_code == 404
    listed = room.client.get(
        "/v1/articles",
        params={"status": "draft", "service": "ru"},
        headers=room.headers("en_viewer"),
    )
    assert listed.status_code in (403, 404) or listed.json()["items"] == []
