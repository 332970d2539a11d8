"""The ``publish`` workload: editorial updates at a steady rate while ``mixed`` runs.

Needs the editorial API (``masthead token create`` and ``PATCH /v1/articles/{id}``
with ``If-Match``); until both exist the workload reports why it cannot run.
"""

from __future__ import annotations

import http.client
import os
import random
import statistics
import subprocess
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime

import orjson

from bench.server import BIN, REPO, get, request

RATE_PER_S = 20.0
MAX_IN_FLIGHT = 32
PATCH_PATH = "/v1/articles/{article_id}"


def missing_support(port: int) -> str | None:
    """Why publishing cannot be benchmarked yet, or None when it can."""
    status, _, body = get(port, "/openapi.json")
    if status != 200:
        return "n/a (no /openapi.json)"
    paths = orjson.loads(body).get("paths", {})
    if "patch" not in paths.get(PATCH_PATH, {}):
        return "n/a (write API missing: PATCH /v1/articles/{id})"
    proc = subprocess.run(
        [str(BIN / "masthead"), "token", "--help"], capture_output=True, timeout=60, cwd=REPO
    )
    if proc.returncode != 0:
        return "n/a (`masthead token` missing)"
    return None


def create_token(database_url: str) -> str:
    proc = subprocess.run(
        [str(BIN / "masthead"), "token", "create", "--role", "admin", "--name", "bench"],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=REPO,
        env={**os.environ, "MASTHEAD_DATABASE_URL": database_url},
        check=True,
    )
    return proc.stdout.strip().splitlines()[-1].strip()


class Publisher(threading.Thread):
    """Edits random articles (a merge patch of the dek) at ``rate`` per second.

    Open loop, as independent editors are: an update starts every 1/rate s whether or
    not the previous ones have finished, up to ``MAX_IN_FLIGHT`` at once; an update that
    would exceed it is not sent and counted (status 0) as an error.
    """

    def __init__(self, port: int, token: str, ids: list[int], rate: float = RATE_PER_S) -> None:
        super().__init__(name="publisher", daemon=True)
        self.port = port
        self.token = token
        self.ids = ids
        self.rate = rate
        self.latencies_ms: list[float] = []
        self.statuses: Counter[int] = Counter()
        self.started_at = 0.0
        self.stopped_at = 0.0
        self._stop_event = threading.Event()
        self._lock = threading.Lock()
        self._slots = threading.BoundedSemaphore(MAX_IN_FLIGHT)
        self._editing: set[int] = set()  # never two updates of one article at once (412)

    def stop(self) -> None:
        self._stop_event.set()
        self.join(timeout=60)

    def run(self) -> None:
        rng = random.Random(5)
        interval = 1 / self.rate
        with ThreadPoolExecutor(MAX_IN_FLIGHT, thread_name_prefix="editor") as pool:
            self.started_at = next_at = time.monotonic()
            while not self._stop_event.is_set():
                if self._slots.acquire(blocking=False):
                    article_id = rng.choice(self.ids)
                    with self._lock:
                        while article_id in self._editing:
                            article_id = rng.choice(self.ids)
                        self._editing.add(article_id)
                    pool.submit(self._update, article_id)
                else:
                    self._record(0, 0.0)
                next_at += interval
                self._stop_event.wait(max(0.0, next_at - time.monotonic()))
            self.stopped_at = time.monotonic()

    def _update(self, article_id: int) -> None:
        path = PATCH_PATH.format(article_id=article_id)
        auth = {"Authorization": f"Bearer {self.token}"}
        began = time.monotonic()
        try:
            status, headers, _ = get(self.port, path, auth, timeout=30)
            if status == 200:
                patch = {"dek": f"Updated by the benchmark at {datetime.now(UTC).isoformat()}"}
                status, _, _ = request(
                    self.port,
                    "PATCH",
                    path,
                    orjson.dumps(patch),
                    {
                        **auth,
                        "If-Match": headers.get("etag", ""),
                        "Content-Type": "application/merge-patch+json",
                    },
                    timeout=30,
                )
        except (OSError, http.client.HTTPException):
            status = -1
        finally:
            with self._lock:
                self._editing.discard(article_id)
            self._slots.release()
        self._record(status, (time.monotonic() - began) * 1000)

    def _record(self, status: int, latency_ms: float) -> None:
        with self._lock:
            self.statuses[status] += 1
            if status != 0:
                self.latencies_ms.append(latency_ms)

    @property
    def updates(self) -> int:
        return sum(n for status, n in self.statuses.items() if 200 <= status < 300)

    @property
    def errors(self) -> int:
        return sum(self.statuses.values()) - self.updates

    @property
    def per_second(self) -> float:
        elapsed = self.stopped_at - self.started_at
        return self.updates / elapsed if elapsed > 0 else 0.0

    def percentile(self, q: float) -> float | None:
        if len(self.latencies_ms) < 2:
            return self.latencies_ms[0] if self.latencies_ms else None
        return statistics.quantiles(self.latencies_ms, n=100, method="inclusive")[int(q) - 1]
