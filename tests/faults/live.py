"""Real servers for the fault tests: `masthead serve` subprocesses, and a PostgreSQL
cluster that can be stopped and started again on the same port."""

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pgcluster
import psycopg

from app.auth.service import create_token
from app.db import make_engine, make_sessionmaker

MASTHEAD = str(Path(sys.executable).with_name("masthead"))
REPO = Path(__file__).resolve().parents[2]
#: A loaded machine starts a server slowly; a test waits this long at most.
START_TIMEOUT_S = 120.0


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def wait_for(predicate: Any, timeout: float, what: str, every: float = 0.1) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        found = predicate()
        if found:
            return found
        if time.monotonic() > deadline:
            raise AssertionError(f"{what}: not within {timeout} s")
        time.sleep(every)


@dataclass
class Masthead:
    """A `masthead serve` process, as a user starts it."""

    database_url: str
    log: Path
    workers: int = 1
    env: dict[str, str] = field(default_factory=dict)
    port: int = field(default_factory=free_port)
    process: subprocess.Popen[bytes] | None = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def environment(self) -> dict[str, str]:
        return {
            **os.environ,
            "MASTHEAD_DATABASE_URL": self.database_url,
            "MASTHEAD_WEBHOOK_WORKER": "false",
            **self.env,
        }

    def start(self) -> "Masthead":
        command = [MASTHEAD, "serve", "--port", str(self.port), "--workers", str(self.workers)]
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(
                command,
                cwd=REPO,
                env=self.environment(),
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        wait_for(self._ready, START_TIMEOUT_S, f"masthead serve on {self.port}\n{self.tail()}")
        return self

    def _ready(self) -> bool:
        assert self.process is not None
        if self.process.poll() is not None:
            raise AssertionError(f"masthead serve exited:\n{self.tail()}")
        try:
            return httpx.get(self.base_url + "/healthz", timeout=2).status_code == 200
        except httpx.HTTPError:
            return False

    def tail(self, lines: int = 40) -> str:
        try:
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""

    def kill(self) -> None:
        """SIGKILL, as an out-of-memory killer or a pulled plug would."""
        if self.process is not None and self.process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=30)

    def terminate(self, timeout: float = 30) -> None:
        """SIGTERM, as a process manager stops a service; fails unless it stops cleanly."""
        assert self.process is not None
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            status = self.process.wait(timeout=timeout)
        finally:
            self.kill()
        # uvicorn shuts down, then dies of the signal it caught, as a process should.
        assert status in (0, -signal.SIGTERM), f"exit {status}\n{self.tail()}"

    def cli(self, *args: str) -> str:
        done = subprocess.run(
            [MASTHEAD, *args],
            cwd=REPO,
            env=self.environment(),
            capture_output=True,
            text=True,
            timeout=120,
            check=True,
        )
        return done.stdout

    def admin_token(self) -> str:
        # The command's own code path, in-process: a second interpreter start costs
        # seconds on a loaded machine.
        engine = make_engine(self.database_url)
        try:
            with make_sessionmaker(engine).begin() as session:
                _, secret = create_token(session, "admin", [], "faults")
        finally:
            engine.dispose()
        return secret


@contextlib.contextmanager
def masthead(database_url: str, log: Path, **kwargs: Any) -> Iterator[Masthead]:
    server = Masthead(database_url, log, **kwargs)
    try:
        yield server.start()
    finally:
        server.kill()


class Postgres:
    """A private PostgreSQL cluster on a fixed port, to stop under load and start again."""

    def __init__(self) -> None:
        bindir = pgcluster.find_pg_bindir()
        if bindir is None:
            raise RuntimeError("PostgreSQL server binaries are missing")
        self.bindir = bindir
        self.who = pgcluster._server_identity()
        self.workdir = pgcluster._make_workdir(self.who)
        self.datadir = self.workdir / "data"
        self.sockdir = self.workdir / "sock"
        self.logfile = self.workdir / "server.log"
        self.port = free_port()
        self.url = (
            f"postgresql+psycopg://{pgcluster.SUPERUSER}@127.0.0.1:{self.port}/"
            f"{pgcluster.DATABASE_NAME}"
        )

    def create(self) -> None:
        self.sockdir.mkdir(mode=0o700)
        if self.who.uid is not None and self.who.gid is not None:
            os.chown(self.sockdir, self.who.uid, self.who.gid)
        pgcluster._initdb(self.bindir, self.datadir, who=self.who, cwd=self.workdir)
        self.start()
        with psycopg.connect(
            host="127.0.0.1", port=self.port, user=pgcluster.SUPERUSER, autocommit=True
        ) as conn:
            conn.execute(f'CREATE DATABASE "{pgcluster.DATABASE_NAME}"')

    def _pg_ctl(self, *args: str) -> None:
        done = pgcluster._run(
            [str(self.bindir / "pg_ctl"), "-w", "-t", "60", "-D", str(self.datadir), *args],
            who=self.who,
            cwd=self.workdir,
            timeout=90,
        )
        if done.returncode != 0:
            raise RuntimeError(
                f"pg_ctl {' '.join(args)}: {pgcluster._output(done)}\n"
                + pgcluster._log_tail(self.logfile)
            )

    def start(self) -> None:
        # Durability stays on: the tests check that nothing committed is lost.
        options = f"-c listen_addresses=127.0.0.1 -p {self.port} -k {self.sockdir}"
        self._pg_ctl("-o", options, "-l", str(self.logfile), "start")

    def stop(self, mode: str = "fast") -> None:
        self._pg_ctl("-m", mode, "stop")

    def database(self, name: str) -> str:
        """A new, empty database in the cluster; its URL."""
        with psycopg.connect(
            host="127.0.0.1", port=self.port, user=pgcluster.SUPERUSER, autocommit=True
        ) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        return self.url.rsplit("/", 1)[0] + f"/{name}"

    def destroy(self) -> None:
        with contextlib.suppress(RuntimeError, OSError, subprocess.SubprocessError):
            if (self.datadir / "postmaster.pid").exists():
                self.stop("immediate")
        shutil.rmtree(self.workdir, ignore_errors=True)


@contextlib.contextmanager
def postgres() -> Iterator[Postgres]:
    pgcluster.ensure_server_binaries()
    cluster = Postgres()
    try:
        cluster.create()
        yield cluster
    finally:
        cluster.destroy()


def article(headline: str, paragraphs: int = 3, service: str = "en") -> dict[str, Any]:
    return {
        "service": service,
        "headline": headline,
        "body": [
            {"type": "paragraph", "text": f"{headline}: paragraph {n} of the story."}
            for n in range(paragraphs)
        ],
    }


class Newsroom:
    """An admin's HTTP client of a live server, with the service `en` in place."""

    def __init__(self, server: Masthead) -> None:
        self.server = server
        self.token = server.admin_token()
        self.http = httpx.Client(
            base_url=server.base_url,
            headers={"Authorization": f"Bearer {self.token}"},
            timeout=30,
        )

    def ensure_service(self, code: str = "en", language: str = "en") -> None:
        response = self.http.post(
            "/v1/services", json={"code": code, "name": code.upper(), "language": language}
        )
        assert response.status_code in (201, 409), response.text

    def publish(self, headline: str) -> int:
        created = self.http.post("/v1/articles", json=article(headline))
        assert created.status_code == 201, created.text
        article_id: int = created.json()["id"]
        published = self.http.post(f"/v1/articles/{article_id}/publish")
        assert published.status_code == 200, published.text
        return article_id

    def close(self) -> None:
        self.http.close()
