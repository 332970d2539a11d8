"""HEAD on every GET route: the GET's status and headers, no content (RFC 9110, 9.3.2).

This folder has no ``__init__.py`` on purpose: as a package it would be named
``http`` and shadow the standard library's.
"""

import re
import socket
import threading
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
import uvicorn
from factories import article, author, bundle, term, video
from fastapi.testclient import TestClient

from app.auth.service import create_token
from app.config import Settings
from app.main import create_app

PARAGRAPHS = [
    "The government announced a sweeping reform of the pension system on Monday. " * 4,
    "Opposition parties said they would challenge the plan in parliament and in court. " * 4,
]
#: Differs from one request to the next by design.
PER_REQUEST = {"x-request-id"}


@pytest.fixture
def content(store: Any, client: TestClient) -> dict[str, int]:
    """Something behind every GET route, an old slug and an article withheld in Russia."""
    item = article(
        "en",
        "Pension reform announced",
        uri="urn:a:head",
        slug="pension-reform",
        paragraphs=PARAGRAPHS,
        section="politics",
        tags=["pensions"],
        authors=["jane-doe"],
        related_videos=["urn:v:head"],
    )
    store(
        bundle(
            sections=[term("en", "politics")],
            tags=[term("en", "pensions")],
            authors=[author("jane-doe")],
            videos=[video("en", "Strike explained", uri="urn:v:head", tags=["pensions"])],
            articles=[
                item,
                article("en", "Withheld in Russia", slug="withheld", withheld_in=["RU"]),
            ],
        )
    )
    item.update(slug="pension-reform-announced")
    store(bundle(articles=[item]))
    ids = {t["slug"]: t["id"] for t in client.get("/v1/articles").json()["items"]}
    return {
        "article": ids["pension-reform-announced"],
        "withheld": ids["withheld"],
        "video": client.get("/v1/videos").json()["items"][0]["id"],
    }


def get_routes(ids: dict[str, int]) -> list[tuple[str, dict[str, str]]]:
    """Paths of GET routes with the headers to send, and what each answers to a GET."""
    a, v, w = ids["article"], ids["video"], ids["withheld"]
    return [
        (f"/v1/articles/{a}", {}),
        (f"/v1/articles/{a}", {"CF-IPCountry": "RU"}),
        (f"/v1/articles/{a}?fields=id,headline", {}),
        ("/v1/articles", {}),
        ("/v1/articles?service=en&limit=1", {}),
        ("/v1/articles?tag=pensions", {}),
        ("/v1/services/en/articles/pension-reform-announced", {}),
        ("/v1/services/en/articles/pension-reform", {}),  # 301 to the current slug
        (f"/v1/articles/{a}/summary", {}),
        (f"/v1/articles/{a}/related-videos", {}),
        ("/v1/videos", {}),
        (f"/v1/videos/{v}", {}),
        (f"/v1/videos/{v}", {"CF-IPCountry": "RU"}),
        ("/v1/services", {}),
        ("/v1/services/en", {}),
        ("/v1/sections?service=en", {}),
        ("/v1/sections/politics", {}),
        ("/v1/tags", {}),
        ("/v1/tags/pensions", {}),
        ("/v1/authors", {}),
        ("/v1/authors/jane-doe", {}),
        ("/v1/articles/987654", {}),  # 404
        ("/v1/articles/zero", {}),  # 422
        (f"/v1/articles/{w}", {"CF-IPCountry": "RU"}),  # 451
        ("/v1/services/en/articles/withheld", {"CF-IPCountry": "RU"}),  # 451
        ("/healthz", {}),
        ("/readyz", {}),
        ("/openapi.json", {}),
        ("/docs", {}),
        ("/docs/assets/swagger-ui.css", {}),
    ]


def comparable(response: httpx.Response) -> tuple[int, dict[str, str]]:
    headers = {name: value for name, value in response.headers.items() if name not in PER_REQUEST}
    return response.status_code, headers


def test_head_answers_as_the_get_without_content(
    client: TestClient, content: dict[str, int]
) -> None:
    statuses = set()
    for path, headers in get_routes(content):
        for encoding in ("gzip", "identity"):
            sent = {**headers, "Accept-Encoding": encoding}
            get = client.get(path, headers=sent, follow_redirects=False)
            head = client.head(path, headers=sent, follow_redirects=False)
            assert comparable(head) == comparable(get), (path, sent)
            assert head.content == b"", path
            if "content-encoding" not in get.headers:
                assert int(head.headers["content-length"]) == len(get.content), path
            statuses.add(get.status_code)
    assert statuses == {200, 301, 404, 422, 451}


def test_head_carries_the_validators_a_conditional_get_needs(
    client: TestClient, content: dict[str, int]
) -> None:
    for path, headers in get_routes(content):
        head = client.head(path, headers=headers, follow_redirects=False)
        if head.status_code != 200 or "etag" not in head.headers:
            continue
        for method in ("GET", "HEAD"):
            again = client.request(
                method, path, headers={**headers, "If-None-Match": head.headers["etag"]}
            )
            assert again.status_code == 304, (method, path)
            assert again.content == b""
            assert again.headers["etag"] == head.headers["etag"]
    detail = client.head(f"/v1/articles/{content['article']}")
    for name in ("etag", "last-modified", "cache-control", "surrogate-key", "vary"):
        assert detail.headers[name], name


def test_head_answers_as_the_get_with_a_token(
    client: TestClient, content: dict[str, int], sessions: Any
) -> None:
    with sessions.begin() as session:
        _, secret = create_token(session, "editor", ["en"], "head")
    token = {"Authorization": f"Bearer {secret}"}
    for path in (f"/v1/articles/{content['article']}", "/v1/articles?status=draft&service=en"):
        get = client.get(path, headers=token)
        head = client.head(path, headers=token)
        assert get.status_code == 200
        assert comparable(head) == comparable(get), path
        assert head.content == b""
    revisions = f"/v1/articles/{content['article']}/revisions"
    assert comparable(client.head(revisions))[0] == comparable(client.get(revisions))[0] == 401


def test_head_on_a_route_without_get_is_405_with_its_allow(
    client: TestClient, content: dict[str, int]
) -> None:
    for path in ("/v1/import", f"/v1/articles/{content['article']}/publish"):
        head = client.head(path)
        assert head.status_code == 405, path
        assert head.content == b""
        assert head.headers["allow"] == "POST"
        assert comparable(head) == comparable(client.get(path))


def test_a_405_lists_head_wherever_it_lists_get(
    client: TestClient, content: dict[str, int]
) -> None:
    for method, path in (
        ("PUT", "/v1/services"),
        ("DELETE", "/v1/articles"),
        ("POST", f"/v1/articles/{content['article']}/summary"),
        ("PUT", "/healthz"),
    ):
        response = client.request(method, path, json={})
        assert response.status_code == 405, path
        allowed = [name.strip() for name in response.headers["allow"].split(",")]
        assert "GET" in allowed and "HEAD" in allowed, (path, allowed)
        assert response.json()["detail"] == f"{method} is not allowed here."


def test_head_is_counted_as_head_under_its_route(
    client: TestClient, content: dict[str, int]
) -> None:
    def count(route: str) -> float:
        pattern = re.compile(
            rf'^masthead_http_requests_total\{{method="HEAD",route="{re.escape(route)}",'
            rf'status="200"\}} (\S+)$',
            re.M,
        )
        found = pattern.search(client.get("/metrics").text)
        return float(found.group(1)) if found else 0.0

    before = count("/v1/articles/{article_id}"), count("/v1/videos")
    client.head(f"/v1/articles/{content['article']}")
    client.head("/v1/videos")
    assert (count("/v1/articles/{article_id}"), count("/v1/videos")) == (
        before[0] + 1,
        before[1] + 1,
    )


@pytest.fixture
def live_server(database_url: str, content: dict[str, int]) -> Iterator[tuple[str, int]]:
    """The app served by uvicorn in a thread, on the test database."""
    app = create_app(Settings(database_url=database_url))
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning", lifespan="on")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.02)
    try:
        yield "127.0.0.1", server.servers[0].sockets[0].getsockname()[1]
    finally:
        server.should_exit = True
        thread.join(timeout=20)


def raw_exchange(address: tuple[str, int], request: str) -> bytes:
    """Everything the server sends back to one request, until it closes the connection."""
    with socket.create_connection(address, timeout=10) as connection:
        connection.sendall(request.encode("ascii"))
        received = b""
        while chunk := connection.recv(65536):
            received += chunk
    return received


def test_the_readme_etag_recipe_works_against_a_live_server(
    live_server: tuple[str, int], content: dict[str, int]
) -> None:
    host, port = live_server
    path = f"/v1/articles/{content['article']}"
    answer = raw_exchange(
        live_server, f"HEAD {path} HTTP/1.1\r\nHost: {host}:{port}\r\nConnection: close\r\n\r\n"
    )
    head, _, rest = answer.partition(b"\r\n\r\n")
    assert rest == b""  # nothing after the headers
    status_line, *lines = head.decode("latin-1").split("\r\n")
    assert status_line == "HTTP/1.1 200 OK"
    headers = {name.lower(): value for name, _, value in (h.partition(": ") for h in lines)}
    get = httpx.get(f"http://{host}:{port}{path}", headers={"Accept-Encoding": "identity"})
    assert headers["etag"] == get.headers["etag"]
    assert int(headers["content-length"]) == len(get.content)
    # As curl asks: no Accept-Encoding, so the same (identity) representation.
    again = httpx.get(
        f"http://{host}:{port}{path}",
        headers={"If-None-Match": headers["etag"], "Accept-Encoding": "identity"},
    )
    assert again.status_code == 304
