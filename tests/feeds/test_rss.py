"""GET /v1/feeds/{service}/rss.xml: RSS 2.0 with Media RSS, as feed readers parse it."""

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import feedparser
from factories import article, bundle, term
from fastapi.testclient import TestClient
from lxml import etree

from feeds.newsroom import (
    BLOCKED_IN_RU_VIDEO,
    EXPIRED_VIDEO,
    LEAD_IMAGE,
    OPEN_VIDEO,
    OPEN_VIDEO_HLS,
    PERSIAN_HEADLINE,
    Newsroom,
)

PATH = "/v1/feeds/en/rss.xml"


def parse(
    client: TestClient, path: str = PATH, country: str | None = None
) -> feedparser.FeedParserDict:
    response = client.get(path, headers={"CF-IPCountry": country} if country else {})
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/rss+xml"
    parsed = feedparser.parse(response.content)
    assert parsed.bozo == 0, parsed.get("bozo_exception")
    assert parsed.version == "rss20"
    return parsed


def test_channel_names_the_service_its_language_and_itself(
    client: TestClient, newsroom: Newsroom
) -> None:
    feed = parse(client).feed
    assert feed.title == "Example News"
    assert feed.subtitle == "News in English"
    assert feed.link == "https://en.news.example"
    assert feed.language == "en"
    assert any(
        link.rel == "self" and link.href == "http://testserver/v1/feeds/en/rss.xml"
        for link in feed.links
    )


def test_items_are_the_public_articles_newest_first(client: TestClient, newsroom: Newsroom) -> None:
    entries = parse(client).entries
    assert [entry.title for entry in entries] == [
        "Storm closes the harbour",
        "Energy prices jump",
        "Withheld in Russia",
        "Old but public",
    ]
    storm = entries[0]
    assert storm.link == "https://en.news.example/a/storm-closes-the-harbour"
    assert storm.id == f"http://testserver/v1/articles/{newsroom.ids['urn:storm']}"
    assert storm.guidislink is False
    published = datetime(*storm.published_parsed[:6], tzinfo=UTC)
    assert abs(published - (newsroom.now - timedelta(hours=1))) < timedelta(minutes=1)


def test_description_is_the_key_points(client: TestClient, newsroom: Newsroom) -> None:
    storm = parse(client).entries[0]
    assert storm.summary_detail.type == "text/html"
    assert storm.summary == (
        "<ul><li>Ferries stay in port.</li><li>Winds reach 120 km/h &amp; more.</li></ul>"
    )


def test_bylines_and_categories_come_from_authors_section_and_tags(
    client: TestClient, newsroom: Newsroom
) -> None:
    storm = parse(client).entries[0]
    assert [author.name for author in storm.authors] == ["Jane Doe", "Ivan Petrov"]
    assert [tag.term for tag in storm.tags] == ["World", "Weather"]


def test_lead_image_is_the_enclosure_and_media_content(
    client: TestClient, newsroom: Newsroom
) -> None:
    storm = parse(client).entries[0]
    assert storm.enclosures == [{"href": LEAD_IMAGE, "type": "image/jpeg", "length": "0"}]
    image = storm.media_content[0]
    assert image == {
        "url": LEAD_IMAGE,
        "medium": "image",
        "type": "image/jpeg",
        "width": "1200",
        "height": "675",
    }
    assert storm.media_thumbnail[0]["url"] == LEAD_IMAGE


def test_playable_videos_are_media_content_with_their_renditions(
    client: TestClient, newsroom: Newsroom
) -> None:
    storm = parse(client).entries[0]
    videos = [media for media in storm.media_content if media.get("medium") == "video"]
    assert [video["url"] for video in videos] == [OPEN_VIDEO, OPEN_VIDEO_HLS, BLOCKED_IN_RU_VIDEO]
    assert dict(videos[0]) == {
        "url": OPEN_VIDEO,
        "type": "video/mp4",
        "medium": "video",
        "duration": "90",
        "width": "1280",
        "height": "720",
        "bitrate": "2500",
    }


def test_videos_not_playable_here_carry_nothing(client: TestClient, newsroom: Newsroom) -> None:
    body = client.get(PATH, headers={"CF-IPCountry": "RU"}).text
    assert OPEN_VIDEO in body
    assert BLOCKED_IN_RU_VIDEO not in body
    assert "Not for Russia" not in body
    assert EXPIRED_VIDEO not in client.get(PATH).text


def test_rtl_service_has_its_language_and_rtl_description(
    client: TestClient, newsroom: Newsroom
) -> None:
    parsed = parse(client, "/v1/feeds/fa/rss.xml")
    assert parsed.feed.language == "fa"
    assert parsed.feed.title == "خبرها"
    (entry,) = parsed.entries
    assert entry.title == PERSIAN_HEADLINE
    assert entry.summary.startswith('<div dir="rtl">')


def test_document_is_well_formed_xml_with_the_media_namespace(
    client: TestClient, newsroom: Newsroom
) -> None:
    root = etree.fromstring(client.get(PATH).content)
    assert root.tag == "rss" and root.get("version") == "2.0"
    media = "{http://search.yahoo.com/mrss/}"
    assert root.findall(f"channel/item/{media}group/{media}content")


def test_a_tag_named_like_the_section_is_one_category(
    client: TestClient, store: Callable[[dict[str, Any]], Any]
) -> None:
    store(
        bundle(
            sections=[term("en", "tech", "Tech")],
            tags=[term("en", "tech-news", "Tech"), term("en", "phones", "Phones")],
            articles=[article("en", "New phone", section="tech", tags=["tech-news", "phones"])],
        )
    )
    (entry,) = parse(client).entries
    assert [tag.term for tag in entry.tags] == ["Tech", "Phones"]
    (item,) = client.get("/v1/feeds/en/feed.json").json()["items"]
    assert item["tags"] == ["Tech", "Phones"]
