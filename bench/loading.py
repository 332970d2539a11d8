"""Building each backend's database from the data set with ``masthead import``, timed.

Until ``masthead import`` exists, ``python -m bench.fallback_import`` (the bundle loader
run in-process) stands in for it, and every figure says so. Built databases are cached
per (backend, data set, importer, migrations): SQLite as a copy of the file, PostgreSQL
as a ``pg_dump``; a cached database carries the import figure measured when it was built.
"""

from __future__ import annotations

import hashlib
import os
import resource
import shutil
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

import orjson
from sqlalchemy import func, select
from sqlalchemy.engine import make_url

from app.db import make_engine
from app.models import Article
from bench.dataset import Dataset
from bench.server import BIN, REPO

CLI = "masthead import"
FALLBACK = "fallback: in-process load_bundle"
PROGRESS_EVERY_S = 30

Log = Callable[[str], None]


class LoadError(RuntimeError):
    pass


@dataclass
class ImportResult:
    backend: str
    importer: str
    articles: int
    seconds: float
    measured_at: str
    cached: bool = False
    #: CPU time of the import process (user + system): on a shared machine the
    #: wall-clock rate says more about the neighbours than about the import.
    cpu_seconds: float | None = None
    load_average: float | None = None

    @property
    def rate(self) -> float:
        return self.articles / self.seconds if self.seconds else 0.0

    @property
    def cpu_rate(self) -> float | None:
        return self.articles / self.cpu_seconds if self.cpu_seconds else None


def detect_importer() -> str:
    """``masthead import`` when the command exists, else the in-process fallback."""
    try:
        proc = subprocess.run(
            [str(BIN / "masthead"), "import", "--help"], capture_output=True, timeout=60
        )
    except (OSError, subprocess.SubprocessError):
        return FALLBACK
    return CLI if proc.returncode == 0 else FALLBACK


# What decides the stored rows and renderings: a change here means a fresh import.
STORE_SOURCES = (
    "migrations",
    "app/models",
    "app/imports",
    "app/readmodel",
    "app/articles/content.py",
    "app/summaries",
    "app/kit",
    "app/search/repository.py",
)


def _sources_hash() -> str:
    digest = hashlib.sha256()
    for source in STORE_SOURCES:
        root = REPO / source
        files = [root] if root.is_file() else sorted(root.rglob("*.py"))
        for path in files:
            digest.update(str(path.relative_to(REPO)).encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def cache_key(dataset: Dataset, importer: str) -> str:
    """Data set, importer, and the code that shapes what is stored."""
    parts = f"{dataset.manifest['key']}:{importer}:{_sources_hash()}"
    return hashlib.sha256(parts.encode()).hexdigest()[:16]


def _run_logged(
    command: list[str], env: dict[str, str], log_path: Path, timeout: float, log: Log
) -> None:
    """Run to completion, output to ``log_path``; print its last line now and then."""
    deadline = time.monotonic() + timeout
    with log_path.open("wb") as out:
        proc = subprocess.Popen(
            command,
            cwd=REPO,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
        )
        try:
            next_note = time.monotonic() + PROGRESS_EVERY_S
            while True:
                try:
                    proc.wait(timeout=2)
                    break
                except subprocess.TimeoutExpired:
                    pass
                if time.monotonic() > deadline:
                    raise LoadError(f"{' '.join(command)} timed out after {timeout:.0f} s")
                if time.monotonic() > next_note:
                    next_note += PROGRESS_EVERY_S
                    log(f"  … {_last_line(log_path)}")
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait(timeout=30)
    if proc.returncode != 0:
        tail = log_path.read_text(errors="replace")[-3000:]
        raise LoadError(f"{' '.join(command)} failed (exit {proc.returncode}):\n{tail}")


def _last_line(path: Path) -> str:
    try:
        lines = path.read_bytes()[-2000:].decode(errors="replace").replace("\r", "\n").splitlines()
    except OSError:
        return ""
    return next((line.strip() for line in reversed(lines) if line.strip()), "")


def count_articles(database_url: str) -> int:
    engine = make_engine(database_url)
    try:
        with engine.connect() as conn:
            return int(conn.scalar(select(func.count()).select_from(Article)) or 0)
    finally:
        engine.dispose()


def run_import(
    backend: str, database_url: str, dataset: Dataset, importer: str, logs: Path, log: Log
) -> ImportResult:
    """Bring the schema up (not timed), then time the import of the whole data set."""
    env = {**_environ(), "MASTHEAD_DATABASE_URL": database_url}
    logs.mkdir(parents=True, exist_ok=True)
    _run_logged(
        [str(BIN / "masthead"), "db", "upgrade"], env, logs / f"upgrade-{backend}.log", 300, log
    )
    if importer == CLI:
        command = [str(BIN / "masthead"), "import", str(dataset.path)]
    else:
        command = [sys.executable, "-m", "bench.fallback_import", str(dataset.path)]
    # Generous: even at 20 articles/s the run ends; a hung import does not.
    timeout = 600 + dataset.articles * 0.05
    log(f"import ({importer}) of {dataset.articles:,} articles into {backend} …")
    started = time.monotonic()
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    _run_logged(command, env, logs / f"import-{backend}.log", timeout, log)
    seconds = time.monotonic() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime + after.ru_stime) - (children.ru_utime + children.ru_stime)
    found = count_articles(database_url)
    if found != dataset.articles:
        raise LoadError(
            f"{backend}: {found:,} articles after the import, {dataset.articles:,} expected"
        )
    result = ImportResult(
        backend,
        importer,
        dataset.articles,
        round(seconds, 2),
        datetime.now(UTC).isoformat(),
        cpu_seconds=round(cpu, 2),
        load_average=round(os.getloadavg()[0], 2),
    )
    log(
        f"  {result.articles:,} articles in {seconds:.1f} s: {result.rate:,.0f} articles/s "
        f"({result.cpu_rate or 0:,.0f} per CPU-second of the import; load average "
        f"{result.load_average})"
    )
    return result


def _environ() -> dict[str, str]:
    return dict(os.environ)


def _save(path: Path, result: ImportResult) -> None:
    path.write_bytes(orjson.dumps(asdict(result)))


def _load(path: Path) -> ImportResult:
    data = orjson.loads(path.read_bytes())
    data["cached"] = True
    return ImportResult(**data)


def _drop_stale(folder: Path, prefix: str, keep: str) -> None:
    """Old cached databases of the same backend and size: several GB each at 100,000."""
    for path in folder.glob(f"{prefix}-*"):
        if not path.name.startswith(keep):
            path.unlink(missing_ok=True)


def _cached(folder: Path, prefix: str, stem: str, suffix: str, policy: str) -> Path | None:
    """The cached database to use (its import figure beside it, as .json), if any.

    ``policy``: "auto" (only one built from this data set, importer and store code),
    "rebuild" (none), "reuse" (the newest of this backend and size, whatever code built it).
    """
    if policy == "rebuild":
        return None
    exact = folder / f"{stem}{suffix}"
    if exact.exists() and exact.with_suffix(".json").exists():
        return exact
    if policy == "reuse":
        found = [p for p in folder.glob(f"{prefix}-*{suffix}") if p.with_suffix(".json").exists()]
        if found:
            return max(found, key=lambda p: p.stat().st_mtime)
    return None


def sqlite_database(
    dataset: Dataset, importer: str, cache: Path, run_dir: Path, policy: str, log: Log
) -> tuple[str, ImportResult]:
    """A private copy of the data set's SQLite database, built (and cached) if needed."""
    folder = cache / "db"
    folder.mkdir(parents=True, exist_ok=True)
    prefix = f"sqlite-{dataset.manifest['generated_articles']}"
    stem = f"{prefix}-{cache_key(dataset, importer)}"
    cached, meta = folder / f"{stem}.db", folder / f"{stem}.json"
    target = run_dir / "sqlite.db"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{target}{suffix}").unlink(missing_ok=True)
    url = f"sqlite:///{target}"
    found = _cached(folder, prefix, stem, ".db", policy)
    if found is not None:
        started = time.monotonic()
        shutil.copyfile(found, target)
        log(f"sqlite: cached database {found.name} copied in {time.monotonic() - started:.1f} s")
        if found != cached:
            log("  (--reuse-db: built by other code than the current one)")
        return url, _load(found.with_suffix(".json"))
    result = run_import("sqlite", url, dataset, importer, run_dir / "logs", log)
    with sqlite3.connect(target) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    _drop_stale(folder, prefix, stem)
    shutil.copyfile(target, cached.with_suffix(".part"))
    cached.with_suffix(".part").replace(cached)
    _save(meta, result)
    return url, result


def _pg_args(database_url: str) -> list[str]:
    url = make_url(database_url)
    return [
        "-h",
        url.host or "127.0.0.1",
        "-p",
        str(url.port or 5432),
        "-U",
        url.username or "postgres",
    ]


def _pg_bin(name: str) -> str:
    sys.path.insert(0, str(REPO / "tests"))
    from pgcluster import find_pg_bindir  # type: ignore[import-not-found]

    bindir = find_pg_bindir()
    if bindir is None or not (bindir / name).exists():
        raise LoadError(f"PostgreSQL client {name} not found")
    return str(bindir / name)


def _analyze(database_url: str) -> None:
    """Planner statistics, as autovacuum would have them shortly after a load."""
    engine = make_engine(database_url)
    try:
        with engine.connect() as conn:
            conn.exec_driver_sql("ANALYZE")
            conn.commit()
    finally:
        engine.dispose()


def postgres_database(
    database_url: str,
    dataset: Dataset,
    importer: str,
    cache: Path,
    run_dir: Path,
    policy: str,
    log: Log,
) -> ImportResult:
    """Fill the (empty) database: restore the cached dump, or import and dump it."""
    folder = cache / "db"
    folder.mkdir(parents=True, exist_ok=True)
    prefix = f"postgresql-{dataset.manifest['generated_articles']}"
    stem = f"{prefix}-{cache_key(dataset, importer)}"
    dump, meta = folder / f"{stem}.dump", folder / f"{stem}.json"
    name = make_url(database_url).database or ""
    found = _cached(folder, prefix, stem, ".dump", policy)
    if found is not None:
        started = time.monotonic()
        command = [
            _pg_bin("pg_restore"),
            *_pg_args(database_url),
            "-d",
            name,
            "-j",
            "2",
            "--no-owner",
            str(found),
        ]
        (run_dir / "logs").mkdir(parents=True, exist_ok=True)
        _run_logged(command, _environ(), run_dir / "logs" / "pg_restore.log", 1800, log)
        _analyze(database_url)
        log(f"postgresql: cached dump {found.name} restored in {time.monotonic() - started:.1f} s")
        if found != dump:
            log("  (--reuse-db: built by other code than the current one)")
        return _load(found.with_suffix(".json"))
    result = run_import("postgresql", database_url, dataset, importer, run_dir / "logs", log)
    _analyze(database_url)
    started = time.monotonic()
    _drop_stale(folder, prefix, stem)
    part = dump.with_suffix(".part")
    command = [
        _pg_bin("pg_dump"),
        *_pg_args(database_url),
        "-d",
        name,
        "-Fc",
        "-Z",
        "1",
        "-f",
        str(part),
    ]
    _run_logged(command, _environ(), run_dir / "logs" / "pg_dump.log", 1800, log)
    part.replace(dump)
    _save(meta, result)
    log(f"postgresql: dumped to {dump.name} in {time.monotonic() - started:.1f} s")
    return result
