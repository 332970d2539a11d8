"""No feed or sitemap ever shows what a reader may not see."""

from collections.abc import Callable
from typing import Any

import feedparser
import pytest
from factories import article, bundle, iso
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker
from support import soon, wait_until

from feeds.newsroom import HIDDEN, HIDDEN_HEADLINES, OPEN_VIDEO, Newsroom, ago, set_status

FEEDS = ["/v1/feeds/en/rss.xml", "/v1/feeds/en/atom.xml", "/v1/feeds/en/feed.json"]
EVERY_DOOR = [*FEEDS, "/v1/sitemaps/en/news.xml"]


def headlines(client: TestClient, path: str, country: str | None = None) -> list[str]:
    response = client.get(path, headers={"CF-IPCountry": country} if country else {})
    assert response.status_code == 200, response.text
    assert response.headers["vary"] == "CF-IPCountry, Accept-Encoding"
    if path.endswith(".json"):
        return [item["title"] for item in response.json()["items"]]
    if "sitemaps" in path:
        marker = "<news:title>"
        return [part.split("<", 1)[0] for part in response.text.split(marker)[1:]]
    parsed = feedparser.parse(response.content)
    assert parsed.bozo == 0
    return [entry.title for entry in parsed.entries]


@pytest.mark.parametrize("path", EVERY_DOOR)
def test_drafts_scheduled_embargoed_and_archived_never_appear(
    client: TestClient, newsroom: Newsroom, path: str
) -> None:
    for country in (None, "RU", "DE"):
        shown = headlines(client, path, country)
        assert "Storm closes the harbour" in shown
        for hidden in HIDDEN_HEADLINES:
            assert hidden not in shown
        body = client.get(path, headers={"CF-IPCountry": country} if country else {}).text
        for uri in HIDDEN:
            assert f"/v1/articles/{newsroom.ids[uri]}<" not in body
            assert f'/v1/articles/{newsroom.ids[uri]}"' not in body


@pytest.mark.parametrize("path", EVERY_DOOR)
def test_an_article_withheld_in_the_readers_country_is_left_out_there_only(
    client: TestClient, newsroom: Newsroom, path: str
) -> None:
    assert "Withheld in Russia" in headlines(client, path)
    assert "Withheld in Russia" in headlines(client, path, "DE")
    assert "Withheld in Russia" not in headlines(client, path, "RU")
    assert "Withheld in Russia" not in headlines(client, path, "ru")


@pytest.mark.parametrize("path", EVERY_DOOR)
def test_another_services_articles_never_appear(
    client: TestClient, newsroom: Newsroom, path: str
) -> None:
    assert "طوفان بندر را بست" not in client.get(path).text


@pytest.mark.parametrize("path", EVERY_DOOR)
def test_an_article_unpublished_leaves_at_once(
    client: TestClient, newsroom: Newsroom, sessions: sessionmaker[Session], path: str
) -> None:
    assert "Energy prices jump" in headlines(client, path)
    set_status(sessions, newsroom.ids["urn:energy"], "draft")
    assert "Energy prices jump" not in headlines(client, path)


def test_a_scheduled_article_appears_in_feeds_at_its_time(
    client: TestClient, store: Callable[[dict[str, Any]], Any]
) -> None:
    when = soon()
    store(bundle(articles=[article("en", "Due soon", published_at=iso(when))]))
    for path in EVERY_DOOR:
        assert "Due soon" not in headlines(client, path)
    wait_until(when)
    for path in EVERY_DOOR:
        assert "Due soon" in headlines(client, path)


def test_an_edit_shows_in_every_feed_at_once(
    client: TestClient, newsroom: Newsroom, store: Callable[[dict[str, Any]], Any]
) -> None:
    for path in EVERY_DOOR:
        assert "Energy prices jump" in headlines(client, path)
    store(
        bundle(
            articles=[
                article(
                    "en",
                    "Energy prices fall again",
                    uri="urn:energy",
                    section="business",
                    tags=["energy"],
                    published_at=ago(hours=2),
                )
            ]
        )
    )
    for path in EVERY_DOOR:
        shown = headlines(client, path)
        assert "Energy prices fall again" in shown
        assert "Energy prices jump" not in shown


def test_a_video_that_becomes_blocked_loses_its_enclosure(
    client: TestClient, newsroom: Newsroom, store: Callable[[dict[str, Any]], Any]
) -> None:
    for path in FEEDS:
        assert OPEN_VIDEO in client.get(path, headers={"CF-IPCountry": "FR"}).text
    store(
        bundle(
            videos=[
                {
                    "uri": "urn:video:open",
                    "service": "en",
                    "title": "Harbour in the storm",
                    "duration": 90,
                    "renditions": [{"url": OPEN_VIDEO, "mime_type": "video/mp4"}],
                    "availability": {"countries_blocked": ["FR"]},
                    "published_at": "2025-09-01T00:00:00Z",
                }
            ]
        )
    )
    for path in FEEDS:
        assert OPEN_VIDEO not in client.get(path, headers={"CF-IPCountry": "FR"}).text
        assert OPEN_VIDEO in client.get(path, headers={"CF-IPCountry": "DE"}).text


def test_a_video_whose_window_opens_gains_its_enclosure_by_itself(
    client: TestClient, store: Callable[[dict[str, Any]], Any]
) -> None:
    opens = soon()
    store(
        bundle(
            videos=[
                {
                    "uri": "urn:video:later",
                    "service": "en",
                    "title": "Premiere",
                    "duration": 60,
                    "renditions": [
                        {"url": "https://media.example/later.mp4", "mime_type": "video/mp4"}
                    ],
                    "availability": {"available_from": iso(opens)},
                    "published_at": "2025-09-01T00:00:00Z",
                }
            ],
            articles=[
                article(
                    "en",
                    "Premiere tonight",
                    related_videos=["urn:video:later"],
                    published_at=ago(hours=1),
                )
            ],
        )
    )
    before = {path: client.get(path) for path in FEEDS}
    for response in before.values():
        assert "Premiere tonight" in response.text
        assert "later.mp4" not in response.text
    wait_until(opens)
    for path, response in before.items():
        after = client.get(path, headers={"If-None-Match": response.headers["etag"]})
        assert after.status_code == 200
        assert "https://media.example/later.mp4" in after.text
