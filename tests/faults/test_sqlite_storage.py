"""SQLite when the disk is full, the database file is read-only, or another writer
holds the lock: a clear problem+json, no corruption, and waiting rather than failing
where the lock comes free."""

import contextlib
import os
import resource
import shutil
import sqlite3
import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from support import assert_problem

from app import migrate
from faults.live import Masthead, Newsroom, article, masthead


def integrity(path: Path) -> str:
    with contextlib.closing(sqlite3.connect(path)) as conn:
        result: str = conn.execute("PRAGMA integrity_check").fetchone()[0]
        return result


def count_articles(path: Path) -> int:
    with contextlib.closing(sqlite3.connect(path)) as conn:
        found: int = conn.execute("SELECT count(*) FROM articles").fetchone()[0]
        return found


@pytest.fixture
def database(tmp_path: Path) -> Path:
    path = tmp_path / "masthead.db"
    migrate.upgrade(f"sqlite:///{path}")
    return path


def big_article(n: int) -> dict[str, object]:
    # About 1.5 MB, under the request body limit.
    paragraph = "A long report from the newsroom, sentence after sentence. " * 50
    document = article(f"Long read {n}", paragraphs=0)
    document["body"] = [{"type": "paragraph", "text": f"{n} {paragraph}"} for _ in range(500)]
    return document


@contextlib.contextmanager
def file_size_limit(server: Masthead, limit: int) -> Iterator[None]:
    """The server may not grow any file past ``limit`` bytes: a full disk, as SQLite sees it."""
    assert server.process is not None
    pid = server.process.pid
    _, hard = resource.prlimit(pid, resource.RLIMIT_FSIZE)
    resource.prlimit(pid, resource.RLIMIT_FSIZE, (limit, hard))
    try:
        yield
    finally:
        resource.prlimit(pid, resource.RLIMIT_FSIZE, (hard, hard))


def test_a_full_disk_answers_503_storage_and_corrupts_nothing(
    database: Path, tmp_path: Path
) -> None:
    with masthead(f"sqlite:///{database}", tmp_path / "serve.log") as server:
        room = Newsroom(server)
        room.ensure_service()
        kept = room.publish("Written before the disk filled up")
        files = [database, database.with_name(database.name + "-wal"), server.log]
        limit = max(path.stat().st_size for path in files if path.exists()) + 64 * 1024
        statuses = []
        with file_size_limit(server, limit):
            for n in range(8):
                response = room.http.post("/v1/articles", json=big_article(n))
                statuses.append(response.status_code)
                if response.status_code == 503:
                    body = assert_problem(response, 503)
                    assert body["type"].endswith("/storage")
                    assert "storage" in body["detail"]
                    assert "nothing was changed" in body["detail"]
                    assert int(response.headers["retry-after"]) > 0
                    break
            # Reads go on while nothing can be written.
            assert httpx.get(f"{server.base_url}/v1/articles/{kept}").status_code == 200
            assert httpx.get(f"{server.base_url}/healthz").status_code == 200
        assert statuses[-1] == 503, statuses
        assert set(statuses[:-1]) <= {201}
        # Room again: writes succeed without a restart.
        assert room.http.post("/v1/articles", json=article("After the disk")).status_code == 201
        written = statuses.count(201) + 1
        room.close()
        server.terminate()
    assert integrity(database) == "ok"
    assert count_articles(database) == 1 + written


@pytest.fixture
def immutable(database: Path) -> Iterator[Path]:
    if os.geteuid() != 0 or shutil.which("chattr") is None:
        pytest.skip("making a file read-only for root needs chattr, as root")
    yield database
    subprocess.run(["chattr", "-i", str(database)], check=False)


def test_a_read_only_database_file_answers_503_read_only_to_writes(
    immutable: Path, tmp_path: Path
) -> None:
    url = f"sqlite:///{immutable}"
    with masthead(url, tmp_path / "serve.log") as server:
        room = Newsroom(server)
        room.ensure_service()
        kept = room.publish("Written while the file could be written")
        token = room.token
        room.close()
        server.terminate()
    done = subprocess.run(["chattr", "+i", str(immutable)], capture_output=True, text=True)
    if done.returncode != 0:
        pytest.skip(f"this filesystem keeps no immutable flag: {done.stderr.strip()}")

    with masthead(url, tmp_path / "serve.log") as server:
        headers = {"Authorization": f"Bearer {token}"}
        assert httpx.get(f"{server.base_url}/v1/articles/{kept}").status_code == 200
        response = httpx.post(
            f"{server.base_url}/v1/articles", json=article("Refused"), headers=headers
        )
        body = assert_problem(response, 503)
        assert body["type"].endswith("/read-only")
        assert "read-only" in body["detail"]
        assert int(response.headers["retry-after"]) > 0
    subprocess.run(["chattr", "-i", str(immutable)], check=True)
    assert integrity(immutable) == "ok"
    assert count_articles(immutable) == 1


def test_writes_wait_for_a_lock_held_elsewhere_under_read_load(
    database: Path, tmp_path: Path
) -> None:
    with masthead(f"sqlite:///{database}", tmp_path / "serve.log") as server:
        room = Newsroom(server)
        room.ensure_service()
        ids = [room.publish(f"Story {n}") for n in range(3)]
        stop = threading.Event()
        reads: list[int] = []

        def read() -> None:
            with httpx.Client(base_url=server.base_url, timeout=30) as http:
                n = 0
                while not stop.is_set():
                    n += 1
                    path = (f"/v1/articles/{ids[n % 3]}", "/v1/search?q=story", "/v1/tags")[n % 3]
                    reads.append(http.get(path).status_code)

        readers = [threading.Thread(target=read) for _ in range(3)]
        for thread in readers:
            thread.start()
        # Another process (an import, a migration) holds the write lock for a while.
        holder = sqlite3.connect(database, isolation_level=None)
        holder.execute("BEGIN IMMEDIATE")
        results: list[int] = []

        def write(n: int) -> None:
            results.append(room.http.post("/v1/articles", json=article(f"Queued {n}")).status_code)

        writers = [threading.Thread(target=write, args=(n,)) for n in range(4)]
        for thread in writers:
            thread.start()
        time.sleep(3)
        holder.execute("COMMIT")
        holder.close()
        for thread in writers:
            thread.join(timeout=60)
        stop.set()
        for thread in readers:
            thread.join(timeout=60)
        room.close()
    assert results == [201] * 4
    assert reads and set(reads) == {200}
    assert integrity(database) == "ok"
