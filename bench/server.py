"""Starting and stopping the servers under test, reading their memory, talking HTTP to them.

Masthead is started as users start it (``masthead serve --host --port --workers``), the
ceiling with the same uvicorn (``uvicorn bench.ceiling:app``, same loop, HTTP
implementation, log level, access log and proxy-headers settings). Each runs in its own
session so that the whole process tree (uvicorn's supervisor and workers) is stopped.
"""

from __future__ import annotations

import contextlib
import http.client
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
HOST = "127.0.0.1"
READY_TIMEOUT_S = 120
STOP_TIMEOUT_S = 15


class ServerError(RuntimeError):
    pass


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        port: int = sock.getsockname()[1]
        return port


@dataclass
class Server:
    name: str
    port: int
    workers: int
    process: subprocess.Popen[bytes]
    log_path: Path

    def log_tail(self, lines: int = 30) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""


def _executable(name: str) -> str:
    path = BIN / name
    if not path.exists():
        raise ServerError(f"{path} not found: run the benchmark with `uv run python -m bench`")
    return str(path)


def _spawn(
    name: str,
    command: list[str],
    env: Mapping[str, str],
    workers: int,
    port: int,
    logs: Path,
    wait: bool = True,
) -> Server:
    logs.mkdir(parents=True, exist_ok=True)
    log_path = logs / f"{name}-{workers}w-{port}.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            command,
            cwd=REPO,
            env={**os.environ, **env},
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    server = Server(name, port, workers, process, log_path)
    if wait:
        wait_ready(server)
    return server


def start_masthead(
    database_url: str,
    workers: int,
    logs: Path,
    env: Mapping[str, str] | None = None,
    *,
    wait: bool = True,
) -> Server:
    """``masthead serve``; with ``wait=False`` the caller waits (``wait_ready``), so that
    several servers start at once."""
    port = free_port()
    command = [
        _executable("masthead"),
        "serve",
        "--host",
        HOST,
        "--port",
        str(port),
        "--workers",
        str(workers),
    ]
    env = {"MASTHEAD_DATABASE_URL": database_url, **(env or {})}
    return _spawn("masthead", command, env, workers, port, logs, wait)


def start_ceiling(body_path: Path, workers: int, logs: Path, *, wait: bool = True) -> Server:
    from bench.ceiling import BODY_ENV

    port = free_port()
    # The same settings `masthead serve` hands to uvicorn.run (loop and http "auto").
    command = [
        _executable("uvicorn"),
        "bench.ceiling:app",
        "--host",
        HOST,
        "--port",
        str(port),
        "--workers",
        str(workers),
        "--log-level",
        "warning",
        "--no-access-log",
        "--proxy-headers",
    ]
    return _spawn("ceiling", command, {BODY_ENV: str(body_path)}, workers, port, logs, wait)


def wait_ready(server: Server) -> None:
    """Until the server answers /readyz with all its workers up; stopped if it never does."""
    try:
        _wait_ready(server)
    except BaseException:
        stop(server)
        raise


def _wait_ready(server: Server) -> None:
    deadline = time.monotonic() + READY_TIMEOUT_S
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise ServerError(
                f"{server.name} exited with {server.process.returncode}:\n{server.log_tail()}"
            )
        with contextlib.suppress(OSError, http.client.HTTPException):
            status, _, _ = get(server.port, "/readyz", timeout=2)
            if status == 200 and _workers_up(server):
                time.sleep(0.5)
                return
        time.sleep(0.2)
    raise ServerError(f"{server.name} not ready after {READY_TIMEOUT_S} s:\n{server.log_tail()}")


def _workers_up(server: Server) -> bool:
    if server.workers <= 1:
        return True
    # uvicorn's supervisor plus one process per worker (plus possibly a resource tracker).
    return len(process_tree(server.process.pid)) >= server.workers + 1


def stop(server: Server) -> None:
    """SIGTERM the server's process group, then SIGKILL whatever is left."""
    pgid = server.process.pid  # start_new_session: the group id is the leader's pid
    if server.process.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(pgid, signal.SIGTERM)
        with contextlib.suppress(subprocess.TimeoutExpired):
            server.process.wait(timeout=STOP_TIMEOUT_S)
    with contextlib.suppress(ProcessLookupError):
        os.killpg(pgid, signal.SIGKILL)
    with contextlib.suppress(subprocess.TimeoutExpired):
        server.process.wait(timeout=STOP_TIMEOUT_S)


@contextlib.contextmanager
def running(server: Server) -> Iterator[Server]:
    try:
        yield server
    finally:
        stop(server)


def process_tree(root: int) -> list[int]:
    """``root`` and all its descendants, from /proc."""
    children: dict[int, list[int]] = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            stat = Path(entry.path, "stat").read_text()
        except OSError:
            continue
        # The command name may hold spaces and parentheses: split after the last ')'.
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        children.setdefault(ppid, []).append(int(entry.name))
    found, stack = [], [root]
    while stack:
        pid = stack.pop()
        found.append(pid)
        stack.extend(children.get(pid, []))
    return found


def _status_kib(pid: int) -> dict[str, int]:
    found: dict[str, int] = {}
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            key, _, value = line.partition(":")
            if key in ("VmRSS", "RssAnon"):
                found[key] = int(value.split()[0])
    except (OSError, ValueError, IndexError):
        pass
    return found


@dataclass
class Memory:
    """RSS over the server's process tree; ``anon_mb`` leaves out file-backed pages
    (SQLite's memory-mapped database file counts in RSS as it is read)."""

    total_mb: float
    anon_mb: float
    per_process_mb: list[float]

    @property
    def max_process_mb(self) -> float:
        return max(self.per_process_mb, default=0.0)


def memory(server: Server) -> Memory:
    """RSS summed over the server's process tree (shared pages counted in each process)."""
    statuses = [_status_kib(pid) for pid in process_tree(server.process.pid)]
    statuses = [status for status in statuses if status.get("VmRSS")]
    sizes = [status["VmRSS"] / 1024 for status in statuses]
    anon = sum(status.get("RssAnon", 0) for status in statuses) / 1024
    return Memory(round(sum(sizes), 1), round(anon, 1), [round(size, 1) for size in sizes])


def get(
    port: int,
    path: str,
    headers: Mapping[str, str] | None = None,
    *,
    timeout: float = 10,
    connection: http.client.HTTPConnection | None = None,
) -> tuple[int, dict[str, str], bytes]:
    """A GET to 127.0.0.1:port (on ``connection`` when given, to reuse it)."""
    conn = connection or http.client.HTTPConnection(HOST, port, timeout=timeout)
    try:
        conn.request("GET", path, headers=dict(headers or {}))
        response = conn.getresponse()
        body = response.read()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, body
    finally:
        if connection is None:
            conn.close()


def request(
    port: int,
    method: str,
    path: str,
    body: bytes | None,
    headers: Mapping[str, str],
    *,
    timeout: float = 10,
) -> tuple[int, dict[str, str], bytes]:
    conn = http.client.HTTPConnection(HOST, port, timeout=timeout)
    try:
        conn.request(method, path, body=body, headers=dict(headers))
        response = conn.getresponse()
        data = response.read()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, data
    finally:
        conn.close()
