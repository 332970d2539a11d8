"""GET /v1/feeds/{service}/atom.xml: Atom 1.0, as feed readers parse it."""

import feedparser
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

PATH = "/v1/feeds/en/atom.xml"
ATOM = "{http://www.w3.org/2005/Atom}"
XHTML = "{http://www.w3.org/1999/xhtml}"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


def parse(
    client: TestClient, path: str = PATH, country: str | None = None
) -> feedparser.FeedParserDict:
    response = client.get(path, headers={"CF-IPCountry": country} if country else {})
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/atom+xml"
    parsed = feedparser.parse(response.content)
    assert parsed.bozo == 0, parsed.get("bozo_exception")
    assert parsed.version == "atom10"
    return parsed


def test_feed_has_its_id_title_language_and_links(client: TestClient, newsroom: Newsroom) -> None:
    feed = parse(client).feed
    assert feed.id == "http://testserver/v1/feeds/en/atom.xml"
    assert feed.title == "Example News"
    assert feed.language == "en"
    links = {link.rel: link.href for link in feed.links}
    assert links == {
        "self": "http://testserver/v1/feeds/en/atom.xml",
        "alternate": "https://en.news.example",
    }
    assert feed.updated_parsed is not None


def test_entries_carry_title_link_id_authors_categories_and_key_points(
    client: TestClient, newsroom: Newsroom
) -> None:
    entries = parse(client).entries
    assert [entry.title for entry in entries] == [
        "Storm closes the harbour",
        "Energy prices jump",
        "Withheld in Russia",
        "Old but public",
    ]
    storm = entries[0]
    assert storm.id == f"http://testserver/v1/articles/{newsroom.ids['urn:storm']}"
    assert storm.link == "https://en.news.example/a/storm-closes-the-harbour"
    assert [author.name for author in storm.authors] == ["Jane Doe", "Ivan Petrov"]
    assert [(tag.term, tag.label) for tag in storm.tags] == [
        ("world", "World"),
        ("weather", "Weather"),
    ]
    assert storm.summary == (
        "<ul><li>Ferries stay in port.</li><li>Winds reach 120 km/h &amp; more.</li></ul>"
    )
    assert storm.published_parsed and storm.updated_parsed


def test_lead_image_and_playable_videos_are_enclosures(
    client: TestClient, newsroom: Newsroom
) -> None:
    storm = parse(client).entries[0]
    assert [(e.href, e.type) for e in storm.enclosures] == [
        (LEAD_IMAGE, "image/jpeg"),
        (OPEN_VIDEO, "video/mp4"),
        (OPEN_VIDEO_HLS, "application/vnd.apple.mpegurl"),
        (BLOCKED_IN_RU_VIDEO, "video/mp4"),
    ]


def test_a_video_blocked_in_the_readers_country_is_no_enclosure(
    client: TestClient, newsroom: Newsroom
) -> None:
    storm = parse(client, country="RU").entries[0]
    hrefs = [enclosure.href for enclosure in storm.enclosures]
    assert hrefs == [LEAD_IMAGE, OPEN_VIDEO, OPEN_VIDEO_HLS]
    assert EXPIRED_VIDEO not in client.get(PATH).text


def test_rtl_service_is_marked_by_language_and_direction(
    client: TestClient, newsroom: Newsroom
) -> None:
    response = client.get("/v1/feeds/fa/atom.xml")
    parsed = parse(client, "/v1/feeds/fa/atom.xml")
    assert parsed.feed.language == "fa"
    assert parsed.entries[0].title == PERSIAN_HEADLINE
    root = etree.fromstring(response.content)
    assert root.get(XML_LANG) == "fa"
    (div,) = root.findall(f"{ATOM}entry/{ATOM}summary/{XHTML}div")
    assert div.get("dir") == "rtl"


def test_ltr_summary_has_no_direction(client: TestClient, newsroom: Newsroom) -> None:
    root = etree.fromstring(client.get(PATH).content)
    divs = root.findall(f"{ATOM}entry/{ATOM}summary/{XHTML}div")
    assert divs and all(div.get("dir") is None for div in divs)
