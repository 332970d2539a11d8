"""GET /v1/videos and /v1/videos/{id}: videos with availability resolved per reader."""

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from factories import article, bundle, iso, service, term, video
from fastapi.testclient import TestClient
from support import assert_problem

VIDEO_FIELDS = {
    "id",
    "service",
    "title",
    "description",
    "duration",
    "thumbnail",
    "renditions",
    "captions",
    "section",
    "tags",
    "availability",
    "published_at",
    "updated_at",
    "transcript",
    "playable",
    "unavailable_reason",
}


@pytest.fixture
def library(store: Any) -> None:
    store(
        bundle(
            services=[service("en"), service("ru")],
            sections=[term("en", "world")],
            tags=[term("en", "war"), term("en", "diplomacy")],
            videos=[
                video("en", "Morning briefing", published_at="2025-09-01T08:00:00Z"),
                video(
                    "en",
                    "Soldier's story",
                    uri="urn:v:soldier",
                    description="A soldier recalls <b>captivity</b>.",
                    duration=156,
                    transcript="I was left for dead.",
                    captions=[{"language": "en", "url": "https://media.example/s.vtt"}],
                    section="world",
                    tags=["war", "diplomacy"],
                    availability={"countries_blocked": ["RU", "BY"]},
                    published_at="2025-09-01T10:00:00Z",
                ),
                video("ru", "Новости дня", published_at="2025-09-01T09:00:00Z"),
            ],
        )
    )


def titles(client: TestClient, **params: Any) -> list[str]:
    response = client.get("/v1/videos", params=params)
    assert response.status_code == 200, response.text
    return [item["title"] for item in response.json()["items"]]


def test_videos_are_listed_newest_first(client: TestClient, library: None) -> None:
    assert titles(client) == ["Soldier's story", "Новости дня", "Morning briefing"]


def test_videos_filter_by_service(client: TestClient, library: None) -> None:
    assert titles(client, service="en") == ["Soldier's story", "Morning briefing"]
    assert titles(client, service="ru") == ["Новости дня"]
    assert_problem(client.get("/v1/videos", params={"service": "xx"}), 404)


def test_video_list_pages_with_cursor_and_link(client: TestClient, library: None) -> None:
    first = client.get("/v1/videos", params={"limit": 2})
    assert [item["title"] for item in first.json()["items"]] == ["Soldier's story", "Новости дня"]
    assert first.headers["link"].endswith('>; rel="next"')
    second = client.get("/v1/videos", params={"limit": 2, "cursor": first.json()["next_cursor"]})
    assert [item["title"] for item in second.json()["items"]] == ["Morning briefing"]
    assert second.json()["next_cursor"] is None


@pytest.mark.parametrize(
    "params",
    [{"limit": "0"}, {"limit": "101"}, {"limit": "x"}, {"cursor": "garbage"}],
    ids=["limit0", "limit101", "limitx", "cursor"],
)
def test_bad_video_list_parameters_are_4xx(
    client: TestClient, library: None, params: dict[str, str]
) -> None:
    response = client.get("/v1/videos", params=params)
    assert_problem(response, 400 if "cursor" in params else 422)


def test_article_cursor_is_not_a_video_cursor(client: TestClient, store: Any) -> None:
    store(bundle(articles=[article("en"), article("en")]))
    cursor = client.get("/v1/articles", params={"limit": 1}).json()["next_cursor"]
    assert_problem(client.get("/v1/videos", params={"cursor": cursor}), 400)


def test_video_detail_has_every_field(client: TestClient, library: None) -> None:
    listed = client.get("/v1/videos", params={"service": "en"}).json()["items"][0]
    response = client.get(f"/v1/videos/{listed['id']}", headers={"CF-IPCountry": "DE"})
    assert response.status_code == 200
    doc = response.json()
    assert set(doc) == VIDEO_FIELDS
    assert doc["title"] == "Soldier's story"
    assert doc["description"] == "A soldier recalls captivity."
    assert doc["duration"] == 156
    assert doc["transcript"] == "I was left for dead."
    assert doc["captions"] == [{"language": "en", "url": "https://media.example/s.vtt"}]
    assert doc["section"] == {"slug": "world", "name": "World"}
    assert [tag["slug"] for tag in doc["tags"]] == ["diplomacy", "war"]
    assert doc["availability"] == {
        "countries_allowed": None,
        "countries_blocked": ["RU", "BY"],
        "available_from": None,
        "available_until": None,
    }
    assert doc["published_at"] == "2025-09-01T10:00:00Z"
    assert doc["playable"] is True
    assert doc["renditions"][0]["url"].startswith("https://media.example/")
    assert doc == {**listed, "playable": True, "unavailable_reason": None}


def test_video_detail_is_geo_blocked_in_a_blocked_country(
    client: TestClient, library: None
) -> None:
    video_id = client.get("/v1/videos", params={"service": "en"}).json()["items"][0]["id"]
    blocked = client.get(f"/v1/videos/{video_id}", headers={"CF-IPCountry": "BY"})
    assert blocked.status_code == 200
    assert blocked.json()["playable"] is False
    assert blocked.json()["unavailable_reason"] == "geo_blocked"
    assert blocked.json()["renditions"] == []
    assert "cf-ipcountry" in blocked.headers["vary"].lower()
    listed = client.get("/v1/videos", headers={"CF-IPCountry": "RU"}).json()["items"]
    assert [item["playable"] for item in listed] == [False, True, True]


@pytest.mark.parametrize(
    ("fields", "reason"),
    [
        ({"availability": {"available_from": "in_a_day"}}, "not_yet_available"),
        ({"availability": {"available_until": "a_day_ago"}}, "expired"),
        ({"renditions": []}, "no_sources"),
    ],
    ids=["not_yet_available", "expired", "no_sources"],
)
def test_video_detail_reports_why_it_cannot_be_played(
    client: TestClient, store: Any, fields: dict[str, Any], reason: str
) -> None:
    now = datetime.now(UTC)
    moments = {"in_a_day": iso(now + timedelta(days=1)), "a_day_ago": iso(now - timedelta(days=1))}
    if "availability" in fields:
        fields = {"availability": {k: moments[v] for k, v in fields["availability"].items()}}
    store(bundle(videos=[video("en", **fields)]))
    [listed] = client.get("/v1/videos").json()["items"]
    doc = client.get(f"/v1/videos/{listed['id']}").json()
    assert (doc["playable"], doc["unavailable_reason"], doc["renditions"]) == (False, reason, [])
    assert listed["unavailable_reason"] == reason


def test_unknown_video_is_404(client: TestClient, library: None) -> None:
    body = assert_problem(client.get("/v1/videos/777777"), 404)
    assert "video" in body["detail"]


@pytest.mark.parametrize("path", ["/v1/videos/0", "/v1/videos/abc", "/v1/videos/1.5"])
def test_malformed_video_id_is_422(client: TestClient, path: str) -> None:
    assert_problem(client.get(path), 422)


def test_video_list_is_empty_without_videos(client: TestClient, store: Any) -> None:
    store(bundle())
    assert client.get("/v1/videos").json() == {"items": [], "next_cursor": None}
