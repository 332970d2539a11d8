"""Cursor pagination of the article list, as properties over limits, sorts and filters."""

import base64
import itertools
import math
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import orjson
import pytest
from factories import article, bundle, iso, service, term
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from app.models import Article

BASE = datetime(2025, 9, 1, 6, 0, tzinfo=UTC)
SORTS = ["-published_at", "published_at", "-updated_at"]
PROPERTY = settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@dataclass
class Story:
    """What the test knows of one article, to compute the expected pages itself."""

    uri: str
    service: str
    section: str | None
    tags: list[str]
    breaking: bool
    published: datetime
    updated: datetime
    id: int = 0

    def matches(self, filters: dict[str, str]) -> bool:
        checks = {
            "service": lambda v: self.service == v,
            "language": lambda v: self.service == v,
            "section": lambda v: self.section == v,
            "tag": lambda v: v in self.tags,
            "breaking": lambda v: self.breaking == (v == "true"),
            "published_after": lambda v: self.published >= datetime.fromisoformat(v),
            "published_before": lambda v: self.published < datetime.fromisoformat(v),
        }
        return all(checks[name](value) for name, value in filters.items())

    def key(self, sort: str) -> tuple[datetime, int]:
        return (self.updated if sort == "-updated_at" else self.published), self.id


def expected(stories: list["Story"], sort: str, filters: dict[str, str]) -> list[int]:
    chosen = [story for story in stories if story.matches(filters)]
    chosen.sort(key=lambda story: story.key(sort), reverse=sort.startswith("-"))
    return [story.id for story in chosen]


@dataclass
class Newsroom:
    stories: list[Story] = field(default_factory=list)
    minted: "itertools.count[int]" = field(default_factory=lambda: itertools.count(1))

    def __repr__(self) -> str:
        return f"Newsroom({len(self.stories)} stories)"


def story_bundle(story: Story, soon: str) -> dict[str, Any]:
    return article(
        story.service,
        f"Story {story.uri}",
        uri=story.uri,
        section=story.section,
        tags=story.tags,
        breaking_until=soon if story.breaking else None,
        published_at=iso(story.published),
        updated_at=iso(story.updated),
    )


def assign_ids(sessions: sessionmaker[Session], stories: list[Story]) -> None:
    with sessions() as session:
        ids = {uri: id_ for uri, id_ in session.execute(select(Article.uri, Article.id))}
    for story in stories:
        story.id = ids[story.uri]


@pytest.fixture
def newsroom(store: Any, sessions: sessionmaker[Session]) -> Newsroom:
    """24 stories in two services; publication and update times tie in pairs."""
    soon = iso(datetime.now(UTC) + timedelta(days=1))
    stories = []
    for i in range(24):
        code = "ru" if i % 3 == 2 else "en"
        stories.append(
            Story(
                uri=f"urn:page:{i}",
                service=code,
                section="world" if i % 2 == 0 else ("business" if code == "en" else None),
                tags=["a"] if i % 4 in (0, 1) else (["b"] if code == "en" and i % 4 == 2 else []),
                breaking=i % 5 == 0,
                published=BASE + timedelta(minutes=10 * (i // 2)),
                updated=BASE + timedelta(days=1, minutes=5 * ((i * 7) % 12)),
            )
        )
    store(
        bundle(
            services=[service("en"), service("ru")],
            sections=[term("en", "world"), term("en", "business"), term("ru", "world")],
            tags=[term("en", "a"), term("en", "b"), term("ru", "a")],
            articles=[story_bundle(story, soon) for story in stories],
        )
    )
    assign_ids(sessions, stories)
    return Newsroom(stories=stories)


FILTERS = st.fixed_dictionaries(
    {},
    optional={
        "service": st.sampled_from(["en", "ru"]),
        "language": st.sampled_from(["en", "ru"]),
        "section": st.sampled_from(["world", "business"]),
        "tag": st.sampled_from(["a", "b"]),
        "breaking": st.sampled_from(["true", "false"]),
        "published_after": st.integers(0, 12).map(lambda n: iso(BASE + timedelta(minutes=10 * n))),
        "published_before": st.integers(0, 12).map(lambda n: iso(BASE + timedelta(minutes=10 * n))),
    },
)


def walk(
    client: TestClient, params: dict[str, Any], between_pages: Any = None
) -> tuple[list[int], int]:
    """Every id, following ``Link: rel="next"`` until there is none; and the page count."""
    seen: list[int] = []
    url: str | None = "/v1/articles"
    query: dict[str, Any] | None = params
    pages = 0
    while url is not None:
        assert pages <= 200, "the walk does not end"
        response = client.get(url, params=query)
        assert response.status_code == 200, response.text
        body = response.json()
        assert len(body["items"]) <= params["limit"]
        seen.extend(item["id"] for item in body["items"])
        pages += 1
        link = response.headers.get("link")
        if body["next_cursor"] is None:
            assert link is None
            url = None
        else:
            assert len(body["items"]) == params["limit"]
            assert link is not None and body["next_cursor"] in link
            url, query = link[1 : link.index(">")], None
            if between_pages is not None:
                between_pages(pages)
    return seen, pages


@PROPERTY
@given(limit=st.integers(1, 30), sort=st.sampled_from(SORTS), filters=FILTERS)
def test_walking_all_pages_returns_every_visible_article_once_in_order(
    client: TestClient, newsroom: Newsroom, limit: int, sort: str, filters: dict[str, str]
) -> None:
    want = expected(newsroom.stories, sort, filters)
    seen, pages = walk(client, {"limit": limit, "sort": sort, **filters})
    assert seen == want
    assert pages == max(1, math.ceil(len(want) / limit))


@PROPERTY
@given(
    limit=st.integers(1, 10),
    sort=st.sampled_from(SORTS),
    service_filter=st.sampled_from([{}, {"service": "en"}]),
    inserts=st.lists(
        st.tuples(st.integers(1, 6), st.sampled_from(["newest", "middle"])), max_size=3
    ),
)
def test_articles_published_during_the_walk_cause_no_duplicate_and_no_skip(
    client: TestClient,
    store: Any,
    sessions: sessionmaker[Session],
    newsroom: Newsroom,
    limit: int,
    sort: str,
    service_filter: dict[str, str],
    inserts: list[tuple[int, str]],
) -> None:
    before = set(expected(newsroom.stories, sort, service_filter))
    soon = iso(datetime.now(UTC) + timedelta(days=1))

    def publish(pages_read: int) -> None:
        fresh = []
        for after_page, where in inserts:
            if after_page != pages_read:
                continue
            n = next(newsroom.minted)
            moment = (
                BASE + timedelta(days=30, minutes=n)
                if where == "newest"
                else BASE + timedelta(minutes=10 * (n % 12), seconds=n % 60 + 1)
            )
            fresh.append(
                Story(
                    uri=f"urn:page:new:{n}",
                    service="en",
                    section=None,
                    tags=[],
                    breaking=False,
                    published=moment,
                    updated=BASE + timedelta(days=30, minutes=n),
                )
            )
        if fresh:
            store(bundle(articles=[story_bundle(story, soon) for story in fresh]))
            assign_ids(sessions, fresh)
            newsroom.stories.extend(fresh)

    seen, _ = walk(client, {"limit": limit, "sort": sort, **service_filter}, publish)
    assert len(seen) == len(set(seen)), "an article came twice"
    assert before <= set(seen), "an article that existed before the walk was skipped"
    by_id = {story.id: story for story in newsroom.stories}
    keys = [by_id[article_id].key(sort) for article_id in seen]
    assert keys == sorted(keys, reverse=sort.startswith("-"))


# orjson writes 64-bit integers; the cursor itself must refuse what does not fit 62 bits.
INT64 = st.integers(-(2**63), 2**63 - 1)
JSON = st.recursive(
    st.none() | st.booleans() | INT64 | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda children: st.lists(children, max_size=4),
    max_leaves=6,
)


def b64(value: Any) -> str:
    return base64.urlsafe_b64encode(orjson.dumps(value)).decode().rstrip("=")


CURSORS = st.one_of(
    st.text(max_size=60),
    JSON.map(b64),
    st.tuples(st.sampled_from([*SORTS, "videos"]), INT64, INT64).map(lambda t: b64(list(t))),
)


@PROPERTY
@given(cursor=CURSORS, sort=st.sampled_from(SORTS))
def test_any_cursor_answers_a_page_or_a_4xx_problem(
    client: TestClient, newsroom: Newsroom, cursor: str, sort: str
) -> None:
    response = client.get("/v1/articles", params={"cursor": cursor, "sort": sort})
    assert response.status_code in (200, 400, 422), response.text
    if response.status_code != 200:
        assert response.headers["content-type"] == "application/problem+json"
        assert response.json()["status"] == response.status_code


@PROPERTY
@given(limit=st.integers(-(2**70), 2**70) | st.text(max_size=12))
def test_any_limit_answers_a_page_or_a_422_problem(
    client: TestClient, newsroom: Newsroom, limit: Any
) -> None:
    response = client.get("/v1/articles", params={"limit": str(limit)})
    valid = str(limit).strip().lstrip("+").isdigit() and 1 <= int(str(limit)) <= 100
    if valid:
        assert response.status_code == 200
        assert len(response.json()["items"]) == min(int(str(limit)), 24)
    else:
        assert response.status_code == 422, response.text
        assert response.headers["content-type"] == "application/problem+json"
