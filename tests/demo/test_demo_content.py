"""What readers get from the demo: key points without credits, the credit kept, readable tags."""

import html
import re
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, text

from app.taxonomy.editorial import made_slug
from demo.test_demo import SEED_HEADLINE, all_teasers, demo

__all__ = ["demo"]

SERVICES = ("en", "ru", "uk", "fa", "ar")
ITN_URI = re.compile(r"^urn:masthead:demo:itn:itn-(Q\d+)-[a-z-]+-\d+$")
#: What a credit line or a link looks like in the demo languages.
CREDIT_OR_URL = re.compile(
    r"^\W*(?:source|original|photo|credit|источник|оригинал|фото|джерело|оригінал|"
    r"منبع|عکس|المصدر|الصورة)\s*:|://|www\.|CC BY-SA|shizhao",
    re.IGNORECASE,
)
WIKIDATA_SLUG = re.compile(r"^q\d+$")


def every(client: TestClient, path: str, **params: Any) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    cursor = None
    while True:
        query = {**params, "limit": 100, **({"cursor": cursor} if cursor else {})}
        page = client.get(path, params=query).json()
        items.extend(page["items"])
        cursor = page["next_cursor"]
        if cursor is None:
            return items


@pytest.fixture
def itn_items(demo: TestClient, engine: Engine) -> dict[int, str]:
    """Article id -> the Wikidata item kept in its uri, for the "In the news" articles."""
    with engine.connect() as connection:
        rows = connection.execute(text("SELECT id, uri FROM articles")).all()
    items = {}
    for article_id, uri in rows:
        match = ITN_URI.match(uri or "")
        if match:
            items[article_id] = match.group(1)
    assert len(items) >= 400
    return items


def test_no_generated_key_point_of_the_demo_is_a_credit_or_a_url(
    demo: TestClient, itn_items: dict[int, str]
) -> None:
    teasers = all_teasers(demo)
    assert len(teasers) > len(itn_items)
    for teaser in teasers:
        summary = demo.get(f"/v1/articles/{teaser['id']}/summary").json()
        assert summary["bullets"], teaser
        for bullet in summary["bullets"]:
            assert not CREDIT_OR_URL.search(bullet), (teaser["id"], bullet)
        if teaser["id"] in itn_items:
            # The key points of a blurb are its own sentences, the credit after it none.
            blurb = demo.get(f"/v1/articles/{teaser['id']}").json()["body"][0]["text"]
            words = " ".join(html.unescape(re.sub(r"<[^>]+>", "", blurb)).split())
            assert summary["source"] == "generated"
            for bullet in summary["bullets"]:
                assert bullet in words, (teaser["id"], bullet)


def test_every_itn_article_ends_with_its_credit_and_links(
    demo: TestClient, itn_items: dict[int, str]
) -> None:
    for article_id in sorted(itn_items)[::7]:
        doc = demo.get(f"/v1/articles/{article_id}").json()
        *_, credit = doc["body"]
        assert credit["type"] == "paragraph"
        assert credit["text"].startswith("Source: <a href=")
        assert re.search(rf'href="https://{doc["language"]}\.wikipedia\.org/wiki/', credit["text"])
        assert "CC BY-SA 3.0" in credit["text"]
        assert 'href="https://creativecommons.org/licenses/by-sa/3.0/"' in credit["text"]
        assert "shizhao" in credit["text"]


@pytest.mark.parametrize("service", SERVICES)
def test_demo_tag_slugs_are_made_from_their_names(demo: TestClient, service: str) -> None:
    tags = every(demo, "/v1/tags", service=service)
    assert len(tags) >= 20
    slugs = [tag["slug"] for tag in tags]
    assert len(set(slugs)) == len(slugs)
    for tag in tags:
        assert not WIKIDATA_SLUG.match(tag["slug"]), tag
        base = made_slug(tag["name"])
        assert re.fullmatch(rf"{re.escape(base)}(?:-[2-9]\d*)?", tag["slug"]), tag
        assert re.fullmatch(r"[a-z0-9]+(?:-[a-z0-9]+)*", tag["slug"]), tag


def test_each_tag_stands_for_one_wikidata_item_kept_in_the_article_uri(
    demo: TestClient, itn_items: dict[int, str]
) -> None:
    item_of_tag: dict[tuple[str, str], str] = {}
    tag_of_item: dict[tuple[str, str], str] = {}
    for article_id, item in itn_items.items():
        doc = demo.get(f"/v1/articles/{article_id}").json()
        [tag] = doc["tags"]
        service = doc["service"]
        assert item_of_tag.setdefault((service, tag["slug"]), item) == item, doc["id"]
        assert tag_of_item.setdefault((service, item), tag["slug"]) == tag["slug"], doc["id"]
        listed = demo.get(f"/v1/articles?service={service}&tag={tag['slug']}&fields=id").json()
        assert {"id": article_id} in listed["items"]


def test_the_readme_tag_example_lists_the_seed_story(demo: TestClient) -> None:
    response = demo.get(
        "/v1/articles",
        params={"service": "en", "tag": "russia-ukraine-war", "fields": "id,headline"},
    )
    assert response.status_code == 200
    assert SEED_HEADLINE in [item["headline"] for item in response.json()["items"]]
