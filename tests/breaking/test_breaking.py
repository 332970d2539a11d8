"""GET /v1/breaking: the flags that are up now, for this reader, cached no longer than they last."""

import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from factories import article, bundle, iso, service
from fastapi.testclient import TestClient
from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker
from support import assert_problem, soon, wait_until

from app.models import Article
from app.readmodel.articles import render_article

Store = Callable[[dict[str, Any]], Any]


def ago(**delta: float) -> str:
    return iso(datetime.now(UTC) - timedelta(**delta))


def later(**delta: float) -> str:
    return iso(datetime.now(UTC) + timedelta(**delta))


@pytest.fixture
def flags(store: Store, sessions: sessionmaker[Session]) -> dict[str, int]:
    store(
        bundle(
            services=[service("en"), service("ru")],
            articles=[
                article(
                    "en",
                    "Quake hits the coast",
                    uri="urn:quake",
                    breaking_until=later(hours=2),
                    published_at=ago(minutes=10),
                ),
                article(
                    "en",
                    "Polls close",
                    uri="urn:polls",
                    breaking_until=later(hours=1),
                    published_at=ago(minutes=30),
                ),
                article(
                    "ru",
                    "Землетрясение",
                    uri="urn:ru",
                    breaking_until=later(hours=3),
                    published_at=ago(minutes=20),
                ),
                article(
                    "en",
                    "Yesterday's flag",
                    uri="urn:gone",
                    breaking_until=ago(hours=1),
                    published_at=ago(hours=5),
                ),
                article("en", "Never breaking", uri="urn:calm", published_at=ago(minutes=5)),
                article(
                    "en",
                    "Withheld in Russia",
                    uri="urn:withheld",
                    withheld_in=["RU"],
                    breaking_until=later(hours=2),
                    published_at=ago(minutes=40),
                ),
                article(
                    "en",
                    "Breaking draft",
                    uri="urn:draft",
                    breaking_until=later(hours=2),
                    published_at=ago(minutes=1),
                ),
                article(
                    "en",
                    "Breaking archived",
                    uri="urn:archived",
                    breaking_until=later(hours=2),
                    published_at=ago(minutes=2),
                ),
                article(
                    "en",
                    "Breaking but embargoed",
                    uri="urn:embargoed",
                    breaking_until=later(hours=2),
                    published_at=ago(minutes=3),
                    embargo_until=later(hours=1),
                ),
                article(
                    "en",
                    "Breaking tomorrow",
                    uri="urn:scheduled",
                    breaking_until=later(days=2),
                    published_at=later(days=1),
                ),
            ],
        )
    )
    with sessions.begin() as session:
        ids = {uri: found for uri, found in session.execute(select(Article.uri, Article.id))}
        for uri, status in (("urn:draft", "draft"), ("urn:archived", "archived")):
            session.execute(update(Article).where(Article.id == ids[uri]).values(status=status))
            render_article(session, ids[uri])
    return ids


def headlines(client: TestClient, country: str | None = None, **params: str) -> list[str]:
    response = client.get(
        "/v1/breaking", params=params, headers={"CF-IPCountry": country} if country else {}
    )
    assert response.status_code == 200, response.text
    return [item["headline"] for item in response.json()["items"]]


def test_active_flags_newest_first_across_services(client: TestClient, flags: Any) -> None:
    assert headlines(client) == [
        "Quake hits the coast",
        "Землетрясение",
        "Polls close",
        "Withheld in Russia",
    ]


def test_service_filter(client: TestClient, flags: Any) -> None:
    assert headlines(client, service="ru") == ["Землетрясение"]
    assert headlines(client, service="en") == [
        "Quake hits the coast",
        "Polls close",
        "Withheld in Russia",
    ]


def test_items_are_the_list_teasers_with_their_flag(client: TestClient, flags: Any) -> None:
    items = client.get("/v1/breaking", params={"service": "en"}).json()["items"]
    listed = client.get("/v1/articles", params={"service": "en", "breaking": "true"}).json()
    assert items == listed["items"]
    assert set(client.get("/v1/breaking").json()) == {"items"}
    until = datetime.fromisoformat(items[0]["breaking"]["until"])
    assert timedelta(hours=1, minutes=59) < until - datetime.now(UTC) <= timedelta(hours=2)


def test_withheld_articles_are_hidden_in_that_country(client: TestClient, flags: Any) -> None:
    assert "Withheld in Russia" in headlines(client, "DE")
    assert "Withheld in Russia" not in headlines(client, "RU")


def test_drafts_archived_embargoed_and_scheduled_never_appear(
    client: TestClient, flags: Any
) -> None:
    body = client.get("/v1/breaking").text
    for hidden in ("Breaking draft", "Breaking archived", "Breaking but", "Breaking tomorrow"):
        assert hidden not in body


def test_an_expiring_flag_leaves_by_itself(client: TestClient, store: Store) -> None:
    ends = soon()
    store(
        bundle(
            articles=[
                article("en", "Brief alert", breaking_until=iso(ends), published_at=ago(minutes=1))
            ]
        )
    )
    first = client.get("/v1/breaking")
    assert [item["headline"] for item in first.json()["items"]] == ["Brief alert"]
    wait_until(ends)
    after = client.get("/v1/breaking", headers={"If-None-Match": first.headers["etag"]})
    assert after.status_code == 200
    assert after.json() == {"items": []}


def max_age_and_stale(response: Any) -> tuple[int, int]:
    control = response.headers["cache-control"]
    assert control.startswith("public, ")
    max_age = int(re.search(r"max-age=(\d+)", control).group(1))  # type: ignore[union-attr]
    stale = int(re.search(r"stale-while-revalidate=(\d+)", control).group(1))  # type: ignore[union-attr]
    return max_age, stale


def test_cache_lifetime_does_not_outlive_the_earliest_expiry(
    client: TestClient, store: Store
) -> None:
    ends = datetime.now(UTC).replace(microsecond=0) + timedelta(seconds=12)
    store(
        bundle(
            articles=[
                article("en", "Short flag", breaking_until=iso(ends), published_at=ago(minutes=1)),
                article(
                    "en", "Long flag", breaking_until=later(hours=1), published_at=ago(minutes=2)
                ),
            ]
        )
    )
    remaining = (ends - datetime.now(UTC)).total_seconds()
    max_age, stale = max_age_and_stale(client.get("/v1/breaking"))
    assert 0 < max_age <= remaining
    assert max_age + stale <= remaining
    assert max_age >= 8


def test_cache_lifetime_is_the_usual_one_when_no_flag_is_near_its_end(
    client: TestClient, flags: Any
) -> None:
    response = client.get("/v1/breaking")
    assert response.headers["cache-control"] == "public, max-age=30, stale-while-revalidate=60"
    assert max_age_and_stale(client.get("/v1/breaking", params={"service": "ru"})) == (30, 60)


def test_an_empty_list_is_cached_as_usual(client: TestClient, store: Store) -> None:
    store(bundle())
    response = client.get("/v1/breaking")
    assert response.json() == {"items": []}
    assert response.headers["cache-control"] == "public, max-age=30, stale-while-revalidate=60"


def test_etag_304_surrogate_keys_and_vary(client: TestClient, flags: dict[str, int]) -> None:
    first = client.get("/v1/breaking", params={"service": "en"})
    etag = first.headers["etag"]
    assert not etag.startswith("W/")
    again = client.get("/v1/breaking", params={"service": "en"}, headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert first.headers["vary"] == "CF-IPCountry, Accept-Encoding"
    assert "last-modified" in first.headers
    keys = first.headers["surrogate-key"].split()
    assert keys[0] == "breaking" and "service-en" in keys
    assert f"article-{flags['urn:quake']}" in keys
    assert f"article-{flags['urn:calm']}" not in keys
    in_russia = client.get(
        "/v1/breaking",
        params={"service": "en"},
        headers={"CF-IPCountry": "RU", "If-None-Match": etag},
    )
    assert in_russia.status_code == 200


def test_a_new_flag_changes_the_etag(client: TestClient, flags: Any, store: Store) -> None:
    etag = client.get("/v1/breaking").headers["etag"]
    store(
        bundle(
            articles=[
                article(
                    "en",
                    "Calm no more",
                    uri="urn:calm",
                    breaking_until=later(hours=1),
                    published_at=ago(minutes=5),
                )
            ]
        )
    )
    response = client.get("/v1/breaking", headers={"If-None-Match": etag})
    assert response.status_code == 200
    assert response.json()["items"][0]["headline"] == "Calm no more"


def test_unknown_service_is_404_and_malformed_is_422(client: TestClient, flags: Any) -> None:
    assert_problem(client.get("/v1/breaking", params={"service": "xx"}), 404)
    body = assert_problem(client.get("/v1/breaking", params={"service": "EN!"}), 422)
    assert body["errors"][0]["field"] == "service"


def test_a_quiet_known_service_is_an_empty_list(client: TestClient, store: Store) -> None:
    store(bundle(services=[service("en"), service("uk")]))
    assert client.get("/v1/breaking", params={"service": "uk"}).json() == {"items": []}


def test_a_flag_coming_down_moves_last_modified(client: TestClient, store: Store) -> None:
    ends = soon()
    store(
        bundle(
            articles=[
                article(
                    "en",
                    "Steady flag",
                    breaking_until=later(hours=1),
                    published_at=ago(hours=3),
                    updated_at=ago(hours=3),
                ),
                article(
                    "en",
                    "Brief flag",
                    breaking_until=iso(ends),
                    published_at=ago(hours=2),
                    updated_at=ago(hours=2),
                ),
            ]
        )
    )
    first = client.get("/v1/breaking")
    assert len(first.json()["items"]) == 2
    wait_until(ends)
    since = client.get(
        "/v1/breaking", headers={"If-Modified-Since": first.headers["last-modified"]}
    )
    assert since.status_code == 200
    assert [item["headline"] for item in since.json()["items"]] == ["Steady flag"]
    assert (
        client.get(
            "/v1/breaking", headers={"If-Modified-Since": since.headers["last-modified"]}
        ).status_code
        == 304
    )


def test_the_fast_path_and_the_route_answer_alike(client: TestClient, flags: Any) -> None:
    for params in ({}, {"service": "en"}):
        fast = client.get("/v1/breaking", params=params)
        # An unknown parameter leaves the fast path for the route, which ignores it.
        routed = client.get("/v1/breaking", params={**params, "unknown": "1"})
        assert fast.content == routed.content
        for header in ("etag", "last-modified", "surrogate-key", "vary", "cache-control"):
            assert fast.headers[header] == routed.headers[header], header
    assert_problem(client.get("/v1/breaking?service=xx"), 404)
    assert_problem(client.get("/v1/breaking?service=%FF"), 422)


def test_fields_trims_each_teaser(client: TestClient, flags: Any) -> None:
    full = client.get("/v1/breaking", params={"service": "en"})
    trimmed = client.get("/v1/breaking", params={"service": "en", "fields": "headline,breaking"})
    assert trimmed.status_code == 200, trimmed.text
    assert trimmed.json() == {
        "items": [
            {"headline": item["headline"], "breaking": item["breaking"]}
            for item in full.json()["items"]
        ]
    }
    assert trimmed.headers["etag"] != full.headers["etag"]
    again = client.get(
        "/v1/breaking",
        params={"service": "en", "fields": "headline,breaking"},
        headers={"If-None-Match": trimmed.headers["etag"]},
    )
    assert again.status_code == 304
    assert_problem(client.get("/v1/breaking", params={"fields": "headline,nope"}), 400)
