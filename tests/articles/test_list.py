"""GET /v1/articles: order, every filter and sort, teasers, fields=, Link, errors."""

from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from factories import article, author, bundle, iso, service, term, video
from fastapi.testclient import TestClient
from support import assert_problem

TEASER_FIELDS = {
    "id",
    "service",
    "language",
    "slug",
    "url",
    "kicker",
    "headline",
    "dek",
    "summary",
    "lead_image",
    "section",
    "breaking",
    "published_at",
    "updated_at",
}


def at(hour: int, minute: int = 0, day: int = 1) -> str:
    return f"2025-09-{day:02d}T{hour:02d}:{minute:02d}:00Z"


@pytest.fixture
def newsroom(store: Any) -> None:
    """Five stories in two services, with known times, taxonomy and breaking flags."""
    soon = iso(datetime.now(UTC) + timedelta(hours=2))
    gone = iso(datetime.now(UTC) - timedelta(hours=2))
    store(
        bundle(
            services=[service("en"), service("ru")],
            sections=[term("en", "world"), term("en", "business"), term("ru", "world")],
            tags=[term("en", "budget"), term("en", "energy"), term("ru", "budget")],
            authors=[author("jane"), author("ivan")],
            articles=[
                article(
                    "en",
                    "Old budget story",
                    section="world",
                    tags=["budget"],
                    authors=["jane"],
                    published_at=at(8),
                    updated_at=at(0, day=3),
                ),
                article(
                    "en",
                    "Energy prices jump",
                    section="business",
                    tags=["energy"],
                    authors=["ivan"],
                    breaking_until=soon,
                    published_at=at(9),
                ),
                article(
                    "en",
                    "Budget and energy deal",
                    section="world",
                    tags=["budget", "energy"],
                    authors=["jane", "ivan"],
                    breaking_until=gone,
                    published_at=at(10),
                    updated_at=at(0, day=2),
                ),
                article(
                    "ru",
                    "Бюджет принят",
                    section="world",
                    tags=["budget"],
                    authors=["ivan"],
                    published_at=at(9, 30),
                ),
                article("en", "Russian-language report", language="ru", published_at=at(7)),
            ],
        )
    )


def headlines(client: TestClient, **params: Any) -> list[str]:
    response = client.get("/v1/articles", params=params)
    assert response.status_code == 200, response.text
    return [item["headline"] for item in response.json()["items"]]


NEWEST_FIRST = [
    "Budget and energy deal",
    "Бюджет принят",
    "Energy prices jump",
    "Old budget story",
    "Russian-language report",
]


def test_articles_are_listed_newest_first(client: TestClient, newsroom: None) -> None:
    assert headlines(client) == NEWEST_FIRST


def test_sort_published_at_lists_oldest_first(client: TestClient, newsroom: None) -> None:
    assert headlines(client, sort="published_at") == NEWEST_FIRST[::-1]


def test_sort_minus_published_at_is_the_default(client: TestClient, newsroom: None) -> None:
    assert headlines(client, sort="-published_at") == NEWEST_FIRST


def test_sort_minus_updated_at_lists_latest_updates_first(
    client: TestClient, newsroom: None
) -> None:
    assert headlines(client, sort="-updated_at") == [
        "Old budget story",
        "Budget and energy deal",
        "Бюджет принят",
        "Energy prices jump",
        "Russian-language report",
    ]


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        (
            {"service": "en"},
            [
                "Budget and energy deal",
                "Energy prices jump",
                "Old budget story",
                "Russian-language report",
            ],
        ),
        ({"service": "ru"}, ["Бюджет принят"]),
        ({"language": "ru"}, ["Бюджет принят", "Russian-language report"]),
        ({"language": "en"}, ["Budget and energy deal", "Energy prices jump", "Old budget story"]),
        ({"section": "world"}, ["Budget and energy deal", "Бюджет принят", "Old budget story"]),
        ({"section": "world", "service": "en"}, ["Budget and energy deal", "Old budget story"]),
        ({"section": "business"}, ["Energy prices jump"]),
        ({"tag": "budget"}, ["Budget and energy deal", "Бюджет принят", "Old budget story"]),
        ({"tag": "energy"}, ["Budget and energy deal", "Energy prices jump"]),
        ({"tag": "budget", "service": "ru"}, ["Бюджет принят"]),
        ({"author": "jane"}, ["Budget and energy deal", "Old budget story"]),
        ({"author": "ivan"}, ["Budget and energy deal", "Бюджет принят", "Energy prices jump"]),
        ({"breaking": "true"}, ["Energy prices jump"]),
        (
            {"breaking": "false"},
            [
                "Budget and energy deal",
                "Бюджет принят",
                "Old budget story",
                "Russian-language report",
            ],
        ),
        (
            {"published_after": at(9)},
            ["Budget and energy deal", "Бюджет принят", "Energy prices jump"],
        ),
        ({"published_before": at(9)}, ["Old budget story", "Russian-language report"]),
        (
            {"published_after": at(8), "published_before": at(10)},
            ["Бюджет принят", "Energy prices jump", "Old budget story"],
        ),
        # The same instant written with an offset, and without a zone (read as UTC).
        (
            {"published_after": "2025-09-01T11:00:00+02:00"},
            ["Budget and energy deal", "Бюджет принят", "Energy prices jump"],
        ),
        (
            {"published_after": "2025-09-01T09:00:00"},
            ["Budget and energy deal", "Бюджет принят", "Energy prices jump"],
        ),
        ({"section": "nowhere"}, []),
        (
            {"tag": "budget", "author": "jane", "breaking": "false"},
            ["Budget and energy deal", "Old budget story"],
        ),
    ],
    ids=lambda value: (
        "&".join(f"{k}={v}" for k, v in value.items()) if isinstance(value, dict) else ""
    ),
)
def test_filters_select_the_matching_articles(
    client: TestClient, newsroom: None, params: dict[str, str], expected: list[str]
) -> None:
    assert headlines(client, **params) == expected


def test_teasers_have_exactly_the_documented_fields(client: TestClient, store: Any) -> None:
    soon = datetime.now(UTC) + timedelta(hours=1)
    store(
        bundle(
            sections=[term("en", "world")],
            articles=[
                article(
                    "en",
                    "Floods hit the coast",
                    slug="floods-hit-the-coast",
                    kicker="Live",
                    dek="Thousands were evacuated overnight.",
                    section="world",
                    lead_image={
                        "url": "https://img.example/floods.jpg",
                        "width": 1200,
                        "height": 675,
                        "caption": "A flooded street.",
                        "credit": "Reuters",
                        "alt": "Water in a street",
                    },
                    breaking_until=iso(soon),
                    summary=["Thousands evacuated.", "Rain continues."],
                    published_at="2025-09-01T10:00:00Z",
                    updated_at="2025-09-01T11:30:00Z",
                )
            ],
        )
    )
    [teaser] = client.get("/v1/articles").json()["items"]
    assert set(teaser) == TEASER_FIELDS
    assert isinstance(teaser["id"], int)
    assert teaser["service"] == "en"
    assert teaser["language"] == "en"
    assert teaser["slug"] == "floods-hit-the-coast"
    assert teaser["url"] == "https://en.news.example/a/floods-hit-the-coast"
    assert teaser["kicker"] == "Live"
    assert teaser["headline"] == "Floods hit the coast"
    assert teaser["dek"] == "Thousands were evacuated overnight."
    assert teaser["summary"] == ["Thousands evacuated.", "Rain continues."]
    assert teaser["lead_image"] == {
        "url": "https://img.example/floods.jpg",
        "width": 1200,
        "height": 675,
        "caption": "A flooded street.",
        "credit": "Reuters",
        "alt": "Water in a street",
        # No resizer is configured: the original is the only rendition.
        "renditions": [{"url": "https://img.example/floods.jpg", "width": 1200, "height": 675}],
    }
    assert teaser["section"] == {"slug": "world", "name": "World"}
    assert teaser["breaking"] == {"until": iso(soon)}
    assert teaser["published_at"] == "2025-09-01T10:00:00Z"
    assert teaser["updated_at"] == "2025-09-01T11:30:00Z"


def test_teaser_without_optional_parts_has_nulls(client: TestClient, store: Any) -> None:
    store(bundle(articles=[article("en", "Plain story")]))
    [teaser] = client.get("/v1/articles").json()["items"]
    assert set(teaser) == TEASER_FIELDS
    assert teaser["kicker"] is None
    assert teaser["dek"] is None
    assert teaser["lead_image"] is None
    assert teaser["section"] is None
    assert teaser["breaking"] is None
    assert 1 <= len(teaser["summary"]) <= 3


def test_fields_trims_every_teaser(client: TestClient, newsroom: None) -> None:
    response = client.get("/v1/articles", params={"fields": "id,headline"})
    assert response.status_code == 200
    body = response.json()
    assert [set(item) for item in body["items"]] == [{"id", "headline"}] * 5
    assert [item["headline"] for item in body["items"]] == NEWEST_FIRST
    assert "next_cursor" in body


def test_fields_keeps_the_breaking_flag_when_asked(client: TestClient, newsroom: None) -> None:
    items = client.get("/v1/articles", params={"fields": "breaking", "service": "en"}).json()[
        "items"
    ]
    assert [item["breaking"] is not None for item in items] == [False, True, False, False]
    assert all(set(item) == {"breaking"} for item in items)


@pytest.mark.parametrize("fields", ["id,nonsense", "body", "notices", "id,,headline", "ID", ""])
def test_unknown_or_malformed_fields_are_400(
    client: TestClient, newsroom: None, fields: str
) -> None:
    body = assert_problem(client.get("/v1/articles", params={"fields": fields}), 400)
    assert body["errors"][0]["field"] == "fields"


def test_next_page_is_announced_in_link_header(client: TestClient, newsroom: None) -> None:
    first = client.get("/v1/articles", params={"limit": 2, "service": "en"})
    body = first.json()
    assert body["next_cursor"]
    link = first.headers["link"]
    assert link.startswith("</v1/articles?")
    assert link.endswith('>; rel="next"')
    target = link[1 : link.index(">")]
    query = parse_qs(urlsplit(target).query)
    assert query == {"limit": ["2"], "service": ["en"], "cursor": [body["next_cursor"]]}
    second = client.get(target)
    assert [item["headline"] for item in second.json()["items"]] == [
        "Old budget story",
        "Russian-language report",
    ]
    assert second.json()["next_cursor"] is None
    assert "link" not in second.headers


def test_last_page_has_no_link_and_no_cursor(client: TestClient, newsroom: None) -> None:
    response = client.get("/v1/articles", params={"limit": 5})
    assert len(response.json()["items"]) == 5
    assert response.json()["next_cursor"] is None
    assert "link" not in response.headers


def test_default_limit_is_20(client: TestClient, store: Any) -> None:
    store(bundle(articles=[article("en") for _ in range(21)]))
    response = client.get("/v1/articles")
    assert len(response.json()["items"]) == 20
    assert response.json()["next_cursor"]


def test_limit_100_is_allowed(client: TestClient, newsroom: None) -> None:
    assert len(client.get("/v1/articles", params={"limit": 100}).json()["items"]) == 5


def test_empty_list_is_200(client: TestClient, store: Any) -> None:
    store(bundle())
    response = client.get("/v1/articles", params={"service": "en"})
    assert response.status_code == 200
    assert response.json() == {"items": [], "next_cursor": None}


@pytest.mark.parametrize(
    ("params", "status", "field"),
    [
        ({"limit": "0"}, 422, "limit"),
        ({"limit": "1000"}, 422, "limit"),
        ({"limit": "101"}, 422, "limit"),
        ({"limit": "-1"}, 422, "limit"),
        ({"limit": "abc"}, 422, "limit"),
        ({"cursor": "not-a-cursor"}, 400, "cursor"),
        ({"cursor": "W10"}, 400, "cursor"),
        ({"cursor": "%%%"}, 400, "cursor"),
        ({"cursor": "x" * 201}, 422, "cursor"),
        ({"published_after": "yesterday"}, 422, "published_after"),
        ({"published_before": "2025-13-45T99:00:00Z"}, 422, "published_before"),
        ({"breaking": "maybe"}, 422, "breaking"),
        ({"sort": "headline"}, 422, "sort"),
        ({"service": "EN!"}, 422, "service"),
        ({"service": "xx"}, 404, "service"),
        ({"section": "no/slash"}, 422, "section"),
        ({"language": "english-language"}, 422, "language"),
    ],
    ids=lambda value: str(value) if not isinstance(value, dict) else repr(value)[:40],
)
def test_bad_query_parameters_are_4xx_problems(
    client: TestClient, newsroom: None, params: dict[str, str], status: int, field: str
) -> None:
    body = assert_problem(client.get("/v1/articles", params=params), status)
    assert field in {error["field"] for error in body["errors"]}


def test_cursor_from_another_sort_is_400(client: TestClient, newsroom: None) -> None:
    cursor = client.get("/v1/articles", params={"limit": 1}).json()["next_cursor"]
    assert cursor
    assert client.get("/v1/articles", params={"limit": 1, "cursor": cursor}).status_code == 200
    for sort in ("published_at", "-updated_at"):
        response = client.get("/v1/articles", params={"sort": sort, "cursor": cursor})
        assert_problem(response, 400)


def test_video_cursor_is_not_an_article_cursor(client: TestClient, store: Any) -> None:
    store(bundle(videos=[video("en"), video("en")]))
    cursor = client.get("/v1/videos", params={"limit": 1}).json()["next_cursor"]
    assert cursor
    assert_problem(client.get("/v1/articles", params={"cursor": cursor}), 400)


def test_list_hides_articles_withheld_in_the_readers_country(
    client: TestClient, store: Any
) -> None:
    store(
        bundle(
            articles=[
                article("en", "Withheld in Russia", withheld_in=["RU"]),
                article("en", "Withheld in Belarus and Russia", withheld_in=["BY", "RU"]),
                article("en", "Everywhere"),
            ]
        )
    )

    def listed(country: str | None) -> set[str]:
        headers = {"CF-IPCountry": country} if country else {}
        response = client.get("/v1/articles", headers=headers)
        assert "cf-ipcountry" in response.headers["vary"].lower()
        return {item["headline"] for item in response.json()["items"]}

    assert listed("RU") == {"Everywhere"}
    assert listed("BY") == {"Everywhere", "Withheld in Russia"}
    assert listed("U") == listed(None) == listed("DE")
    assert len(listed("DE")) == 3


def test_every_query_shape_gets_the_same_teasers(client: TestClient, newsroom: None) -> None:
    """Simple queries may take a faster path than others; the answer must not differ."""
    every_field = ",".join(sorted(TEASER_FIELDS))
    for params in ({}, {"service": "en"}, {"sort": "published_at", "limit": "3"}):
        plain = client.get("/v1/articles", params=params).json()
        spelled_out = client.get("/v1/articles", params={**params, "fields": every_field}).json()
        assert plain == spelled_out, params
