"""Two editors, one version: exactly one change wins, the other answers 412.

The HTTP test drives a real uvicorn server on 127.0.0.1 from two threads (the
TestClient serialises requests, so it could not show a race). Whether two
requests overlap inside the server is up to the scheduler, so a second test
forces the worst interleaving: both writers pass the If-Match check on the same
version, and only the atomic ``UPDATE ... WHERE version = :v`` stands between
them.
"""

import threading
import time
from collections.abc import Iterator
from typing import Any

import httpx
import orjson
import pytest
import uvicorn
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from app.articles import editorial
from app.auth.service import Principal
from app.config import Settings
from app.errors import PreconditionFailed
from app.main import create_app
from app.models import Article, Revision, utcnow
from articles.editorial_kit import Newsroom, room

__all__ = ["room"]

ROUNDS = 8


@pytest.fixture
def live_server(database_url: str, room: Newsroom) -> Iterator[str]:
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
    port = server.servers[0].sockets[0].getsockname()[1]
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=20)


def history(sessions: sessionmaker[Session], article_id: int) -> list[Revision]:
    with sessions() as session:
        return list(
            session.scalars(
                select(Revision).where(Revision.article_id == article_id).order_by(Revision.number)
            )
        )


def test_two_concurrent_patches_with_the_same_if_match_give_one_200_and_one_412(
    room: Newsroom, live_server: str
) -> None:
    article_id = room.draft()["id"]
    winners: list[str] = []
    for round_number in range(ROUNDS):
        etag = room.etag(article_id, "en_editor")
        barrier = threading.Barrier(2)
        answers: dict[str, httpx.Response] = {}

        def edit(
            name: str,
            etag: str = etag,
            barrier: threading.Barrier = barrier,
            answers: dict[str, httpx.Response] = answers,
        ) -> None:
            with httpx.Client(base_url=live_server, timeout=30) as http:
                barrier.wait()
                answers[name] = http.patch(
                    f"/v1/articles/{article_id}",
                    content=orjson.dumps({"dek": name}),
                    headers={
                        "Authorization": f"Bearer {room.tokens['en_editor']}",
                        "Content-Type": "application/merge-patch+json",
                        "If-Match": etag,
                    },
                )

        names = [f"round {round_number} by A", f"round {round_number} by B"]
        threads = [threading.Thread(target=edit, args=(name,)) for name in names]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
        statuses = sorted(answer.status_code for answer in answers.values())
        assert statuses == [200, 412], {n: a.text for n, a in answers.items()}
        winner = next(name for name, answer in answers.items() if answer.status_code == 200)
        loser = next(answer for answer in answers.values() if answer.status_code == 412)
        assert loser.headers["content-type"].startswith("application/problem+json")
        assert room.get(article_id, "en_editor").json()["dek"] == winner
        winners.append(winner)

    revisions = history(room.sessions, article_id)
    assert [r.action for r in revisions] == ["create"] + ["update"] * ROUNDS
    assert [r.number for r in revisions] == list(range(1, ROUNDS + 2))
    assert all(r.fields == ["dek"] for r in revisions[1:])
    # Each change saw the one before it: no lost update.
    assert [r.previous.get("dek") for r in revisions[2:]] == winners[:-1]
    assert room.etag(article_id) == f'"article-{article_id}-v{ROUNDS + 1}"'


def test_the_version_check_is_atomic_when_both_writers_passed_if_match(
    room: Newsroom,
) -> None:
    """B reads version 1 and passes If-Match; A then claims version 1 and holds its
    transaction open while B tries to claim version 1 too. B waits for A (on the
    row lock in PostgreSQL, on the write lock in SQLite) and then must find the
    version gone: only the ``WHERE version = :v`` of the one UPDATE stops it."""
    draft = room.draft()
    article_id, etag = draft["id"], draft["_etag"]
    editor = Principal(token_id=1, name="editor", role="editor", services=frozenset({"en"}))
    b_checked = threading.Event()
    a_claimed = threading.Event()
    outcome: dict[str, Any] = {}

    def writer_a() -> None:
        b_checked.wait(30)
        with room.sessions() as session:
            editorial.update_article(session, editor, article_id, {"dek": "A"}, etag, utcnow())
            a_claimed.set()
            time.sleep(0.3)  # B's claim is waiting on A meanwhile
            session.commit()

    def writer_b() -> None:
        try:
            with room.sessions() as session:
                article = editorial.writable_article(session, editor, article_id, utcnow())
                editorial.check_if_match(etag, article)
                outcome["read_version"] = article.version
        finally:
            b_checked.set()
        a_claimed.wait(30)
        with room.sessions() as session:
            started = time.monotonic()
            try:
                editorial.claim_version(session, article, utcnow())
            except PreconditionFailed as error:
                outcome["error"] = error
            outcome["waited"] = time.monotonic() - started
            session.rollback()

    threads = [threading.Thread(target=writer_a), threading.Thread(target=writer_b)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert outcome.get("read_version") == 1
    assert isinstance(outcome.get("error"), PreconditionFailed)
    assert outcome["error"].headers["ETag"] == f'"article-{article_id}-v2"'
    with room.sessions() as session:
        stored = session.get(Article, article_id)
        assert stored is not None
        assert (stored.version, stored.dek) == (2, "A")
    assert [r.action for r in history(room.sessions, article_id)] == ["create", "update"]


def test_two_concurrent_creates_with_one_idempotency_key_make_one_article(
    room: Newsroom, live_server: str
) -> None:
    for attempt in range(4):
        key = f"race-{attempt}"
        barrier = threading.Barrier(2)
        answers: list[httpx.Response] = []

        def create(
            barrier: threading.Barrier = barrier,
            key: str = key,
            answers: list[httpx.Response] = answers,
        ) -> None:
            with httpx.Client(base_url=live_server, timeout=30) as http:
                barrier.wait()
                answers.append(
                    http.post(
                        "/v1/articles",
                        json={"service": "en", "headline": f"Race {key}", "body": []},
                        headers={
                            "Authorization": f"Bearer {room.tokens['en_editor']}",
                            "Idempotency-Key": key,
                        },
                    )
                )

        threads = [threading.Thread(target=create) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
        statuses = sorted(answer.status_code for answer in answers)
        # Either the second saw the first's record (a replay) or it lost the race
        # on the key's unique constraint (409): never two articles.
        assert statuses in ([201, 201], [201, 409]), [a.text for a in answers]
        if statuses == [201, 201]:
            assert answers[0].json() == answers[1].json()
    with room.sessions() as session:
        headlines = list(session.scalars(select(Article.headline).order_by(Article.id)))
    assert headlines == [f"Race race-{n}" for n in range(4)]
