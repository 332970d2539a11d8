"""Exact quotas across live server processes: ``masthead serve`` as users start it, several
processes on one SQLite file, every one counting against the same quota."""

import os
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

from app import migrate
from app.auth.service import create_token
from app.db import make_engine, make_sessionmaker
from app.ratelimit.counters import default_state_file
from ratelimit.redis_kit import free_port, throwaway_redis

MASTHEAD = Path(sys.executable).with_name("masthead")
REQUESTS = 160
QUOTA = 40


def environment(**settings: str) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith("MASTHEAD_")}
    env.update({f"MASTHEAD_{name.upper()}": value for name, value in settings.items()})
    return env


@contextmanager
def serving(folder: Path, *envs: dict[str, str], workers: int = 1) -> Iterator[list[str]]:
    """One server per environment, started together on free ports, until the block ends;
    yields their base URLs once every worker process of each has started.

    A server of one process is ``masthead serve``; one of several is uvicorn's own worker
    processes, given time to start: on a busy machine uvicorn's 5-second health check
    would otherwise kill workers still importing the app, again and again."""
    started: list[tuple[subprocess.Popen[bytes], str, Path]] = []
    try:
        for env in envs:
            port = free_port()
            log_path = folder / f"serve-{port}.log"
            command = [str(MASTHEAD), "serve", "--port", str(port)]
            if workers > 1:
                command = [
                    sys.executable, "-m", "uvicorn", "app.main:create_app", "--factory",
                    "--port", str(port), "--workers", str(workers),
                    "--timeout-worker-healthcheck", "120", "--log-level", "info",
                ]  # fmt: skip
            with log_path.open("w") as log:
                process = subprocess.Popen(
                    command, cwd=folder, env=env, stdout=log, stderr=subprocess.STDOUT
                )
            started.append((process, f"http://127.0.0.1:{port}", log_path))
        deadline = time.monotonic() + 240
        for process, base, log_path in started:
            while not _ready(base, log_path, workers):
                assert process.poll() is None, log_path.read_text()
                assert time.monotonic() < deadline, log_path.read_text()
                time.sleep(0.2)
        yield [base for _, base, _ in started]
    finally:
        for process, _, _ in started:
            process.terminate()
        for process, _, _ in started:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def _ready(base: str, log_path: Path, workers: int) -> bool:
    if workers > 1 and log_path.read_text().count("Application startup complete") < workers:
        return False
    try:
        return httpx.get(f"{base}/healthz", timeout=1).status_code == 200
    except httpx.TransportError:
        return False


def burst(urls: list[str], headers: dict[str, str] | None = None) -> Counter[int]:
    """REQUESTS concurrent GETs, spread over ``urls`` in turn: the count of each status."""
    with httpx.Client(timeout=30, headers=headers) as client:

        def get(index: int) -> int:
            return client.get(f"{urls[index % len(urls)]}/v1/services").status_code

        with ThreadPoolExecutor(max_workers=16) as pool:
            return Counter(pool.map(get, range(REQUESTS)))


@pytest.fixture
def database(tmp_path: Path) -> Iterator[str]:
    """A migrated SQLite file of this test; the host's count of it is removed afterwards."""
    url = f"sqlite:///{tmp_path / 'masthead.db'}"
    migrate.upgrade(url)
    yield url
    default_state_file(url).unlink(missing_ok=True)


def limits(database: str, **settings: str) -> dict[str, str]:
    return environment(
        database_url=database,
        webhook_worker="false",
        rate_limit_enabled="true",
        rate_limit_window_seconds="3600",
        rate_limit_anonymous=str(QUOTA),
        **settings,
    )


def test_two_server_processes_on_one_database_share_the_quota_exactly(
    tmp_path: Path, database: str
) -> None:
    env = limits(database)
    with serving(tmp_path, env, env) as (first, second):
        # Each process counts at least once before the burst.
        assert httpx.get(f"{first}/v1/services").status_code == 200
        assert httpx.get(f"{second}/v1/services").status_code == 200
        answers = burst([first, second])
    assert answers == Counter({200: QUOTA - 2, 429: REQUESTS - QUOTA + 2})


def test_the_workers_of_one_server_share_each_quota_exactly(tmp_path: Path, database: str) -> None:
    sessions = make_sessionmaker(make_engine(database))
    with sessions.begin() as session:
        _, secret = create_token(session, "admin", [])
    env = limits(database, rate_limit_admin="25")
    with serving(tmp_path, env, workers=2) as (base,), ThreadPoolExecutor(max_workers=2) as pool:
        anonymous = pool.submit(burst, [base])
        admin = pool.submit(burst, [base], {"Authorization": f"Bearer {secret}"})
        assert anonymous.result() == Counter({200: QUOTA, 429: REQUESTS - QUOTA})
        assert admin.result() == Counter({200: 25, 429: REQUESTS - 25})


def test_with_redis_servers_on_two_hosts_share_the_quota_exactly(
    tmp_path: Path, database: str
) -> None:
    with throwaway_redis() as redis_url:
        hosts = [
            limits(
                database, redis_url=redis_url, rate_limit_state_file=str(tmp_path / f"host-{name}")
            )
            for name in "ab"
        ]
        with serving(tmp_path, *hosts) as bases:
            assert burst(bases) == Counter({200: QUOTA, 429: REQUESTS - QUOTA})
