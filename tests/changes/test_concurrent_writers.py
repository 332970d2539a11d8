"""Cursors are positions in commit order: a reader keeping its cursor while many
writers commit at once, in an order unlike the one they began in, sees every
change once. On PostgreSQL this is the race a sequence or a timestamp loses."""

import random
import threading
import time
from datetime import timedelta
from typing import Any

from factories import bundle, service
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from app.models import Article, Change, Service, utcnow
from app.readmodel.articles import render_articles
from changes.feed_kit import walk

WRITERS = 8
WRITES = 10


def _drafts(sessions: sessionmaker[Session], count: int) -> list[int]:
    with sessions.begin() as session:
        service_id = session.scalar(select(Service.id).where(Service.code == "en"))
        articles = [
            Article(
                service_id=service_id,
                language="en",
                slug=f"story-{n}",
                status="draft",
                headline=f"Story {n}",
                body=[{"type": "paragraph", "text": "Ferries stay in port."}],
                created_at=utcnow(),
                updated_at=utcnow(),
            )
            for n in range(count)
        ]
        session.add_all(articles)
        session.flush()
        return [article.id for article in articles]


def _writer(sessions: sessionmaker[Session], article_id: int, errors: list[BaseException]) -> None:
    try:
        for n in range(WRITES):
            with sessions() as session:
                article = session.get(Article, article_id)
                assert article is not None
                article.status = "published"
                article.published_at = article.published_at or utcnow() - timedelta(seconds=1)
                article.dek = f"Revision {n}"
                article.updated_at = utcnow()
                session.flush()
                render_articles(session, [article_id])
                # The change is recorded; others begin, record and commit meanwhile.
                time.sleep(random.uniform(0, 0.03))
                session.commit()
    except BaseException as error:
        errors.append(error)


def test_a_reader_keeping_its_cursor_sees_every_concurrent_commit_once(
    client: TestClient, sessions: sessionmaker[Session], store: Any
) -> None:
    store(bundle(services=[service("en")]))
    ids = _drafts(sessions, WRITERS)
    errors: list[BaseException] = []
    threads = [
        threading.Thread(target=_writer, args=(sessions, article_id, errors)) for article_id in ids
    ]
    seen: list[int] = []
    cursor = None
    for thread in threads:
        thread.start()
    while any(thread.is_alive() for thread in threads):
        items, cursor = walk(client, cursor, limit=7)
        seen.extend(item["seq"] for item in items)
    for thread in threads:
        thread.join()
    assert errors == []
    items, _ = walk(client, cursor, limit=7)
    seen.extend(item["seq"] for item in items)

    with sessions() as session:
        rows = session.execute(select(Change.id, Change.seq).order_by(Change.seq)).all()
    assert len(rows) == WRITERS * WRITES
    assert seen == [seq for _, seq in rows], "every change once, in commit order"
    if sessions.kw["bind"].dialect.name == "postgresql":
        # Writers committed in another order than they recorded: a reader going by
        # insertion order (an id or a timestamp) would have skipped some. (SQLite
        # writers take the write lock when they begin: both orders are one.)
        by_insertion = [seq for _, seq in sorted(rows)]
        assert by_insertion != sorted(by_insertion)
    assert walk(client)[0] == walk(client, None, limit=3)[0]
