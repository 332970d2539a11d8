"""The editorial workflow as a newsroom lives it: draft, edit, schedule, publish,
unpublish, archive; who sees what at each step; and the history it leaves."""

import time
from datetime import UTC, datetime, timedelta
from typing import Any

from support import assert_problem

from articles.editorial_kit import UNKNOWN_ID, Newsroom, room

__all__ = ["room"]


def listed(room: Newsroom, who: str | None = None) -> set[int]:
    response = room.client.get("/v1/articles", params={"limit": 100}, headers=room.headers(who))
    assert response.status_code == 200, response.text
    return {item["id"] for item in response.json()["items"]}


def whole_seconds_from_now(seconds: int) -> datetime:
    return datetime.now(UTC).replace(microsecond=0) + timedelta(seconds=seconds)


def iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def assert_like_unknown(room: Newsroom, article_id: int, who: str | None = None) -> None:
    """The same 404 as an id that never existed, but for ``instance``."""
    hidden = assert_problem(room.get(article_id, who), 404)
    unknown = assert_problem(room.get(UNKNOWN_ID, who), 404)
    assert hidden.pop("instance") == f"/v1/articles/{article_id}"
    assert unknown.pop("instance") == f"/v1/articles/{UNKNOWN_ID}"
    assert hidden == unknown


def test_an_en_editor_drafts_edits_schedules_and_the_article_appears_at_its_time(
    room: Newsroom,
) -> None:
    draft = room.draft("en_editor", headline="Storm closes the harbour")
    article_id = draft["id"]
    assert draft["status"] == "draft"
    assert draft["published_at"] is None and draft["first_published_at"] is None
    assert_like_unknown(room, article_id)
    assert article_id not in listed(room)

    edited = room.patch(article_id, {"dek": "Ferries stay in port until Friday."}, etag=None)
    assert edited.status_code == 200, edited.text
    assert edited.json()["dek"] == "Ferries stay in port until Friday."
    assert edited.headers["etag"] != draft["_etag"]
    assert_like_unknown(room, article_id)

    when = whole_seconds_from_now(2)
    scheduled = room.publish(article_id, at=iso(when))
    assert scheduled.status_code == 200, scheduled.text
    assert scheduled.json()["status"] == "scheduled"
    assert scheduled.json()["published_at"] == iso(when)
    assert_like_unknown(room, article_id)
    assert article_id not in listed(room)

    time.sleep(max(0.0, (when - datetime.now(UTC)).total_seconds()) + 0.1)
    public = room.get(article_id)
    assert public.status_code == 200, public.text
    assert public.json()["status"] == "published"
    assert public.json()["dek"] == "Ferries stay in port until Friday."
    assert public.json()["first_published_at"] == iso(when)
    assert article_id in listed(room)
    slug = public.json()["slug"]
    assert room.client.get(f"/v1/services/en/articles/{slug}").status_code == 200
    # Editors see it as published now too, with no job having run.
    assert room.get(article_id, "en_editor").json()["status"] == "published"


def test_publishing_now_shows_the_article_at_once_everywhere(room: Newsroom) -> None:
    article_id = room.draft(headline="Central bank holds rates")["id"]
    published = room.publish(article_id)
    assert published.status_code == 200, published.text
    assert published.json()["status"] == "published"
    assert published.json()["first_published_at"] == published.json()["published_at"]
    assert room.get(article_id).status_code == 200
    assert article_id in listed(room)
    summary = room.get(article_id, tail="/summary")
    assert summary.status_code == 200
    assert summary.json()["source"] == "generated"


def test_a_time_in_the_past_publishes_now(room: Newsroom) -> None:
    article_id = room.draft()["id"]
    before = datetime.now(UTC).replace(microsecond=0)
    published = room.publish(article_id, at="2020-01-01T00:00:00Z")
    assert published.status_code == 200, published.text
    body = published.json()
    assert body["status"] == "published"
    assert datetime.fromisoformat(body["published_at"]) >= before
    assert room.get(article_id).status_code == 200


def test_first_published_at_is_set_once(room: Newsroom) -> None:
    article_id = room.draft()["id"]
    first = room.publish(article_id).json()["first_published_at"]
    time.sleep(1.1)
    assert room.action("POST", f"/v1/articles/{article_id}/unpublish", "en_editor").is_success
    again = room.publish(article_id).json()
    assert again["first_published_at"] == first
    assert again["published_at"] > first


def test_publishing_a_published_article_is_a_conflict(room: Newsroom) -> None:
    article_id = room.draft()["id"]
    assert room.publish(article_id).status_code == 200
    assert_problem(room.publish(article_id), 409)


def test_unpublish_takes_the_article_out_of_every_public_view_at_once(room: Newsroom) -> None:
    article_id = room.draft(tags=["politics"])["id"]
    slug = room.publish(article_id).json()["slug"]
    assert article_id in listed(room)
    response = room.action("POST", f"/v1/articles/{article_id}/unpublish", "en_editor")
    assert response.status_code == 200, response.text
    assert response.json()["status"] == "draft"
    assert_like_unknown(room, article_id)
    assert article_id not in listed(room)
    assert room.client.get(f"/v1/services/en/articles/{slug}").status_code == 404
    assert room.get(article_id, tail="/summary").status_code == 404
    assert room.get(article_id, tail="/related-videos").status_code == 404
    assert_problem(room.action("POST", f"/v1/articles/{article_id}/unpublish", "en_editor"), 409)


def test_unpublishing_a_scheduled_article_leaves_no_publication_time(room: Newsroom) -> None:
    article_id = room.draft()["id"]
    room.publish(article_id, at=iso(whole_seconds_from_now(3600)))
    response = room.action("POST", f"/v1/articles/{article_id}/unpublish", "en_editor")
    assert response.json()["published_at"] is None
    assert response.json()["first_published_at"] is None


def test_archive_hides_the_article_and_editors_still_see_it(room: Newsroom) -> None:
    article_id = room.draft()["id"]
    room.publish(article_id)
    etag = room.etag(article_id)
    response = room.action(
        "DELETE", f"/v1/articles/{article_id}", "en_editor", headers={"If-Match": etag}
    )
    assert response.status_code == 204, response.text
    assert response.headers["etag"] != etag
    assert response.headers["cache-control"] == "private, no-store"
    assert_like_unknown(room, article_id)
    assert article_id not in listed(room)
    seen = room.get(article_id, "en_viewer")
    assert seen.status_code == 200
    assert seen.json()["status"] == "archived"
    # Archiving again changes nothing.
    again = room.action(
        "DELETE",
        f"/v1/articles/{article_id}",
        "en_editor",
        headers={"If-Match": response.headers["etag"]},
    )
    assert again.status_code == 204
    assert again.headers["etag"] == response.headers["etag"]


def test_an_archived_article_can_be_restored_to_draft(room: Newsroom) -> None:
    article_id = room.draft()["id"]
    room.action(
        "DELETE",
        f"/v1/articles/{article_id}",
        "en_editor",
        headers={"If-Match": room.etag(article_id)},
    )
    response = room.action("POST", f"/v1/articles/{article_id}/unpublish", "en_editor")
    assert response.status_code == 200
    assert response.json()["status"] == "draft"


def test_embargo_keeps_a_published_article_hidden_until_it_lifts(room: Newsroom) -> None:
    lifts = whole_seconds_from_now(2)
    article_id = room.draft(embargo_until=iso(lifts))["id"]
    published = room.publish(article_id)
    assert published.json()["status"] == "published"
    assert published.json()["embargo_until"] == iso(lifts)
    assert_like_unknown(room, article_id)
    time.sleep(max(0.0, (lifts - datetime.now(UTC)).total_seconds()) + 0.1)
    assert room.get(article_id).status_code == 200


def test_the_editorial_read_is_private_and_carries_the_version_etag(room: Newsroom) -> None:
    draft = room.draft()
    response = room.get(draft["id"], "en_viewer")
    assert response.status_code == 200
    assert response.headers["cache-control"] == "private, no-store"
    assert response.headers["etag"] == f'"article-{draft["id"]}-v1"'
    assert response.headers["etag"] == draft["_etag"]
    body = response.json()
    for name in ("breaking", "related_videos", "notices", "translations", "corrections"):
        assert name in body
    trimmed = room.client.get(
        f"/v1/articles/{draft['id']}", params={"fields": "id,status"}, headers=room.headers("admin")
    )
    assert trimmed.json() == {"id": draft["id"], "status": "draft"}


def test_the_editors_reads_take_fields_too(room: Newsroom) -> None:
    article_id = room.draft()["id"]
    room.client.put(
        f"/v1/articles/{article_id}/related-videos",
        json={"video_ids": [room.videos[1]]},
        headers=room.headers("en_editor", If_Match=room.etag(article_id)),
    )
    assert room.patch(article_id, {"dek": "Late night in parliament"}).status_code == 200
    headers = room.headers("en_viewer")

    def trimmed(tail: str, fields: str) -> Any:
        response = room.client.get(
            f"/v1/articles/{article_id}{tail}", params={"fields": fields}, headers=headers
        )
        assert response.status_code == 200, response.text
        assert response.headers["cache-control"] == "private, no-store"
        return response.json()

    assert trimmed("/summary", "source") == {"source": "generated"}
    related = trimmed("/related-videos", "id,curated")["items"]
    assert related[0] == {"id": room.videos[1], "curated": True}
    assert all(set(item) == {"id", "curated"} for item in related)
    assert trimmed("/revisions", "number,action") == {
        "items": [
            {"number": 3, "action": "update"},
            {"number": 2, "action": "related_videos"},
            {"number": 1, "action": "create"},
        ],
        "next_cursor": None,
    }
    assert trimmed("/revisions/3", "fields,previous") == {
        "fields": ["dek"],
        "previous": {"dek": None},
    }
    for tail in ("/summary", "/related-videos", "/revisions", "/revisions/3"):
        response = room.client.get(
            f"/v1/articles/{article_id}{tail}", params={"fields": "nonsense"}, headers=headers
        )
        assert_problem(response, 400)


def test_the_editorial_read_has_the_public_shape(room: Newsroom) -> None:
    article_id = room.draft(tags=["politics"], authors=["jane-doe"], section="world")["id"]
    room.publish(article_id)
    public = room.get(article_id).json()
    live = room.get(article_id, "en_editor").json()
    assert live.keys() == public.keys()
    assert live == public


def test_any_answer_to_a_token_is_private(room: Newsroom) -> None:
    article_id = room.draft()["id"]
    room.publish(article_id)
    for path in (
        "/v1/articles",
        f"/v1/articles/{article_id}",
        f"/v1/articles/{article_id}/summary",
        f"/v1/articles/{article_id}/related-videos",
        "/v1/services/en",
    ):
        for who in ("ru_editor", "en_viewer"):
            response = room.client.get(path, headers=room.headers(who))
            assert response.status_code == 200, (path, response.text)
            assert response.headers["cache-control"] == "private, no-store", path
        anonymous = room.client.get(path)
        assert anonymous.headers["cache-control"].startswith("public"), path


def test_a_bad_token_on_a_public_read_is_401(room: Newsroom) -> None:
    article_id = room.draft()["id"]
    room.publish(article_id)
    for path in ("/v1/articles", f"/v1/articles/{article_id}"):
        response = room.client.get(path, headers={"Authorization": "Bearer mh_nope"})
        assert_problem(response, 401)
        assert response.headers["www-authenticate"].startswith("Bearer")


def test_a_token_reads_drafts_by_slug_and_follows_old_slugs(room: Newsroom) -> None:
    draft = room.draft(headline="Harbour reopens")
    slug = draft["slug"]
    assert room.client.get(f"/v1/services/en/articles/{slug}").status_code == 404
    by_slug = room.client.get(f"/v1/services/en/articles/{slug}", headers=room.headers("admin"))
    assert by_slug.status_code == 200
    assert by_slug.json()["status"] == "draft"
    room.patch(draft["id"], {"slug": "harbour-open-again"})
    moved = room.client.get(
        f"/v1/services/en/articles/{slug}",
        headers=room.headers("en_viewer"),
        follow_redirects=False,
    )
    assert moved.status_code == 301
    assert moved.headers["location"] == "/v1/services/en/articles/harbour-open-again"
    assert moved.headers["cache-control"] == "private, no-store"
    # The public is not told where a draft moved.
    assert room.client.get(f"/v1/services/en/articles/{slug}").status_code == 404


def test_editors_read_a_drafts_summary_and_related_videos(room: Newsroom) -> None:
    article_id = room.draft()["id"]
    assert room.get(article_id, tail="/summary").status_code == 404
    summary = room.get(article_id, "en_viewer", tail="/summary")
    assert summary.status_code == 200
    assert summary.json()["source"] == "generated"
    assert summary.headers["cache-control"] == "private, no-store"
    related = room.get(article_id, "en_viewer", tail="/related-videos")
    assert related.status_code == 200
    assert isinstance(related.json()["items"], list)


def test_revisions_record_every_change_in_order(room: Newsroom) -> None:
    article_id = room.draft(headline="Bridge closed for repairs")["id"]
    room.patch(article_id, {"headline": "Bridge closed for a week", "tags": ["politics"]})
    room.publish(article_id)
    room.client.put(
        f"/v1/articles/{article_id}/summary",
        json={"bullets": ["The bridge is shut.", "Repairs take a week."]},
        headers=room.headers("en_editor", If_Match=room.etag(article_id)),
    )
    room.client.put(
        f"/v1/articles/{article_id}/related-videos",
        json={"video_ids": [room.videos[1]]},
        headers=room.headers("en_editor", If_Match=room.etag(article_id)),
    )
    room.action(
        "DELETE",
        f"/v1/articles/{article_id}/summary",
        "en_editor",
        headers={"If-Match": room.etag(article_id)},
    )
    room.action("POST", f"/v1/articles/{article_id}/unpublish", "en_editor")
    room.action(
        "DELETE",
        f"/v1/articles/{article_id}",
        "en_editor",
        headers={"If-Match": room.etag(article_id)},
    )
    listing = room.get(article_id, "en_viewer", tail="/revisions")
    assert listing.status_code == 200, listing.text
    assert listing.headers["cache-control"] == "private, no-store"
    items = listing.json()["items"]
    assert [item["action"] for item in items] == [
        "archive",
        "unpublish",
        "summary_removed",
        "related_videos",
        "summary",
        "publish",
        "update",
        "create",
    ]
    assert [item["number"] for item in items] == [8, 7, 6, 5, 4, 3, 2, 1]
    assert all(item["actor"].startswith("en_editor (token ") for item in items)
    assert items[-2]["fields"] == ["headline", "tags"]
    assert "previous" not in items[0]
    update = room.get(article_id, "en_viewer", tail="/revisions/2").json()
    assert update["previous"] == {"headline": "Bridge closed for repairs", "tags": []}
    publish = room.get(article_id, "en_viewer", tail="/revisions/3").json()
    assert publish["previous"]["status"] == "draft"
    assert publish["previous"]["published_at"] is None
    summary = room.get(article_id, "en_viewer", tail="/revisions/4").json()
    assert summary["previous"] == {"summary": None}
    removed = room.get(article_id, "en_viewer", tail="/revisions/6").json()
    assert removed["previous"] == {"summary": ["The bridge is shut.", "Repairs take a week."]}
    related = room.get(article_id, "en_viewer", tail="/revisions/5").json()
    assert related["previous"] == {"related_videos": []}
    # The version moved with every change: create is v1, eight changes make v8.
    assert room.etag(article_id) == f'"article-{article_id}-v8"'


def test_revisions_page_with_a_cursor(room: Newsroom) -> None:
    article_id = room.draft()["id"]
    for n in range(4):
        assert room.patch(article_id, {"dek": f"Update {n}"}).status_code == 200
    first = room.client.get(
        f"/v1/articles/{article_id}/revisions",
        params={"limit": 2},
        headers=room.headers("admin"),
    )
    assert [item["number"] for item in first.json()["items"]] == [5, 4]
    assert 'rel="next"' in first.headers["link"]
    cursor = first.json()["next_cursor"]
    second = room.client.get(
        f"/v1/articles/{article_id}/revisions",
        params={"limit": 2, "cursor": cursor},
        headers=room.headers("admin"),
    )
    third = room.client.get(
        f"/v1/articles/{article_id}/revisions",
        params={"limit": 2, "cursor": second.json()["next_cursor"]},
        headers=room.headers("admin"),
    )
    assert [item["number"] for item in second.json()["items"]] == [3, 2]
    assert [item["number"] for item in third.json()["items"]] == [1]
    assert third.json()["next_cursor"] is None
    bad = room.client.get(
        f"/v1/articles/{article_id}/revisions",
        params={"cursor": "garbage"},
        headers=room.headers("admin"),
    )
    assert_problem(bad, 400)
    assert_problem(room.get(article_id, "admin", tail="/revisions/99"), 404)


def test_public_updated_at_follows_content_changes_only(room: Newsroom) -> None:
    article_id = room.draft()["id"]
    published = room.publish(article_id).json()
    time.sleep(1.1)
    room.client.put(
        f"/v1/articles/{article_id}/related-videos",
        json={"video_ids": [room.videos[0]]},
        headers=room.headers("en_editor", If_Match=room.etag(article_id)),
    )
    assert room.get(article_id).json()["updated_at"] == published["updated_at"]
    room.patch(article_id, {"kicker": "Analysis"})
    changed = room.get(article_id).json()
    assert changed["updated_at"] > published["updated_at"]
    assert changed["published_at"] == published["published_at"]


def test_corrections_come_with_the_patch_that_makes_them(room: Newsroom) -> None:
    article_id = room.draft()["id"]
    refused = room.patch(article_id, {"correction": "Too early."})
    assert_problem(refused, 422)
    room.publish(article_id)
    response = room.patch(
        article_id,
        {
            "body": [{"type": "paragraph", "text": "Lawmakers voted on Tuesday."}],
            "correction": "An earlier version gave the wrong day <script>x</script>.",
        },
    )
    assert response.status_code == 200, response.text
    corrections = room.get(article_id).json()["corrections"]
    assert [c["text"] for c in corrections] == ["An earlier version gave the wrong day ."]
    revision = room.get(article_id, "admin", tail="/revisions").json()["items"][0]
    assert revision["fields"] == ["body", "corrections"]
    assert_problem(room.patch(article_id, {"correction": 42}), 422)
    assert_problem(room.patch(article_id, {"correction": "<b></b>"}), 422)
    # A correction alone is a change too.
    alone = room.patch(article_id, {"correction": "The vote count was 212, not 221."})
    assert alone.status_code == 200
    assert len(room.get(article_id).json()["corrections"]) == 2


def test_translations_show_a_newly_published_sibling(room: Newsroom) -> None:
    # Translation groups come from imports; the editorial API keeps them current.
    from factories import article, bundle, service

    room_store_bundle = bundle(
        services=[service("en"), service("ru")],
        articles=[
            article("en", "Budget passes", uri="urn:t:en", translation_of="grp"),
            article("ru", "Бюджет принят", uri="urn:t:ru", translation_of="grp"),
        ],
    )
    from app.imports.bundle import load_bundle

    with room.sessions.begin() as session:
        load_bundle(session, room_store_bundle)
    items = room.client.get("/v1/articles", params={"service": "ru"}).json()["items"]
    ru_id = items[0]["id"]
    en_items = room.client.get("/v1/articles", params={"service": "en"}).json()["items"]
    en_id = en_items[0]["id"]
    assert [t["id"] for t in room.get(en_id).json()["translations"]] == [ru_id]
    response = room.action("POST", f"/v1/articles/{ru_id}/unpublish", "ru_editor")
    assert response.status_code == 200, response.text
    assert room.get(en_id).json()["translations"] == []
    room.publish(ru_id, "ru_editor")
    assert [t["id"] for t in room.get(en_id).json()["translations"]] == [ru_id]


def test_editors_read_an_article_withheld_where_they_are(room: Newsroom) -> None:
    article_id = room.draft(withheld_in=["RU"])["id"]
    room.publish(article_id)
    here = {"CF-IPCountry": "RU"}
    assert_problem(room.client.get(f"/v1/articles/{article_id}", headers=here), 451)
    seen = room.client.get(f"/v1/articles/{article_id}", headers={**here, **room.headers("admin")})
    assert seen.status_code == 200
    # A token that may not read the service gets what the public gets.
    other = room.client.get(
        f"/v1/articles/{article_id}", headers={**here, **room.headers("ru_editor")}
    )
    assert_problem(other, 451)
