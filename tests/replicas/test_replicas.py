"""Public reads from a streaming replica; editors, writes and read-your-writes on the
primary; a replica that lags or is down is skipped, without a failed request.

The replica is real (``pg_basebackup`` of the primary, streaming on loopback). Which
server answered shows in the answer itself: with the replica's replay paused, an
article written since then exists on the primary only.
"""

import asyncio
import time
from collections import Counter
from collections.abc import Callable, Iterator

import httpx
import pytest
from factories import article
from fastapi import FastAPI
from fastapi.testclient import TestClient

from app.config import Settings
from app.main import create_app
from app.replicas import COOKIE, ReplicatedReadStore
from replicas.conftest import Newsroom
from replicas.standby import Standby

# Long enough for a test's reads on a busy machine; the lag test sets a short one.
BOUND_MS = 5000


def make_app(primary_url: str, replica: Standby, max_lag_ms: int = BOUND_MS) -> FastAPI:
    settings = Settings(
        database_url=primary_url,
        database_replica_urls=[replica.url],
        replica_max_lag_ms=max_lag_ms,
        replica_poll_ms=50,
        webhook_worker=False,
        search_cache_size=0,
    )
    return create_app(settings)


def wait_until(condition: Callable[[], bool], seconds: float = 15) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("timed out")
        time.sleep(0.02)


def routed(app: FastAPI) -> ReplicatedReadStore:
    store = app.state.read_store
    assert isinstance(store, ReplicatedReadStore)
    return store


def replica_in_use(client: TestClient) -> None:
    """Wait until the worker's poll has found the replica usable."""
    client.get("/v1/articles")  # the first public read starts the polling
    store = routed(client.app)  # type: ignore[arg-type]
    wait_until(lambda: store.usable(store.replicas[0]))


async def until_usable(store: ReplicatedReadStore, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while not store.usable(store.replicas[0]):
        if time.monotonic() > deadline:
            raise AssertionError(f"the replica was not used again: {store.replicas[0]}")
        await asyncio.sleep(0.02)


@pytest.fixture
def client(primary_url: str, replica: Standby) -> Iterator[TestClient]:
    with TestClient(make_app(primary_url, replica), raise_server_exceptions=False) as client:
        replica_in_use(client)
        yield client


def test_public_reads_come_from_the_replica(
    client: TestClient, replica: Standby, newsroom: Newsroom, primary_url: str
) -> None:
    [old] = newsroom.load(article("en", "Harvest is late this year"))
    replica.wait_for(primary_url)
    replica.pause_replay()
    [new] = newsroom.load(article("en", "Rain returns to the plains"))

    assert client.get(f"/v1/articles/{old}").status_code == 200
    # Only on the primary so far: the replica, within the lag bound, answers.
    assert client.get(f"/v1/articles/{new}").status_code == 404
    assert [item["id"] for item in client.get("/v1/articles").json()["items"]] == [old]
    assert client.get("/v1/search", params={"q": "rain"}).json()["items"] == []

    replica.resume_replay()
    replica.wait_for(primary_url)
    wait_until(lambda: client.get(f"/v1/articles/{new}").status_code == 200)


def test_a_replica_behind_by_more_than_the_bound_is_skipped(
    replica: Standby, newsroom: Newsroom, primary_url: str
) -> None:
    app = make_app(primary_url, replica, max_lag_ms=1000)
    with TestClient(app, raise_server_exceptions=False) as client:
        replica_in_use(client)
        lag_bound_skips(client, replica, newsroom, primary_url)


def lag_bound_skips(
    client: TestClient, replica: Standby, newsroom: Newsroom, primary_url: str
) -> None:
    replica.pause_replay()
    [new] = newsroom.load(article("en", "Rain returns to the plains"))
    store = routed(client.app)  # type: ignore[arg-type]
    wait_until(lambda: not store.usable(store.replicas[0]))
    assert store.replicas[0].lag_ms is not None and store.replicas[0].lag_ms > 500
    assert client.get(f"/v1/articles/{new}").json()["headline"] == "Rain returns to the plains"

    # Caught up again, it is read from again.
    replica.resume_replay()
    replica.wait_for(primary_url)
    wait_until(lambda: store.usable(store.replicas[0]))
    replica.pause_replay()
    [newer] = newsroom.load(article("en", "Floods close the valley road"))
    assert client.get(f"/v1/articles/{newer}").status_code == 404
    replica.resume_replay()


def test_a_client_reads_its_own_writes(
    client: TestClient, replica: Standby, newsroom: Newsroom, primary_url: str
) -> None:
    token = newsroom.token()
    replica.wait_for(primary_url)
    replica.pause_replay()
    editor = {"Authorization": f"Bearer {token}"}
    created = client.post(
        "/v1/articles",
        json={
            "service": "en",
            "headline": "Parliament passes the budget",
            "body": [{"type": "paragraph", "text": "Lawmakers voted late on Monday."}],
        },
        headers=editor,
    )
    assert created.status_code == 201, created.text
    article_id = created.json()["id"]
    published = client.post(f"/v1/articles/{article_id}/publish", headers=editor)
    assert published.status_code == 200, published.text
    cookie = published.headers["set-cookie"]
    assert cookie.startswith(f"{COOKIE}=")
    assert "HttpOnly" in cookie and "Path=/" in cookie
    assert int(cookie.split("Max-Age=")[1].split(";")[0]) >= BOUND_MS / 1000

    # The writer's next public read (no token, its cookie) sees the write...
    assert client.get(f"/v1/articles/{article_id}").status_code == 200
    # ...while another reader still reads the replica, which has not replayed it.
    written = client.cookies[COOKIE]
    client.cookies.clear()
    assert client.get(f"/v1/articles/{article_id}").status_code == 404
    client.cookies.set(COOKIE, written)
    assert client.get(f"/v1/articles/{article_id}").status_code == 200

    # Once the replica has replayed the write, the cookie no longer holds reads on
    # the primary: a later write made elsewhere is not seen until replayed.
    replica.resume_replay()
    replica.wait_for(primary_url)
    store = routed(client.app)  # type: ignore[arg-type]
    wait_until(lambda: (store.replicas[0].replay_lsn or 0) >= int(written))
    replica.pause_replay()
    [elsewhere] = newsroom.load(article("en", "Floods close the valley road"))
    assert client.get(f"/v1/articles/{elsewhere}").status_code == 404


def test_a_malformed_cookie_is_ignored(
    client: TestClient, replica: Standby, newsroom: Newsroom, primary_url: str
) -> None:
    [known] = newsroom.load(article("en", "Harvest is late this year"))
    replica.wait_for(primary_url)
    replica.pause_replay()
    [new] = newsroom.load(article("en", "Rain returns to the plains"))
    for value in ("", "abc", "-1", "9" * 40, "1;2", "0x10"):
        cookie = {"Cookie": f"{COOKIE}={value}"}
        assert client.get(f"/v1/articles/{known}", headers=cookie).status_code == 200
        # Read as if there were no cookie: from the replica, which lacks the new one.
        assert client.get(f"/v1/articles/{new}", headers=cookie).status_code == 404


def test_editorial_requests_read_the_primary(
    client: TestClient, replica: Standby, newsroom: Newsroom
) -> None:
    replica.pause_replay()
    # A token the replica has not replayed, and a draft made with it: the token's
    # lookup and the editor's reads must be the primary's.
    editor = {"Authorization": f"Bearer {newsroom.token()}"}
    created = client.post(
        "/v1/articles",
        json={
            "service": "en",
            "headline": "Embargoed report",
            "body": [{"type": "paragraph", "text": "Not yet."}],
        },
        headers=editor,
    )
    assert created.status_code == 201, created.text
    draft = created.json()["id"]
    response = client.get(f"/v1/articles/{draft}", headers=editor)
    assert response.status_code == 200, response.text
    assert response.json()["status"] == "draft"
    listed = client.get("/v1/articles", params={"status": "draft"}, headers=editor)
    assert [item["id"] for item in listed.json()["items"]] == [draft], listed.text


def test_a_replica_stopped_under_load_fails_no_request(
    primary_url: str, replica: Standby, newsroom: Newsroom
) -> None:
    known = newsroom.load(*(article("en", f"Harvest report {n}") for n in range(5)))
    replica.wait_for(primary_url)
    replica.pause_replay()
    [probe] = newsroom.load(article("en", "Rain returns to the plains"))
    # A lag bound the paused replay stays within: only the stop takes the replica away.
    app = make_app(primary_url, replica, max_lag_ms=120_000)
    paths = [f"/v1/articles/{n}" for n in known] + [
        f"/v1/articles/{known[0]}/summary",
        "/v1/articles?service=en&limit=5",
        "/v1/search?q=harvest",
        "/v1/services/en",
    ]
    answers: Counter[tuple[str, str, int]] = Counter()
    failures: list[str] = []

    async def load(phase: list[str], stop_at: float) -> None:
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://testserver"
        ) as http:
            n = 0
            while time.monotonic() < stop_at:
                n += 1
                path = paths[n % len(paths)] if n % 3 else f"/v1/articles/{probe}"
                started_in = phase[0]  # a request is counted in the phase it began in
                try:
                    response = await http.get(path)
                except Exception as exc:  # a failed request, whatever its kind
                    failures.append(f"{path}: {exc!r}")
                    continue
                is_probe = path == f"/v1/articles/{probe}"
                answers[(started_in, "probe" if is_probe else "known", response.status_code)] += 1

    async def run() -> None:
        async with app.router.lifespan_context(app):
            store = routed(app)
            async with httpx.AsyncClient(
                transport=httpx.ASGITransport(app=app), base_url="http://testserver"
            ) as http:
                await http.get("/v1/articles")
            await until_usable(store)
            phase = ["up"]
            stop_at = time.monotonic() + 6
            clients = [asyncio.create_task(load(phase, stop_at)) for _ in range(16)]
            await asyncio.sleep(1.5)
            phase[0] = "stopping"
            await asyncio.to_thread(replica.stop)
            phase[0] = "down"
            await asyncio.sleep(1.5)
            phase[0] = "restarting"
            await asyncio.to_thread(replica.start)
            await until_usable(store)
            phase[0] = "back"
            await asyncio.gather(*clients)

    asyncio.run(run())

    assert failures == []
    statuses = {status for (_, kind, status) in answers if kind == "known"}
    assert statuses == {200}, answers
    # Before the stop the replica answered (the probe is not there; a request in
    # flight when it stopped was answered by the primary); once it is down the
    # primary answers (the probe is there); every request was answered.
    assert answers[("up", "probe", 404)] > 0, answers
    assert answers[("down", "probe", 200)] > 0 and answers[("down", "probe", 404)] == 0, answers
    assert answers[("down", "known", 200)] > 0, answers
