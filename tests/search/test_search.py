"""GET /v1/search: the same behaviour on SQLite (FTS5) and PostgreSQL (tsvector)."""

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from factories import article, author, bundle, iso, service, term, video
from fastapi.testclient import TestClient
from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker
from support import assert_problem, soon, wait_until

from app.models import Article
from app.readmodel.articles import render_article


def hits(client: TestClient, q: str, **params: Any) -> list[dict[str, Any]]:
    response = client.get("/v1/search", params={"q": q, **params})
    assert response.status_code == 200, response.text
    items: list[dict[str, Any]] = response.json()["items"]
    return items


def titles(client: TestClient, q: str, **params: Any) -> list[str]:
    return [hit.get("headline") or hit["title"] for hit in hits(client, q, **params)]


def at(day: int, hour: int = 12) -> str:
    return f"2025-09-{day:02d}T{hour:02d}:00:00Z"


@pytest.fixture
def newsroom(store: Any) -> None:
    soon = iso(datetime.now(UTC) + timedelta(hours=2))
    store(
        bundle(
            services=[service("en"), service("ru"), service("uk")],
            sections=[term("en", "world"), term("en", "business"), term("uk", "world")],
            tags=[term("en", "ukraine"), term("en", "energy"), term("uk", "ukraine")],
            authors=[author("jane"), author("ivan")],
            articles=[
                article(
                    "en",
                    "Zelenskyy challenges Putin to come to Kyiv",
                    paragraphs=["The president spoke in the capital on Sunday."],
                    section="world",
                    tags=["ukraine"],
                    authors=["jane"],
                    published_at=at(10),
                ),
                article(
                    "en",
                    "Zelensky visits troops near the front",
                    paragraphs=["Soldiers greeted the president in the east."],
                    section="world",
                    tags=["ukraine"],
                    authors=["ivan"],
                    published_at=at(9),
                ),
                article(
                    "en",
                    "Zelenskiy meets European leaders",
                    paragraphs=["Talks in Brussels covered gas supplies."],
                    section="business",
                    tags=["energy"],
                    authors=["jane"],
                    breaking_until=soon,
                    published_at=at(8),
                ),
                article(
                    "en",
                    "Gas prices jump across Europe",
                    paragraphs=["Energy traders blamed the cold weather and low storage."],
                    section="business",
                    tags=["energy"],
                    published_at=at(7),
                ),
                article(
                    "ru",
                    "Зеленский встретился с лидерами Европы",
                    paragraphs=["Президент обсудил поставки газа."],
                    published_at=at(6),
                ),
                article(
                    "uk",
                    "Зеленський зустрівся з лідерами Європи",
                    paragraphs=["Президент обговорив постачання газу."],
                    section="world",
                    tags=["ukraine"],
                    published_at=at(5),
                ),
            ],
            videos=[
                video(
                    "en",
                    "Harbour reopens after the storm",
                    description="Ferries sail again.",
                    transcript="The harbour master said the breakwater held.",
                    published_at=at(4),
                ),
            ],
        )
    )


def test_inflected_russian_query_finds_russian_and_ukrainian_stories(
    client: TestClient, newsroom: None
) -> None:
    found = titles(client, "Зеленского")
    assert "Зеленский встретился с лидерами Европы" in found
    assert "Зеленський зустрівся з лідерами Європи" in found


def test_inflected_ukrainian_query_finds_the_ukrainian_story(
    client: TestClient, newsroom: None
) -> None:
    assert titles(client, "Зеленського", service="uk") == ["Зеленський зустрівся з лідерами Європи"]
    assert "Зеленський зустрівся з лідерами Європи" in titles(client, "лідерів Європи")


@pytest.mark.parametrize("spelling", ["Zelensky", "Zelenskiy", "Zelenskyy"])
def test_each_spelling_of_a_name_finds_all_three_exact_one_first(
    client: TestClient, newsroom: None, spelling: str
) -> None:
    found = titles(client, spelling, service="en")
    assert len(found) == 3
    exact = [title for title in found if spelling.lower() in title.lower().split()]
    assert found[0] == exact[0]


def test_headline_match_ranks_above_body_match(client: TestClient, store: Any) -> None:
    store(
        bundle(
            articles=[
                article("en", "Markets calm", paragraphs=["A word on the harbour, once."]),
                article("en", "Harbour closes for the winter", paragraphs=["Boats stay in."]),
            ]
        )
    )
    assert titles(client, "harbour") == ["Harbour closes for the winter", "Markets calm"]


def test_newer_story_ranks_above_an_older_one_of_the_same_text(
    client: TestClient, store: Any
) -> None:
    old = datetime.now(UTC) - timedelta(days=200)
    new = datetime.now(UTC) - timedelta(days=1)
    store(
        bundle(
            articles=[
                article("en", "Harbour storm", published_at=iso(old), uri="urn:old"),
                article("en", "Harbour storm", published_at=iso(new), uri="urn:new"),
            ]
        )
    )
    found = hits(client, "harbour storm")
    assert [hit["published_at"] for hit in found] == [iso(new), iso(old)]
    assert found[0]["score"] > found[1]["score"] > 0


def test_phrase_matches_words_in_order_only(client: TestClient, newsroom: None) -> None:
    assert titles(client, '"come to Kyiv"') == ["Zelenskyy challenges Putin to come to Kyiv"]
    assert titles(client, '"Kyiv come"') == []


def test_exclusion_removes_stories_with_the_word(client: TestClient, newsroom: None) -> None:
    found = titles(client, "Zelensky -troops", service="en")
    assert "Zelensky visits troops near the front" not in found
    assert len(found) == 2
    assert titles(client, 'gas -"European leaders"', service="en") == [
        "Gas prices jump across Europe"
    ]


def test_or_finds_either_word(client: TestClient, newsroom: None) -> None:
    found = set(titles(client, "troops OR Brussels"))
    assert found == {"Zelensky visits troops near the front", "Zelenskiy meets European leaders"}
    assert titles(client, "troops OR Brussels east") == ["Zelensky visits troops near the front"]


def test_hit_is_the_teaser_plus_type_score_and_highlight(
    client: TestClient, newsroom: None
) -> None:
    [hit] = hits(client, "troops")
    listed = client.get("/v1/articles", params={"service": "en"}).json()["items"]
    teaser = next(item for item in listed if item["id"] == hit["id"])
    assert {key: hit[key] for key in teaser} == teaser
    assert set(hit) == {*teaser, "type", "score", "highlight"}
    assert hit["type"] == "article"
    assert hit["highlight"] == "Zelensky visits <mark>troops</mark> near the front"


def test_highlight_marks_inflected_forms_and_escapes_the_rest(
    client: TestClient, store: Any
) -> None:
    store(
        bundle(
            articles=[
                article(
                    "en",
                    "Budget news",
                    paragraphs=["Tom &amp; Jerry said <b>harbours</b> & docks were shut."],
                )
            ]
        )
    )
    [hit] = hits(client, "harbour")
    assert hit["highlight"] == "Tom &amp; Jerry said <mark>harbours</mark> &amp; docks were shut."


def test_videos_are_found_by_title_description_and_transcript(
    client: TestClient, newsroom: None
) -> None:
    for q in ("harbour", "ferries", "breakwater"):
        [hit] = hits(client, q)
        assert hit["type"] == "video"
        assert hit["title"] == "Harbour reopens after the storm"
        assert hit["playable"] is True
        assert "<mark>" in hit["highlight"]


def test_geo_blocked_video_is_found_but_not_playable_there(client: TestClient, store: Any) -> None:
    store(bundle(videos=[video("en", "Harbour tour", availability={"countries_blocked": ["RU"]})]))
    [hit] = hits(client, "harbour", type="video")
    assert hit["playable"] is True
    response = client.get("/v1/search", params={"q": "harbour"}, headers={"CF-IPCountry": "RU"})
    [blocked] = response.json()["items"]
    assert blocked["playable"] is False
    assert blocked["unavailable_reason"] == "geo_blocked"
    assert blocked["renditions"] == []


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"type": "video"}, {"Harbour reopens after the storm"}),
        ({"service": "uk"}, {"Зеленський зустрівся з лідерами Європи"}),
        ({"language": "ru"}, {"Зеленский встретился с лидерами Европы"}),
        (
            {"section": "world", "service": "en"},
            {"Zelenskyy challenges Putin to come to Kyiv", "Zelensky visits troops near the front"},
        ),
        (
            {"tag": "energy"},
            {"Zelenskiy meets European leaders", "Gas prices jump across Europe"},
        ),
        (
            {"author": "jane"},
            {"Zelenskyy challenges Putin to come to Kyiv", "Zelenskiy meets European leaders"},
        ),
        ({"breaking": "true"}, {"Zelenskiy meets European leaders"}),
        (
            {"published_after": at(8), "published_before": at(10)},
            {"Zelensky visits troops near the front", "Zelenskiy meets European leaders"},
        ),
    ],
)
def test_every_filter_narrows_the_search(
    client: TestClient, newsroom: None, params: dict[str, str], expected: set[str]
) -> None:
    q = "president OR Zelensky OR gas OR harbour OR Зеленский OR Зеленський"
    everything = set(titles(client, q, limit=100))
    assert len(everything) == 7
    assert set(titles(client, q, limit=100, **params)) == expected


def test_breaking_false_leaves_out_the_breaking_story(client: TestClient, newsroom: None) -> None:
    found = titles(client, "Zelensky", breaking="false", service="en")
    assert "Zelenskiy meets European leaders" not in found
    assert len(found) == 2


def test_sort_newest_first(client: TestClient, newsroom: None) -> None:
    found = hits(client, "president OR Президент", sort="-published_at")
    times = [hit["published_at"] for hit in found]
    assert len(times) == 4
    assert times == sorted(times, reverse=True)


@pytest.mark.parametrize("sort", ["relevance", "-published_at"])
def test_walking_the_pages_gives_every_hit_once(client: TestClient, store: Any, sort: str) -> None:
    store(
        bundle(
            articles=[
                article("en", f"Harbour report {n}", paragraphs=["harbour " * (n % 4 + 1)])
                for n in range(23)
            ]
        )
    )
    everything = [hit["id"] for hit in hits(client, "harbour", sort=sort, limit=100)]
    assert len(everything) == 23
    walked: list[int] = []
    params: dict[str, Any] = {"q": "harbour", "sort": sort, "limit": 5}
    while True:
        response = client.get("/v1/search", params=params)
        assert response.status_code == 200
        page = response.json()
        walked.extend(hit["id"] for hit in page["items"])
        if page["next_cursor"] is None:
            assert "link" not in response.headers
            break
        assert 'rel="next"' in response.headers["link"]
        params["cursor"] = page["next_cursor"]
    assert walked == everything


def test_a_walk_keeps_the_moment_it_began(client: TestClient, store: Any) -> None:
    store(bundle(articles=[article("en", f"Harbour {n}") for n in range(4)]))
    first = client.get("/v1/search", params={"q": "harbour", "limit": 2}).json()
    when = soon()
    store(bundle(articles=[article("en", "Harbour news", published_at=iso(when))]))
    wait_until(when)
    assert len(hits(client, "harbour")) == 5
    second = client.get(
        "/v1/search", params={"q": "harbour", "limit": 2, "cursor": first["next_cursor"]}
    ).json()
    ids = [hit["id"] for hit in first["items"] + second["items"]]
    assert len(ids) == len(set(ids)) == 4
    assert second["next_cursor"] is None


BAD_CURSORS = [
    "nonsense",
    "WyJ4Il0",
    "W10",
    "e30",
    "!!",
    "WzEsMiwzLDRd",
    # ["relevance", 1, 0, 0] and ["relevance", 1, 20, 5]: no position, a document
    "WyJyZWxldmFuY2UiLDEsMCwwXQ",
    "WyJyZWxldmFuY2UiLDEsMjAsNV0",
]


@pytest.mark.parametrize("cursor", BAD_CURSORS)
def test_bad_cursor_is_400(client: TestClient, newsroom: None, cursor: str) -> None:
    response = client.get("/v1/search", params={"q": "zelensky", "cursor": cursor})
    body = assert_problem(response, 400)
    assert body["errors"][0]["field"] == "cursor"


def test_cursor_of_the_other_sort_is_400(client: TestClient, newsroom: None) -> None:
    page = client.get("/v1/search", params={"q": "president", "limit": 1}).json()
    response = client.get(
        "/v1/search",
        params={"q": "president", "sort": "-published_at", "cursor": page["next_cursor"]},
    )
    assert_problem(response, 400)


def test_strong_etag_and_304(client: TestClient, newsroom: None) -> None:
    response = client.get("/v1/search", params={"q": "zelensky"})
    etag = response.headers["etag"]
    assert etag.startswith('"') and not etag.startswith("W/")
    assert "CF-IPCountry" in response.headers["vary"]
    assert "public" in response.headers["cache-control"]
    again = client.get("/v1/search", params={"q": "zelensky"}, headers={"If-None-Match": etag})
    assert again.status_code == 304
    other = client.get("/v1/search", params={"q": "zelensky", "limit": 1})
    assert other.headers["etag"] != etag


def set_status(sessions: sessionmaker[Session], uri: str, status: str) -> None:
    with sessions.begin() as session:
        found = session.scalars(select(Article.id).where(Article.uri == uri)).one()
        session.execute(update(Article).where(Article.id == found).values(status=status))
        render_article(session, found)


@pytest.mark.parametrize("status", ["draft", "archived"])
def test_drafts_and_archived_stories_are_not_found(
    client: TestClient, store: Any, sessions: sessionmaker[Session], status: str
) -> None:
    store(bundle(articles=[article("en", "Harbour secrets", uri="urn:hidden")]))
    assert titles(client, "harbour") == ["Harbour secrets"]
    set_status(sessions, "urn:hidden", status)
    assert titles(client, "harbour") == []
    assert titles(client, "harbour secrets", sort="-published_at") == []


def test_scheduled_and_embargoed_stories_are_not_found_before_their_time(
    client: TestClient, store: Any
) -> None:
    later = iso(datetime.now(UTC) + timedelta(hours=3))
    store(
        bundle(
            articles=[
                article("en", "Harbour plans", published_at=later),
                article("en", "Harbour deal", embargo_until=later),
                article("en", "Harbour open"),
            ]
        )
    )
    assert titles(client, "harbour") == ["Harbour open"]


def test_withheld_story_is_not_found_in_that_country(client: TestClient, store: Any) -> None:
    store(bundle(articles=[article("en", "Harbour ruling", withheld_in=["GB"])]))
    assert titles(client, "harbour") == ["Harbour ruling"]
    response = client.get("/v1/search", params={"q": "harbour"}, headers={"CF-IPCountry": "GB"})
    assert response.json()["items"] == []


def test_the_index_follows_every_write(
    client: TestClient, store: Any, sessions: sessionmaker[Session]
) -> None:
    store(bundle(articles=[article("en", "Harbour closes", uri="urn:story")]))
    assert titles(client, "harbour") == ["Harbour closes"]
    store(bundle(articles=[article("en", "Lighthouse closes", uri="urn:story")]))
    assert titles(client, "harbour") == []
    assert titles(client, "lighthouse") == ["Lighthouse closes"]
    with sessions.begin() as session:
        session.execute(update(Article).values(headline="Never committed"))
        render_article(session, session.scalars(select(Article.id)).one())
        session.rollback()
    assert titles(client, "committed") == []
    assert titles(client, "lighthouse") == ["Lighthouse closes"]


def test_query_with_nothing_to_look_for_finds_nothing(client: TestClient, newsroom: None) -> None:
    for q in ("the", "-zelensky", "OR", '""', "!!!", "   "):
        response = client.get("/v1/search", params={"q": q})
        assert response.status_code == 200, q
        assert response.json() == {"items": [], "next_cursor": None}


def test_unknown_service_is_404(client: TestClient, newsroom: None) -> None:
    assert_problem(client.get("/v1/search", params={"q": "x", "service": "zz"}), 404)


@pytest.mark.parametrize(
    ("params", "status", "field"),
    [
        ({}, 422, "q"),
        ({"q": ""}, 422, "q"),
        ({"q": "a" * 301}, 422, "q"),
        ({"q": " ".join(f"w{n}" for n in range(17))}, 400, "q"),
        ({"q": "x", "type": "podcast"}, 422, "type"),
        ({"q": "x", "sort": "published_at"}, 422, "sort"),
        ({"q": "x", "limit": "0"}, 422, "limit"),
        ({"q": "x", "limit": "101"}, 422, "limit"),
        ({"q": "x", "published_after": "yesterday"}, 422, "published_after"),
        ({"q": "x", "service": "../etc"}, 422, "service"),
    ],
)
def test_bad_parameters_are_4xx_problems(
    client: TestClient, newsroom: None, params: dict[str, str], status: int, field: str
) -> None:
    body = assert_problem(client.get("/v1/search", params=params), status)
    assert any(error["field"] == field for error in body["errors"])


def test_scheduled_story_is_found_once_its_time_comes(client: TestClient, store: Any) -> None:
    when = soon()
    store(bundle(articles=[article("en", "Harbour plans", published_at=iso(when))]))
    assert titles(client, "harbour") == []
    wait_until(when)
    assert titles(client, "harbour") == ["Harbour plans"]


def test_breaking_flag_ends_by_itself_in_search_too(client: TestClient, store: Any) -> None:
    until = soon()
    store(bundle(articles=[article("en", "Harbour fire", breaking_until=iso(until))]))
    [hit] = hits(client, "harbour")
    assert hit["breaking"] == {"until": iso(until)}
    assert titles(client, "harbour", breaking="true") == ["Harbour fire"]
    wait_until(until)
    [hit] = hits(client, "harbour")
    assert hit["breaking"] is None
    assert titles(client, "harbour", breaking="true") == []


def test_fields_trims_every_hit(client: TestClient, newsroom: None) -> None:
    response = client.get("/v1/search", params={"q": "zelensky OR harbour", "fields": "id,type"})
    items = response.json()["items"]
    # Three English spellings, the Russian and Ukrainian ones by fold key, the video.
    assert len(items) == 6
    assert all(set(item) == {"id", "type"} for item in items)
    assert_problem(client.get("/v1/search", params={"q": "x", "fields": "nope"}), 400)
