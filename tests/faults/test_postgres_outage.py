"""PostgreSQL stopped under load: 503s with Retry-After, liveness kept, and recovery
without a restart of the API once the database is back."""

import contextlib
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest

from app import migrate
from faults.live import Newsroom, article, masthead, postgres, wait_for

pytestmark = pytest.mark.postgres

#: The API must answer normally this soon after the database is back.
RECOVERY_S = 5.0


@dataclass
class Answer:
    request: str
    status: int
    headers: httpx.Headers
    body: bytes


@dataclass
class Load:
    """Readers and a writer working the API from threads, every answer kept."""

    base_url: str
    token: str
    article_ids: list[int]
    answers: list[Answer] = field(default_factory=list)
    created: list[int] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    stopping: threading.Event = field(default_factory=threading.Event)

    def _read(self, offset: int) -> None:
        paths = [
            *(f"/v1/articles/{i}" for i in self.article_ids),
            "/v1/articles?service=en&limit=5",
            "/v1/search?q=story",
            "/v1/services/en",
            "/v1/feeds/en/rss.xml",
            f"/v1/articles/{self.article_ids[0]}/related",
        ]
        with httpx.Client(base_url=self.base_url, timeout=20) as http:
            n = offset
            while not self.stopping.is_set():
                self._ask(http, "GET", paths[n % len(paths)])
                n += 1

    def _write(self) -> None:
        headers = {"Authorization": f"Bearer {self.token}"}
        with httpx.Client(base_url=self.base_url, timeout=20, headers=headers) as http:
            n = 0
            while not self.stopping.is_set():
                n += 1
                answer = self._ask(http, "POST", "/v1/articles", json=article(f"Write {n}"))
                if answer is not None and answer.status_code == 201:
                    self.created.append(answer.json()["id"])
                time.sleep(0.02)

    def _ask(
        self, http: httpx.Client, method: str, path: str, **kwargs: Any
    ) -> httpx.Response | None:
        try:
            response = http.request(method, path, **kwargs)
        except httpx.HTTPError as exc:
            self.failures.append(f"{method} {path}: {exc!r}")
            return None
        self.answers.append(
            Answer(f"{method} {path}", response.status_code, response.headers, response.content)
        )
        return response

    @contextlib.contextmanager
    def running(self) -> Iterator["Load"]:
        threads = [threading.Thread(target=self._read, args=(n,)) for n in range(3)]
        threads.append(threading.Thread(target=self._write))
        for thread in threads:
            thread.start()
        try:
            yield self
        finally:
            self.stopping.set()
            for thread in threads:
                thread.join(timeout=60)


def test_postgres_stopped_under_load_gives_503s_and_the_api_recovers_by_itself(
    tmp_path: Path,
) -> None:
    with postgres() as cluster:
        migrate.upgrade(cluster.url)
        with masthead(cluster.url, tmp_path / "serve.log") as server:
            room = Newsroom(server)
            room.ensure_service()
            ids = [room.publish(f"Story {n}") for n in range(4)]
            load = Load(server.base_url, room.token, ids)
            with load.running():
                wait_for(lambda: len(load.created) >= 5, 30, "writes before the outage")
                before_outage = len(load.answers)
                cluster.stop("fast")
                stopped_at = len(load.answers)
                # The load goes on against the stopped database for a while.
                wait_for(lambda: len(load.answers) > stopped_at + 50, 30, "answers in the outage")
                time.sleep(1.0)

                alive = httpx.get(server.base_url + "/healthz", timeout=10)
                ready = httpx.get(server.base_url + "/readyz", timeout=10)
                assert alive.status_code == 200
                assert ready.status_code == 503
                assert ready.headers["content-type"].startswith("application/problem+json")
                assert int(ready.headers["retry-after"]) > 0

                cluster.start()
                back = time.monotonic()
                wait_for(
                    lambda: httpx.get(server.base_url + "/readyz", timeout=10).status_code == 200,
                    RECOVERY_S,
                    "/readyz after the database came back",
                    every=0.05,
                )
                written = room.http.post("/v1/articles", json=article("After the outage"))
                recovered = time.monotonic() - back
                assert written.status_code == 201, written.text
                assert recovered < RECOVERY_S
                # Answers of every kind again, from the readers and the writer.
                after = len(load.answers)
                wait_for(lambda: len(load.answers) > after + 30, 30, "answers after recovery")
            room.close()

            assert before_outage > 0
            assert load.failures == [], load.failures[:5]
            statuses = {answer.status for answer in load.answers}
            assert statuses <= {200, 201, 503}, [
                (a.request, a.status, a.body[:200])
                for a in load.answers
                if a.status not in (200, 201, 503)
            ][:5]
            unavailable = [answer for answer in load.answers if answer.status == 503]
            assert unavailable, "the outage was never seen"
            for answer in unavailable:
                assert answer.headers["content-type"].startswith("application/problem+json")
                assert int(answer.headers["retry-after"]) > 0
                for leak in (b"Traceback", b"psycopg", b"asyncpg", b"127.0.0.1"):
                    assert leak not in answer.body
            tail = load.answers[-30:]
            assert all(answer.status in (200, 201) for answer in tail), [
                (a.request, a.status) for a in tail
            ]

            # Nothing acknowledged was lost.
            with httpx.Client(
                base_url=server.base_url, headers={"Authorization": f"Bearer {room.token}"}
            ) as http:
                for article_id in load.created:
                    assert http.get(f"/v1/articles/{article_id}").status_code == 200
