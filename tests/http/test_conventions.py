"""HTTP conventions of every endpoint: validators, 304s, caching, request ids, gzip, errors.

This folder has no ``__init__.py`` on purpose: as a package it would be named
``http`` and shadow the standard library's.
"""

import gzip
import re
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime, parsedate_to_datetime
from typing import Any

import pytest
from factories import article, author, bundle, iso, notice, term, video
from fastapi.testclient import TestClient
from support import assert_problem, soon, wait_until

LONG_PARAGRAPHS = [
    "The government announced a sweeping reform of the pension system on Monday. " * 4,
    "Opposition parties said they would challenge the plan in parliament and in court. " * 4,
    "Unions called a nationwide strike for next week, the first in a decade. " * 4,
]


@pytest.fixture
def content(store: Any, client: TestClient) -> dict[str, int]:
    """One of everything, so every GET endpoint has something to answer with."""
    store(
        bundle(
            sections=[term("en", "politics")],
            tags=[term("en", "pensions")],
            authors=[author("jane-doe")],
            videos=[video("en", "Strike explained", uri="urn:v:1", tags=["pensions"])],
            articles=[
                article(
                    "en",
                    "Pension reform announced",
                    uri="urn:a:1",
                    slug="pension-reform",
                    paragraphs=LONG_PARAGRAPHS,
                    section="politics",
                    tags=["pensions"],
                    authors=["jane-doe"],
                    related_videos=["urn:v:1"],
                    published_at="2025-09-01T10:00:00Z",
                    updated_at="2025-09-01T12:00:00Z",
                )
            ],
        )
    )
    article_id = client.get("/v1/articles").json()["items"][0]["id"]
    video_id = client.get("/v1/videos").json()["items"][0]["id"]
    return {"article": article_id, "video": video_id}


def get_paths(ids: dict[str, int]) -> list[str]:
    a, v = ids["article"], ids["video"]
    return [
        "/v1/services",
        "/v1/services/en",
        "/v1/articles",
        f"/v1/articles/{a}",
        "/v1/services/en/articles/pension-reform",
        f"/v1/articles/{a}/summary",
        f"/v1/articles/{a}/related-videos",
        "/v1/videos",
        f"/v1/videos/{v}",
        "/v1/sections",
        "/v1/sections/politics",
        "/v1/tags",
        "/v1/tags/pensions",
        "/v1/authors",
        "/v1/authors/jane-doe",
    ]


STRONG_ETAG = re.compile(r'^"[^"]+"$')


def test_every_get_has_a_strong_etag_and_last_modified(
    client: TestClient, content: dict[str, int]
) -> None:
    for path in get_paths(content):
        response = client.get(path)
        assert response.status_code == 200, path
        assert STRONG_ETAG.match(response.headers["etag"]), path
        modified = parsedate_to_datetime(response.headers["last-modified"])
        assert modified.tzinfo is not None, path
        assert modified <= datetime.now(UTC) + timedelta(seconds=1), path


def test_every_get_answers_304_to_its_own_etag(client: TestClient, content: dict[str, int]) -> None:
    for path in get_paths(content):
        first = client.get(path)
        again = client.get(path, headers={"If-None-Match": first.headers["etag"]})
        assert again.status_code == 304, path
        assert again.content == b"", path
        assert again.headers["etag"] == first.headers["etag"], path


def test_every_get_answers_304_to_if_modified_since(
    client: TestClient, content: dict[str, int]
) -> None:
    for path in get_paths(content):
        first = client.get(path)
        again = client.get(path, headers={"If-Modified-Since": first.headers["last-modified"]})
        assert again.status_code == 304, path
        assert again.content == b"", path


def test_older_if_modified_since_gets_the_body(client: TestClient, content: dict[str, int]) -> None:
    path = f"/v1/articles/{content['article']}"
    earlier = format_datetime(datetime(2025, 9, 1, 11, 0, tzinfo=UTC), usegmt=True)
    response = client.get(path, headers={"If-Modified-Since": earlier})
    assert response.status_code == 200
    assert response.json()["id"] == content["article"]


def test_if_none_match_wins_over_if_modified_since(
    client: TestClient, content: dict[str, int]
) -> None:
    path = f"/v1/articles/{content['article']}"
    first = client.get(path)
    response = client.get(
        path,
        headers={"If-None-Match": '"stale"', "If-Modified-Since": first.headers["last-modified"]},
    )
    assert response.status_code == 200


@pytest.mark.parametrize("header", ['"other"', "garbage", 'W/"x", "y"'])
def test_non_matching_if_none_match_gets_the_body(
    client: TestClient, content: dict[str, int], header: str
) -> None:
    response = client.get(f"/v1/articles/{content['article']}", headers={"If-None-Match": header})
    assert response.status_code == 200


def test_if_none_match_star_and_lists_match(client: TestClient, content: dict[str, int]) -> None:
    path = f"/v1/articles/{content['article']}"
    etag = client.get(path).headers["etag"]
    assert client.get(path, headers={"If-None-Match": "*"}).status_code == 304
    assert client.get(path, headers={"If-None-Match": f'"a", {etag}'}).status_code == 304


@pytest.mark.parametrize("value", ["yesterday", "Mon, 99 Foo 2025 99:99:99 GMT", "0"])
def test_malformed_if_modified_since_is_ignored(
    client: TestClient, content: dict[str, int], value: str
) -> None:
    response = client.get(
        f"/v1/articles/{content['article']}", headers={"If-Modified-Since": value}
    )
    assert response.status_code == 200


#: Two fields of each GET's representation (of each item, for a list).
TRIMS = {
    "/v1/services": ("code,name", True),
    "/v1/services/en": ("code,language", False),
    "/v1/articles": ("id,headline", True),
    "/v1/articles/{a}": ("id,status", False),
    "/v1/services/en/articles/pension-reform": ("slug,url", False),
    "/v1/articles/{a}/summary": ("bullets,source", False),
    "/v1/articles/{a}/related-videos": ("id,curated", True),
    "/v1/videos": ("title,duration", True),
    "/v1/videos/{v}": ("title,duration", False),
    "/v1/sections": ("slug,name", True),
    "/v1/sections/politics": ("slug,service", False),
    "/v1/tags": ("slug,name", True),
    "/v1/tags/pensions": ("name,service", False),
    "/v1/authors": ("slug,name", True),
    "/v1/authors/jane-doe": ("name,bio", False),
}


def test_every_get_has_its_fields_listed(content: dict[str, int]) -> None:
    paths = {path.format(a=content["article"], v=content["video"]) for path in TRIMS}
    assert paths == set(get_paths(content))


def test_fields_trims_every_representation(client: TestClient, content: dict[str, int]) -> None:
    for template, (fields, is_list) in TRIMS.items():
        path = template.format(a=content["article"], v=content["video"])
        full = client.get(path)
        response = client.get(path, params={"fields": fields})
        assert response.status_code == 200, (path, response.text)
        names = fields.split(",")
        if is_list:
            items = response.json()["items"]
            assert items, path
            assert [list(item) for item in items] == [names] * len(items), path
            assert items == [
                {name: item[name] for name in names} for item in full.json()["items"]
            ], path
        else:
            assert response.json() == {name: full.json()[name] for name in names}, path
        # Each selection is its own representation: its own strong validator, and a
        # 304 only for that one.
        assert STRONG_ETAG.match(response.headers["etag"]), path
        assert response.headers["etag"] != full.headers["etag"], path
        again = client.get(
            path, params={"fields": fields}, headers={"If-None-Match": response.headers["etag"]}
        )
        assert again.status_code == 304, path
        stale = client.get(
            path, params={"fields": fields}, headers={"If-None-Match": full.headers["etag"]}
        )
        assert stale.status_code == 200, path


def test_fields_names_only_fields_of_the_representation(
    client: TestClient, content: dict[str, int]
) -> None:
    for template in TRIMS:
        path = template.format(a=content["article"], v=content["video"])
        unknown = assert_problem(client.get(path, params={"fields": "title,nonsense"}), 400)
        assert {"location": "query", "field": "fields", "message": "unknown field nonsense"} in (
            unknown["errors"]
        ), path
        assert_problem(client.get(path, params={"fields": "title,,id"}), 400)


def test_a_video_trimmed_to_title_and_duration(client: TestClient, content: dict[str, int]) -> None:
    response = client.get(f"/v1/videos/{content['video']}?fields=title,duration")
    assert response.json() == {"title": "Strike explained", "duration": 90}


def test_etag_changes_when_the_article_changes(
    client: TestClient, content: dict[str, int], store: Any
) -> None:
    path = f"/v1/articles/{content['article']}"
    before = client.get(path)
    changed = article(
        "en",
        "Pension reform announced, unions react",
        uri="urn:a:1",
        slug="pension-reform",
        paragraphs=LONG_PARAGRAPHS,
        section="politics",
        tags=["pensions"],
        authors=["jane-doe"],
        related_videos=["urn:v:1"],
        published_at="2025-09-01T10:00:00Z",
        updated_at="2025-09-01T13:00:00Z",
    )
    store(bundle(authors=[author("jane-doe")], articles=[changed]))
    after = client.get(path, headers={"If-None-Match": before.headers["etag"]})
    assert after.status_code == 200
    assert after.headers["etag"] != before.headers["etag"]
    assert after.json()["headline"] == "Pension reform announced, unions react"
    assert parsedate_to_datetime(after.headers["last-modified"]) > parsedate_to_datetime(
        before.headers["last-modified"]
    )
    listing = client.get("/v1/articles")
    assert listing.json()["items"][0]["headline"] == "Pension reform announced, unions react"


def test_etag_changes_when_a_related_video_changes(
    client: TestClient, content: dict[str, int], store: Any
) -> None:
    path = f"/v1/articles/{content['article']}"
    before = client.get(path).headers["etag"]
    store(bundle(videos=[video("en", "Strike explained (updated)", uri="urn:v:1")]))
    assert client.get(path).headers["etag"] != before


def test_etag_changes_with_the_country_when_the_representation_does(
    client: TestClient, store: Any
) -> None:
    store(
        bundle(
            videos=[video("en", uri="urn:v:geo", availability={"countries_blocked": ["RU"]})],
            articles=[article("en", related_videos=["urn:v:geo"])],
            notices=[notice("by", ["BY"], "A notice for Belarus.")],
        )
    )
    article_id = client.get("/v1/articles").json()["items"][0]["id"]
    path = f"/v1/articles/{article_id}"
    etags = {}
    bodies = {}
    for country in ("DE", "RU", "BY"):
        response = client.get(path, headers={"CF-IPCountry": country})
        etags[country] = response.headers["etag"]
        bodies[country] = response.json()
    assert len({etags["DE"], etags["RU"], etags["BY"]}) == 3
    assert bodies["RU"]["related_videos"][0]["playable"] is False
    assert [n["text"] for n in bodies["BY"]["notices"]] == ["A notice for Belarus."]
    # Same representation, same validator: a reader in France gets Germany's.
    assert client.get(path, headers={"CF-IPCountry": "FR"}).headers["etag"] == etags["DE"]
    stale = client.get(path, headers={"CF-IPCountry": "RU", "If-None-Match": etags["DE"]})
    assert stale.status_code == 200


def test_etag_changes_when_the_breaking_flag_expires(client: TestClient, store: Any) -> None:
    until = soon()
    store(bundle(articles=[article("en", breaking_until=iso(until))]))
    article_id = client.get("/v1/articles").json()["items"][0]["id"]
    path = f"/v1/articles/{article_id}"
    before = client.get(path).headers["etag"]
    wait_until(until)
    after = client.get(path, headers={"If-None-Match": before})
    assert after.status_code == 200
    assert after.json()["breaking"] is None


def test_etag_changes_when_the_breaking_expiry_moves(client: TestClient, store: Any) -> None:
    item = article("en", breaking_until=iso(datetime.now(UTC) + timedelta(hours=1)))
    store(bundle(articles=[item]))
    article_id = client.get("/v1/articles").json()["items"][0]["id"]
    path = f"/v1/articles/{article_id}"
    before = client.get(path).headers["etag"]
    item["breaking_until"] = iso(datetime.now(UTC) + timedelta(hours=5))
    store(bundle(articles=[item]))
    after = client.get(path, headers={"If-None-Match": before})
    assert after.status_code == 200
    assert after.json()["breaking"] == {"until": item["breaking_until"]}


def test_etag_changes_when_a_notice_text_changes(client: TestClient, store: Any) -> None:
    store(bundle(articles=[article("en")], notices=[notice("ru", ["RU"], "First wording.")]))
    article_id = client.get("/v1/articles").json()["items"][0]["id"]
    path = f"/v1/articles/{article_id}"
    ru = {"CF-IPCountry": "RU"}
    before = client.get(path, headers=ru).headers["etag"]
    store(bundle(notices=[notice("ru", ["RU"], "Second wording.")]))
    after = client.get(path, headers={**ru, "If-None-Match": before})
    assert after.status_code == 200
    assert [n["text"] for n in after.json()["notices"]] == ["Second wording."]


def test_same_content_keeps_the_same_etag(client: TestClient, content: dict[str, int]) -> None:
    for path in get_paths(content):
        assert client.get(path).headers["etag"] == client.get(path).headers["etag"], path


def test_public_reads_are_cacheable(client: TestClient, content: dict[str, int]) -> None:
    for path in get_paths(content):
        cache_control = client.get(path).headers["cache-control"]
        directives = {}
        for part in cache_control.split(","):
            name, _, value = part.strip().partition("=")
            directives[name] = value
        assert "public" in directives, path
        assert 0 < int(directives["max-age"]) <= 300, path
        assert int(directives["stale-while-revalidate"]) > 0, path


def test_surrogate_keys_name_the_resources(client: TestClient, content: dict[str, int]) -> None:
    a, v = content["article"], content["video"]
    keys = {
        f"/v1/articles/{a}": {f"article-{a}", "service-en", f"video-{v}"},
        "/v1/services/en/articles/pension-reform": {f"article-{a}"},
        f"/v1/articles/{a}/summary": {f"article-{a}"},
        f"/v1/articles/{a}/related-videos": {f"article-{a}", f"video-{v}"},
        "/v1/articles": {"articles", f"article-{a}"},
        "/v1/articles?service=en": {"articles", f"article-{a}", "service-en"},
        f"/v1/videos/{v}": {f"video-{v}"},
        "/v1/videos": {"videos", f"video-{v}"},
        "/v1/services/en": {"service-en"},
        "/v1/services": {"services"},
    }
    for path, expected in keys.items():
        header = client.get(path).headers["surrogate-key"]
        assert expected <= set(header.split()), (path, header)
    for path in get_paths(content):
        assert client.get(path).headers.get("surrogate-key"), path


def test_notice_key_is_in_the_surrogate_keys_where_it_applies(
    client: TestClient, store: Any
) -> None:
    store(bundle(articles=[article("en")], notices=[notice("ru", ["RU"])]))
    article_id = client.get("/v1/articles").json()["items"][0]["id"]
    ru = client.get(f"/v1/articles/{article_id}", headers={"CF-IPCountry": "RU"})
    de = client.get(f"/v1/articles/{article_id}", headers={"CF-IPCountry": "DE"})
    notice_id = ru.json()["notices"][0]["id"]
    assert f"notice-{notice_id}" in ru.headers["surrogate-key"].split()
    assert f"notice-{notice_id}" not in de.headers["surrogate-key"].split()


def test_request_id_is_generated(client: TestClient, content: dict[str, int]) -> None:
    ids = {client.get("/v1/articles").headers["x-request-id"] for _ in range(3)}
    assert len(ids) == 3
    assert all(re.fullmatch(r"[0-9a-f]{32}", value) for value in ids)


def test_request_id_is_echoed(client: TestClient, content: dict[str, int]) -> None:
    for path in ("/v1/articles", "/v1/articles/999999", "/nowhere", "/healthz"):
        response = client.get(path, headers={"X-Request-ID": "trace-abc.123:9"})
        assert response.headers["x-request-id"] == "trace-abc.123:9", path


def test_unsafe_request_id_is_replaced(client: TestClient, content: dict[str, int]) -> None:
    response = client.get("/v1/articles", headers={"X-Request-ID": "bad id <script>"})
    assert re.fullmatch(r"[0-9a-f]{32}", response.headers["x-request-id"])


def test_responses_are_gzipped_when_accepted(client: TestClient, content: dict[str, int]) -> None:
    path = f"/v1/articles/{content['article']}"
    plain = client.get(path, headers={"Accept-Encoding": "identity"})
    assert "content-encoding" not in plain.headers
    assert len(plain.content) > 1000
    zipped = client.get(path, headers={"Accept-Encoding": "gzip"})
    assert zipped.headers["content-encoding"] == "gzip"
    assert "accept-encoding" in zipped.headers["vary"].lower()
    assert zipped.json() == plain.json()
    # Each content coding is its own representation with its own strong validator.
    assert zipped.headers["etag"] == plain.headers["etag"][:-1] + '-gzip"'


def test_gzip_body_is_really_compressed(client: TestClient, content: dict[str, int]) -> None:
    path = f"/v1/articles/{content['article']}"
    with client.stream("GET", path, headers={"Accept-Encoding": "gzip"}) as response:
        raw = b"".join(response.iter_raw())
    assert raw[:2] == b"\x1f\x8b"
    plain = client.get(path, headers={"Accept-Encoding": "identity"}).content
    assert gzip.decompress(raw) == plain
    assert len(raw) < len(plain)


def test_unknown_route_is_a_404_problem(client: TestClient) -> None:
    body = assert_problem(client.get("/v1/nothing-here"), 404)
    assert body["type"].endswith("not-found")


@pytest.mark.parametrize("method", ["POST", "PUT", "DELETE", "PATCH"])
@pytest.mark.parametrize("path", ["/healthz", "/v1/services/en/articles/some-slug"])
def test_wrong_method_is_a_405_problem(client: TestClient, method: str, path: str) -> None:
    response = client.request(method, path)
    body = assert_problem(response, 405)
    assert method in body["detail"]
    assert "GET" in response.headers["allow"]


def test_problems_are_not_cached(client: TestClient) -> None:
    response = client.get("/v1/articles/123456")
    assert response.headers["cache-control"] == "no-store"
    assert "etag" not in response.headers


def test_validation_problem_names_each_bad_field(client: TestClient) -> None:
    body = assert_problem(
        client.get("/v1/articles", params={"limit": "x", "published_after": "y"}), 422
    )
    assert {(e["location"], e["field"]) for e in body["errors"]} == {
        ("query", "limit"),
        ("query", "published_after"),
    }
    assert all(e["message"] for e in body["errors"])


def test_openapi_json_and_docs_are_served(client: TestClient) -> None:
    spec = client.get("/openapi.json")
    assert spec.status_code == 200
    assert spec.json()["info"]["title"] == "Masthead"
    docs = client.get("/docs")
    assert docs.status_code == 200
    assert "/docs/assets/swagger-ui-bundle.js" in docs.text
    assert client.get("/docs/assets/swagger-ui-bundle.js").status_code == 200
