"""What an outside probe of the HTTP contract checks, one test per finding: the spec
says what the server requires, validators follow RFC 9110, and every malformed request
is one clear problem+json whatever endpoint it reaches.
"""

import gzip
import json
import re
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from typing import Any

import pytest
from factories import article, bundle, video
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker
from support import assert_problem

from app.auth.service import create_token
from app.cli import OPENAPI_PATH
from app.http.contract import FIELDS_PATTERN, IF_MATCH_PATTERN

WRITES = ("put", "patch", "delete")


def committed_spec() -> dict[str, Any]:
    spec: dict[str, Any] = json.loads(OPENAPI_PATH.read_text(encoding="utf-8"))
    return spec


def operations() -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (method, path, operation)
        for path, methods in committed_spec()["paths"].items()
        for method, operation in methods.items()
    ]


def header(operation: dict[str, Any], name: str) -> dict[str, Any] | None:
    for parameter in operation.get("parameters", []):
        if parameter["in"] == "header" and parameter["name"] == name:
            return parameter
    return None


@pytest.fixture
def token(sessions: sessionmaker[Session]) -> str:
    with sessions.begin() as session:
        _, secret = create_token(session, "admin", [], "probe")
    return secret


@pytest.fixture
def ids(store: Any, client: TestClient) -> dict[str, int]:
    store(
        bundle(
            videos=[video("en", "Strike explained", uri="urn:v:probe")],
            articles=[
                article(
                    "en",
                    "Pension reform announced",
                    uri="urn:a:probe",
                    slug="pension-reform",
                    paragraphs=["The government announced a reform of pensions. " * 40],
                    published_at="2025-09-01T10:00:00Z",
                )
            ],
        )
    )
    return {
        "article": client.get("/v1/articles").json()["items"][0]["id"],
        "video": client.get("/v1/videos").json()["items"][0]["id"],
    }


# The spec says what the server requires -------------------------------------------


def test_every_write_that_answers_428_declares_if_match_required() -> None:
    for method, path, operation in operations():
        if "428" in operation["responses"]:
            declared = header(operation, "If-Match")
            assert declared is not None, (method, path)
            assert declared["required"] is True, (method, path)
            assert declared["schema"]["pattern"] == IF_MATCH_PATTERN


def test_every_put_patch_and_delete_declares_if_match() -> None:
    writes = [(m, p, o) for m, p, o in operations() if m in WRITES]
    assert len(writes) > 15
    for method, path, operation in writes:
        assert header(operation, "If-Match") is not None, (method, path)
        assert "428" in operation["responses"], (method, path)


def test_every_operation_that_answers_401_declares_its_token(client: TestClient) -> None:
    for method, path, operation in operations():
        if "401" in operation["responses"]:
            assert {"token": []} in operation.get("security", []), (method, path)
    assert_problem(client.post("/v1/authors", json={"slug": "jane", "name": "Jane"}), 401)


def test_problem_answers_are_documented_as_problem_json() -> None:
    for method, path, operation in operations():
        for status, response in operation["responses"].items():
            if status.startswith(("4", "5")):
                content = response.get("content", {})
                assert "application/json" not in content, (method, path, status)
                assert "application/problem+json" in content, (method, path, status)


def test_every_operation_with_content_declares_415() -> None:
    for method, path, operation in operations():
        if "requestBody" in operation:
            assert "415" in operation["responses"], (method, path)


def test_fields_declares_exactly_the_names_a_read_takes(client: TestClient, ids: Any) -> None:
    operation = committed_spec()["paths"]["/v1/articles/{article_id}"]["get"]
    (fields,) = [p for p in operation["parameters"] if p["name"] == "fields"]
    assert fields["schema"]["anyOf"][0]["pattern"] == FIELDS_PATTERN
    names = re.findall(r"`([a-z_]+)`", fields["description"])
    assert "headline" in names and "body" in names
    answer = client.get(f"/v1/articles/{ids['article']}", params={"fields": ",".join(names)})
    assert answer.status_code == 200, answer.text
    assert set(answer.json()) <= set(names)
    assert_problem(client.get(f"/v1/articles/{ids['article']}?fields=nonsense"), 400)


def test_a_405_allows_every_method_of_the_path(client: TestClient, ids: Any) -> None:
    for path, expected in (
        (f"/v1/articles/{ids['article']}", {"GET", "HEAD", "PATCH", "DELETE"}),
        ("/v1/services", {"GET", "HEAD", "POST"}),
        (f"/v1/articles/{ids['article']}/summary", {"GET", "HEAD", "PUT", "DELETE"}),
        ("/v1/authors", {"GET", "HEAD", "POST"}),
    ):
        answer = client.request("OPTIONS", path)
        assert_problem(answer, 405)
        assert {m.strip() for m in answer.headers["allow"].split(",")} == expected, path


def test_a_malformed_if_match_is_a_400(client: TestClient, ids: Any, token: str) -> None:
    answer = client.patch(
        f"/v1/articles/{ids['article']}",
        content=b'{"headline": "New"}',
        headers={
            "Authorization": f"Bearer {token}",
            "If-Match": "not-quoted",
            "Content-Type": "application/merge-patch+json",
        },
    )
    body = assert_problem(answer, 400)
    assert body["errors"][0]["field"] == "If-Match"


def test_an_over_long_idempotency_key_is_a_documented_400(client: TestClient, token: str) -> None:
    answer = client.post(
        "/v1/authors",
        json={"slug": "jane", "name": "Jane"},
        headers={"Authorization": f"Bearer {token}", "Idempotency-Key": "k" * 201},
    )
    assert_problem(answer, 400)
    operation = committed_spec()["paths"]["/v1/authors"]["post"]
    declared = header(operation, "Idempotency-Key")
    assert declared is not None and declared["schema"]["maxLength"] == 200
    assert "400" in operation["responses"]


# Times ------------------------------------------------------------------------


def test_a_time_before_the_year_1000_is_served_as_rfc_3339(client: TestClient, token: str) -> None:
    auth = {"Authorization": f"Bearer {token}"}
    created = client.post(
        "/v1/notices",
        json={"text": "Old notice", "countries": ["RU"], "active_from": "0065-01-29T17:30:19Z"},
        headers=auth,
    )
    assert created.status_code == 201, created.text
    assert created.json()["active_from"] == "0065-01-29T17:30:19Z"


def test_a_video_published_in_the_year_65_reads_back_as_0065(
    client: TestClient, ids: Any, token: str
) -> None:
    path = f"/v1/videos/{ids['video']}"
    etag = client.get(path, headers={"Authorization": f"Bearer {token}"}).headers["etag"]
    patched = client.patch(
        path,
        json={"published_at": "0065-01-29T17:30:19Z"},
        headers={"Authorization": f"Bearer {token}", "If-Match": etag},
    )
    assert patched.status_code == 200, patched.text
    public = client.get(path)
    assert public.status_code == 200
    assert public.json()["published_at"] == "0065-01-29T17:30:19Z"


def test_a_time_that_leaves_the_calendar_in_utc_is_a_422(client: TestClient, token: str) -> None:
    answer = client.post(
        "/v1/notices",
        json={"text": "Too early", "countries": ["RU"], "active_from": "0001-01-01T00:00:00+01:00"},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert_problem(answer, 422)


# Typing -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "loose",
    [
        {"urgency": "3"},
        {"urgency": 3.0},
        {"urgency": True},
        {"embargo_until": 1767225600},
        {"headline": 12345},
    ],
)
def test_a_value_of_another_json_type_is_a_422(
    client: TestClient, token: str, loose: dict[str, Any]
) -> None:
    document = {"service": "en", "headline": "Typed", "body": [], **loose}
    answer = client.post(
        "/v1/articles", json=document, headers={"Authorization": f"Bearer {token}"}
    )
    body = assert_problem(answer, 422)
    assert body["errors"][0]["field"] == next(iter(loose))


def test_publish_at_as_a_number_is_a_422(client: TestClient, ids: Any, token: str) -> None:
    answer = client.post(
        f"/v1/articles/{ids['article']}/publish",
        json={"at": -74596},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert_problem(answer, 422)


# Validators -------------------------------------------------------------------


def test_if_none_match_compares_weakly(client: TestClient, ids: Any) -> None:
    path = f"/v1/articles/{ids['article']}"
    etag = client.get(path).headers["etag"]
    assert client.get(path, headers={"If-None-Match": f"W/{etag}"}).status_code == 304
    assert client.get(path, headers={"If-None-Match": f'W/"x", {etag}'}).status_code == 304


def test_each_content_coding_has_its_own_strong_etag_and_the_same_vary(
    client: TestClient, ids: Any
) -> None:
    path = f"/v1/articles/{ids['article']}"
    plain = client.get(path, headers={"Accept-Encoding": "identity"})
    zipped = client.get(path, headers={"Accept-Encoding": "gzip"})
    assert zipped.headers["content-encoding"] == "gzip"
    assert "content-encoding" not in plain.headers
    assert plain.headers["etag"] != zipped.headers["etag"]
    for answer in (plain, zipped):
        assert answer.headers["etag"].startswith('"')
        assert "accept-encoding" in answer.headers["vary"].lower()
    assert plain.headers["vary"] == zipped.headers["vary"]
    # Each tag revalidates its own representation.
    for coding, answer in (("identity", plain), ("gzip", zipped)):
        again = client.get(
            path, headers={"Accept-Encoding": coding, "If-None-Match": answer.headers["etag"]}
        )
        assert again.status_code == 304
        assert again.headers["etag"] == answer.headers["etag"]


@pytest.mark.parametrize("accept", ["gzip;q=0", "gzip; q=0.000", "*;q=0", "identity, gzip;q=0"])
def test_gzip_with_q_0_is_not_sent(client: TestClient, ids: Any, accept: str) -> None:
    answer = client.get(f"/v1/articles/{ids['article']}", headers={"Accept-Encoding": accept})
    assert answer.status_code == 200
    assert "content-encoding" not in answer.headers


def test_gzip_with_a_positive_q_is_sent(client: TestClient, ids: Any) -> None:
    answer = client.get(
        f"/v1/articles/{ids['article']}", headers={"Accept-Encoding": "br;q=1, gzip;q=0.5"}
    )
    assert answer.headers["content-encoding"] == "gzip"
    assert answer.json()["id"] == ids["article"]


def test_a_future_if_modified_since_is_ignored(client: TestClient, ids: Any) -> None:
    path = f"/v1/articles/{ids['article']}"
    future = format_datetime(datetime.now(UTC) + timedelta(days=365), usegmt=True)
    assert client.get(path, headers={"If-Modified-Since": future}).status_code == 200
    last_modified = client.get(path).headers["last-modified"]
    assert client.get(path, headers={"If-Modified-Since": last_modified}).status_code == 304


# Request content --------------------------------------------------------------


@pytest.mark.parametrize(
    "content_type",
    [
        "text/plain",
        "application/xml",
        "application/x-www-form-urlencoded",
        None,
        "application/json; charset=latin-1",
    ],
)
@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("POST", "/v1/articles"),
        ("POST", "/v1/authors"),
        ("PUT", "/v1/articles/{article}/summary"),
        ("PATCH", "/v1/articles/{article}"),
        ("POST", "/v1/import"),
        ("POST", "/v1/articles/{article}/publish"),
    ],
)
def test_content_in_another_media_type_is_a_415_everywhere(
    client: TestClient,
    ids: Any,
    token: str,
    method: str,
    path: str,
    content_type: str | None,
) -> None:
    headers = {"Authorization": f"Bearer {token}", "If-Match": "*"}
    if content_type is not None:
        headers["Content-Type"] = content_type
    answer = client.request(
        method, path.format(article=ids["article"]), content=b'{"x": 1}', headers=headers
    )
    assert_problem(answer, 415)


def test_content_with_a_content_coding_is_a_415(client: TestClient, token: str) -> None:
    answer = client.post(
        "/v1/authors",
        content=gzip.compress(b'{"slug": "jane", "name": "Jane"}'),
        headers={
            "Authorization": f"Bearer {token}",
            "Content-Type": "application/json",
            "Content-Encoding": "gzip",
        },
    )
    assert_problem(answer, 415)
    assert answer.headers["accept-encoding"] == "identity"


def test_a_merge_patch_is_still_taken(client: TestClient, ids: Any, token: str) -> None:
    answer = client.patch(
        f"/v1/articles/{ids['article']}",
        content=b'{"kicker": "Analysis"}',
        headers={
            "Authorization": f"Bearer {token}",
            "If-Match": "*",
            "Content-Type": "application/merge-patch+json",
        },
    )
    assert answer.status_code == 200, answer.text


# One spelling per request -----------------------------------------------------


@pytest.mark.parametrize("spelling", ["0{id}", "00{id}", "+{id}", "{id}_0"])
def test_only_the_canonical_id_names_an_item(client: TestClient, ids: Any, spelling: str) -> None:
    for kind in ("articles", "videos"):
        canonical = ids[kind.rstrip("s")]
        assert client.get(f"/v1/{kind}/{canonical}").status_code == 200
        assert_problem(client.get(f"/v1/{kind}/{spelling.format(id=canonical)}"), 404)


def test_a_repeated_query_parameter_is_a_400(client: TestClient, ids: Any) -> None:
    body = assert_problem(client.get("/v1/articles?limit=1&limit=2"), 400)
    assert body["errors"] == [{"location": "query", "field": "limit", "message": "repeated"}]
    assert_problem(client.get("/v1/search?q=a&q=b"), 400)
    assert client.get("/v1/articles?limit=1&service=en").status_code == 200


@pytest.mark.parametrize(
    "content",
    [
        b'{"slug": "a", "slug": "b", "name": "Jane"}',
        b'{"slug": "a", "name": "Jane", "bio": null, "name": "John"}',
    ],
)
def test_a_member_named_twice_is_a_422(client: TestClient, token: str, content: bytes) -> None:
    answer = client.post(
        "/v1/authors",
        content=content,
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
    )
    body = assert_problem(answer, 422)
    assert body["errors"][0]["message"] == "repeated member"
    assert client.get("/v1/authors").json()["items"] == []


def test_a_member_named_twice_deep_in_a_patch_is_a_422(
    client: TestClient, ids: Any, token: str
) -> None:
    answer = client.patch(
        f"/v1/articles/{ids['article']}",
        content=b'{"lead_image": {"url": "https://a.example/1.jpg", "url": "https://b.example/"}}',
        headers={
            "Authorization": f"Bearer {token}",
            "If-Match": "*",
            "Content-Type": "application/merge-patch+json",
        },
    )
    assert_problem(answer, 422)
