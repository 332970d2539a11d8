"""Two server processes on one store: a read that starts after a write's response
never sees the old version, whichever process it reaches, and the clock's changes
appear in every process on time."""

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator

import httpx
import pytest
from articles.editorial_kit import Newsroom, room
from factories import iso
from support import soon, wait_until

__all__ = ["room"]


SERVE = [sys.executable, "-m", "uvicorn", "app.main:create_app", "--factory", "--host", "127.0.0.1"]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@pytest.fixture
def servers(database_url: str, room: Newsroom) -> Iterator[list[httpx.Client]]:
    """Two ``uvicorn`` processes of the app on the test database."""
    env = {**os.environ, "MASTHEAD_DATABASE_URL": database_url, "MASTHEAD_WEBHOOK_WORKER": "0"}
    ports = [_free_port(), _free_port()]
    processes = [
        subprocess.Popen(
            [*SERVE, "--port", str(port)],
            env=env,
        )
        for port in ports
    ]
    clients = [httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=10) for port in ports]
    try:
        deadline = time.monotonic() + 120
        for process, client in zip(processes, clients, strict=True):
            while True:
                assert process.poll() is None, "the server stopped"
                assert time.monotonic() < deadline, "the server did not start"
                try:
                    if client.get("/healthz").status_code == 200:
                        break
                except httpx.TransportError:
                    time.sleep(0.05)
        yield clients
    finally:
        for client in clients:
            client.close()
        for process in processes:
            process.terminate()
            process.wait(timeout=20)


def test_a_write_through_one_process_is_read_through_the_other_at_once(
    room: Newsroom, servers: list[httpx.Client]
) -> None:
    writer, reader = servers
    token = {"Authorization": f"Bearer {room.tokens['en_editor']}"}
    article_id = room.draft(headline="Harbour reopens")["id"]
    assert room.publish(article_id).status_code == 200
    detail, listing = f"/v1/articles/{article_id}", "/v1/articles?service=en"
    for _ in range(2):  # kept by both processes
        for client in servers:
            assert client.get(detail).status_code == 200
            assert client.get(listing).status_code == 200
    for n in range(20):
        headline = f"Harbour reopens, update {n}"
        etag = writer.get(detail, headers=token).headers["etag"]
        patched = writer.patch(
            detail,
            json={"headline": headline},
            headers={**token, "If-Match": etag, "Content-Type": "application/merge-patch+json"},
        )
        assert patched.status_code == 200, patched.text
        assert reader.get(detail).json()["headline"] == headline
        teasers = reader.get(listing).json()["items"]
        assert [t["headline"] for t in teasers if t["id"] == article_id] == [headline]
        writer, reader = reader, writer


def test_a_scheduled_article_appears_in_every_process_at_its_time(
    room: Newsroom, servers: list[httpx.Client]
) -> None:
    article_id = room.draft(headline="Midnight budget vote")["id"]
    when = soon(3.0)
    assert room.publish(article_id, at=iso(when)).status_code == 200
    detail = f"/v1/articles/{article_id}"
    for _ in range(2):
        for client in servers:
            assert client.get(detail).status_code == 404
            items = client.get("/v1/articles?service=en").json()["items"]
            assert article_id not in [item["id"] for item in items]
    wait_until(when)
    for client in servers:
        assert client.get(detail).status_code == 200
        items = client.get("/v1/articles?service=en").json()["items"]
        assert article_id in [item["id"] for item in items]
