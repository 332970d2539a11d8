"""Related videos: curated first in the editors' order, then suggestions; availability."""

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from factories import article, bundle, iso, service, term, video
from fastapi.testclient import TestClient
from support import assert_problem


@pytest.fixture
def story(store: Any, client: TestClient) -> int:
    """An article with two curated videos and three suggestions of decreasing relevance."""
    store(
        bundle(
            tags=[term("en", "budget"), term("en", "taxes"), term("en", "weather")],
            videos=[
                video("en", "Curated clip alpha", uri="urn:v:alpha"),
                video("en", "Curated clip beta", uri="urn:v:beta"),
                video(
                    "en", "Suggested clip sharing two", uri="urn:v:two", tags=["budget", "taxes"]
                ),
                video("en", "Suggested clip sharing one", uri="urn:v:one", tags=["budget"]),
                video("en", "Suggested clip sharing none", uri="urn:v:none", tags=["weather"]),
            ],
            articles=[
                article(
                    "en",
                    "Parliament debates spending",
                    tags=["budget", "taxes"],
                    related_videos=["urn:v:beta", "urn:v:alpha"],
                )
            ],
        )
    )
    return int(client.get("/v1/articles").json()["items"][0]["id"])


EXPECTED_ORDER = [
    ("Curated clip beta", True),
    ("Curated clip alpha", True),
    ("Suggested clip sharing two", False),
    ("Suggested clip sharing one", False),
    ("Suggested clip sharing none", False),
]


def test_curated_videos_come_first_then_suggestions_by_shared_tags(
    client: TestClient, story: int
) -> None:
    response = client.get(f"/v1/articles/{story}/related-videos")
    assert response.status_code == 200
    items = response.json()["items"]
    assert [(item["title"], item["curated"]) for item in items] == EXPECTED_ORDER


def test_detail_embeds_the_same_related_videos(client: TestClient, story: int) -> None:
    detail = client.get(f"/v1/articles/{story}").json()
    endpoint = client.get(f"/v1/articles/{story}/related-videos").json()["items"]
    assert detail["related_videos"] == endpoint
    assert [(v["title"], v["curated"]) for v in detail["related_videos"]] == EXPECTED_ORDER


def test_related_video_has_the_video_fields(client: TestClient, story: int) -> None:
    first = client.get(f"/v1/articles/{story}/related-videos").json()["items"][0]
    assert {
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
        "curated",
        "playable",
        "unavailable_reason",
    } <= set(first)
    assert first["duration"] == 90
    assert first["playable"] is True
    assert first["unavailable_reason"] is None
    assert first["renditions"][0]["mime_type"] == "video/mp4"


@pytest.mark.parametrize("limit", [1, 2, 4])
def test_limit_cuts_the_list_keeping_its_order(client: TestClient, story: int, limit: int) -> None:
    items = client.get(f"/v1/articles/{story}/related-videos", params={"limit": limit}).json()[
        "items"
    ]
    assert [item["title"] for item in items] == [title for title, _ in EXPECTED_ORDER[:limit]]


def test_limit_12_is_the_maximum(client: TestClient, story: int) -> None:
    response = client.get(f"/v1/articles/{story}/related-videos", params={"limit": 12})
    assert response.status_code == 200
    assert len(response.json()["items"]) == 5


@pytest.mark.parametrize("limit", ["0", "13", "100", "-1", "abc"])
def test_limit_outside_1_to_12_is_422(client: TestClient, story: int, limit: str) -> None:
    response = client.get(f"/v1/articles/{story}/related-videos", params={"limit": limit})
    body = assert_problem(response, 422)
    assert body["errors"][0]["field"] == "limit"


def test_related_videos_of_an_unknown_article_is_404(client: TestClient, story: int) -> None:
    assert_problem(client.get(f"/v1/articles/{story + 1000}/related-videos"), 404)


def test_article_with_no_videos_has_an_empty_list(client: TestClient, store: Any) -> None:
    store(bundle(articles=[article("en")]))
    [item] = client.get("/v1/articles").json()["items"]
    response = client.get(f"/v1/articles/{item['id']}/related-videos")
    assert response.json() == {"items": []}


def test_videos_of_other_services_are_not_suggested(client: TestClient, store: Any) -> None:
    store(
        bundle(
            services=[service("en"), service("ru")],
            videos=[video("ru", "Русский ролик")],
            articles=[article("en")],
        )
    )
    [item] = client.get("/v1/articles").json()["items"]
    assert client.get(f"/v1/articles/{item['id']}/related-videos").json()["items"] == []


def related(client: TestClient, article_id: int, country: str | None = None) -> Any:
    headers = {"CF-IPCountry": country} if country else {}
    return client.get(f"/v1/articles/{article_id}/related-videos", headers=headers)


def one_video_story(store: Any, client: TestClient, **video_fields: Any) -> int:
    store(
        bundle(
            videos=[video("en", "The clip", uri="urn:v:clip", **video_fields)],
            articles=[article("en", related_videos=["urn:v:clip"])],
        )
    )
    return int(client.get("/v1/articles").json()["items"][0]["id"])


def test_geo_blocked_video_is_unplayable_there_and_playable_elsewhere(
    client: TestClient, store: Any
) -> None:
    story = one_video_story(store, client, availability={"countries_blocked": ["RU"]})
    blocked = related(client, story, "RU")
    [clip] = blocked.json()["items"]
    assert clip["playable"] is False
    assert clip["unavailable_reason"] == "geo_blocked"
    assert clip["renditions"] == []
    assert "cf-ipcountry" in blocked.headers["vary"].lower()
    for country in ("DE", None):
        [clip] = related(client, story, country).json()["items"]
        assert clip["playable"] is True
        assert clip["unavailable_reason"] is None
        assert len(clip["renditions"]) == 1
    [embedded] = client.get(f"/v1/articles/{story}", headers={"CF-IPCountry": "RU"}).json()[
        "related_videos"
    ]
    assert embedded["playable"] is False
    assert embedded["renditions"] == []


def test_video_allowed_only_in_some_countries(client: TestClient, store: Any) -> None:
    story = one_video_story(store, client, availability={"countries_allowed": ["GB", "IE"]})
    assert related(client, story, "GB").json()["items"][0]["playable"] is True
    for country in ("DE", None):
        [clip] = related(client, story, country).json()["items"]
        assert clip["playable"] is False
        assert clip["unavailable_reason"] == "geo_blocked"
        assert clip["renditions"] == []


def test_video_not_yet_available(client: TestClient, store: Any) -> None:
    later = iso(datetime.now(UTC) + timedelta(days=1))
    story = one_video_story(store, client, availability={"available_from": later})
    [clip] = related(client, story, "DE").json()["items"]
    assert (clip["playable"], clip["unavailable_reason"]) == (False, "not_yet_available")
    assert clip["renditions"] == []
    assert clip["availability"]["available_from"] == later


def test_expired_video(client: TestClient, store: Any) -> None:
    earlier = iso(datetime.now(UTC) - timedelta(days=1))
    story = one_video_story(store, client, availability={"available_until": earlier})
    [clip] = related(client, story).json()["items"]
    assert (clip["playable"], clip["unavailable_reason"]) == (False, "expired")
    assert clip["renditions"] == []


def test_video_inside_its_window_is_playable(client: TestClient, store: Any) -> None:
    now = datetime.now(UTC)
    window = {
        "available_from": iso(now - timedelta(days=1)),
        "available_until": iso(now + timedelta(days=1)),
    }
    story = one_video_story(store, client, availability=window)
    [clip] = related(client, story).json()["items"]
    assert (clip["playable"], clip["unavailable_reason"]) == (True, None)


def test_video_without_renditions_has_no_sources(client: TestClient, store: Any) -> None:
    story = one_video_story(store, client, renditions=[])
    [clip] = related(client, story).json()["items"]
    assert (clip["playable"], clip["unavailable_reason"]) == (False, "no_sources")


def test_a_video_change_reaches_the_articles_that_show_it(client: TestClient, store: Any) -> None:
    story = one_video_story(store, client)
    store(bundle(videos=[video("en", "The clip, re-edited", uri="urn:v:clip", duration=120)]))
    [clip] = related(client, story).json()["items"]
    assert clip["title"] == "The clip, re-edited"
    assert clip["duration"] == 120
    detail = client.get(f"/v1/articles/{story}").json()
    assert detail["related_videos"][0]["title"] == "The clip, re-edited"


def suggested_titles(client: TestClient, article_id: int, country: str | None = None) -> list[str]:
    items = related(client, article_id, country).json()["items"]
    assert not any(item["curated"] for item in items)
    return [item["title"] for item in items]


def test_a_video_sharing_words_is_suggested_above_an_unrelated_newer_one(
    client: TestClient, store: Any
) -> None:
    store(
        bundle(
            videos=[
                video("en", "Cup final goes to penalties", published_at="2025-09-03T00:00:00Z"),
                video(
                    "en",
                    "Storm batters the harbour wall at Dover",
                    description="Ferries stay in port.",
                    published_at="2025-08-01T00:00:00Z",
                ),
            ],
            articles=[
                article(
                    "en",
                    "Storm closes the harbour at Dover",
                    paragraphs=["Ferries stay in port as the storm batters the harbour wall."],
                )
            ],
        )
    )
    story = int(client.get("/v1/articles").json()["items"][0]["id"])
    assert suggested_titles(client, story) == [
        "Storm batters the harbour wall at Dover",
        "Cup final goes to penalties",
    ]


def test_a_video_sharing_tags_and_words_comes_first(client: TestClient, store: Any) -> None:
    store(
        bundle(
            tags=[term("en", "storms"), term("en", "football")],
            videos=[
                video("en", "Cup final goes to penalties", tags=["football"]),
                video("en", "Harbour wall repaired", tags=["storms"]),
                video("en", "Storm damage at the harbour", tags=["storms"]),
            ],
            articles=[article("en", "Storm closes the harbour", tags=["storms"])],
        )
    )
    story = int(client.get("/v1/articles").json()["items"][0]["id"])
    assert suggested_titles(client, story) == [
        "Storm damage at the harbour",
        "Harbour wall repaired",
        "Cup final goes to penalties",
    ]


def test_only_videos_the_reader_may_play_are_suggested(client: TestClient, store: Any) -> None:
    now = datetime.now(UTC)
    store(
        bundle(
            tags=[term("en", "storms")],
            videos=[
                video("en", "Storm everywhere", tags=["storms"]),
                video(
                    "en",
                    "Storm outside Russia",
                    tags=["storms"],
                    availability={"countries_blocked": ["RU"]},
                ),
                video(
                    "en",
                    "Storm in Britain only",
                    tags=["storms"],
                    availability={"countries_allowed": ["GB"]},
                ),
                video(
                    "en",
                    "Storm tomorrow",
                    tags=["storms"],
                    availability={"available_from": iso(now + timedelta(days=1))},
                ),
                video(
                    "en",
                    "Storm expired",
                    tags=["storms"],
                    availability={"available_until": iso(now - timedelta(days=1))},
                ),
                video("en", "Storm without sources", tags=["storms"], renditions=[]),
            ],
            articles=[article("en", "Storm warning", tags=["storms"])],
        )
    )
    story = int(client.get("/v1/articles").json()["items"][0]["id"])
    assert set(suggested_titles(client, story, "RU")) == {"Storm everywhere"}
    assert set(suggested_titles(client, story, "DE")) == {
        "Storm everywhere",
        "Storm outside Russia",
    }
    assert set(suggested_titles(client, story, "GB")) == {
        "Storm everywhere",
        "Storm outside Russia",
        "Storm in Britain only",
    }
    for country in ("RU", "DE", "GB"):
        detail = client.get(f"/v1/articles/{story}", headers={"CF-IPCountry": country}).json()
        assert detail["related_videos"] == related(client, story, country).json()["items"]
