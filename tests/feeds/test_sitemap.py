"""GET /v1/sitemaps/{service}/news.xml: a Google News sitemap, valid against both schemas."""

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from factories import article, bundle, iso, service
from fastapi.testclient import TestClient
from lxml import etree

from app.feeds.sitemap import news_language
from feeds.newsroom import HIDDEN_HEADLINES, PERSIAN_HEADLINE, Newsroom

XSD = Path(__file__).resolve().parents[1] / "fixtures" / "xsd"
SM = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
NEWS = "{http://www.google.com/schemas/sitemap-news/0.9}"
PATH = "/v1/sitemaps/en/news.xml"


@pytest.fixture(scope="module")
def schema() -> etree.XMLSchema:
    """The sitemaps.org schema with Google's news extension (its urls take any
    element of another namespace, strictly validated, so both are needed)."""
    wrapper = f"""<xsd:schema xmlns:xsd="http://www.w3.org/2001/XMLSchema">
      <xsd:import namespace="http://www.sitemaps.org/schemas/sitemap/0.9"
                  schemaLocation="{(XSD / "sitemap.xsd").as_uri()}"/>
      <xsd:import namespace="http://www.google.com/schemas/sitemap-news/0.9"
                  schemaLocation="{(XSD / "sitemap-news.xsd").as_uri()}"/>
    </xsd:schema>"""
    return etree.XMLSchema(etree.fromstring(wrapper.encode()))


def get(client: TestClient, path: str = PATH, country: str | None = None) -> etree._Element:
    response = client.get(path, headers={"CF-IPCountry": country} if country else {})
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/xml"
    return etree.fromstring(response.content)


def titles(root: etree._Element) -> list[str]:
    return [title.text for title in root.iter(f"{NEWS}title")]


def test_sitemap_is_valid_against_the_sitemap_and_news_schemas(
    client: TestClient, newsroom: Newsroom, schema: etree.XMLSchema
) -> None:
    for path in (PATH, "/v1/sitemaps/fa/news.xml"):
        root = get(client, path)
        assert schema.validate(root), schema.error_log


def test_the_schema_rejects_a_news_entry_without_its_publication(
    client: TestClient, newsroom: Newsroom, schema: etree.XMLSchema
) -> None:
    root = get(client)
    publication = next(root.iter(f"{NEWS}publication"))
    publication.getparent().remove(publication)
    assert not schema.validate(root)


def test_each_url_names_publication_language_date_and_title(
    client: TestClient, newsroom: Newsroom
) -> None:
    root = get(client)
    first = root.find(f"{SM}url")
    assert first is not None
    assert first.findtext(f"{SM}loc") == "https://en.news.example/a/storm-closes-the-harbour"
    news = first.find(f"{NEWS}news")
    assert news is not None
    assert news.findtext(f"{NEWS}publication/{NEWS}name") == "Example News"
    assert news.findtext(f"{NEWS}publication/{NEWS}language") == "en"
    assert news.findtext(f"{NEWS}title") == "Storm closes the harbour"
    published = datetime.fromisoformat(news.findtext(f"{NEWS}publication_date") or "")
    assert abs(published - (newsroom.now - timedelta(hours=1))) < timedelta(minutes=1)


def test_only_the_last_48_hours_newest_first(client: TestClient, newsroom: Newsroom) -> None:
    assert titles(get(client)) == [
        "Storm closes the harbour",
        "Energy prices jump",
        "Withheld in Russia",
    ]


def test_nothing_hidden_and_nothing_withheld_here(client: TestClient, newsroom: Newsroom) -> None:
    everywhere = titles(get(client))
    in_russia = titles(get(client, country="RU"))
    for headline in HIDDEN_HEADLINES:
        assert headline not in everywhere
    assert "Withheld in Russia" in everywhere
    assert "Withheld in Russia" not in in_russia


def test_rtl_service_sitemap_has_its_language(client: TestClient, newsroom: Newsroom) -> None:
    root = get(client, "/v1/sitemaps/fa/news.xml")
    assert titles(root) == [PERSIAN_HEADLINE]
    assert [e.text for e in root.iter(f"{NEWS}language")] == ["fa"]
    assert [e.text for e in root.iter(f"{NEWS}name")] == ["خبرها"]


def test_at_most_a_thousand_urls(
    client: TestClient, store: Callable[[dict[str, Any]], Any], schema: etree.XMLSchema
) -> None:
    start = datetime.now(UTC) - timedelta(hours=20)
    store(
        bundle(
            articles=[
                article("en", f"Update number {n}", published_at=iso(start + timedelta(seconds=n)))
                for n in range(1005)
            ]
        )
    )
    root = get(client)
    assert schema.validate(root), schema.error_log
    found = titles(root)
    assert len(found) == 1000
    assert found[0] == "Update number 1004"
    assert found[-1] == "Update number 5"


def test_a_quiet_service_has_an_empty_urlset(
    client: TestClient, store: Callable[[dict[str, Any]], Any]
) -> None:
    store(bundle(services=[service("en")]))
    root = get(client)
    assert root.tag == f"{SM}urlset"
    assert len(root) == 0


@pytest.mark.parametrize(
    ("tag", "expected"),
    [
        ("en", "en"),
        ("en-GB", "en"),
        ("fa", "fa"),
        ("ZH-Hant-TW", "zh-tw"),
        ("zh-TW", "zh-tw"),
        ("zh", "zh-cn"),
        ("zh-Hans", "zh-cn"),
        ("fil", "fil"),
    ],
)
def test_news_language_is_what_google_news_asks_for(tag: str, expected: str) -> None:
    assert news_language(tag) == expected
