"""Only published, current, non-embargoed articles are public; the rest is 404."""

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from factories import article, bundle, iso
from fastapi.testclient import TestClient
from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker
from support import assert_problem, soon, wait_until

from app.models import Article
from app.readmodel.articles import render_article

UNKNOWN_ID = 424242


def article_id(sessions: sessionmaker[Session], uri: str) -> int:
    with sessions() as session:
        return session.scalars(select(Article.id).where(Article.uri == uri)).one()


def set_status(sessions: sessionmaker[Session], uri: str, status: str) -> int:
    """Move an article to another workflow state, as the editorial API will."""
    with sessions.begin() as session:
        found = session.scalars(select(Article.id).where(Article.uri == uri)).one()
        session.execute(update(Article).where(Article.id == found).values(status=status))
        render_article(session, found)
    return found


def assert_hidden_like_unknown(client: TestClient, hidden_id: int) -> None:
    """Same status and body as an id that never existed, but for ``instance``."""
    hidden = assert_problem(client.get(f"/v1/articles/{hidden_id}"), 404)
    unknown = assert_problem(client.get(f"/v1/articles/{UNKNOWN_ID}"), 404)
    assert hidden.pop("instance") == f"/v1/articles/{hidden_id}"
    assert unknown.pop("instance") == f"/v1/articles/{UNKNOWN_ID}"
    assert hidden == unknown
    for tail in ("/summary", "/related-videos"):
        assert client.get(f"/v1/articles/{hidden_id}{tail}").status_code == 404


def listed_ids(client: TestClient) -> set[int]:
    return {
        item["id"] for item in client.get("/v1/articles", params={"limit": 100}).json()["items"]
    }


def test_scheduled_article_is_404_until_its_time_then_public(
    client: TestClient, store: Callable[[dict[str, Any]], Any], sessions: sessionmaker[Session]
) -> None:
    when = soon()
    store(bundle(articles=[article("en", uri="urn:scheduled", published_at=iso(when))]))
    scheduled = article_id(sessions, "urn:scheduled")
    assert_hidden_like_unknown(client, scheduled)
    assert scheduled not in listed_ids(client)
    wait_until(when)
    assert client.get(f"/v1/articles/{scheduled}").status_code == 200
    assert scheduled in listed_ids(client)


def test_embargoed_article_is_404_until_the_embargo_lifts(
    client: TestClient, store: Callable[[dict[str, Any]], Any], sessions: sessionmaker[Session]
) -> None:
    lifts = soon()
    store(
        bundle(
            articles=[
                article(
                    "en",
                    uri="urn:embargoed",
                    published_at=iso(datetime.now(UTC) - timedelta(hours=1)),
                    embargo_until=iso(lifts),
                )
            ]
        )
    )
    embargoed = article_id(sessions, "urn:embargoed")
    assert_hidden_like_unknown(client, embargoed)
    assert embargoed not in listed_ids(client)
    wait_until(lifts)
    response = client.get(f"/v1/articles/{embargoed}")
    assert response.status_code == 200
    assert response.json()["embargo_until"] == iso(lifts)
    assert embargoed in listed_ids(client)


def test_past_embargo_does_not_hide_the_article(
    client: TestClient, store: Callable[[dict[str, Any]], Any]
) -> None:
    store(bundle(articles=[article("en", embargo_until="2025-01-01T00:00:00Z")]))
    [item] = client.get("/v1/articles").json()["items"]
    assert client.get(f"/v1/articles/{item['id']}").status_code == 200


@pytest.mark.parametrize("status", ["draft", "archived"])
def test_draft_and_archived_articles_are_404_like_unknown_ids(
    client: TestClient,
    store: Callable[[dict[str, Any]], Any],
    sessions: sessionmaker[Session],
    status: str,
) -> None:
    store(bundle(articles=[article("en", uri="urn:gone", slug="gone-story"), article("en")]))
    hidden = set_status(sessions, "urn:gone", status)
    assert_hidden_like_unknown(client, hidden)
    assert hidden not in listed_ids(client)
    assert len(listed_ids(client)) == 1
    by_slug = client.get("/v1/services/en/articles/gone-story")
    assert_problem(by_slug, 404)


def test_republished_article_is_public_again(
    client: TestClient, store: Callable[[dict[str, Any]], Any], sessions: sessionmaker[Session]
) -> None:
    store(bundle(articles=[article("en", uri="urn:back")]))
    back = set_status(sessions, "urn:back", "archived")
    assert client.get(f"/v1/articles/{back}").status_code == 404
    set_status(sessions, "urn:back", "published")
    assert client.get(f"/v1/articles/{back}").status_code == 200


def test_scheduled_translation_is_not_listed_before_its_time(
    client: TestClient, store: Callable[[dict[str, Any]], Any], sessions: sessionmaker[Session]
) -> None:
    from factories import service

    later = iso(datetime.now(UTC) + timedelta(hours=1))
    store(
        bundle(
            services=[service("en"), service("ru")],
            articles=[
                article("en", uri="urn:en", translation_of="group"),
                article("ru", uri="urn:ru", translation_of="group", published_at=later),
            ],
        )
    )
    public = article_id(sessions, "urn:en")
    assert client.get(f"/v1/articles/{public}").json()["translations"] == []
