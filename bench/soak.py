"""Soak: the mixed workload against 2 workers for a long run while editors publish.

    uv run python -m bench.soak                       # 10 minutes, SQLite, 10,000 articles
    uv run python -m bench.soak --duration 120 --backend postgresql

The load is the benchmark's own (`wrk`, 1 thread, 32 connections, the `mixed` paths
file; `publish.Publisher` at 20 updates/s), run as consecutive slices so that latency
and memory are seen over time, not only at the end. It passes when no request failed,
the reads' and the writes' p99 stay within BENCH.md's bounds for reads while
publishing, and the servers' memory grew less than 10 % from the first slice to the
last. Prints a Markdown summary and writes the figures to
`bench/results/soak-<UTC time>.json`; exits 1 when a check fails.
"""

from __future__ import annotations

import argparse
import contextlib
import statistics
import sys
import time
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson

from bench import loading, publish
from bench.dataset import Dataset, build_dataset
from bench.runner import DEFAULT_CACHE, RESULTS
from bench.server import Memory, Server, memory, running, start_masthead
from bench.workloads import article_ids, newest_ids, prepare
from bench.wrk import WrkRun, ensure_wrk, run_wrk

#: BENCH.md, "mixed while publishing 20 updates/s".
READ_P99_MS = 25.0
WRITE_P99_MS = 100.0
MEMORY_GROWTH = 0.10


@dataclass
class Slice:
    at_s: float
    rps: float
    p50_ms: float
    p99_ms: float
    max_ms: float
    requests: int
    errors: int
    rss_mb: float
    anon_mb: float


@dataclass
class Soak:
    backend: str
    workers: int
    articles: int
    duration_s: float
    slice_s: float
    started_at: str
    slices: list[Slice] = field(default_factory=list)
    publish: dict[str, Any] = field(default_factory=dict)
    checks: dict[str, dict[str, Any]] = field(default_factory=dict)

    @property
    def passed(self) -> bool:
        return all(check["ok"] for check in self.checks.values())


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.soak", description=__doc__)
    parser.add_argument("--duration", type=float, default=600.0, help="seconds of load")
    parser.add_argument("--slice", type=float, default=30.0, help="seconds per wrk run")
    parser.add_argument("--warmup", type=float, default=10.0)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--articles", type=int, default=10_000)
    parser.add_argument("--backend", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--rate", type=float, default=publish.RATE_PER_S, help="updates/s")
    parser.add_argument("--cache", type=Path, default=DEFAULT_CACHE)
    parser.add_argument(
        "--reuse-db", action="store_true", help="a cached database built by other code"
    )
    return parser.parse_args(argv)


def log(message: str) -> None:
    print(f"[{datetime.now(UTC):%H:%M:%S}] {message}", flush=True)


@contextlib.contextmanager
def database(args: argparse.Namespace, dataset: Dataset, run_dir: Path) -> Iterator[str]:
    importer = loading.detect_importer()
    policy = "reuse" if args.reuse_db else "auto"
    if args.backend == "sqlite":
        url, _ = loading.sqlite_database(dataset, importer, args.cache, run_dir, policy, log)
        yield url
        return
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
    from pgcluster import throwaway_postgres  # type: ignore[import-not-found]

    with throwaway_postgres() as url:
        loading.postgres_database(url, dataset, importer, args.cache, run_dir, policy, log)
        yield url


def measure(server: Server, started: float, run: WrkRun) -> Slice:
    mem: Memory = memory(server)
    return Slice(
        at_s=round(time.monotonic() - started, 1),
        rps=round(run.rps, 1),
        p50_ms=round(run.p50_ms, 2),
        p99_ms=round(run.p99_ms, 2),
        max_ms=round(run.max_ms, 2),
        requests=run.requests,
        errors=run.errors,
        rss_mb=mem.total_mb,
        anon_mb=mem.anon_mb,
    )


def judge(soak: Soak, publisher: publish.Publisher) -> None:
    slices = soak.slices
    errors = sum(s.errors for s in slices) + publisher.errors
    read_p99 = max(s.p99_ms for s in slices)
    write_p99 = publisher.percentile(99)
    first, last = slices[0], slices[-1]
    growth = (last.rss_mb - first.rss_mb) / first.rss_mb if first.rss_mb else 0.0
    soak.publish = {
        "updates": publisher.updates,
        "per_second": round(publisher.per_second, 1),
        "p50_ms": publisher.percentile(50),
        "p99_ms": write_p99,
        "statuses": {str(k): v for k, v in sorted(publisher.statuses.items())},
    }
    soak.checks = {
        "errors": {"value": errors, "bound": "= 0", "ok": errors == 0},
        "read p99 (worst slice), ms": {
            "value": round(read_p99, 1),
            "bound": f"< {READ_P99_MS:g}",
            "ok": read_p99 < READ_P99_MS,
        },
        "write p99, ms": {
            "value": None if write_p99 is None else round(write_p99, 1),
            "bound": f"< {WRITE_P99_MS:g}",
            "ok": write_p99 is not None and write_p99 < WRITE_P99_MS,
        },
        "memory growth (RSS, first to last slice)": {
            "value": round(growth, 4),
            "bound": f"< {MEMORY_GROWTH:g}",
            "ok": growth < MEMORY_GROWTH,
        },
    }


def report(soak: Soak) -> str:
    rps = [s.rps for s in soak.slices]
    lines = [
        f"Soak: mixed + {soak.publish.get('per_second', 0)} updates/s, {soak.backend}, "
        f"{soak.workers} workers, {soak.articles:,} articles, {soak.duration_s:.0f} s "
        f"in {len(soak.slices)} slices",
        "",
        f"reads: {sum(s.requests for s in soak.slices):,} requests, rps median "
        f"{statistics.median(rps):,.0f} (min {min(rps):,.0f}), p50 median "
        f"{statistics.median(s.p50_ms for s in soak.slices):.2f} ms",
        f"writes: {soak.publish.get('updates', 0):,} updates, p50 "
        f"{soak.publish.get('p50_ms') or 0:.1f} ms, statuses {soak.publish.get('statuses')}",
        f"RSS: {soak.slices[0].rss_mb:.1f} MB after the first slice, "
        f"{soak.slices[-1].rss_mb:.1f} MB after the last",
        "",
        "| check | value | bound | |",
        "| --- | --- | --- | --- |",
    ]
    for name, check in soak.checks.items():
        mark = "✓" if check["ok"] else "✗"
        lines.append(f"| {name} | {check['value']} | {check['bound']} | {mark} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    wrk = ensure_wrk()
    run_dir = args.cache / "soak"
    logs = run_dir / "logs"
    run_dir.mkdir(parents=True, exist_ok=True)
    soak = Soak(
        backend=args.backend,
        workers=args.workers,
        articles=args.articles,
        duration_s=args.duration,
        slice_s=args.slice,
        started_at=datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z"),
    )
    dataset = build_dataset(args.articles, args.cache, log)
    with (
        database(args, dataset, run_dir) as url,
        running(start_masthead(url, args.workers, logs)) as server,
    ):
        ids = article_ids(url)
        paths = run_dir / "paths"
        prepared = prepare(server.port, ids, newest_ids(url), dataset.search_terms, paths, log=log)
        mixed = prepared.files["mixed"]
        if args.warmup > 0:
            run_wrk(wrk, server.port, mixed, args.warmup)
        publisher = publish.Publisher(
            server.port, publish.create_token(url), prepared.publish_ids, args.rate
        )
        publisher.start()
        started = time.monotonic()
        try:
            while time.monotonic() - started < args.duration - 1:
                left = args.duration - (time.monotonic() - started)
                run = run_wrk(wrk, server.port, mixed, min(args.slice, left))
                soak.slices.append(measure(server, started, run))
                s = soak.slices[-1]
                log(
                    f"{s.at_s:6.0f} s: {s.rps:,.0f} rps, p99 {s.p99_ms:.1f} ms, "
                    f"errors {s.errors}, RSS {s.rss_mb:.1f} MB, "
                    f"updates {publisher.updates:,}"
                )
                if server.process.poll() is not None:
                    raise SystemExit(f"masthead serve exited:\n{server.log_tail()}")
        finally:
            publisher.stop()
        judge(soak, publisher)
    RESULTS.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    out = RESULTS / f"soak-{stamp}.json"
    out.write_bytes(orjson.dumps(asdict(soak), option=orjson.OPT_INDENT_2))
    print(report(soak))
    print(f"\n(figures in {out.relative_to(RESULTS.parent.parent)})")
    return 0 if soak.passed else 1


if __name__ == "__main__":
    raise SystemExit(main())
