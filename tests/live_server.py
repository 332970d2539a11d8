"""``masthead serve`` as a process on a free port of 127.0.0.1, on its own SQLite file
with the demo content and a token of each role (``en`` for the editor and viewer),
or empty.

The database is prepared in this process, through the code the ``db upgrade``, ``demo``
and ``token create`` commands run (tests/test_cli.py and tests/test_package.py run the
commands themselves): each command as a process of its own would start an interpreter
and import the app, seconds apiece on a loaded machine.
"""

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from app import migrate
from app.auth.service import create_token
from app.config import Settings
from app.db import make_engine, make_sessionmaker
from app.demo.loader import load_demo

ROOT = Path(__file__).resolve().parents[1]
#: Seconds for the server to migrate and answer (a few on an idle machine, more on a busy one).
SERVER_START = 180


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


class LiveServer:
    def __init__(
        self, folder: Path, *, demo: bool = True, extra_env: dict[str, str] | None = None
    ) -> None:
        database_url = f"sqlite:///{folder}/masthead.db"
        self.env = {**os.environ, "MASTHEAD_DATABASE_URL": database_url, **(extra_env or {})}
        migrate.upgrade(database_url)
        self.tokens: dict[str, str] = {}
        if demo:
            engine = make_engine(database_url)
            try:
                sessions = make_sessionmaker(engine, Settings(database_url=database_url).resizer())
                with sessions.begin() as session:
                    load_demo(session)
                    roles = {"admin": [], "editor": ["en"], "viewer": ["en"]}
                    self.tokens = {
                        role: create_token(session, role, services)[1]
                        for role, services in roles.items()
                    }
            finally:
                engine.dispose()
        port = free_port()
        self.host = f"127.0.0.1:{port}"
        self.url = f"http://{self.host}"
        self.log = (folder / "server.log").open("w+")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "app.cli", "serve", "--host", "127.0.0.1", "--port", str(port)],
            env=self.env,
            cwd=ROOT,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )

    def wait_until_ready(self) -> None:
        deadline = time.monotonic() + SERVER_START
        while True:
            try:
                with urllib.request.urlopen(f"{self.url}/healthz", timeout=5):
                    return
            except OSError:
                if self.process.poll() is not None or time.monotonic() > deadline:
                    self.log.seek(0)
                    pytest.fail(f"masthead serve did not start:\n{self.log.read()}")
                time.sleep(0.2)

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=10)
        self.log.close()
