"""An article's history: each revision is the article as that change left it, and
an editor can make an earlier revision's content current again."""

from typing import Any

import httpx
from factories import article, bundle, service, term
from sqlalchemy import select, update
from support import assert_problem

from app.models import Revision
from articles.editorial_kit import Newsroom, room

__all__ = ["room"]


def revision(room: Newsroom, article_id: int, number: int, who: str = "en_viewer") -> Any:
    response = room.get(article_id, who, tail=f"/revisions/{number}")
    assert response.status_code == 200, response.text
    return response.json()


def put(room: Newsroom, article_id: int, tail: str, body: dict[str, Any]) -> None:
    response = room.client.put(
        f"/v1/articles/{article_id}{tail}",
        json=body,
        headers=room.headers("en_editor", If_Match=room.etag(article_id)),
    )
    assert response.status_code == 200, response.text


def delete(room: Newsroom, article_id: int, tail: str = "") -> None:
    response = room.action(
        "DELETE",
        f"/v1/articles/{article_id}{tail}",
        "en_editor",
        headers={"If-Match": room.etag(article_id)},
    )
    assert response.status_code == 204, response.text


def restore(
    room: Newsroom, article_id: int, number: int, who: str = "en_editor", **headers: str
) -> httpx.Response:
    return room.action(
        "POST", f"/v1/articles/{article_id}/revisions/{number}/restore", who, headers=headers
    )


def a_full_history(room: Newsroom) -> int:
    """One revision of every kind an editor makes: 1 create, 2 update, 3 publish,
    4 summary, 5 related videos, 6 update with a correction, 7 summary removed,
    8 unpublish, 9 schedule, 10 archive."""
    article_id = room.draft(headline="Bridge closed for repairs", tags=["politics"])["id"]
    patched = room.patch(
        article_id, {"headline": "Bridge closed for a week", "tags": ["economy"], "dek": "Detour"}
    )
    assert patched.status_code == 200, patched.text
    assert room.publish(article_id).status_code == 200
    put(room, article_id, "/summary", {"bullets": ["The bridge is shut.", "For a week."]})
    put(room, article_id, "/related-videos", {"video_ids": [room.videos[1], room.videos[0]]})
    corrected = room.patch(
        article_id, {"dek": "Use the ring road", "correction": "The detour was misnamed."}
    )
    assert corrected.status_code == 200, corrected.text
    delete(room, article_id, "/summary")
    unpublished = room.action("POST", f"/v1/articles/{article_id}/unpublish", "en_editor")
    assert unpublished.status_code == 200, unpublished.text
    assert room.publish(article_id, at="2099-01-01T00:00:00Z").status_code == 200
    delete(room, article_id)
    return article_id


def test_each_revision_is_the_article_as_that_change_left_it(room: Newsroom) -> None:
    article_id = a_full_history(room)
    kinds = [revision(room, article_id, n)["action"] for n in range(1, 11)]
    assert kinds == [
        "create",
        "update",
        "publish",
        "summary",
        "related_videos",
        "update",
        "summary_removed",
        "unpublish",
        "schedule",
        "archive",
    ]
    states = [revision(room, article_id, n) for n in range(1, 11)]
    assert [state["status"] for state in states] == [
        "draft",
        "draft",
        "published",
        "published",
        "published",
        "published",
        "published",
        "draft",
        "scheduled",
        "archived",
    ]
    first = states[0]["article"]
    assert first["headline"] == "Bridge closed for repairs"
    assert first["tags"] == ["politics"]
    assert first["slug"] == "bridge-closed-for-repairs"
    assert "dek" not in first
    second = states[1]["article"]
    assert (second["headline"], second["tags"], second["dek"]) == (
        "Bridge closed for a week",
        ["economy"],
        "Detour",
    )
    assert [state["article"]["dek"] for state in states[1:]] == ["Detour"] * 4 + [
        "Use the ring road"
    ] * 5
    assert [state["summary"] for state in states] == [None] * 3 + [
        ["The bridge is shut.", "For a week."]
    ] * 3 + [None] * 4
    curated = [room.videos[1], room.videos[0]]
    assert [state["related_videos"] for state in states] == [[]] * 4 + [curated] * 6
    # The members it had: who, when, which fields, and their previous values.
    assert states[5]["fields"] == ["dek", "corrections"]
    assert states[5]["previous"]["dek"] == "Detour"
    assert set(states[0]) >= {"number", "action", "actor", "fields", "created_at", "previous"}


def test_a_revision_is_a_write_shape_post_takes(room: Newsroom) -> None:
    article_id = room.draft(
        headline="Harbour reopens",
        kicker="Weather",
        section="world",
        authors=["jane-doe"],
        lead_image={"url": "https://img.example/h.jpg", "width": 800, "caption": "Port"},
        body=[
            {"type": "heading", "text": "Ferries", "level": 2},
            {"type": "video", "video_id": room.videos[0]},
        ],
        breaking_until="2099-01-01T10:00:00Z",
        withheld_in=["RU"],
    )["id"]
    shape = revision(room, article_id, 1)["article"]
    again = dict(shape, slug="harbour-reopens-again")
    response = room.client.post("/v1/articles", json=again, headers=room.headers("en_editor"))
    assert response.status_code == 201, response.text
    copy = revision(room, response.json()["id"], 1)["article"]
    assert copy == again


def test_revisions_recorded_without_their_content_are_walked_back(room: Newsroom) -> None:
    article_id = a_full_history(room)
    recorded = [revision(room, article_id, n) for n in range(1, 11)]
    with room.sessions.begin() as session:
        session.execute(
            update(Revision).where(Revision.article_id == article_id).values(snapshot=None)
        )
    with room.sessions() as session:
        kept = session.scalars(select(Revision.snapshot).where(Revision.article_id == article_id))
        assert list(kept) == [None] * 10
    assert [revision(room, article_id, n) for n in range(1, 11)] == recorded


def test_an_import_revision_shows_what_the_import_wrote(room: Newsroom, store: Any) -> None:
    store(
        bundle(
            services=[service("en"), service("ru")],
            sections=[term("en", "world")],
            articles=[article("en", "Wire: talks resume", uri="urn:wire:1", tags=["politics"])],
        )
    )
    article_id = room.client.get("/v1/articles").json()["items"][0]["id"]
    imported = revision(room, article_id, 1)
    assert imported["action"] == "import"
    assert imported["article"]["headline"] == "Wire: talks resume"
    assert imported["status"] == "published"
    assert room.patch(article_id, {"headline": "Talks resume in Geneva"}).status_code == 200
    again = revision(room, article_id, 1)
    assert again["article"]["headline"] == "Wire: talks resume"
    assert again["article"]["tags"] == ["politics"]
    assert revision(room, article_id, 2)["article"]["headline"] == "Talks resume in Geneva"


def test_an_unknown_revision_is_404(room: Newsroom) -> None:
    article_id = room.draft()["id"]
    assert_problem(room.get(article_id, "en_viewer", tail="/revisions/2"), 404)
    assert_problem(restore(room, article_id, 2, If_Match=room.etag(article_id)), 404)


# Restore ----------------------------------------------------------------------------


def test_restore_makes_a_revisions_content_current_as_a_new_revision(room: Newsroom) -> None:
    article_id = room.draft(headline="Bridge closed for repairs", tags=["politics"])["id"]
    room.patch(article_id, {"headline": "Bridge closed for a week", "tags": ["economy"]})
    assert room.publish(article_id).status_code == 200
    put(room, article_id, "/summary", {"bullets": ["The bridge is shut."]})
    put(room, article_id, "/related-videos", {"video_ids": [room.videos[1]]})
    public_before = room.get(article_id)
    etag = room.etag(article_id)

    response = restore(room, article_id, 1, If_Match=etag)
    assert response.status_code == 200, response.text
    assert response.headers["cache-control"] == "private, no-store"
    body = response.json()
    assert body["headline"] == "Bridge closed for repairs"
    assert [tag["slug"] for tag in body["tags"]] == ["politics"]
    assert body["summary"]["source"] == "generated"
    assert not any(video["curated"] for video in body["related_videos"])
    # Restoring is an edit: it neither publishes nor withdraws.
    assert body["status"] == "published"
    assert response.headers["etag"] == f'"article-{article_id}-v6"' != etag

    latest = revision(room, article_id, 6)
    assert latest["action"] == "restore"
    assert latest["restored_from"] == 1
    assert latest["fields"] == ["headline", "tags", "summary", "related_videos"]
    assert latest["previous"] == {
        "headline": "Bridge closed for a week",
        "tags": ["economy"],
        "summary": ["The bridge is shut."],
        "related_videos": [room.videos[1]],
    }
    assert latest["article"] == revision(room, article_id, 1)["article"]
    assert latest["status"] == "published"
    # Readers see it at once: the read model was rendered in the same transaction.
    public = room.get(article_id)
    assert public.json()["headline"] == "Bridge closed for repairs"
    assert public.headers["etag"] != public_before.headers["etag"]
    summary = room.get(article_id, tail="/summary").json()
    assert summary["source"] == "generated"
    listed = room.get(article_id, "en_viewer", tail="/revisions").json()["items"]
    assert [item["restored_from"] for item in listed[:2]] == [1, None]


def test_restore_brings_back_the_editors_key_points_and_curated_videos(room: Newsroom) -> None:
    article_id = room.draft()["id"]
    put(room, article_id, "/summary", {"bullets": ["Budget passed.", "Deficit narrows."]})
    put(room, article_id, "/related-videos", {"video_ids": [room.videos[1], room.videos[0]]})
    delete(room, article_id, "/summary")
    put(room, article_id, "/related-videos", {"video_ids": []})
    response = restore(room, article_id, 3, If_Match=room.etag(article_id))
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["summary"]["bullets"] == ["Budget passed.", "Deficit narrows."]
    assert body["summary"]["source"] == "editorial"
    assert [video["id"] for video in body["related_videos"][:2]] == [
        room.videos[1],
        room.videos[0],
    ]
    assert revision(room, article_id, 6)["fields"] == ["summary", "related_videos"]


def test_restore_keeps_a_draft_a_draft(room: Newsroom) -> None:
    article_id = room.draft(headline="First words")["id"]
    assert room.publish(article_id).status_code == 200
    room.patch(article_id, {"headline": "Second words"})
    room.action("POST", f"/v1/articles/{article_id}/unpublish", "en_editor")
    # Revision 2 is the publication: its content, not its status, comes back.
    response = restore(room, article_id, 2, If_Match=room.etag(article_id))
    assert response.status_code == 200, response.text
    assert response.json()["status"] == "draft"
    assert response.json()["headline"] == "First words"
    assert_problem(room.get(article_id), 404)


def test_restoring_the_current_content_changes_nothing(room: Newsroom) -> None:
    article_id = room.draft()["id"]
    room.patch(article_id, {"dek": "A dek"})
    etag = room.etag(article_id)
    response = restore(room, article_id, 2, If_Match=etag)
    assert response.status_code == 200, response.text
    assert response.headers["etag"] == etag
    assert_problem(room.get(article_id, "en_viewer", tail="/revisions/3"), 404)


def test_restore_needs_the_current_etag(room: Newsroom) -> None:
    article_id = room.draft(headline="First words")["id"]
    stale = room.etag(article_id)
    room.patch(article_id, {"headline": "Second words"})
    assert_problem(restore(room, article_id, 1), 428)
    failed = assert_problem(restore(room, article_id, 1, If_Match=stale), 412)
    assert "changed" in failed["detail"]
    assert room.get(article_id, "en_editor").json()["headline"] == "Second words"


def test_restore_is_for_writers_of_the_service(room: Newsroom) -> None:
    article_id = room.draft(headline="First words")["id"]
    room.patch(article_id, {"headline": "Second words"})
    etag = room.etag(article_id)
    # A draft of another service is hidden, exactly as an unknown article.
    hidden = assert_problem(restore(room, article_id, 1, "ru_editor", If_Match=etag), 404)
    assert hidden["detail"] == "No published article has this id."
    assert_problem(restore(room, article_id, 1, "en_viewer", If_Match=etag), 403)
    assert_problem(restore(room, article_id, 1, None, If_Match=etag), 401)
    room.publish(article_id)
    etag = room.etag(article_id)
    assert_problem(restore(room, article_id, 1, "ru_editor", If_Match=etag), 403)
    assert room.get(article_id).json()["headline"] == "Second words"


def test_restore_honours_an_idempotency_key(room: Newsroom) -> None:
    article_id = room.draft(headline="First words")["id"]
    room.patch(article_id, {"headline": "Second words"})
    etag = room.etag(article_id)
    first = restore(room, article_id, 1, If_Match=etag, Idempotency_Key="restore-1")
    again = restore(room, article_id, 1, If_Match=etag, Idempotency_Key="restore-1")
    assert first.status_code == again.status_code == 200, again.text
    assert again.headers["idempotency-replayed"] == "true"
    assert again.json() == first.json()
    assert again.headers["etag"] == first.headers["etag"]
    listed = room.get(article_id, "en_viewer", tail="/revisions").json()["items"]
    assert [item["action"] for item in listed] == ["restore", "update", "create"]
    other = restore(
        room, article_id, 2, If_Match=first.headers["etag"], Idempotency_Key="restore-1"
    )
    assert_problem(other, 422)


def test_a_revision_naming_what_is_gone_cannot_be_restored(room: Newsroom) -> None:
    article_id = room.draft(tags=["economy"])["id"]
    room.patch(article_id, {"tags": []})
    gone = room.action(
        "DELETE", "/v1/tags/economy", "admin", params={"service": "en"}, headers={"If-Match": "*"}
    )
    assert gone.status_code == 204, gone.text
    conflict = assert_problem(restore(room, article_id, 1, If_Match=room.etag(article_id)), 409)
    assert conflict["errors"][0]["field"] == "tags.0"
    assert room.get(article_id, "en_editor").json()["tags"] == []
