"""The server killed with SIGKILL in the middle of an import or a write: after a
restart nothing is half-written, and no rendering is left without its article or
behind it."""

import contextlib
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import create_engine, text

from app import migrate
from app.db import sync_url
from faults.live import Masthead, Newsroom, Postgres, masthead, postgres

ATTEMPTS = 4


@pytest.fixture(scope="module")
def cluster() -> Iterator[Postgres]:
    with postgres() as cluster:
        yield cluster


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path}/masthead.db"
    else:
        cluster: Postgres = request.getfixturevalue("cluster")
        url = cluster.database(f"kill_{request.node.name.split('[')[0][-20:]}")
    migrate.upgrade(url)
    return url


def batch(prefix: str, size: int) -> dict[str, Any]:
    return {
        "items": [
            {
                "uri": f"urn:faults:{prefix}:{n}",
                "headline": f"Wire story {prefix} {n}",
                "published_at": "2026-01-05T09:00:00Z",
                "body": [
                    {"type": "paragraph", "text": f"Paragraph {p} of story {n}."} for p in range(4)
                ],
            }
            for n in range(size)
        ]
    }


def store_facts(url: str) -> dict[str, Any]:
    """What must hold of a store whatever moment a process died at."""
    engine = create_engine(sync_url(url))
    try:
        with engine.connect() as conn:
            facts: dict[str, Any] = {
                "articles": conn.scalar(text("SELECT count(*) FROM articles")),
                "orphan_renders": conn.scalar(
                    text(
                        "SELECT count(*) FROM article_renders r"
                        " LEFT JOIN articles a ON a.id = r.article_id WHERE a.id IS NULL"
                    )
                ),
                "published_without_render": conn.scalar(
                    text(
                        "SELECT count(*) FROM articles a"
                        " LEFT JOIN article_renders r ON r.article_id = a.id"
                        " WHERE a.status = 'published' AND r.article_id IS NULL"
                    )
                ),
            }
            if engine.dialect.name == "sqlite":
                facts["integrity"] = conn.scalar(text("PRAGMA integrity_check"))
            return facts
    finally:
        engine.dispose()


def timed_import(http: httpx.Client, body: dict[str, Any]) -> float:
    started = time.monotonic()
    response = http.post("/v1/import", params={"service": "en"}, json=body, timeout=120)
    assert response.status_code == 200, response.text
    return time.monotonic() - started


def killed_during(server: Masthead, request: Any, after: float) -> bool:
    """Run ``request`` in a thread, SIGKILL the server ``after`` seconds in; whether the
    request was still unanswered when the server died."""
    answered: list[int] = []

    def run() -> None:
        with contextlib.suppress(httpx.HTTPError):
            answered.append(request().status_code)

    thread = threading.Thread(target=run)
    thread.start()
    time.sleep(after)
    died_unanswered = not answered
    server.kill()
    thread.join(timeout=60)
    return died_unanswered and not answered


def test_a_sigkilled_import_leaves_all_of_its_batch_or_none(
    database_url: str, tmp_path: Path
) -> None:
    size = 400
    for attempt in range(ATTEMPTS):
        with masthead(database_url, tmp_path / "serve.log") as server:
            room = Newsroom(server)
            room.ensure_service()
            took = timed_import(room.http, batch(f"warm{attempt}", size))
            before = store_facts(database_url)["articles"]
            body = batch(f"cut{attempt}", size)
            cut = killed_during(
                server,
                lambda body=body, room=room: room.http.post(
                    "/v1/import", params={"service": "en"}, json=body, timeout=120
                ),
                after=took * 0.6,
            )
            room.close()
        facts = store_facts(database_url)
        assert facts["articles"] in (before, before + size), facts
        assert facts["orphan_renders"] == 0
        assert facts["published_without_render"] == 0
        assert facts.get("integrity", "ok") == "ok"
        if cut:
            break
        # The machine ran the batch faster than the one before: a bigger one next time.
        size *= 2
    else:
        pytest.fail(f"no import was still running when the server was killed ({ATTEMPTS} tries)")

    # The store serves again, and the cut batch can be imported whole.
    with masthead(database_url, tmp_path / "serve.log") as server:
        room = Newsroom(server)
        timed_import(room.http, body)
        facts = store_facts(database_url)
        assert facts["articles"] == before + len(body["items"])
        assert facts["orphan_renders"] == facts["published_without_render"] == 0
        room.close()


def test_a_sigkilled_writer_leaves_each_article_as_its_rendering_says(
    database_url: str, tmp_path: Path
) -> None:
    with masthead(database_url, tmp_path / "serve.log") as server:
        room = Newsroom(server)
        room.ensure_service()
        ids = [room.publish(f"Story {n}") for n in range(3)]
        acknowledged: dict[int, str] = {}
        stop = threading.Event()

        def write() -> None:
            n = 0
            with httpx.Client(base_url=server.base_url, headers=room.http.headers) as http:
                while not stop.is_set():
                    n += 1
                    article_id = ids[n % len(ids)]
                    try:
                        current = http.get(f"/v1/articles/{article_id}")
                        headline = f"Edited {n}"
                        edited = http.patch(
                            f"/v1/articles/{article_id}",
                            json={"headline": headline},
                            headers={"If-Match": current.headers["etag"]},
                        )
                    except httpx.HTTPError:
                        return
                    if edited.status_code == 200:
                        acknowledged[article_id] = headline

        threads = [threading.Thread(target=write) for _ in range(2)]
        for thread in threads:
            thread.start()
        time.sleep(1.5)
        server.kill()
        stop.set()
        for thread in threads:
            thread.join(timeout=60)
        room.close()
    assert acknowledged, "no write was acknowledged before the kill"

    facts = store_facts(database_url)
    assert facts["orphan_renders"] == facts["published_without_render"] == 0
    assert facts.get("integrity", "ok") == "ok"
    engine = create_engine(sync_url(database_url))
    with engine.connect() as conn:
        stored = dict(conn.execute(text("SELECT id, headline FROM articles")).all())
    engine.dispose()
    with masthead(database_url, tmp_path / "serve.log") as server:
        for article_id in ids:
            public = httpx.get(f"{server.base_url}/v1/articles/{article_id}").json()
            # The public rendering is the stored article, never a write the kill cut off.
            assert public["headline"] == stored[article_id]
            if article_id in acknowledged:
                # An acknowledged write survived, or a later one that reached the disk.
                assert stored[article_id].startswith("Edited ")
