"""The demo content: the seed story as in ../shared/data/seed-article.txt, the corpus, idempotence.

Loading the demo takes seconds, so it is loaded once per backend and reused by
the tests of this module for as long as the database still holds exactly it.
"""

import re
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, select, text
from support import empty_tables, shared_data

from app.db import make_sessionmaker
from app.demo.loader import load_demo
from app.models import Base

SEED_HEADLINE = "Zelenskyy Challenges Putin To 'Come To Kyiv' As Peace Talks Continue To Stall"
SEED_VIDEO = "Ukrainian Soldier Tells Of Being Left For Dead By Russian Captors"

_fingerprints: dict[str, tuple[Any, ...]] = {}


def fingerprint(engine: Engine) -> tuple[Any, ...]:
    """Row counts of every table and every stored ETag: equal means the same content."""
    with engine.connect() as connection:
        counts = tuple(
            connection.execute(select(func.count()).select_from(table)).scalar_one()
            for table in Base.metadata.sorted_tables
        )
        etags = tuple(
            connection.execute(
                text("SELECT etag FROM article_renders ORDER BY article_id")
            ).scalars()
        )
        video_etags = tuple(
            connection.execute(text("SELECT etag FROM video_renders ORDER BY video_id")).scalars()
        )
    return counts, etags, video_etags


def load(engine: Engine) -> dict[str, dict[str, int]]:
    with make_sessionmaker(engine).begin() as session:
        return load_demo(session)


@pytest.fixture
def demo(engine: Engine, database_url: str, _app_client: TestClient) -> Iterator[TestClient]:
    """A client of the app on a database holding the demo content and nothing else."""
    if _fingerprints.get(database_url) != fingerprint(engine):
        empty_tables(engine)
        load(engine)
        _fingerprints[database_url] = fingerprint(engine)
    _app_client.headers.clear()
    yield _app_client


@pytest.fixture(scope="module")
def seed_text() -> str:
    """The seed story's page as published: RFE/RL's text, kept in ../shared/data only."""
    return shared_data("seed-article.txt").read_text(encoding="utf-8")


def all_teasers(client: TestClient, **params: Any) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    cursor = None
    while True:
        page = client.get(
            "/v1/articles",
            params={**params, "limit": 100, **({"cursor": cursor} if cursor else {})},
        ).json()
        items.extend(page["items"])
        cursor = page["next_cursor"]
        if cursor is None:
            return items


def summary_bullets(seed_text: str) -> list[str]:
    """The bullet lines right under "Summary" in the seed text."""
    bullets: list[str] = []
    for line in seed_text.split("\nSummary\n", 1)[1].splitlines():
        if line.strip().startswith("• "):
            bullets.append(line.strip()[2:])
        elif bullets and line.strip():
            break
    return bullets


def seed_id(client: TestClient) -> int:
    [seed] = [t for t in all_teasers(client, service="en") if t["headline"] == SEED_HEADLINE]
    return int(seed["id"])


def test_demo_lists_the_seed_story_in_english(demo: TestClient) -> None:
    teasers = all_teasers(demo, service="en")
    seeds = [t for t in teasers if t["headline"] == SEED_HEADLINE]
    assert len(seeds) == 1
    assert seeds[0]["kicker"] == "Breaking News"
    assert seeds[0]["service"] == "en"


def test_seed_story_matches_the_seed_text(demo: TestClient, seed_text: str) -> None:
    doc = demo.get(f"/v1/articles/{seed_id(demo)}").json()
    assert doc["headline"] == SEED_HEADLINE
    assert SEED_HEADLINE in seed_text

    bullets = summary_bullets(seed_text)
    assert len(bullets) == 3
    assert doc["summary"]["source"] == "editorial"
    assert doc["summary"]["bullets"] == bullets

    headings = [block["text"] for block in doc["body"] if block["type"] == "heading"]
    assert headings == [
        "Putin Resists Compromising On Ukraine War Positions",
        "Trump Expresses New Frustrations",
    ]
    quotes = [block["text"] for block in doc["body"] if block["type"] == "quote"]
    assert (
        '"If any troops appear there, especially now while fighting is ongoing, we assume that '
        'they will be legitimate targets," Putin said.'
    ) in quotes
    for block in doc["body"]:
        if "text" in block:
            assert block["text"] in seed_text, block

    caption = doc["lead_image"]["caption"]
    assert caption == (
        "Ukrainian President Volodymyr Zelenskyy during a joint press conference "
        "on September 5 in western Ukraine."
    )
    assert caption in seed_text
    assert doc["kicker"] == "Breaking News"
    assert doc["breaking"] is not None


def test_seed_story_has_its_related_video(demo: TestClient, seed_text: str) -> None:
    article_id = seed_id(demo)
    videos = demo.get(f"/v1/articles/{article_id}/related-videos").json()["items"]
    first = videos[0]
    assert first["title"] == SEED_VIDEO
    assert first["curated"] is True
    minutes, seconds = re.search(r"0:(\d\d):(\d\d)", seed_text).groups()  # type: ignore[union-attr]
    assert first["duration"] == int(minutes) * 60 + int(seconds) == 156
    assert first["playable"] is True
    video_blocks = [
        block
        for block in demo.get(f"/v1/articles/{article_id}").json()["body"]
        if block["type"] == "video"
    ]
    assert [block["video_id"] for block in video_blocks] == [first["id"]]


def test_seed_story_shows_the_notice_to_readers_in_russia(demo: TestClient) -> None:
    article_id = seed_id(demo)
    ru = demo.get(f"/v1/articles/{article_id}", headers={"CF-IPCountry": "RU"}).json()
    [notice] = ru["notices"]
    assert 'RFE/RL has been declared an "undesirable organization"' in notice["text"]
    assert "fines or imprisonment" in notice["text"]
    for country in ("DE", "US"):
        other = demo.get(f"/v1/articles/{article_id}", headers={"CF-IPCountry": country}).json()
        assert other["notices"] == []


def test_demo_has_the_four_services_with_persian_right_to_left(demo: TestClient) -> None:
    services = {item["code"]: item for item in demo.get("/v1/services").json()["items"]}
    assert {"en", "ru", "uk", "fa"} <= set(services)
    assert services["fa"]["direction"] == "rtl"
    assert all(services[code]["direction"] == "ltr" for code in ("en", "ru", "uk"))
    assert "27\xa0languages in 23\xa0countries" in services["en"]["description"]


def test_demo_corpus_spreads_hundreds_of_articles_over_services(demo: TestClient) -> None:
    teasers = all_teasers(demo)
    assert len(teasers) >= 300
    per_service: dict[str, int] = {}
    for teaser in teasers:
        per_service[teaser["service"]] = per_service.get(teaser["service"], 0) + 1
    assert len([code for code, n in per_service.items() if n >= 10]) >= 4
    assert per_service.get("fa", 0) >= 10
    fa = next(t for t in teasers if t["service"] == "fa")
    assert demo.get(f"/v1/articles/{fa['id']}").json()["language"].startswith("fa")


def test_loading_the_demo_twice_changes_nothing(demo: TestClient, engine: Engine) -> None:
    article_id = seed_id(demo)
    before = fingerprint(engine)
    etag = demo.get(f"/v1/articles/{article_id}").headers["etag"]
    results = load(engine)
    for counts in results.values():
        assert counts["created"] == 0
        assert counts["updated"] == 0
        assert counts["unchanged"] > 0
    assert fingerprint(engine) == before
    again = demo.get(f"/v1/articles/{article_id}", headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert demo.get(f"/v1/articles/{article_id}").headers["etag"] == etag
