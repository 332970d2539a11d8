"""POST/PATCH/DELETE /v1/videos: permissions, If-Match, merge patches, and the
articles that show a video following every change at once."""

from typing import Any

import pytest
from factories import article, bundle, service, term, video
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
            sections=[term("en", "world")],
            tags=[term("en", "war"), term("en", "budget"), term("ru", "war")],
            videos=[video("en", "Budget vote", uri="urn:v:budget")],
            articles=[
                article(
                    "en",
                    "Parliament votes on the budget",
                    related_videos=["urn:v:budget"],
                    uri="urn:a:budget",
                )
            ],
        )
    )
    return make_desk(client, sessions)


def new_video(**extra: Any) -> dict[str, Any]:
    return {
        "service": "en",
        "title": "Soldier's story",
        "description": "A soldier recalls captivity.",
        "duration": 156,
        "thumbnail": {"url": "https://media.example/s.jpg", "width": 640, "height": 360},
        "renditions": [
            {"url": "https://media.example/s.mp4", "mime_type": "video/mp4", "width": 640}
        ],
        "captions": [{"language": "en", "url": "https://media.example/s.vtt"}],
        "transcript": "I was left for dead.",
        "availability": {"countries_blocked": ["BY"]},
        "section": "world",
        "tags": ["war"],
        **extra,
    }


def budget_video(desk: Desk) -> tuple[int, str]:
    """The seeded video's id and its editorial ETag (the public read's, for a reader)."""
    items = desk.client.get("/v1/videos").json()["items"]
    video_id = next(item["id"] for item in items if item["title"] == "Budget vote")
    return video_id, desk.client.get(f"/v1/videos/{video_id}").headers["etag"]


def article_id(sessions: sessionmaker[Session]) -> int:
    with sessions() as session:
        found = session.scalar(select(Article.id).where(Article.uri == "urn:a:budget"))
    assert found is not None
    return found


def test_editor_creates_a_video_of_their_service(desk: Desk) -> None:
    response = desk.post("/v1/videos", new_video(), who="en_editor")
    assert response.status_code == 201, response.text
    body = response.json()
    assert response.headers["location"] == f"/v1/videos/{body['id']}"
    assert response.headers["etag"].startswith('"')
    assert response.headers["cache-control"] == "private, no-store"
    assert body["uri"].startswith("urn:uuid:")
    assert body["section"] == {"slug": "world", "name": "World"}
    assert [t["slug"] for t in body["tags"]] == ["war"]
    public = desk.client.get(f"/v1/videos/{body['id']}", headers={"CF-IPCountry": "BY"}).json()
    assert public["title"] == "Soldier's story"
    assert public["transcript"] == "I was left for dead."
    assert public["unavailable_reason"] == "geo_blocked"


@pytest.mark.parametrize(("who", "status"), [(None, 401), ("en_viewer", 403), ("ru_editor", 403)])
def test_create_needs_a_writer_of_the_service(desk: Desk, who: str | None, status: int) -> None:
    assert_problem(desk.post("/v1/videos", new_video(), who=who), status)


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"colour": "red"}, "colour"),
        ({"title": ""}, "title"),
        ({"duration": -1}, "duration"),
        (
            {"renditions": [{"url": "javascript:alert(1)", "mime_type": "video/mp4"}]},
            "renditions.0.url",
        ),
        ({"availability": {"countries_blocked": ["russia"]}}, "availability.countries_blocked.0"),
        (
            {
                "availability": {
                    "available_from": "2025-02-01T00:00:00Z",
                    "available_until": "2025-01-01T00:00:00Z",
                }
            },
            "availability",
        ),
        (
            {"captions": [{"language": "<b>", "url": "https://x.example/c.vtt"}]},
            "captions.0.language",
        ),
        ({"tags": ["nope"]}, "tags.0"),
        ({"section": "sport"}, "section"),
        ({"service": "xx"}, "service"),
    ],
)
def test_invalid_videos_are_422_naming_the_field(
    desk: Desk, change: dict[str, Any], field: str
) -> None:
    body = assert_problem(desk.post("/v1/videos", new_video(**change)), 422)
    assert field in [error["field"] for error in body["errors"]], body["errors"]


def test_same_uri_twice_is_a_conflict(desk: Desk) -> None:
    assert_problem(desk.post("/v1/videos", new_video(uri="urn:v:budget")), 409)


def test_post_replays_an_idempotency_key(desk: Desk) -> None:
    first = desk.post("/v1/videos", new_video(), Idempotency_Key="k1")
    again = desk.post("/v1/videos", new_video(), Idempotency_Key="k1")
    assert again.status_code == 201
    assert again.json()["id"] == first.json()["id"]
    assert again.headers["idempotency-replayed"] == "true"
    assert len(desk.client.get("/v1/videos").json()["items"]) == 2
    assert_problem(desk.post("/v1/videos", new_video(title="Other"), Idempotency_Key="k1"), 422)


def test_patch_needs_if_match_and_refuses_a_stale_one(desk: Desk) -> None:
    created = desk.post("/v1/videos", new_video())
    path = f"/v1/videos/{created.json()['id']}"
    assert_problem(desk.patch(path, {"title": "New"}), 428)
    first = desk.patch(path, {"title": "New"}, etag=created.headers["etag"])
    assert first.status_code == 200, first.text
    assert first.json()["title"] == "New"
    assert first.headers["etag"] != created.headers["etag"]
    stale = desk.patch(path, {"title": "Newer"}, etag=created.headers["etag"])
    body = assert_problem(stale, 412)
    assert stale.headers["etag"] == first.headers["etag"]
    assert "read it again" in body["detail"]
    assert desk.client.get(path).json()["title"] == "New"


def test_public_etag_serves_as_if_match(desk: Desk) -> None:
    video_id, etag = budget_video(desk)
    response = desk.patch(f"/v1/videos/{video_id}", {"duration": 95}, etag=etag)
    assert response.status_code == 200, response.text
    assert response.json()["duration"] == 95


def test_merge_patch_removes_with_null_and_keeps_the_rest(desk: Desk) -> None:
    created = desk.post("/v1/videos", new_video())
    path = f"/v1/videos/{created.json()['id']}"
    response = desk.patch(
        path,
        {
            "description": None,
            "availability": {"countries_blocked": None},
            "tags": ["budget", "war"],
        },
        etag=created.headers["etag"],
        content_type="application/json",
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["description"] is None
    assert body["availability"]["countries_blocked"] is None
    assert [t["slug"] for t in body["tags"]] == ["budget", "war"]
    assert body["title"] == "Soldier's story"
    assert body["captions"] == [{"language": "en", "url": "https://media.example/s.vtt"}]


@pytest.mark.parametrize(
    ("patch", "status"),
    [
        ({"title": None}, 422),
        ({"colour": "red"}, 422),
        ({"uri": "urn:other"}, 422),
        ({"duration": "long"}, 422),
        ({"service": "ru"}, 403),
        ({"tags": ["nope"]}, 422),
    ],
)
def test_bad_patches_change_nothing(desk: Desk, patch: dict[str, Any], status: int) -> None:
    video_id, etag = budget_video(desk)
    before = desk.client.get(f"/v1/videos/{video_id}").json()
    assert_problem(desk.patch(f"/v1/videos/{video_id}", patch, who="en_editor", etag=etag), status)
    assert desk.client.get(f"/v1/videos/{video_id}").json() == before


def test_patch_must_be_a_json_object_in_a_json_media_type(desk: Desk) -> None:
    video_id, etag = budget_video(desk)
    path = f"/v1/videos/{video_id}"
    assert_problem(desk.patch(path, ["title"], etag=etag), 422)
    assert_problem(desk.patch(path, {"title": "x"}, etag=etag, content_type="text/plain"), 415)
    broken = desk.client.patch(
        path,
        content=b"{nope",
        headers={**desk.headers("admin"), "If-Match": etag, "Content-Type": "application/json"},
    )
    assert_problem(broken, 422)


def test_patch_and_delete_of_unknown_or_foreign_videos(desk: Desk) -> None:
    video_id, etag = budget_video(desk)
    assert_problem(desk.patch("/v1/videos/987654", {"title": "x"}, etag=etag), 404)
    assert_problem(desk.delete("/v1/videos/987654", etag=etag), 404)
    assert_problem(
        desk.patch(f"/v1/videos/{video_id}", {"title": "x"}, who="ru_editor", etag=etag), 403
    )
    assert_problem(desk.delete(f"/v1/videos/{video_id}", who="en_viewer", etag=etag), 403)
    assert_problem(desk.patch(f"/v1/videos/{video_id}", {"title": "x"}, who=None, etag=etag), 401)


def test_availability_change_shows_at_once_in_the_article(
    desk: Desk, sessions: sessionmaker[Session]
) -> None:
    story = article_id(sessions)
    russia = {"CF-IPCountry": "RU"}

    def related() -> dict[str, Any]:
        detail = desk.client.get(f"/v1/articles/{story}", headers=russia).json()
        return next(v for v in detail["related_videos"] if v["title"].startswith("Budget"))

    assert related()["playable"] is True
    before = desk.client.get(f"/v1/articles/{story}", headers=russia).headers["etag"]
    video_id, etag = budget_video(desk)
    response = desk.patch(
        f"/v1/videos/{video_id}", {"availability": {"countries_blocked": ["RU"]}}, etag=etag
    )
    assert response.status_code == 200, response.text
    assert related()["playable"] is False
    assert related()["unavailable_reason"] == "geo_blocked"
    assert related()["renditions"] == []
    assert desk.client.get(f"/v1/articles/{story}", headers=russia).headers["etag"] != before
    listed = desk.client.get(f"/v1/articles/{story}/related-videos", headers=russia).json()
    assert listed["items"][0]["unavailable_reason"] == "geo_blocked"
    desk.patch(
        f"/v1/videos/{video_id}",
        {"title": "Budget vote, the replay"},
        etag=response.headers["etag"],
    )
    assert related()["title"] == "Budget vote, the replay"


def test_delete_takes_the_video_off_curated_lists(
    desk: Desk, sessions: sessionmaker[Session]
) -> None:
    story = article_id(sessions)
    video_id, etag = budget_video(desk)
    assert_problem(desk.delete(f"/v1/videos/{video_id}"), 428)
    assert_problem(desk.delete(f"/v1/videos/{video_id}", etag='"stale"'), 412)
    response = desk.delete(f"/v1/videos/{video_id}", who="en_editor", etag=etag)
    assert response.status_code == 204
    assert_problem(desk.client.get(f"/v1/videos/{video_id}"), 404)
    detail = desk.client.get(f"/v1/articles/{story}").json()
    assert all(v["id"] != video_id for v in detail["related_videos"])


def test_a_video_embedded_in_a_body_cannot_be_deleted(desk: Desk, store: Any) -> None:
    store(
        bundle(
            services=[service("en")],
            articles=[
                article(
                    "en",
                    "The vote, in pictures",
                    uri="urn:a:embed",
                    body=[{"type": "video", "video_uri": "urn:v:budget"}],
                )
            ],
        )
    )
    video_id, etag = budget_video(desk)
    body = assert_problem(desk.delete(f"/v1/videos/{video_id}", etag=etag), 409)
    assert "embed" in body["detail"]
    assert desk.client.get(f"/v1/videos/{video_id}").status_code == 200


@pytest.mark.parametrize("payload", XSS)
def test_markup_in_video_text_never_comes_back(desk: Desk, payload: str) -> None:
    response = desk.post(
        "/v1/videos",
        new_video(title=f"{payload} Breaking", description=payload, transcript=payload),
    )
    assert response.status_code == 201, response.text
    video_id = response.json()["id"]
    assert_no_markup({k: response.json()[k] for k in ("title", "description", "transcript")})
    public = desk.client.get(f"/v1/videos/{video_id}").json()
    assert_no_markup({k: public[k] for k in ("title", "description", "transcript")})
    patched = desk.patch(
        f"/v1/videos/{video_id}", {"description": payload}, etag=response.headers["etag"]
    )
    assert_no_markup(patched.json()["description"])


def test_concurrent_patches_with_one_etag_give_one_200_and_one_412(desk: Desk) -> None:
    from concurrent.futures import ThreadPoolExecutor

    video_id, etag = budget_video(desk)
    path = f"/v1/videos/{video_id}"
    with ThreadPoolExecutor(max_workers=2) as pool:
        answers = list(
            pool.map(lambda title: desk.patch(path, {"title": title}, etag=etag), ["One", "Two"])
        )
    assert sorted(answer.status_code for answer in answers) == [200, 412]
    winner = next(answer for answer in answers if answer.status_code == 200)
    assert desk.client.get(path).json()["title"] == winner.json()["title"]
