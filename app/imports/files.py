"""Importing files of bundles: JSON (one bundle) or JSONL (a bundle a line)."""

import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson
from pydantic import ValidationError

from app.db import make_engine, make_sessionmaker
from app.imports.bundle import BundleError, load_bundle


@dataclass
class Rejection:
    file: str
    position: int
    reason: str

    def __str__(self) -> str:
        return f"{self.file}:{self.position}: {self.reason}"


@dataclass
class ImportReport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    articles: int = 0
    seconds: float = 0.0
    rejected: list[Rejection] = field(default_factory=list)

    def summary(self) -> str:
        rate = self.articles / self.seconds if self.seconds else 0.0
        return (
            f"{self.created} created, {self.updated} updated, {self.unchanged} unchanged, "
            f"{len(self.rejected)} rejected; {self.articles} articles in "
            f"{self.seconds:.1f} s ({rate:,.0f} articles/s)"
        )


def _documents(path: Path) -> Iterator[tuple[int, Any]]:
    """(position, document): the line number in JSONL, 1 for a JSON file."""
    if path.suffix == ".jsonl":
        with path.open("rb") as lines:
            for number, line in enumerate(lines, start=1):
                if line.strip():
                    try:
                        yield number, orjson.loads(line)
                    except orjson.JSONDecodeError as error:
                        yield number, error
        return
    try:
        yield 1, orjson.loads(path.read_bytes())
    except orjson.JSONDecodeError as error:
        yield 1, error


def _reason(error: Exception) -> str:
    if isinstance(error, ValidationError):
        first = error.errors()[0]
        where = ".".join(str(part) for part in first["loc"])
        more = f" (and {error.error_count() - 1} more)" if error.error_count() > 1 else ""
        return f"{where}: {first['msg']}{more}"
    return str(error).splitlines()[0]


def import_files(database_url: str, paths: list[Path], *, progress: bool = False) -> ImportReport:
    report = ImportReport()
    engine = make_engine(database_url)
    sessions = make_sessionmaker(engine)
    total = sum(path.stat().st_size for path in paths)
    done = 0
    started = time.perf_counter()
    try:
        for path in paths:
            for position, document in _documents(path):
                if isinstance(document, Exception):
                    report.rejected.append(
                        Rejection(str(path), position, f"invalid JSON: {document}")
                    )
                    continue
                if not isinstance(document, dict):
                    report.rejected.append(Rejection(str(path), position, "not a JSON object"))
                    continue
                try:
                    with sessions.begin() as session:
                        counts = load_bundle(session, document)
                except (ValidationError, BundleError) as error:
                    report.rejected.append(Rejection(str(path), position, _reason(error)))
                    continue
                report.created += counts["created"]
                report.updated += counts["updated"]
                report.unchanged += counts["unchanged"]
                report.articles += len(document.get("articles", ()))
                if progress:
                    done = min(total, done + len(orjson.dumps(document)))
                    _progress(done, total, report, time.perf_counter() - started)
            if progress:
                done = min(total, done)
    finally:
        engine.dispose()
    report.seconds = time.perf_counter() - started
    if progress:
        sys.stderr.write("\n")
    return report


def _progress(done: int, total: int, report: ImportReport, elapsed: float) -> None:
    width = 30
    filled = int(width * done / total) if total else width
    rate = report.articles / elapsed if elapsed else 0.0
    sys.stderr.write(
        f"\r[{'#' * filled}{'.' * (width - filled)}] {100 * done / max(total, 1):5.1f}% "
        f"{report.articles} articles, {rate:,.0f}/s"
    )
    sys.stderr.flush()
