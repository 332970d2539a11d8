"""The benchmark run: data set, databases, ceiling, workloads, report."""

from __future__ import annotations

import argparse
import contextlib
import os
import platform
import shutil
import signal
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson

from bench import loading, publish, search_quality
from bench.dataset import Dataset, build_dataset
from bench.report import (
    Row,
    ScaleRow,
    apply_targets,
    as_json,
    markdown_table,
    scale_table,
)
from bench.server import (
    REPO,
    Server,
    memory,
    running,
    start_ceiling,
    start_masthead,
    wait_ready,
)
from bench.workloads import (
    ALL_WORKLOADS,
    MISS_CACHE_MB,
    MISS_WORKLOADS,
    READ_WORKLOADS,
    SELECTORS,
    Prepared,
    article_ids,
    detail_body,
    headline_queries,
    newest_ids,
    prepare,
)
from bench.wrk import WrkError, WrkResult, WrkRun, ensure_wrk, run_wrk

RESULTS = REPO / "bench" / "results"
DEFAULT_CACHE = Path("/tmp/masthead-bench")
BACKENDS = ("sqlite", "postgresql")
QUICK_ARTICLES = 10_000
SCALE_ARTICLES = 10_000
SCALE_WORKLOADS = ("detail-hot", "detail-miss", "list", "list-deep")


@dataclass
class Options:
    articles: int
    quick: bool
    backends: list[str]
    workers: list[int]
    duration: float
    warmup: float
    repetitions: int
    workloads: list[str]
    scale_check: bool
    cache: Path
    db_policy: str
    ceiling_every: str
    replica: bool


def parse_args(argv: list[str] | None) -> Options:
    parser = argparse.ArgumentParser(
        prog="python -m bench",
        description="Masthead's benchmark (../shared/BENCH.md): wrk against `masthead serve` "
        "on SQLite and PostgreSQL, every figure also as a ratio to a bare-FastAPI ceiling.",
    )
    parser.add_argument("--articles", type=int, help="articles in the data set (100,000)")
    parser.add_argument(
        "--quick",
        action="store_true",
        help="10,000 articles, 1 repetition, SQLite, 1 worker, 5 s runs: under 3 minutes",
    )
    parser.add_argument("--backends", help="comma-separated: sqlite,postgresql")
    parser.add_argument("--workers", help="comma-separated server worker counts (1,2)")
    parser.add_argument("--duration", type=float, help="seconds per measured run (10)")
    parser.add_argument("--warmup", type=float, help="seconds of warm-up before each workload (2)")
    parser.add_argument("--repetitions", type=int, help="measured runs per workload (3)")
    parser.add_argument(
        "--workloads",
        help=f"comma-separated subset of: {','.join(ALL_WORKLOADS)}, or detail, detail-304 "
        "(both their rows) (default: all; with "
        "--quick all but search-quality, which has its own command, python -m "
        "bench.search_quality)",
    )
    parser.add_argument(
        "--scale-check",
        action="store_true",
        help="also run detail and list at 10,000 articles and report the ratio",
    )
    parser.add_argument(
        "--cache",
        type=Path,
        default=DEFAULT_CACHE,
        help=f"data sets and databases ({DEFAULT_CACHE})",
    )
    cached = parser.add_mutually_exclusive_group()
    cached.add_argument(
        "--rebuild-db",
        action="store_true",
        help="import afresh even when a cached database was built by the current code",
    )
    cached.add_argument(
        "--reuse-db",
        action="store_true",
        help="use the cached database of this size even if the store code changed since "
        "(by default a change to migrations, models, imports, rendering or summaries "
        "means a fresh import)",
    )
    parser.add_argument(
        "--ceiling-every",
        choices=("run", "session"),
        default="run",
        help="pair every measured run with a ceiling run just before it (default; robust "
        "on a shared machine), or measure the ceiling once per server session (faster)",
    )
    parser.add_argument(
        "--replica",
        action="store_true",
        help="PostgreSQL with a streaming replica (pg_basebackup of the primary): "
        "public reads go to the replica (MASTHEAD_DATABASE_REPLICA_URLS)",
    )
    args = parser.parse_args(argv)
    quick = bool(args.quick)
    chosen = args.workloads or ",".join(
        w for w in ALL_WORKLOADS if not (quick and w == "search-quality")
    )
    workloads = [w.strip() for w in chosen.split(",") if w.strip()]
    unknown = sorted(set(workloads) - set(ALL_WORKLOADS) - set(SELECTORS))
    if unknown:
        parser.error(f"unknown workloads: {', '.join(unknown)}")
    backends = (args.backends or ("sqlite" if quick else ",".join(BACKENDS))).split(",")
    if set(backends) - set(BACKENDS):
        parser.error(f"backends are {', '.join(BACKENDS)}")
    workers = [int(w) for w in (args.workers or ("1" if quick else "1,2")).split(",")]
    if any(w < 1 for w in workers):
        parser.error("workers must be ≥ 1")
    articles = args.articles or (QUICK_ARTICLES if quick else 100_000)
    if articles < 100:
        parser.error("--articles must be at least 100")
    return Options(
        articles=articles,
        quick=quick,
        backends=backends,
        workers=workers,
        duration=args.duration or (5 if quick else 10),
        warmup=args.warmup if args.warmup is not None else (1 if quick else 2),
        repetitions=args.repetitions or (1 if quick else 3),
        workloads=workloads,
        scale_check=bool(args.scale_check),
        cache=args.cache,
        db_policy="rebuild" if args.rebuild_db else "reuse" if args.reuse_db else "auto",
        ceiling_every=args.ceiling_every,
        replica=bool(args.replica),
    )


@dataclass
class Session:
    """One server configuration under load, with its ceiling running beside it."""

    backend: str
    workers: int
    server: Server
    ceiling: Server
    #: The same server with a front cache too small to answer (the miss rows).
    miss: Server | None = None
    ceiling_runs: list[WrkRun] = field(default_factory=list)
    reference: float | None = None  # --ceiling-every session: the ceiling's median rps


class Bench:
    def __init__(self, options: Options) -> None:
        self.options = options
        self.started = time.monotonic()
        self.run_dir = options.cache / "run"
        self.logs = self.run_dir / "logs"
        self.rows: list[Row] = []
        self.scale_rows: list[ScaleRow] = []
        self.quality: dict[str, Any] = {}
        self.ceiling_body: Path | None = None
        self.ceiling_paths: Path | None = None
        self.notes: list[str] = []
        self.importer = ""
        self.wrk = ""
        self.dataset: Dataset | None = None
        self.phases: dict[str, float] = {}
        self.replica_url: str | None = None
        #: The publishing workload's admin token, made while the workloads are prepared.
        self.token: Future[str] | None = None
        selected = set(options.workloads)
        self.selected = {row for name in selected for row in SELECTORS.get(name, (name,))}

    # -- helpers --------------------------------------------------------------

    def log(self, message: str) -> None:
        print(f"[{time.monotonic() - self.started:7.1f}s] {message}", flush=True)

    @contextlib.contextmanager
    def phase(self, name: str) -> Iterator[None]:
        began = time.monotonic()
        try:
            yield
        finally:
            self.phases[name] = round(self.phases.get(name, 0) + time.monotonic() - began, 1)

    def wrk_run(self, server: Server, paths: Path, seconds: float) -> WrkRun:
        return run_wrk(self.wrk, server.port, paths, seconds)

    def measure(
        self, session: Session, paths: Path, server: Server | None = None
    ) -> tuple[WrkResult, list[float]]:
        """Warm up, then each measured run paired with a ceiling run just before it.

        A ratio is taken per pair, so the machine's noise (other jobs on a shared host)
        largely cancels out; the reported ratio is the median of the pairs.
        """
        o = self.options
        server = server or session.server
        assert self.ceiling_paths is not None
        if o.warmup > 0:
            self.wrk_run(server, paths, o.warmup)
        runs, ratios = [], []
        for _ in range(o.repetitions):
            if o.ceiling_every == "run":
                ceiling = self.wrk_run(session.ceiling, self.ceiling_paths, o.duration)
                session.ceiling_runs.append(ceiling)
                reference = ceiling.rps
            else:
                reference = self.session_reference(session)
            run = self.wrk_run(server, paths, o.duration)
            runs.append(run)
            ratios.append(run.rps / reference if reference else 0.0)
        return WrkResult(runs), ratios

    def session_reference(self, session: Session) -> float:
        if session.reference is None:
            assert self.ceiling_paths is not None
            for _ in range(self.options.repetitions):
                run = self.wrk_run(session.ceiling, self.ceiling_paths, self.options.duration)
                session.ceiling_runs.append(run)
            session.reference = WrkResult(session.ceiling_runs).rps
        return session.reference

    def row(
        self,
        workload: str,
        session: Session,
        result: WrkResult,
        ratios: list[float],
        server: Server | None = None,
    ) -> Row:
        median = result.median
        mem = memory(server or session.server)
        return Row(
            workload=workload,
            backend=session.backend,
            workers=session.workers,
            rps=round(median.rps, 1),
            p50_ms=round(median.p50_ms, 3),
            p99_ms=round(median.p99_ms, 3),
            ratio=round(statistics.median(ratios), 3) if ratios else None,
            rss_mb=mem.total_mb,
            rss_max_process_mb=mem.max_process_mb,
            rss_anon_mb=mem.anon_mb,
            errors=result.errors,
            requests=result.requests,
            runs=[
                {**asdict(run), "ratio": round(r, 3)}
                for run, r in zip(result.runs, ratios, strict=True)
            ],
        )

    def ceiling_row(self, session: Session) -> Row:
        result = WrkResult(session.ceiling_runs)
        median = result.median
        mem = memory(session.ceiling)
        size = self.ceiling_body.stat().st_size if self.ceiling_body else 0
        return Row(
            workload="ceiling",
            backend=session.backend,
            workers=session.workers,
            rps=round(median.rps, 1),
            p50_ms=round(median.p50_ms, 3),
            p99_ms=round(median.p99_ms, 3),
            ratio=1.0,
            rss_mb=mem.total_mb,
            rss_max_process_mb=mem.max_process_mb,
            rss_anon_mb=mem.anon_mb,
            errors=result.errors,
            requests=result.requests,
            note=f"bare FastAPI, prebuilt {size:,}-byte body; median of {len(result.runs)} runs",
            runs=[asdict(run) for run in result.runs],
        )

    def summary(self, row: Row) -> str:
        ratio = f", {row.ratio:.2f}× ceiling" if row.ratio is not None else ""
        return (
            f"  {row.workload} [{row.backend}, {row.workers}w]: {row.rps or 0:,.0f} rps, "
            f"p50 {row.p50_ms or 0:.2f} ms, p99 {row.p99_ms or 0:.2f} ms{ratio}, "
            f"{row.errors} errors, RSS {row.rss_mb or 0:,.0f} MB"
        )

    # -- the run --------------------------------------------------------------

    def run(self) -> None:
        o = self.options
        self.log(
            f"masthead bench: {o.articles:,} articles, backends {','.join(o.backends)}, "
            f"workers {','.join(map(str, o.workers))}, {o.repetitions}× {o.duration:g} s "
            f"after {o.warmup:g} s warm-up, ceiling every {o.ceiling_every}"
        )
        with self.phase("wrk"):
            self.wrk = ensure_wrk()
        if self.run_dir.exists():
            shutil.rmtree(self.run_dir)
        self.run_dir.mkdir(parents=True)
        with self.phase("data set"), ThreadPoolExecutor(1) as pool:
            # A start of the command line, while the data set is read or made.
            importer = pool.submit(loading.detect_importer)
            self.dataset = build_dataset(o.articles, o.cache, log=self.log)
            self.importer = importer.result()
        if self.importer == loading.FALLBACK:
            self.notes.append(
                "`masthead import` does not exist yet: databases were built, and the import "
                "workload measured, with the in-process fallback (bench/fallback_import.py)."
            )
        self.log(f"importer: {self.importer}")
        for backend in o.backends:
            self.run_backend(backend, self.dataset)
        if o.scale_check:
            self.run_scale_check()
        if "search-quality" in self.selected:
            self.run_search_quality()

    def run_search_quality(self) -> None:
        """recall@10 and MRR per language on each store (bench/search_quality.py)."""
        if not search_quality.available():
            self.notes.append("search-quality: the corpora of ../shared/data are absent.")
            return
        # --quick: 300 records of each news corpus, as the test takes them.
        with self.phase("search quality"):
            self.quality = search_quality.measure(
                self.options.backends, 300 if self.options.quick else None
            )

    @contextlib.contextmanager
    def database(self, backend: str, dataset: Dataset) -> Iterator[str]:
        """The database URL of ``backend`` filled with ``dataset``, for the block's duration."""
        o = self.options
        if backend == "sqlite":
            with self.phase("databases"):
                url, result = loading.sqlite_database(
                    dataset, self.importer, o.cache, self.run_dir, o.db_policy, self.log
                )
            self._import_row(result, dataset)
            try:
                yield url
            finally:
                for suffix in ("", "-wal", "-shm"):
                    Path(f"{self.run_dir / 'sqlite.db'}{suffix}").unlink(missing_ok=True)
            return
        sys.path.insert(0, str(REPO / "tests"))
        from pgcluster import throwaway_postgres  # type: ignore[import-not-found]
        from replicas.standby import primary_and_standby  # type: ignore[import-not-found]

        with contextlib.ExitStack() as stack:
            if o.replica:
                url, standby = stack.enter_context(primary_and_standby())
            else:
                url, standby = stack.enter_context(throwaway_postgres()), None
            with self.phase("databases"):
                result = loading.postgres_database(
                    url, dataset, self.importer, o.cache, self.run_dir, o.db_policy, self.log
                )
                if standby is not None:
                    standby.wait_for(url)
                    self.replica_url = standby.url
                    self.log(f"postgresql: replica at {standby.url} has replayed the load")
            self._import_row(result, dataset)
            yield url

    def _import_row(self, result: loading.ImportResult, dataset: Dataset) -> None:
        if "import" not in self.selected or dataset is not self.dataset:
            return
        note = result.importer
        if result.cached:
            note += f"; cached database, measured {result.measured_at[:16]}Z"
        note += f"; {result.articles:,} articles in {result.seconds:,.1f} s"
        if result.cpu_rate is not None:
            note += (
                f" ({result.cpu_rate:,.0f} per CPU-second of the importer, "
                f"load average {result.load_average})"
            )
        self.rows.append(
            Row(
                workload="import",
                backend=result.backend,
                workers=None,
                rps=round(result.rate, 1),
                note=note,
            )
        )

    @contextlib.contextmanager
    def session(
        self, backend: str, url: str, workers: int, ids: list[int], *, miss: bool
    ) -> Iterator[Session]:
        """``masthead serve`` and the ceiling, both up for the block's duration, and
        with ``miss`` a second ``masthead serve`` whose front cache is too small to
        answer (it stays idle while the others are measured)."""
        self.log(f"{backend}: masthead serve --workers {workers}")
        env = {}
        if backend == "postgresql" and self.replica_url is not None:
            env["MASTHEAD_DATABASE_REPLICA_URLS"] = self.replica_url
            backend = "postgresql+replica"
        with contextlib.ExitStack() as stack:
            # One masthead after the other: a server's start writes to the store
            # (migrations, the clock's changes), and two at once on SQLite can outwait
            # busy_timeout. The ceiling, which reads no store, starts beside the second.
            server = stack.enter_context(running(start_masthead(url, workers, self.logs, env)))
            miss_server = None
            if miss:
                small = {**env, "MASTHEAD_FRONT_CACHE_MB": str(MISS_CACHE_MB)}
                miss_server = stack.enter_context(
                    running(start_masthead(url, workers, self.logs, small, wait=False))
                )
            if self.ceiling_body is None:
                body = detail_body(server.port, ids)
                self.ceiling_body = self.run_dir / "ceiling-body.json"
                self.ceiling_body.write_bytes(body)
                self.ceiling_paths = self.run_dir / "ceiling-paths.txt"
                lines = [f"/v1/articles/{i}" for i in ids[:1000]]
                self.ceiling_paths.write_text("\n".join(lines) + "\n")
                self.log(f"ceiling: body of {len(body):,} bytes (a median article detail)")
            ceiling = stack.enter_context(
                running(start_ceiling(self.ceiling_body, workers, self.logs, wait=False))
            )
            for started in (miss_server, ceiling):
                if started is not None:
                    wait_ready(started)
            if self.options.warmup > 0:
                assert self.ceiling_paths is not None
                self.wrk_run(ceiling, self.ceiling_paths, self.options.warmup)
            yield Session(backend, workers, server, ceiling, miss_server)

    def run_backend(self, backend: str, dataset: Dataset) -> None:
        o = self.options
        self.token = None
        reads = [w for w in READ_WORKLOADS if w in self.selected]
        if not reads and "publish" not in self.selected:
            with self.database(backend, dataset):
                return
        with self.database(backend, dataset) as url:
            ids, hot = article_ids(url), newest_ids(url)
            self.log(f"{backend}: {len(ids):,} article ids sampled, {len(hot)} newest")
            prepared: Prepared | None = None
            miss = bool(MISS_WORKLOADS & set(reads))
            for workers in o.workers:
                with self.session(backend, url, workers, ids, miss=miss) as session:
                    if prepared is None:
                        if "publish" in self.selected:
                            # A start of the command line, while nothing is measured.
                            self.token = ThreadPoolExecutor(1).submit(publish.create_token, url)
                        with self.phase("preparation"):
                            prepared = prepare(
                                session.server.port,
                                ids,
                                hot,
                                dataset.search_terms,
                                self.run_dir / f"paths-{backend}",
                                log=self.log,
                                miss_queries=headline_queries(url, ids)
                                if "search-miss" in reads
                                else None,
                            )
                    with self.phase("load"):
                        rows = self.run_workloads(session, prepared, reads, url)
                    if session.ceiling_runs:
                        ceiling = self.ceiling_row(session)
                        self.log(self.summary(ceiling))
                        rows.insert(0, ceiling)
                    self.rows.extend(rows)

    def run_workloads(
        self, session: Session, prepared: Prepared, reads: list[str], url: str
    ) -> list[Row]:
        rows = []
        where = f"[{session.backend}, {session.workers}w]"
        for name in reads:
            if name in prepared.missing:
                rows.append(
                    Row(name, session.backend, session.workers, note=prepared.missing[name])
                )
                self.log(f"  {name} {where}: {prepared.missing[name]}")
                continue
            server = session.miss if name in MISS_WORKLOADS else session.server
            assert server is not None
            try:
                result, ratios = self.measure(session, prepared.files[name], server)
            except WrkError as exc:
                failure = self.failure(session, exc, server)
                rows.append(Row(name, session.backend, session.workers, note=failure))
                self.log(f"  {name} {where}: {failure}")
                if session.server.process.poll() is not None:
                    return rows
                continue
            row = self.row(name, session, result, ratios, server)
            row.note = prepared.notes.get(name, "")
            row.checks = prepared.checks.get(name, {})
            rows.append(row)
            self.log(self.summary(row))
        if "publish" in self.selected:
            try:
                rows.extend(self.run_publish(session, prepared, url))
            except (WrkError, OSError, subprocess.SubprocessError) as exc:
                failure = self.failure(session, exc)
                rows.append(Row("publish", session.backend, session.workers, note=failure))
                self.log(f"  publish {where}: {failure}")
        return rows

    def failure(self, session: Session, exc: Exception, server: Server | None = None) -> str:
        """A note for a workload that could not be measured; the details go to the log."""
        server = server or session.server
        self.notes.append(f"{session.backend}, {session.workers} worker(s): {exc}")
        if server.process.poll() is not None:
            self.notes.append(f"masthead serve exited:\n{server.log_tail()}")
            return f"failed: the server exited ({server.process.returncode})"
        return f"failed: {type(exc).__name__}"

    def run_publish(self, session: Session, prepared: Prepared, url: str) -> list[Row]:
        missing = publish.missing_support(session.server.port)
        if missing:
            self.log(f"  publish [{session.backend}, {session.workers}w]: {missing}")
            return [Row("publish", session.backend, session.workers, note=missing)]
        token = self.token.result() if self.token is not None else publish.create_token(url)
        publisher = publish.Publisher(session.server.port, token, prepared.publish_ids)
        publisher.start()
        try:
            result, ratios = self.measure(session, prepared.files["mixed"])
        finally:
            publisher.stop()
        reads = self.row("mixed (publishing)", session, result, ratios)
        reads.note = (
            f"reads while {publisher.per_second:.1f} updates/s; "
            f"load average {os.getloadavg()[0]:.1f}"
        )
        self.log(self.summary(reads))
        labels = {0: "not sent (32 in flight)", -1: "connection failed"}
        statuses = ", ".join(
            f"{labels.get(k, k)}: {v}" for k, v in sorted(publisher.statuses.items())
        )
        writes = Row(
            workload="publish",
            backend=session.backend,
            workers=session.workers,
            rps=round(publisher.per_second, 1),
            p50_ms=publisher.percentile(50),
            p99_ms=publisher.percentile(99),
            errors=publisher.errors,
            requests=sum(publisher.statuses.values()),
            note=f"updates/s (GET + PATCH each, aiming at {publish.RATE_PER_S:g}/s); "
            f"statuses {statuses}",
        )
        return [reads, writes]

    def run_scale_check(self) -> None:
        """detail and list at 10,000 articles, compared by their ratio to the ceiling."""
        o = self.options
        if o.articles <= SCALE_ARTICLES:
            self.notes.append(
                f"--scale-check skipped: the data set is not above {SCALE_ARTICLES:,}."
            )
            return
        small = build_dataset(SCALE_ARTICLES, o.cache, log=self.log)
        workers = 1 if 1 in o.workers else o.workers[0]
        for backend in o.backends:
            with self.database(backend, small) as url:
                ids = article_ids(url)
                with self.session(backend, url, workers, ids, miss=True) as session:
                    prepared = prepare(
                        session.server.port,
                        ids,
                        newest_ids(url),
                        small.search_terms,
                        self.run_dir / f"paths-{backend}-small",
                        log=self.log,
                    )
                    for name in SCALE_WORKLOADS:
                        full = next(
                            (
                                r
                                for r in self.rows
                                if (r.workload, r.backend, r.workers) == (name, backend, workers)
                                and r.ratio
                            ),
                            None,
                        )
                        if full is None or name not in prepared.files:
                            continue
                        server = session.miss if name in MISS_WORKLOADS else session.server
                        result, ratios = self.measure(session, prepared.files[name], server)
                        scale = ScaleRow(
                            workload=name,
                            backend=backend,
                            workers=workers,
                            articles_full=o.articles,
                            articles_small=SCALE_ARTICLES,
                            rps_full=full.rps or 0.0,
                            rps_small=round(result.rps, 1),
                            ratio_full=full.ratio or 0.0,
                            ratio_small=round(statistics.median(ratios), 3),
                        )
                        self.scale_rows.append(scale)
                        self.log(
                            f"  scale {name} [{backend}]: {scale.ratio_full:.2f}× ceiling at "
                            f"{o.articles:,}, {scale.ratio_small:.2f}× at {SCALE_ARTICLES:,}"
                        )

    # -- output ---------------------------------------------------------------

    def report(self, error: str | None) -> str:
        o = self.options
        apply_targets(self.rows, o.articles)
        elapsed = time.monotonic() - self.started
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
        mode = "quick" if o.quick else "full"
        manifest = self.dataset.manifest if self.dataset else {}
        lines = [
            f"# Masthead benchmark, {stamp} ({mode})",
            "",
            f"{manifest.get('articles', o.articles):,} articles "
            f"({manifest.get('videos', 0):,} videos) · backends {', '.join(o.backends)} · "
            f"workers {', '.join(map(str, o.workers))} · wrk 1 thread, 32 connections, "
            f"{o.repetitions}× {o.duration:g} s after {o.warmup:g} s warm-up, median run · "
            f"{os.cpu_count()} CPUs · took {elapsed / 60:.1f} min · commit {_git_commit()}",
            "",
            markdown_table(self.rows),
        ]
        if self.scale_rows:
            lines += ["", "Cost must not grow with the store:", "", scale_table(self.scale_rows)]
        if self.quality:
            lines += ["", "Search quality:", "", search_quality.table(self.quality)]
        notes = list(self.notes)
        if error:
            notes.append(f"The run stopped early: {error}")
        if notes:
            lines += ["", *(f"- {note}" for note in notes)]
        text = "\n".join(lines) + "\n"
        RESULTS.mkdir(parents=True, exist_ok=True)
        document: dict[str, Any] = {
            "started_at": stamp,
            "mode": mode,
            "elapsed_s": round(elapsed, 1),
            "phases_s": self.phases,
            "options": {**asdict(o), "cache": str(o.cache)},
            "machine": {
                "cpus": os.cpu_count(),
                "platform": platform.platform(),
                "python": platform.python_version(),
                "wrk": _wrk_version(self.wrk),
            },
            "commit": _git_commit(),
            "importer": self.importer,
            "dataset": {k: v for k, v in manifest.items() if k != "search_terms"},
            "ceiling_body_bytes": self.ceiling_body.stat().st_size
            if self.ceiling_body and self.ceiling_body.exists()
            else None,
            "rows": as_json(self.rows),
            "scale_check": [{**asdict(r), "scale": round(r.scale, 3)} for r in self.scale_rows],
            "search_quality": search_quality.as_json(self.quality),
            "notes": notes,
            "error": error,
        }
        suffix = "-quick" if o.quick else ""
        (RESULTS / f"{stamp}{suffix}.json").write_bytes(
            orjson.dumps(document, option=orjson.OPT_INDENT_2)
        )
        (RESULTS / "latest.md").write_text(text, encoding="utf-8")
        return text


def _git_commit() -> str:
    try:
        head = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            cwd=REPO,
            capture_output=True,
            text=True,
            timeout=10,
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],
            cwd=REPO,
            capture_output=True,
            text=True,
            timeout=10,
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return "unknown"
    return f"{head}{'+dirty' if dirty else ''}" if head else "unknown"


def _wrk_version(wrk: str) -> str:
    if not wrk:
        return ""
    with contextlib.suppress(OSError, subprocess.SubprocessError):
        proc = subprocess.run([wrk, "-v"], capture_output=True, text=True, timeout=10)
        return (proc.stdout or proc.stderr).splitlines()[0].strip()
    return ""


def _terminate(signum: int, _frame: object) -> None:
    # Turn SIGTERM into an exception so every server and the cluster are stopped.
    raise SystemExit(128 + signum)


def main(argv: list[str] | None = None) -> int:
    options = parse_args(argv)
    signal.signal(signal.SIGTERM, _terminate)
    bench = Bench(options)
    error: str | None = None
    try:
        bench.run()
    except KeyboardInterrupt:
        error = "interrupted"
        raise
    except Exception as exc:
        error = f"{type(exc).__name__}: {exc}"
        raise
    finally:
        text = bench.report(error)
        print()
        print(text)
        bench.log(
            f"done in {(time.monotonic() - bench.started) / 60:.1f} min; "
            f"results in {RESULTS.relative_to(REPO)}/"
        )
    return 0
