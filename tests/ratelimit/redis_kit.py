"""A throwaway ``redis-server`` (Debian's package) for the tests, on a free port of 127.0.0.1."""

import os
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import redis


def redis_server_binary() -> str:
    """The ``redis-server`` binary; a machine without it skips the test that needs it, saying
    why, but under CI (whose setup installs it) a missing one fails the test."""
    found = shutil.which("redis-server")
    if found is not None:
        return found
    reason = "needs redis-server (Debian package 'redis-server'; .ci/run installs it)"
    if os.environ.get("CI", "").strip().lower() not in ("", "0", "false"):
        pytest.fail(f"{reason}; CI must have it", pytrace=False)
    pytest.skip(reason)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@contextmanager
def throwaway_redis() -> Iterator[str]:
    """A redis-server with no persistence, stopped and removed on exit; yields its URL."""
    binary = redis_server_binary()
    with tempfile.TemporaryDirectory(prefix="masthead-redis-") as folder:
        port = free_port()
        log = Path(folder) / "redis.log"
        process = subprocess.Popen(
            [
                binary,
                "--port", str(port),
                "--bind", "127.0.0.1",
                "--save", "",
                "--appendonly", "no",
                "--dir", folder,
                "--logfile", str(log),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )  # fmt: skip
        url = f"redis://127.0.0.1:{port}/0"
        try:
            client = redis.Redis.from_url(url, socket_timeout=1)
            deadline = time.monotonic() + 15
            while True:
                assert process.poll() is None, log.read_text(errors="replace")
                try:
                    client.ping()
                    break
                except redis.ConnectionError:
                    assert time.monotonic() < deadline, "redis-server did not start"
                    time.sleep(0.05)
            client.close()
            yield url
        finally:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
