"""GET /v1/articles/{id}/related: public articles like this one, as teasers."""

from typing import Any

import pytest
from factories import article, bundle, service, term
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from support import assert_problem

from app.models import Article


def ids_by_uri(sessions: sessionmaker[Session]) -> dict[str, int]:
    with sessions() as session:
        return {uri: id_ for id_, uri in session.execute(select(Article.id, Article.uri))}


@pytest.fixture
def related_newsroom(store: Any, sessions: sessionmaker[Session]) -> dict[str, int]:
    store(
        bundle(
            services=[service("en"), service("ru")],
            sections=[term("en", "world"), term("en", "sport")],
            tags=[term("en", "harbour"), term("en", "storms"), term("en", "football")],
            articles=[
                article(
                    "en",
                    "Storm closes the harbour at Dover",
                    paragraphs=["Ferries stay in port as the storm batters the harbour wall."],
                    section="world",
                    tags=["harbour", "storms"],
                    uri="urn:source",
                ),
                article(
                    "en",
                    "Harbour reopens after the storm",
                    paragraphs=["Ferries sail again from the harbour."],
                    section="world",
                    tags=["harbour", "storms"],
                    uri="urn:close",
                ),
                article(
                    "en",
                    "Storm warnings for the coast",
                    paragraphs=["Forecasters expect gales."],
                    tags=["storms"],
                    uri="urn:tagged",
                ),
                article(
                    "en",
                    "Dover ferries delayed by a harbour strike",
                    paragraphs=["Workers walked out at the harbour."],
                    uri="urn:words",
                ),
                article(
                    "en",
                    "Cup final goes to penalties",
                    paragraphs=["The match ended level."],
                    section="sport",
                    tags=["football"],
                    uri="urn:unrelated",
                ),
                article("ru", "Шторм закрыл порт", uri="urn:other-service"),
                article(
                    "en",
                    "Harbour storm secret",
                    tags=["harbour", "storms"],
                    withheld_in=["GB"],
                    uri="urn:withheld",
                ),
            ],
        )
    )
    return ids_by_uri(sessions)


def related(client: TestClient, article_id: int, **params: Any) -> list[int]:
    response = client.get(f"/v1/articles/{article_id}/related", params=params)
    assert response.status_code == 200, response.text
    return [item["id"] for item in response.json()["items"]]


def test_most_alike_articles_come_first(
    client: TestClient, related_newsroom: dict[str, int]
) -> None:
    ids = related_newsroom
    found = related(client, ids["urn:source"])
    assert found[0] == ids["urn:close"]
    assert set(found) >= {ids["urn:tagged"], ids["urn:words"]}
    assert ids["urn:source"] not in found
    assert ids["urn:other-service"] not in found
    assert ids["urn:unrelated"] not in found


def test_related_are_teasers_with_the_breaking_flag(
    client: TestClient, related_newsroom: dict[str, int]
) -> None:
    response = client.get(f"/v1/articles/{related_newsroom['urn:source']}/related")
    listed = {item["id"]: item for item in client.get("/v1/articles").json()["items"]}
    for item in response.json()["items"]:
        assert item == listed[item["id"]]


def test_limit_caps_the_list(client: TestClient, related_newsroom: dict[str, int]) -> None:
    assert len(related(client, related_newsroom["urn:source"], limit=1)) == 1
    assert_problem(
        client.get(f"/v1/articles/{related_newsroom['urn:source']}/related?limit=0"), 422
    )


def test_withheld_article_is_not_related_in_that_country(
    client: TestClient, related_newsroom: dict[str, int]
) -> None:
    source = related_newsroom["urn:source"]
    assert related_newsroom["urn:withheld"] in related(client, source)
    response = client.get(f"/v1/articles/{source}/related", headers={"CF-IPCountry": "GB"})
    assert related_newsroom["urn:withheld"] not in [item["id"] for item in response.json()["items"]]


def test_unknown_or_withheld_article_answers_as_a_detail_would(
    client: TestClient, related_newsroom: dict[str, int]
) -> None:
    assert_problem(client.get("/v1/articles/424242/related"), 404)
    withheld = related_newsroom["urn:withheld"]
    assert_problem(
        client.get(f"/v1/articles/{withheld}/related", headers={"CF-IPCountry": "GB"}), 451
    )


def test_related_has_an_etag_and_answers_304(
    client: TestClient, related_newsroom: dict[str, int]
) -> None:
    path = f"/v1/articles/{related_newsroom['urn:source']}/related"
    etag = client.get(path).headers["etag"]
    assert client.get(path, headers={"If-None-Match": etag}).status_code == 304
