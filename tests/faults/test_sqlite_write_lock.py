"""SQLite's write lock held by another process for longer than the busy timeout:
writes try again rather than answer 503 while they can, answer 503 busy with
nothing written when they cannot, and reads never wait for the lock at all.

The server runs with a one-second busy timeout (``?timeout=1`` in the URL) so that
"longer than the timeout" takes seconds, not tens of seconds."""

import contextlib
import sqlite3
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from support import assert_problem

from app import db, migrate
from faults.live import Masthead, Newsroom, article, masthead

BUSY_TIMEOUT_S = 1.0


@pytest.fixture
def database(tmp_path: Path) -> Path:
    path = tmp_path / "masthead.db"
    migrate.upgrade(f"sqlite:///{path}")
    return path


@pytest.fixture
def server(database: Path, tmp_path: Path) -> Iterator[Masthead]:
    url = f"sqlite:///{database}?timeout={BUSY_TIMEOUT_S:g}"
    with masthead(url, tmp_path / "serve.log") as running:
        yield running


@contextlib.contextmanager
def write_lock_held(database: Path, seconds: float) -> Iterator[threading.Thread]:
    """Another process's writer (an import, a migration) holds the write lock for
    ``seconds`` from now; the block runs meanwhile."""
    holder = sqlite3.connect(database, isolation_level=None, check_same_thread=False)
    holder.execute("BEGIN IMMEDIATE")
    holder.execute("UPDATE services SET name = name")

    def release() -> None:
        time.sleep(seconds)
        holder.execute("ROLLBACK")
        holder.close()

    releaser = threading.Thread(target=release)
    releaser.start()
    try:
        yield releaser
    finally:
        releaser.join(timeout=60)


def headlines(database: Path) -> list[str]:
    with contextlib.closing(sqlite3.connect(database)) as conn:
        return [row[0] for row in conn.execute("SELECT headline FROM articles ORDER BY id")]


def integrity(database: Path) -> str:
    with contextlib.closing(sqlite3.connect(database)) as conn:
        result: str = conn.execute("PRAGMA integrity_check").fetchone()[0]
        return result


def test_a_write_outwaiting_the_busy_timeout_tries_again_and_succeeds(
    server: Masthead, database: Path
) -> None:
    room = Newsroom(server)
    room.ensure_service()
    kept = room.publish("Written before the lock was taken")
    hold = BUSY_TIMEOUT_S * 1.8  # past the first wait, within the retries
    with write_lock_held(database, hold):
        began = time.monotonic()
        created = room.http.post("/v1/articles", json=article("Written after the wait"))
        waited = time.monotonic() - began
        etag = room.http.get(f"/v1/articles/{kept}").headers["etag"]
    patched = room.http.patch(
        f"/v1/articles/{kept}",
        json={"dek": "Changed once the lock came free"},
        headers={"If-Match": etag, "Content-Type": "application/merge-patch+json"},
    )
    room.close()
    assert created.status_code == 201, created.text
    assert waited > BUSY_TIMEOUT_S  # it did wait past one busy timeout
    assert patched.status_code == 200, patched.text
    assert headlines(database) == ["Written before the lock was taken", "Written after the wait"]
    assert integrity(database) == "ok"


def test_a_write_outwaited_by_the_lock_answers_503_busy_and_writes_nothing(
    server: Masthead, database: Path
) -> None:
    room = Newsroom(server)
    room.ensure_service()
    room.publish("Written before the lock was taken")
    # Longer than every attempt and every pause between them.
    hold = BUSY_TIMEOUT_S * (db.BEGIN_RETRIES + 1) + 0.25 * db.BEGIN_RETRIES * 2 + 2
    with write_lock_held(database, hold) as releaser:
        refused = room.http.post("/v1/articles", json=article("Refused while locked"))
        assert releaser.is_alive()  # answered while the lock was still held
    body = assert_problem(refused, 503)
    assert body["type"].endswith("/busy")
    assert int(refused.headers["retry-after"]) > 0
    assert headlines(database) == ["Written before the lock was taken"]
    again = room.http.post("/v1/articles", json=article("Sent again later"))
    room.close()
    assert again.status_code == 201, again.text
    assert headlines(database) == ["Written before the lock was taken", "Sent again later"]
    assert integrity(database) == "ok"


def test_reads_with_a_token_do_not_wait_for_the_write_lock(
    server: Masthead, database: Path
) -> None:
    room = Newsroom(server)
    room.ensure_service()
    published = room.publish("Published")
    draft = room.http.post("/v1/articles", json=article("A draft")).json()["id"]
    with write_lock_held(database, BUSY_TIMEOUT_S * 3) as releaser:
        timings = []
        for path in (
            f"/v1/articles/{draft}",
            f"/v1/articles/{published}",
            f"/v1/articles/{draft}/revisions",
            f"/v1/articles/{published}/related-videos",
        ):
            began = time.monotonic()
            response = room.http.get(path)
            timings.append(time.monotonic() - began)
            assert response.status_code == 200, (path, response.text)
        anonymous = httpx.get(f"{server.base_url}/v1/articles/{published}", timeout=30)
        assert releaser.is_alive()
    room.close()
    assert anonymous.status_code == 200
    assert max(timings) < BUSY_TIMEOUT_S / 2, timings
