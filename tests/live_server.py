"""``masthead serve`` as a process on a free port of 127.0.0.1, on its own SQLite file
with the demo content and a token of each role (``en`` for the editor and viewer),
or empty."""

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

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
        self.env = {
            **os.environ,
            "MASTHEAD_DATABASE_URL": f"sqlite:///{folder}/masthead.db",
            **(extra_env or {}),
        }
        self.masthead("db", "upgrade")
        self.tokens: dict[str, str] = {}
        if demo:
            self.masthead("demo")
            self.tokens = {
                "admin": self.masthead("token", "create", "--role", "admin"),
                "editor": self.masthead("token", "create", "--role", "editor", "--service", "en"),
                "viewer": self.masthead("token", "create", "--role", "viewer", "--service", "en"),
            }
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

    def masthead(self, *args: str) -> str:
        """Runs the command line tool on the server's database; its last line."""
        done = subprocess.run(
            [sys.executable, "-m", "app.cli", *args],
            env=self.env,
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
            timeout=300,
        )
        return done.stdout.strip().splitlines()[-1] if done.stdout.strip() else ""

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
