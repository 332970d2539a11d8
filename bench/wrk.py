"""Running wrk (1 thread, 32 connections) with bench/lua/paths.lua and reading its result."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

LUA_SCRIPT = Path(__file__).resolve().parent / "lua" / "paths.lua"
THREADS = 1
CONNECTIONS = 32
TIMEOUT_S = 5
_MARKER = "WRK_RESULT "


class WrkError(RuntimeError):
    pass


def ensure_wrk() -> str:
    """The path of wrk, installing the Debian package when it is missing."""
    found = shutil.which("wrk")
    if found:
        return found
    if os.geteuid() != 0:
        raise WrkError("wrk is missing; install it with `sudo apt-get install -y wrk`")
    print("wrk is missing: apt-get install -y wrk", flush=True)
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    install = ["apt-get", "install", "-y", "--no-install-recommends", "wrk"]
    result = subprocess.run(install, env=env, capture_output=True, text=True, timeout=300)
    if result.returncode != 0:
        # The package lists may be missing on a fresh image.
        subprocess.run(["apt-get", "update"], env=env, capture_output=True, timeout=300)
        result = subprocess.run(install, env=env, capture_output=True, text=True, timeout=300)
    found = shutil.which("wrk")
    if not found:
        raise WrkError(f"could not install wrk:\n{result.stdout[-2000:]}{result.stderr[-2000:]}")
    return found


@dataclass
class WrkRun:
    requests: int
    duration_s: float
    rps: float
    p50_ms: float
    p90_ms: float
    p99_ms: float
    max_ms: float
    errors_status: int
    errors_socket: int

    @property
    def errors(self) -> int:
        return self.errors_status + self.errors_socket


@dataclass
class WrkResult:
    """Several runs; the reported figures are those of the median run by rps."""

    runs: list[WrkRun]

    @property
    def median(self) -> WrkRun:
        ordered = sorted(self.runs, key=lambda run: run.rps)
        return ordered[(len(ordered) - 1) // 2]

    @property
    def rps(self) -> float:
        return self.median.rps

    @property
    def errors(self) -> int:
        return sum(run.errors for run in self.runs)

    @property
    def requests(self) -> int:
        return sum(run.requests for run in self.runs)


def run_wrk(wrk: str, port: int, paths_file: Path, duration_s: float) -> WrkRun:
    """One wrk run against 127.0.0.1:port, requests drawn from ``paths_file``."""
    seconds = max(1, round(duration_s))
    command = [
        wrk,
        f"-t{THREADS}",
        f"-c{CONNECTIONS}",
        f"-d{seconds}s",
        f"--timeout={TIMEOUT_S}s",
        "-s",
        str(LUA_SCRIPT),
        f"http://127.0.0.1:{port}",
        "--",
        str(paths_file),
    ]
    proc = subprocess.run(command, capture_output=True, text=True, timeout=seconds + 60)
    line = next((x for x in proc.stdout.splitlines() if x.startswith(_MARKER)), None)
    if proc.returncode != 0 or line is None:
        raise WrkError(f"wrk failed (exit {proc.returncode}):\n{proc.stdout}\n{proc.stderr}")
    data = json.loads(line[len(_MARKER) :])
    duration = data["duration_us"] / 1e6
    return WrkRun(
        requests=data["requests"],
        duration_s=duration,
        rps=data["requests"] / duration if duration else 0.0,
        p50_ms=data["p50_us"] / 1000,
        p90_ms=data["p90_us"] / 1000,
        p99_ms=data["p99_us"] / 1000,
        max_ms=data["max_us"] / 1000,
        errors_status=data["status"],
        errors_socket=data["connect"] + data["read"] + data["write"] + data["timeout"],
    )
