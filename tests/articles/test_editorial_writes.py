"""Article writes: the write shape, merge patches, slugs, summaries, curated
videos, preconditions and idempotency."""

from typing import Any

import orjson
import pytest
from sqlalchemy import func, select
from support import assert_problem

from app.models import Article, Revision
from articles.editorial_kit import Newsroom, room

__all__ = ["room"]


def revisions_of(room: Newsroom, article_id: int) -> int:
    with room.sessions() as session:
        return (
            session.scalar(
                select(func.count()).select_from(Revision).where(Revision.article_id == article_id)
            )
            or 0
        )


# Create -----------------------------------------------------------------------------


def test_create_answers_201_with_location_etag_and_the_draft(room: Newsroom) -> None:
    response = room.create(
        headline="Storm <i>closes</i> the harbour",
        dek="Ferries stay in port.",
        kicker="Weather",
        section="world",
        tags=["politics", "economy"],
        authors=["jane-doe"],
        urgency=3,
        lead_image={"url": "https://img.example/harbour.jpg", "width": 1200, "caption": "Port"},
        withheld_in=["RU", "BY", "RU"],
    )
    assert response.status_code == 201, response.text
    body = response.json()
    assert response.headers["location"] == f"/v1/articles/{body['id']}"
    assert response.headers["etag"] == f'"article-{body["id"]}-v1"'
    assert response.headers["cache-control"] == "private, no-store"
    assert body["status"] == "draft"
    assert body["headline"] == "Storm closes the harbour"
    assert body["language"] == "en"
    assert body["slug"] == "storm-closes-the-harbour"
    assert body["section"] == {"slug": "world", "name": "World"}
    assert [tag["slug"] for tag in body["tags"]] == ["politics", "economy"]
    assert [a["slug"] for a in body["authors"]] == ["jane-doe"]
    assert body["urgency"] == 3
    assert body["word_count"] > 0
    assert body["summary"]["source"] == "generated"
    assert body["lead_image"]["caption"] == "Port"
    fetched = room.get(body["id"], "en_editor").json()
    assert fetched == body


@pytest.mark.parametrize(
    ("document", "field"),
    [
        ({"surprise": 1}, "surprise"),
        ({"body": [{"type": "paragraph", "text": "x", "style": "bold"}]}, "body.0.paragraph.style"),
        ({"body": [{"type": "marquee", "text": "x"}]}, "body.0"),
        ({"body": [{"type": "heading", "text": "x", "level": 1}]}, "body.0.heading.level"),
        ({"body": [{"type": "image", "url": "javascript:alert(1)"}]}, "body.0.image.url"),
        ({"body": [{"type": "embed", "url": "data:text/html,<script>"}]}, "body.0.embed.url"),
        ({"body": [{"type": "image", "url": "https://a.example/x y.jpg"}]}, "body.0.image.url"),
        ({"body": [{"type": "video", "video_id": "abc"}]}, "body.0.video.video_id"),
        ({"lead_image": {"url": "//img.example/x.jpg"}}, "lead_image.url"),
        ({"lead_image": {"url": "https://img.example/x.jpg", "onload": "x"}}, "lead_image.onload"),
        ({"urgency": 0}, "urgency"),
        ({"withheld_in": ["ru"]}, "withheld_in.0"),
        ({"embargo_until": "2030-01-01T00:00:00"}, "embargo_until"),
        ({"slug": "no spaces"}, "slug"),
        ({"headline": ""}, "headline"),
        ({"language": "english!"}, "language"),
    ],
)
def test_invalid_write_shapes_are_422_naming_the_field(
    room: Newsroom, document: dict[str, Any], field: str
) -> None:
    problem = assert_problem(room.create(**document), 422)
    assert field in [error["field"] for error in problem["errors"]], problem["errors"]


def test_a_missing_required_member_is_422(room: Newsroom) -> None:
    response = room.client.post(
        "/v1/articles", json={"service": "en"}, headers=room.headers("en_editor")
    )
    problem = assert_problem(response, 422)
    assert {"headline", "body"} <= {error["field"] for error in problem["errors"]}


def test_malformed_json_is_422_not_500(room: Newsroom) -> None:
    response = room.client.post(
        "/v1/articles",
        content=b'{"service": "en",',
        headers=room.headers("en_editor", Content_Type="application/json"),
    )
    assert_problem(response, 422)


def test_references_must_exist(room: Newsroom) -> None:
    problem = assert_problem(
        room.create(
            section="nowhere",
            tags=["politics", "ghosts"],
            authors=["nobody"],
            body=[{"type": "video", "video_id": 999_999}],
        ),
        422,
    )
    fields = {error["field"] for error in problem["errors"]}
    assert fields == {"section", "tags.1", "authors.0", "body.0.video_id"}
    # Tags belong to a service: "economy" is an en tag only.
    wrong = assert_problem(room.create("admin", service="ru", tags=["economy"]), 422)
    assert [error["field"] for error in wrong["errors"]] == ["tags.0"]
    video = room.create(body=[{"type": "video", "video_id": room.videos[0]}])
    assert video.status_code == 201
    assert video.json()["body"] == [{"type": "video", "video_id": room.videos[0]}]


def test_a_headline_of_nothing_but_markup_is_422(room: Newsroom) -> None:
    problem = assert_problem(room.create(headline="<script>alert(1)</script>"), 422)
    assert problem["errors"][0]["field"] == "headline"


def test_oversized_bodies_are_413(room: Newsroom) -> None:
    huge = "x" * (3 * 1024 * 1024)
    response = room.create(body=[{"type": "paragraph", "text": huge}])
    assert response.status_code == 413


# Slugs --------------------------------------------------------------------------------


def test_slugs_are_transliterated_and_unique_within_a_service(room: Newsroom) -> None:
    first = room.draft("ru_editor", service="ru", headline="Путин и Зеленский: переговоры")
    assert first["slug"] == "putin-i-zelenskii-peregovory"
    second = room.draft("ru_editor", service="ru", headline="Путин и Зеленский: переговоры")
    assert second["slug"] == "putin-i-zelenskii-peregovory-2"
    # Another service may hold the same slug.
    other = room.draft("en_editor", headline="Putin i Zelenskii peregovory")
    assert other["slug"] == "putin-i-zelenskii-peregovory"


def test_an_explicit_slug_that_is_taken_is_409(room: Newsroom) -> None:
    room.draft(slug="budget-night")
    assert_problem(room.create(slug="budget-night"), 409)


def test_a_changed_headline_keeps_the_slug(room: Newsroom) -> None:
    draft = room.draft(headline="Budget passes")
    response = room.patch(draft["id"], {"headline": "Budget passes after all-night session"})
    assert response.json()["slug"] == draft["slug"]


def test_a_changed_slug_keeps_the_old_one_answering_301(room: Newsroom) -> None:
    draft = room.draft(headline="Budget passes")
    room.publish(draft["id"])
    response = room.patch(draft["id"], {"slug": "budget-approved"})
    assert response.status_code == 200
    assert response.json()["slug"] == "budget-approved"
    assert response.json()["url"].endswith("/a/budget-approved")
    old = room.client.get(f"/v1/services/en/articles/{draft['slug']}", follow_redirects=False)
    assert old.status_code == 301
    assert old.headers["location"] == "/v1/services/en/articles/budget-approved"
    assert room.client.get("/v1/services/en/articles/budget-approved").status_code == 200
    # The old slug stays the article's: no other article may take it.
    assert_problem(room.create(slug=draft["slug"]), 409)
    # ...but the article itself may go back to it.
    back = room.patch(draft["id"], {"slug": draft["slug"]})
    assert back.status_code == 200
    moved = room.client.get("/v1/services/en/articles/budget-approved", follow_redirects=False)
    assert moved.status_code == 301


def test_a_null_slug_makes_a_new_one_from_the_headline(room: Newsroom) -> None:
    draft = room.draft(headline="Budget passes")
    response = room.patch(draft["id"], {"headline": "Budget rejected", "slug": None})
    assert response.json()["slug"] == "budget-rejected"


# Merge patches ------------------------------------------------------------------------


def test_a_merge_patch_replaces_merges_and_removes(room: Newsroom) -> None:
    draft = room.draft(
        dek="Standfirst",
        kicker="Live",
        lead_image={"url": "https://img.example/a.jpg", "caption": "Old", "credit": "AP"},
        tags=["politics"],
    )
    response = room.patch(
        draft["id"],
        {"kicker": None, "lead_image": {"caption": "New", "credit": None}, "tags": ["economy"]},
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["kicker"] is None
    assert body["dek"] == "Standfirst"
    assert body["lead_image"]["url"] == "https://img.example/a.jpg"
    assert body["lead_image"]["caption"] == "New"
    assert body["lead_image"]["credit"] is None
    assert [tag["slug"] for tag in body["tags"]] == ["economy"]
    revision = room.get(draft["id"], "admin", tail="/revisions/2").json()
    assert revision["fields"] == ["kicker", "lead_image", "tags"]
    assert revision["previous"]["kicker"] == "Live"
    assert revision["previous"]["tags"] == ["politics"]


def test_a_patch_is_validated_after_merging(room: Newsroom) -> None:
    draft = room.draft()
    problem = assert_problem(room.patch(draft["id"], {"headline": None}), 422)
    assert problem["errors"][0]["field"] == "headline"
    assert_problem(room.patch(draft["id"], {"status": "published"}), 422)
    assert_problem(room.patch(draft["id"], {"lead_image": {"caption": "no url"}}), 422)
    assert_problem(room.patch(draft["id"], {"service": "ru"}), 422)
    assert room.etag(draft["id"]) == draft["_etag"]


def test_a_body_patch_recomputes_counts_and_the_generated_summary(room: Newsroom) -> None:
    draft = room.draft()
    body = [
        {"type": "heading", "text": "What happened", "level": 2},
        {"type": "paragraph", "text": " ".join(["word"] * 500) + "."},
        {"type": "quote", "text": "We did it.", "attribution": "The minister"},
        {"type": "list", "style": "bullet", "items": ["one", "two"]},
        {"type": "image", "url": "https://img.example/b.jpg", "alt": "A vote"},
        {"type": "embed", "url": "https://www.youtube.com/watch?v=x", "provider": "YouTube"},
    ]
    response = room.patch(draft["id"], {"body": body})
    assert response.status_code == 200, response.text
    assert response.json()["word_count"] > 500
    assert response.json()["reading_time_minutes"] == 3
    assert response.json()["summary"]["bullets"] != draft["summary"]["bullets"]


def test_an_unchanged_patch_changes_nothing(room: Newsroom) -> None:
    draft = room.draft(dek="Same")
    response = room.patch(draft["id"], {"dek": "Same", "headline": draft["headline"]})
    assert response.status_code == 200
    assert response.headers["etag"] == draft["_etag"]
    assert revisions_of(room, draft["id"]) == 1


def test_patch_takes_merge_patch_or_json_and_nothing_else(room: Newsroom) -> None:
    draft = room.draft()
    json_patch = room.patch(draft["id"], {"dek": "A"}, content_type="application/json")
    assert json_patch.status_code == 200
    assert_problem(room.patch(draft["id"], {"dek": "B"}, content_type="text/plain"), 415)
    response = room.client.patch(
        f"/v1/articles/{draft['id']}",
        content=b"[1, 2]",
        headers=room.headers(
            "en_editor", If_Match=room.etag(draft["id"]), Content_Type="application/json"
        ),
    )
    assert_problem(response, 422)


# Preconditions ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "tail", "body"),
    [
        ("PATCH", "", {"dek": "x"}),
        ("DELETE", "", None),
        ("PUT", "/summary", {"bullets": ["x"]}),
        ("DELETE", "/summary", None),
        ("PUT", "/related-videos", {"video_ids": []}),
    ],
)
def test_if_match_is_required_and_must_be_current(
    room: Newsroom, method: str, tail: str, body: Any
) -> None:
    draft = room.draft()
    path = f"/v1/articles/{draft['id']}{tail}"
    content = orjson.dumps(body) if body is not None else None
    headers = {"Content-Type": "application/json"}
    missing = room.action(method, path, "en_editor", content=content, headers=headers)
    assert_problem(missing, 428)
    stale = room.action(
        method,
        path,
        "en_editor",
        content=content,
        headers={**headers, "If-Match": f'"article-{draft["id"]}-v0"'},
    )
    assert_problem(stale, 412)
    assert stale.headers["etag"] == draft["_etag"]
    weak = room.action(
        method,
        path,
        "en_editor",
        content=content,
        headers={**headers, "If-Match": "W/" + draft["_etag"]},
    )
    assert_problem(weak, 412)
    assert revisions_of(room, draft["id"]) == 1
    good = room.action(
        method, path, "en_editor", content=content, headers={**headers, "If-Match": draft["_etag"]}
    )
    assert good.status_code in (200, 204), good.text


def test_publish_takes_an_optional_if_match(room: Newsroom) -> None:
    draft = room.draft()
    stale = room.publish(draft["id"], If_Match=f'"article-{draft["id"]}-v0"')
    assert_problem(stale, 412)
    assert room.get(draft["id"]).status_code == 404
    good = room.publish(draft["id"], If_Match=draft["_etag"])
    assert good.status_code == 200
    unpublish_stale = room.action(
        "POST",
        f"/v1/articles/{draft['id']}/unpublish",
        "en_editor",
        headers={"If-Match": draft["_etag"]},
    )
    assert_problem(unpublish_stale, 412)


def test_the_write_etag_is_the_one_reads_give_and_if_match_takes(room: Newsroom) -> None:
    draft = room.draft()
    first = room.patch(draft["id"], {"dek": "One"}, etag=draft["_etag"])
    second = room.patch(draft["id"], {"dek": "Two"}, etag=first.headers["etag"])
    assert second.status_code == 200
    assert_problem(room.patch(draft["id"], {"dek": "Three"}, etag=first.headers["etag"]), 412)


# Idempotency ------------------------------------------------------------------------------


def test_the_same_idempotency_key_and_body_replays_the_first_answer(room: Newsroom) -> None:
    document = {"service": "en", "headline": "Once only", "body": []}
    headers = room.headers("en_editor", Idempotency_Key="create-once-1")
    first = room.client.post("/v1/articles", json=document, headers=headers)
    again = room.client.post("/v1/articles", json=document, headers=headers)
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert again.headers["location"] == first.headers["location"]
    assert again.headers["etag"] == first.headers["etag"]
    assert again.headers["idempotency-replayed"] == "true"
    with room.sessions() as session:
        assert session.scalar(select(func.count()).select_from(Article)) == 1
    other = room.client.post(
        "/v1/articles", json={**document, "headline": "Twice"}, headers=headers
    )
    problem = assert_problem(other, 422)
    assert problem["type"].endswith("idempotency-key-reused")
    # Keys belong to their token: another token may use the same one.
    admin = room.client.post(
        "/v1/articles",
        json=document,
        headers=room.headers("admin", Idempotency_Key="create-once-1"),
    )
    assert admin.status_code == 201
    assert admin.json()["id"] != first.json()["id"]


def test_publish_with_an_idempotency_key_is_safe_to_retry(room: Newsroom) -> None:
    article_id = room.draft()["id"]
    first = room.publish(article_id, Idempotency_Key="pub-1")
    again = room.publish(article_id, Idempotency_Key="pub-1")
    assert first.status_code == again.status_code == 200
    assert again.json()["published_at"] == first.json()["published_at"]
    assert revisions_of(room, article_id) == 2
    # Without the key, a second publish is a conflict.
    assert_problem(room.publish(article_id), 409)
    # The key with another body (a time) is refused.
    assert_problem(
        room.publish(article_id, at="2030-01-01T00:00:00Z", Idempotency_Key="pub-1"), 422
    )


def test_a_failed_post_does_not_burn_the_key(room: Newsroom) -> None:
    document = {"service": "en", "headline": "x", "body": [], "section": "nope"}
    headers = room.headers("en_editor", Idempotency_Key="retry-after-fix")
    assert_problem(room.client.post("/v1/articles", json=document, headers=headers), 422)
    fixed = room.client.post("/v1/articles", json={**document, "section": "world"}, headers=headers)
    assert fixed.status_code == 201, fixed.text
    assert "idempotency-replayed" not in fixed.headers


# Summary and related videos ----------------------------------------------------------------


def test_the_editorial_summary_replaces_the_generated_one_and_can_be_removed(
    room: Newsroom,
) -> None:
    article_id = room.draft()["id"]
    room.publish(article_id)
    generated = room.get(article_id, tail="/summary").json()
    response = room.client.put(
        f"/v1/articles/{article_id}/summary",
        json={"bullets": ["Budget <b>passed</b>.", "Deficit narrows."]},
        headers=room.headers("en_editor", If_Match=room.etag(article_id)),
    )
    assert response.status_code == 200, response.text
    assert response.json()["bullets"] == ["Budget passed.", "Deficit narrows."]
    assert response.json()["source"] == "editorial"
    assert response.headers["etag"] == f'"article-{article_id}-v3"'
    public = room.get(article_id, tail="/summary").json()
    assert public["source"] == "editorial"
    assert room.get(article_id).json()["summary"]["bullets"] == [
        "Budget passed.",
        "Deficit narrows.",
    ]
    teaser = room.client.get("/v1/articles").json()["items"][0]
    assert teaser["summary"] == ["Budget passed.", "Deficit narrows."]
    removed = room.action(
        "DELETE",
        f"/v1/articles/{article_id}/summary",
        "en_editor",
        headers={"If-Match": response.headers["etag"]},
    )
    assert removed.status_code == 204
    again = room.get(article_id, tail="/summary").json()
    assert again["source"] == "generated"
    assert again["bullets"] == generated["bullets"]


def test_removing_the_summary_of_an_imported_article_generates_one(
    room: Newsroom, store: Any
) -> None:
    from factories import article, bundle, service

    store(bundle(services=[service("en")], articles=[article("en", summary=["Given."])]))
    article_id = room.client.get("/v1/articles").json()["items"][0]["id"]
    assert room.get(article_id, tail="/summary").json()["source"] == "editorial"
    removed = room.action(
        "DELETE",
        f"/v1/articles/{article_id}/summary",
        "admin",
        headers={"If-Match": room.etag(article_id)},
    )
    assert removed.status_code == 204
    summary = room.get(article_id, tail="/summary").json()
    assert summary["source"] == "generated"
    assert summary["bullets"]


@pytest.mark.parametrize(
    "bullets", [[], ["a"] * 8, [""], ["<script>x</script>"], "one", [1], ["x" * 1001]]
)
def test_invalid_summaries_are_422(room: Newsroom, bullets: Any) -> None:
    article_id = room.draft()["id"]
    response = room.client.put(
        f"/v1/articles/{article_id}/summary",
        json={"bullets": bullets},
        headers=room.headers("en_editor", If_Match=room.etag(article_id)),
    )
    assert_problem(response, 422)


def test_curated_related_videos_come_first_in_the_editors_order(room: Newsroom) -> None:
    article_id = room.draft()["id"]
    room.publish(article_id)
    first, second = room.videos
    response = room.client.put(
        f"/v1/articles/{article_id}/related-videos",
        json={"video_ids": [second, first]},
        headers=room.headers("en_editor", If_Match=room.etag(article_id)),
    )
    assert response.status_code == 200, response.text
    assert response.json() == {"video_ids": [second, first]}
    items = room.get(article_id, tail="/related-videos").json()["items"]
    assert [(item["id"], item["curated"]) for item in items[:2]] == [(second, True), (first, True)]
    detail = room.get(article_id).json()
    assert [video["id"] for video in detail["related_videos"][:2]] == [second, first]
    cleared = room.client.put(
        f"/v1/articles/{article_id}/related-videos",
        json={"video_ids": []},
        headers=room.headers("en_editor", If_Match=response.headers["etag"]),
    )
    assert cleared.status_code == 200
    items = room.get(article_id, tail="/related-videos").json()["items"]
    assert not any(item["curated"] for item in items)


@pytest.mark.parametrize("ids", [[999_999], "LIST", [0], ["x"]])
def test_related_videos_must_exist_once_each(room: Newsroom, ids: Any) -> None:
    article_id = room.draft()["id"]
    if ids == "LIST":
        ids = [room.videos[0], room.videos[0]]
    response = room.client.put(
        f"/v1/articles/{article_id}/related-videos",
        json={"video_ids": ids},
        headers=room.headers("en_editor", If_Match=room.etag(article_id)),
    )
    assert_problem(response, 422)
    assert revisions_of(room, article_id) == 1


def test_unknown_members_of_small_bodies_are_422(room: Newsroom) -> None:
    article_id = room.draft()["id"]
    etag = room.etag(article_id)
    for path, body in (
        ("/summary", {"bullets": ["x"], "source": "editorial"}),
        ("/related-videos", {"video_ids": [], "mode": "append"}),
    ):
        response = room.client.put(
            f"/v1/articles/{article_id}{path}",
            json=body,
            headers=room.headers("en_editor", If_Match=etag),
        )
        assert_problem(response, 422)
    publish = room.client.post(
        f"/v1/articles/{article_id}/publish",
        json={"at": "2030-01-01T00:00:00Z", "now": True},
        headers=room.headers("en_editor"),
    )
    assert_problem(publish, 422)
    naive = room.client.post(
        f"/v1/articles/{article_id}/publish",
        json={"at": "2030-01-01T00:00:00"},
        headers=room.headers("en_editor"),
    )
    assert_problem(naive, 422)
