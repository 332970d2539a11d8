"""The formats answer with the reader's context and the HTTP conventions of the
JSON read: 404 and 451 alike, strong ETags of their own, 304, Vary and
Surrogate-Key, private answers to a token; an unknown format is a problem."""

from email.utils import parsedate_to_datetime
from typing import Any

import pytest
from factories import article, bundle, notice
from fastapi.testclient import TestClient
from feeds.newsroom import Newsroom
from sqlalchemy.orm import Session, sessionmaker
from support import assert_problem

from app.auth.service import create_token

FORMATS = ["ninjs", "jsonld"]


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_withheld_article_is_451_there_and_served_elsewhere(
    client: TestClient, newsroom: Newsroom, fmt: str
) -> None:
    path = f"/v1/articles/{newsroom.ids['urn:withheld']}"
    assert_problem(client.get(path, params={"format": fmt}, headers={"CF-IPCountry": "RU"}), 451)
    assert (
        client.get(path, params={"format": fmt}, headers={"CF-IPCountry": "DE"}).status_code == 200
    )


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("uri", ["urn:draft", "urn:archived", "urn:scheduled", "urn:embargoed"])
def test_what_the_public_may_not_see_is_404_in_every_format(
    client: TestClient, newsroom: Newsroom, fmt: str, uri: str
) -> None:
    response = client.get(f"/v1/articles/{newsroom.ids[uri]}", params={"format": fmt})
    assert_problem(response, 404)
    assert response.json()["detail"] == client.get("/v1/articles/999999").json()["detail"]


@pytest.mark.parametrize("fmt", FORMATS)
def test_each_format_has_its_own_strong_etag_and_answers_304(
    client: TestClient, newsroom: Newsroom, fmt: str
) -> None:
    path = f"/v1/articles/{newsroom.ids['urn:storm']}"
    plain = client.get(path)
    formatted = client.get(path, params={"format": fmt})
    etag = formatted.headers["etag"]
    assert etag.startswith('"') and not etag.startswith("W/")
    assert etag != plain.headers["etag"]
    assert (
        etag
        != client.get(path, params={"format": "ninjs" if fmt == "jsonld" else "jsonld"}).headers[
            "etag"
        ]
    )
    for name in ("vary", "surrogate-key", "cache-control"):
        assert formatted.headers[name] == plain.headers[name], name
    # JSON-LD names the publisher too: a change of the service is a change of it.
    modified = parsedate_to_datetime(formatted.headers["last-modified"])
    assert modified >= parsedate_to_datetime(plain.headers["last-modified"])
    again = client.get(path, params={"format": fmt}, headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.content == b""
    # The JSON's validator does not stand for the other format.
    other = client.get(
        path, params={"format": fmt}, headers={"If-None-Match": plain.headers["etag"]}
    )
    assert other.status_code == 200


@pytest.mark.parametrize("fmt", FORMATS)
def test_the_etag_follows_the_readers_notices(client: TestClient, store: Any, fmt: str) -> None:
    store(bundle(notices=[notice("ru", ["RU"], text="Banned here.")], articles=[article("en")]))
    (teaser,) = client.get("/v1/articles").json()["items"]
    path = f"/v1/articles/{teaser['id']}"
    in_ru = client.get(path, params={"format": fmt}, headers={"CF-IPCountry": "RU"})
    in_de = client.get(path, params={"format": fmt}, headers={"CF-IPCountry": "DE"})
    assert "Banned here." in in_ru.text and "Banned here." not in in_de.text
    assert in_ru.headers["etag"] != in_de.headers["etag"]
    assert in_ru.headers["vary"] == "CF-IPCountry, Accept-Encoding"
    assert "notice-" in in_ru.headers["surrogate-key"]


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_video_keeps_vary_and_keys(client: TestClient, newsroom: Newsroom, fmt: str) -> None:
    videos = {v["title"]: v["id"] for v in client.get("/v1/videos").json()["items"]}
    path = f"/v1/videos/{videos['Not for Russia']}"
    plain = client.get(path, headers={"CF-IPCountry": "RU"})
    formatted = client.get(path, params={"format": fmt}, headers={"CF-IPCountry": "RU"})
    assert formatted.headers["vary"] == plain.headers["vary"] == "CF-IPCountry, Accept-Encoding"
    assert formatted.headers["surrogate-key"] == plain.headers["surrogate-key"]
    assert (
        formatted.headers["etag"]
        != client.get(path, params={"format": fmt}, headers={"CF-IPCountry": "DE"}).headers["etag"]
    )


@pytest.mark.parametrize("value", ["xml", "NINJS", "", "json-ld"])
def test_an_unknown_format_is_a_problem(client: TestClient, newsroom: Newsroom, value: str) -> None:
    for path in (f"/v1/articles/{newsroom.ids['urn:storm']}", "/v1/videos/1"):
        body = assert_problem(client.get(path, params={"format": value}), 422)
        assert any(error.get("field") == "format" for error in body["errors"]), body


def test_fields_trims_json_only(client: TestClient, newsroom: Newsroom) -> None:
    path = f"/v1/articles/{newsroom.ids['urn:storm']}"
    assert_problem(client.get(path, params={"format": "ninjs", "fields": "headline"}), 400)
    assert client.get(path, params={"format": "json", "fields": "headline"}).json() == {
        "headline": "Storm closes the harbour"
    }


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_token_reads_a_draft_in_the_format_privately(
    client: TestClient, newsroom: Newsroom, sessions: sessionmaker[Session], fmt: str
) -> None:
    with sessions.begin() as session:
        _, secret = create_token(session, "viewer", ["en"], "desk")
    path = f"/v1/articles/{newsroom.ids['urn:draft']}"
    response = client.get(
        path, params={"format": fmt}, headers={"Authorization": f"Bearer {secret}"}
    )
    assert response.status_code == 200, response.text
    assert response.headers["cache-control"] == "private, no-store"
    assert "A draft" in response.text
    assert response.headers["etag"].startswith('"')
    assert_problem(client.get(path, params={"format": fmt}), 404)


@pytest.mark.parametrize("path", ["/v1/articles", "/v1/videos"])
def test_lists_are_json_only(client: TestClient, newsroom: Newsroom, path: str) -> None:
    assert client.get(path, params={"format": "json"}).status_code == 200
    for fmt in FORMATS:
        assert_problem(client.get(path, params={"format": fmt}), 422)
