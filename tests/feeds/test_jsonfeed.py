"""GET /v1/feeds/{service}/feed.json, checked against the JSON Feed 1.1 specification.

The checks follow the specification's own words (jsonfeed.org/version/1.1):
"version (required, string) is the URL of the version of the format",
"title (required, string)", "items is an array, and is required",
an item's "id (required, string)", "content_html and content_text are each
optional strings, but one or both must be present", "the only place HTML is
allowed in this format is in content_html", an author object has at least one
member, an attachment has "url (required, string)" and "mime_type (required,
string)", and extension names begin with "_".
"""

from typing import Any

from fastapi.testclient import TestClient

from feeds.newsroom import (
    BLOCKED_IN_RU_VIDEO,
    EXPIRED_VIDEO,
    LEAD_IMAGE,
    OPEN_VIDEO,
    OPEN_VIDEO_HLS,
    PERSIAN_HEADLINE,
    Newsroom,
)

PATH = "/v1/feeds/en/feed.json"
TOP_LEVEL = {
    "version",
    "title",
    "home_page_url",
    "feed_url",
    "description",
    "user_comment",
    "next_url",
    "icon",
    "favicon",
    "authors",
    "author",
    "language",
    "expired",
    "hubs",
    "items",
}
ITEM = {
    "id",
    "url",
    "external_url",
    "title",
    "content_html",
    "content_text",
    "summary",
    "image",
    "banner_image",
    "date_published",
    "date_modified",
    "authors",
    "author",
    "tags",
    "language",
    "attachments",
}
PLAIN_ITEM_STRINGS = ("id", "url", "title", "content_text", "summary", "image", "language")


def check_author(author: Any) -> None:
    assert isinstance(author, dict) and author
    assert set(author) <= {"name", "url", "avatar"}
    assert all(isinstance(value, str) for value in author.values())


def check_json_feed(feed: Any) -> None:
    """Every requirement of JSON Feed 1.1 on a feed and its items."""
    assert isinstance(feed, dict)
    assert feed["version"] == "https://jsonfeed.org/version/1.1"
    assert isinstance(feed["title"], str) and feed["title"]
    assert isinstance(feed["items"], list)
    for key in set(feed) - TOP_LEVEL:
        assert key.startswith("_"), key
    for key in ("home_page_url", "feed_url", "description", "language"):
        if key in feed:
            assert isinstance(feed[key], str)
    for author in feed.get("authors", []):
        check_author(author)
    ids = set()
    for item in feed["items"]:
        assert isinstance(item, dict)
        for key in set(item) - ITEM:
            assert key.startswith("_"), key
        assert isinstance(item["id"], str) and item["id"]
        ids.add(item["id"])
        assert "content_html" in item or "content_text" in item
        if "content_html" in item:
            assert isinstance(item["content_html"], str)
        for key in PLAIN_ITEM_STRINGS:
            if key in item:
                assert isinstance(item[key], str), key
                assert "<" not in item[key], f"HTML outside content_html: {key}"
        for key in ("tags",):
            if key in item:
                assert all(isinstance(tag, str) for tag in item[key])
        for author in item.get("authors", []):
            check_author(author)
        for attachment in item.get("attachments", []):
            assert isinstance(attachment["url"], str) and attachment["url"]
            assert isinstance(attachment["mime_type"], str) and "/" in attachment["mime_type"]
            assert set(attachment) <= {
                "url",
                "mime_type",
                "title",
                "size_in_bytes",
                "duration_in_seconds",
            }
    assert len(ids) == len(feed["items"]), "ids are unique"


def get(client: TestClient, path: str = PATH, country: str | None = None) -> dict[str, Any]:
    response = client.get(path, headers={"CF-IPCountry": country} if country else {})
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/feed+json"
    feed: dict[str, Any] = response.json()
    check_json_feed(feed)
    return feed


def test_feed_meets_the_specification(client: TestClient, newsroom: Newsroom) -> None:
    feed = get(client)
    assert feed["title"] == "Example News"
    assert feed["home_page_url"] == "https://en.news.example"
    assert feed["feed_url"] == "http://testserver/v1/feeds/en/feed.json"
    assert feed["language"] == "en"


def test_the_checks_catch_what_the_specification_forbids() -> None:
    good = {
        "version": "https://jsonfeed.org/version/1.1",
        "title": "t",
        "items": [{"id": "1", "content_text": "x"}],
    }
    check_json_feed(good)
    for bad in (
        {**good, "version": "https://jsonfeed.org/version/1"},
        {k: v for k, v in good.items() if k != "title"},
        {**good, "items": [{"id": "1"}]},
        {**good, "items": [{"id": 1, "content_text": "x"}]},
        {**good, "items": [{"id": "1", "content_text": "x", "title": "<b>x</b>"}]},
        {**good, "items": [{"id": "1", "content_text": "x", "attachments": [{"url": "u"}]}]},
        {**good, "unknown": True},
    ):
        try:
            check_json_feed(bad)
        except (AssertionError, KeyError):
            continue
        raise AssertionError(f"accepted {bad}")


def test_items_carry_title_link_key_points_and_bylines(
    client: TestClient, newsroom: Newsroom
) -> None:
    items = get(client)["items"]
    assert [item["title"] for item in items] == [
        "Storm closes the harbour",
        "Energy prices jump",
        "Withheld in Russia",
        "Old but public",
    ]
    storm = items[0]
    assert storm["id"] == f"http://testserver/v1/articles/{newsroom.ids['urn:storm']}"
    assert storm["url"] == "https://en.news.example/a/storm-closes-the-harbour"
    assert storm["content_html"] == (
        "<ul><li>Ferries stay in port.</li><li>Winds reach 120 km/h &amp; more.</li></ul>"
    )
    assert storm["summary"] == "Ferries stay in port until Friday."
    assert storm["authors"] == [{"name": "Jane Doe"}, {"name": "Ivan Petrov"}]
    assert storm["tags"] == ["World", "Weather"]
    assert storm["language"] == "en"
    assert storm["image"] == LEAD_IMAGE


def test_playable_videos_are_attachments(client: TestClient, newsroom: Newsroom) -> None:
    storm = get(client)["items"][0]
    assert storm["attachments"] == [
        {
            "url": OPEN_VIDEO,
            "mime_type": "video/mp4",
            "title": "Harbour in the storm",
            "duration_in_seconds": 90,
        },
        {
            "url": OPEN_VIDEO_HLS,
            "mime_type": "application/vnd.apple.mpegurl",
            "title": "Harbour in the storm",
            "duration_in_seconds": 90,
        },
        {
            "url": BLOCKED_IN_RU_VIDEO,
            "mime_type": "video/mp4",
            "title": "Not for Russia",
            "duration_in_seconds": 90,
        },
    ]
    assert "attachments" not in get(client)["items"][1]


def test_no_attachment_for_a_video_the_reader_may_not_play(
    client: TestClient, newsroom: Newsroom
) -> None:
    storm = get(client, country="RU")["items"][0]
    assert [a["url"] for a in storm["attachments"]] == [OPEN_VIDEO, OPEN_VIDEO_HLS]
    assert EXPIRED_VIDEO not in client.get(PATH).text


def test_rtl_service_has_language_and_rtl_content(client: TestClient, newsroom: Newsroom) -> None:
    feed = get(client, "/v1/feeds/fa/feed.json")
    assert feed["language"] == "fa"
    (item,) = feed["items"]
    assert item["title"] == PERSIAN_HEADLINE
    assert item["language"] == "fa"
    assert item["content_html"].startswith('<div dir="rtl">')
