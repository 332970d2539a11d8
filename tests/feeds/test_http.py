"""Feeds and sitemaps follow the HTTP conventions of every public read."""

from collections.abc import Callable
from email.utils import parsedate_to_datetime
from typing import Any

import feedparser
import pytest
from factories import article, bundle
from fastapi.testclient import TestClient
from support import assert_problem

from app.config import Settings
from app.main import create_app
from feeds.newsroom import Newsroom, ago

FEEDS = ["/v1/feeds/en/rss.xml", "/v1/feeds/en/atom.xml", "/v1/feeds/en/feed.json"]
EVERY_DOOR = [*FEEDS, "/v1/sitemaps/en/news.xml"]


@pytest.mark.parametrize("path", EVERY_DOOR)
def test_strong_etag_and_last_modified_answer_304(
    client: TestClient, newsroom: Newsroom, path: str
) -> None:
    first = client.get(path)
    etag = first.headers["etag"]
    assert etag.startswith('"') and not etag.startswith("W/")
    assert client.get(path).headers["etag"] == etag
    again = client.get(path, headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert again.content == b""
    assert again.headers["etag"] == etag
    since = client.get(path, headers={"If-Modified-Since": first.headers["last-modified"]})
    assert since.status_code == 304
    assert parsedate_to_datetime(first.headers["last-modified"]).tzinfo is not None


@pytest.mark.parametrize("path", EVERY_DOOR)
def test_the_etag_differs_by_country_where_the_content_does(
    client: TestClient, newsroom: Newsroom, path: str
) -> None:
    everywhere = client.get(path).headers["etag"]
    assert client.get(path, headers={"CF-IPCountry": "DE"}).headers["etag"] == everywhere
    in_russia = client.get(path, headers={"CF-IPCountry": "RU"})
    assert in_russia.headers["etag"] != everywhere
    stale = client.get(path, headers={"CF-IPCountry": "RU", "If-None-Match": everywhere})
    assert stale.status_code == 200


@pytest.mark.parametrize("path", EVERY_DOOR)
def test_an_edit_changes_the_etag(
    client: TestClient, newsroom: Newsroom, store: Callable[[dict[str, Any]], Any], path: str
) -> None:
    before = client.get(path).headers["etag"]
    store(
        bundle(
            articles=[
                article("en", "Energy prices fall", uri="urn:energy", published_at=ago(hours=2))
            ]
        )
    )
    after = client.get(path, headers={"If-None-Match": before})
    assert after.status_code == 200
    assert after.headers["etag"] != before


@pytest.mark.parametrize("path", FEEDS)
def test_cache_headers_name_the_feed_the_service_and_the_articles(
    client: TestClient, newsroom: Newsroom, path: str
) -> None:
    response = client.get(path)
    assert response.headers["cache-control"] == "public, max-age=30, stale-while-revalidate=60"
    assert response.headers["vary"] == "CF-IPCountry, Accept-Encoding"
    keys = response.headers["surrogate-key"].split()
    assert keys[:2] == ["feed-en", "service-en"]
    for uri in ("urn:storm", "urn:energy", "urn:withheld", "urn:old"):
        assert f"article-{newsroom.ids[uri]}" in keys
    assert f"article-{newsroom.ids['urn:draft']}" not in keys


def test_sitemap_cache_headers_name_the_sitemap_and_the_service(
    client: TestClient, newsroom: Newsroom
) -> None:
    response = client.get("/v1/sitemaps/en/news.xml")
    assert response.headers["surrogate-key"] == "sitemap-en service-en"
    assert response.headers["cache-control"] == "public, max-age=30, stale-while-revalidate=60"


@pytest.mark.parametrize("path", EVERY_DOOR)
def test_a_request_with_a_token_is_never_stored_by_a_cache(
    client: TestClient, newsroom: Newsroom, path: str
) -> None:
    response = client.get(path, headers={"Authorization": "Bearer whatever"})
    assert response.headers["cache-control"] == "private, no-store"


@pytest.mark.parametrize(
    "path",
    [
        "/v1/feeds/xx/rss.xml",
        "/v1/feeds/xx/atom.xml",
        "/v1/feeds/xx/feed.json",
        "/v1/sitemaps/xx/news.xml",
    ],
)
def test_unknown_service_is_404(client: TestClient, newsroom: Newsroom, path: str) -> None:
    body = assert_problem(client.get(path), 404)
    assert "xx" in body["detail"]


@pytest.mark.parametrize("path", FEEDS)
@pytest.mark.parametrize(
    ("params", "status", "field"),
    [
        ({"section": "no-such-section"}, 404, "section"),
        ({"tag": "no-such-tag"}, 404, "tag"),
        ({"section": "bad slug!"}, 422, "section"),
        ({"tag": "<script>"}, 422, "tag"),
        ({"section": "x" * 201}, 422, "section"),
        ({"section": "iran"}, 404, "section"),
    ],
)
def test_a_bad_filter_is_a_problem(
    client: TestClient,
    newsroom: Newsroom,
    path: str,
    params: dict[str, str],
    status: int,
    field: str,
) -> None:
    body = assert_problem(client.get(path, params=params), status)
    assert [error["field"] for error in body["errors"]] == [field]


@pytest.mark.parametrize("path", ["/v1/feeds/EN/rss.xml", "/v1/feeds/e%20n/atom.xml"])
def test_a_malformed_service_code_is_422(client: TestClient, newsroom: Newsroom, path: str) -> None:
    assert_problem(client.get(path), 422)


def entry_titles(client: TestClient, path: str, **params: str) -> list[str]:
    response = client.get(path, params=params)
    assert response.status_code == 200, response.text
    if path.endswith(".json"):
        return [item["title"] for item in response.json()["items"]]
    parsed = feedparser.parse(response.content)
    assert parsed.bozo == 0
    return [entry.title for entry in parsed.entries]


@pytest.mark.parametrize("path", FEEDS)
def test_section_and_tag_filters(client: TestClient, newsroom: Newsroom, path: str) -> None:
    assert entry_titles(client, path, section="world") == ["Storm closes the harbour"]
    assert entry_titles(client, path, section="business") == ["Energy prices jump"]
    assert entry_titles(client, path, tag="energy") == ["Energy prices jump"]
    assert entry_titles(client, path, section="world", tag="energy") == []
    assert entry_titles(client, path, section="world", tag="weather") == [
        "Storm closes the harbour"
    ]


def test_a_filtered_feed_is_titled_and_addressed_for_its_filter(
    client: TestClient, newsroom: Newsroom
) -> None:
    feed = client.get("/v1/feeds/en/feed.json", params={"tag": "energy", "utm": "x"}).json()
    assert feed["title"] == "Example News: Energy"
    assert feed["feed_url"] == "http://testserver/v1/feeds/en/feed.json?tag=energy"


def test_a_feed_holds_the_latest_fifty(
    client: TestClient, store: Callable[[dict[str, Any]], Any]
) -> None:
    store(
        bundle(
            articles=[
                article("en", f"Story {n}", published_at=ago(minutes=100 - n)) for n in range(60)
            ]
        )
    )
    for path in FEEDS:
        found = entry_titles(client, path)
        assert found == [f"Story {n}" for n in range(59, 9, -1)]


def test_the_configured_base_url_makes_the_addresses(database_url: str, newsroom: Newsroom) -> None:
    app = create_app(Settings(database_url=database_url, base_url="https://api.example.org/"))
    with TestClient(app) as other:
        feed = other.get("/v1/feeds/en/feed.json").json()
        loc = other.get("/v1/feeds/en/rss.xml").text
    assert feed["feed_url"] == "https://api.example.org/v1/feeds/en/feed.json"
    assert feed["items"][0]["id"].startswith("https://api.example.org/v1/articles/")
    assert "http://testserver" not in loc


@pytest.mark.parametrize("path", EVERY_DOOR)
def test_gzip_is_one_encoding_of_the_same_body_with_its_own_validator(
    client: TestClient, newsroom: Newsroom, path: str
) -> None:
    plain = client.get(path, headers={"Accept-Encoding": "identity"})
    packed = client.get(path, headers={"Accept-Encoding": "gzip"})
    assert plain.headers.get("content-encoding") is None
    assert packed.headers["content-encoding"] == "gzip"
    assert packed.content == plain.content  # httpx decodes it
    assert int(packed.headers["content-length"]) < len(plain.content)
    for response in (plain, packed):
        assert response.headers["vary"] == "CF-IPCountry, Accept-Encoding"
    assert packed.headers["etag"] != plain.headers["etag"]
    again = client.get(
        path, headers={"Accept-Encoding": "gzip", "If-None-Match": packed.headers["etag"]}
    )
    assert again.status_code == 304
    crossed = client.get(
        path, headers={"Accept-Encoding": "gzip", "If-None-Match": plain.headers["etag"]}
    )
    assert crossed.status_code == 200


@pytest.mark.parametrize("path", EVERY_DOOR)
def test_the_fast_path_and_the_route_answer_alike(
    client: TestClient, newsroom: Newsroom, path: str
) -> None:
    # An unknown parameter leaves the fast path for the route, which ignores it.
    params = {} if "sitemaps" in path else {"section": "world"}
    fast = client.get(path, params=params)
    routed = client.get(path, params={**params, "unknown": "1"})
    assert fast.status_code == routed.status_code == 200
    assert fast.content == routed.content
    for header in ("etag", "last-modified", "surrogate-key", "vary", "cache-control"):
        assert fast.headers[header] == routed.headers[header], header
    problem = client.get(path.replace("/en/", "/xx/"), params=params)
    assert_problem(problem, 404)


def test_a_service_without_articles_has_valid_empty_feeds(
    client: TestClient, store: Callable[[dict[str, Any]], Any]
) -> None:
    store(bundle())
    for path in ("/v1/feeds/en/rss.xml", "/v1/feeds/en/atom.xml"):
        parsed = feedparser.parse(client.get(path).content)
        assert parsed.bozo == 0
        assert parsed.entries == []
        assert parsed.feed.title == "Service en"
    feed = client.get("/v1/feeds/en/feed.json").json()
    assert feed["items"] == []
    assert feed["version"] == "https://jsonfeed.org/version/1.1"
