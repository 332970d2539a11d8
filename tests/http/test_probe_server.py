"""The server layer of ``masthead serve`` (uvicorn with Masthead's bounded protocol)
on a live socket: an over-long request head is refused at once, as problem+json, and
so is a request that is not HTTP at all.
"""

import socket
import time
from collections.abc import Iterator

import httpx
import orjson
import pytest
from live_server import LiveServer

from app.http.server import MAX_HEADERS, MAX_TARGET


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    live = LiveServer(tmp_path_factory.mktemp("probe-server"), demo=False)
    try:
        live.wait_until_ready()
        yield live
    finally:
        live.stop()


def raw_exchange(server: LiveServer, head: bytes, chunks: Iterator[bytes] = iter(())) -> bytes:
    host, port = server.host.split(":")
    with socket.create_connection((host, int(port)), timeout=10) as connection:
        connection.sendall(head)
        try:
            for chunk in chunks:
                connection.sendall(chunk)
        except (BrokenPipeError, ConnectionResetError):
            pass
        answer = b""
        while True:
            try:
                data = connection.recv(65536)
            except ConnectionResetError:
                break
            if not data:
                break
            answer += data
        return answer


def problem_of(answer: bytes, status: int) -> dict[str, object]:
    head, _, body = answer.partition(b"\r\n\r\n")
    assert head.startswith(f"HTTP/1.1 {status} ".encode()), head
    assert b"content-type: application/problem+json" in head.lower()
    problem: dict[str, object] = orjson.loads(body)
    assert problem["status"] == status
    return problem


def test_a_64_mib_header_is_refused_with_431_before_it_ends(server: LiveServer) -> None:
    start = time.monotonic()
    head = b"GET /v1/services HTTP/1.1\r\nHost: x\r\nX-Big: "
    chunks = (b"a" * 65536 for _ in range(1024))
    answer = raw_exchange(server, head, chunks)
    assert time.monotonic() - start < 5
    problem_of(answer, 431)


def test_many_headers_over_the_bound_are_a_431(server: LiveServer) -> None:
    headers = {f"x-h{n}": "v" * 1000 for n in range(MAX_HEADERS // 1000 + 2)}
    answer = httpx.get(f"{server.url}/v1/services", headers=headers)
    assert answer.status_code == 431
    assert answer.headers["content-type"] == "application/problem+json"


def test_headers_within_the_bound_are_served(server: LiveServer) -> None:
    answer = httpx.get(f"{server.url}/v1/services", headers={"x-h": "v" * (MAX_HEADERS // 2)})
    assert answer.status_code == 200


def test_an_over_long_query_is_a_414_problem(server: LiveServer) -> None:
    answer = httpx.get(f"{server.url}/v1/articles", params={"q": "a" * (MAX_TARGET + 1)})
    assert answer.status_code == 414
    assert answer.headers["content-type"] == "application/problem+json"
    assert answer.json()["status"] == 414


def test_a_long_query_within_the_bound_is_answered_by_the_api(server: LiveServer) -> None:
    answer = httpx.get(f"{server.url}/v1/articles", params={"service": "a" * 4000})
    assert answer.status_code in (400, 404, 422)
    assert answer.headers["content-type"] == "application/problem+json"


def test_a_request_that_is_not_http_is_a_400_problem(server: LiveServer) -> None:
    answer = raw_exchange(server, b"GARBAGE\x00 / HTTP/9\r\n\r\n")
    problem_of(answer, 400)


def test_the_connection_serves_the_next_request_after_a_good_one(server: LiveServer) -> None:
    with httpx.Client(base_url=server.url) as client:
        assert client.get("/healthz").status_code == 200
        assert client.get("/v1/services").status_code == 200
