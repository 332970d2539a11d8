"""Operations against a live server: JSON access logs with the request id and no
secrets, /metrics per route with pool and stream gauges, and a graceful shutdown that
finishes the requests in flight."""

import signal
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import orjson
import pytest
from fastapi.testclient import TestClient
from support import assert_problem

from app import migrate
from app.health.shutdown import DRAINING
from faults.live import Masthead, Newsroom, masthead, wait_for
from faults.test_sigkill import batch, store_facts


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Masthead, Newsroom]]:
    folder = tmp_path_factory.mktemp("operations")
    url = f"sqlite:///{folder}/masthead.db"
    migrate.upgrade(url)
    with masthead(url, folder / "serve.log") as server:
        room = Newsroom(server)
        room.ensure_service()
        yield server, room
        room.close()


def log_lines(server: Masthead) -> list[dict[str, Any]]:
    lines = server.log.read_text().splitlines()
    return [orjson.loads(line) for line in lines if line.startswith("{")]


def test_each_request_logs_one_json_line_with_its_request_id_and_no_secret(
    served: tuple[Masthead, Newsroom],
) -> None:
    server, room = served
    article_id = room.publish("Logged story")
    response = room.http.get(
        f"/v1/articles/{article_id}",
        params={"fields": "id", "access_token": "mh_query_secret"},
        headers={"X-Request-ID": "trace-42", "Cookie": "session=cookie-secret"},
    )
    assert response.headers["x-request-id"] == "trace-42"
    anonymous = httpx.get(f"{server.base_url}/v1/articles/{article_id}")
    generated = anonymous.headers["x-request-id"]

    def logged() -> list[dict[str, Any]]:
        found = [e for e in log_lines(server) if e.get("request_id") in ("trace-42", generated)]
        return found if len(found) == 2 else []

    entries = wait_for(logged, 10, "the access lines")
    ours = next(entry for entry in entries if entry["request_id"] == "trace-42")
    assert ours["logger"] == "masthead.access"
    assert ours["method"] == "GET"
    assert ours["path"] == f"/v1/articles/{article_id}"
    assert ours["route"] == "/v1/articles/{article_id}"
    assert ours["status"] == 200
    assert ours["duration_ms"] >= 0
    assert ours["time"].endswith("Z")
    text = server.log.read_text()
    for secret in (room.token, "mh_query_secret", "cookie-secret"):
        assert secret not in text
    # Every line of the log is JSON: the server's own messages too.
    assert all(line.startswith("{") for line in text.splitlines() if line.strip())


def metric(text: str, name: str, **labels: str) -> float:
    for line in text.splitlines():
        if line.startswith("#") or not line.startswith(name):
            continue
        head, _, value = line.rpartition(" ")
        if head.split("{")[0] != name:
            continue
        if all(f'{key}="{wanted}"' in head for key, wanted in labels.items()):
            return float(value)
    raise AssertionError(f"no {name} {labels} in /metrics")


def test_metrics_count_requests_and_latency_per_route_with_pool_and_stream_gauges(
    served: tuple[Masthead, Newsroom],
) -> None:
    server, room = served
    article_id = room.publish("Counted story")
    before = httpx.get(f"{server.base_url}/metrics").text
    route = "/v1/articles/{article_id}"
    counted = metric(before, "masthead_http_requests_total", route=route, status="200")
    for _ in range(3):
        assert httpx.get(f"{server.base_url}/v1/articles/{article_id}").status_code == 200
    assert httpx.get(f"{server.base_url}/v1/articles/999999").status_code == 404
    after = httpx.get(f"{server.base_url}/metrics").text
    assert metric(after, "masthead_http_requests_total", route=route, status="200") == counted + 3
    assert metric(after, "masthead_http_requests_total", route=route, status="404") >= 1
    assert metric(after, "masthead_http_request_duration_seconds_count", route=route) >= 4
    assert metric(after, "masthead_db_pool_connections", pool="write") >= 1
    assert metric(after, "masthead_db_pool_connections_in_use", pool="write") == 0
    assert metric(after, "masthead_db_pool_connections", pool="read") >= 1
    assert metric(after, "masthead_sse_streams") == 0
    # The scrape itself is in flight while it is answered.
    assert metric(after, "masthead_http_requests_in_flight") == 1


def test_sigterm_finishes_the_requests_in_flight_and_stops_cleanly(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/masthead.db"
    migrate.upgrade(url)
    with masthead(url, tmp_path / "serve.log") as server:
        room = Newsroom(server)
        room.ensure_service()
        started = time.monotonic()
        room.http.post("/v1/import", params={"service": "en"}, json=batch("warm", 200))
        took = time.monotonic() - started
        # Eight times the warm-up's work: still being written after as long as the
        # warm-up took, even if the machine's speed doubles in between.
        body = batch("inflight", 1_600)
        answers: list[httpx.Response] = []

        def send() -> None:
            answers.append(
                room.http.post("/v1/import", params={"service": "en"}, json=body, timeout=120)
            )

        thread = threading.Thread(target=send)
        thread.start()
        # Well inside the request: its body is in and the batch is being written.
        time.sleep(max(0.5, took))
        assert server.process is not None and not answers
        server.process.send_signal(signal.SIGTERM)
        thread.join(timeout=120)
        stopped = server.process.wait(timeout=60)
        room.close()
    assert stopped in (0, -signal.SIGTERM)
    assert answers and answers[0].status_code == 200, answers
    assert answers[0].json()["created"] == 1_600
    assert store_facts(url)["articles"] == 1_800


def test_readyz_is_503_while_the_worker_drains(client: TestClient) -> None:
    assert client.get("/readyz").status_code == 200
    client.portal.call(DRAINING.start)  # type: ignore[union-attr]
    try:
        response = client.get("/readyz")
        assert_problem(response, 503)
        assert int(response.headers["retry-after"]) > 0
        assert client.get("/healthz").status_code == 200
    finally:
        DRAINING.reset()
    assert client.get("/readyz").status_code == 200
