"""Importing files: JSON (a bundle, a ninjs document or article, or a list of
them) and JSONL (one of those a line).

A bundle, a document and a list are each all-or-nothing: a list is imported as
one batch, like ``POST /v1/import``. Documents and lists go into the service
named by ``--service``, else each item into the service it names or the one
service of its language.
"""

import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson
from pydantic import ValidationError
from sqlalchemy import event
from sqlalchemy.orm import Session, sessionmaker

from app.config import get_settings
from app.db import is_sqlite, make_engine, make_sessionmaker
from app.imports.bundle import BundleError, load_bundle
from app.imports.editorial import ImportRejected, UnknownService, import_batch

#: SQLite's page cache for an import's connection, in KiB.
IMPORT_CACHE_KIB = 256 * 1024


@dataclass
class Rejection:
    """Where and why: ``position`` is the line of a JSONL file (1 for a JSON
    file), ``item`` the index of the item in a list."""

    file: str
    position: int
    reason: str
    item: int | None = None

    def __str__(self) -> str:
        item = f" item {self.item}" if self.item is not None else ""
        return f"{self.file}:{self.position}{item}: {self.reason}"


@dataclass
class ImportReport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    superseded: int = 0
    outdated: int = 0
    articles: int = 0
    seconds: float = 0.0
    rejected: list[Rejection] = field(default_factory=list)

    def summary(self) -> str:
        rate = self.articles / self.seconds if self.seconds else 0.0
        return (
            f"{self.created} created, {self.updated} updated, {self.unchanged} unchanged, "
            f"{self.superseded} superseded, {self.outdated} outdated, "
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


def import_files(
    database_url: str, paths: list[Path], *, progress: bool = False, service: str | None = None
) -> ImportReport:
    report = ImportReport()
    engine = make_engine(database_url)
    if is_sqlite(database_url):
        event.listen(engine, "connect", _large_page_cache)
    sessions = make_sessionmaker(engine, get_settings().resizer())
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
                if isinstance(document, list) or (isinstance(document, dict) and "uri" in document):
                    _import_items(sessions, service, str(path), position, document, report)
                elif isinstance(document, dict):
                    _import_bundle(sessions, str(path), position, document, report)
                else:
                    report.rejected.append(
                        Rejection(str(path), position, "neither a JSON object nor a list")
                    )
                    continue
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


def _large_page_cache(dbapi_connection: Any, _record: Any) -> None:
    # An import writes into every index of a store that may be gigabytes large:
    # SQLite's default 2 MB page cache would read most pages again for each batch.
    cursor = dbapi_connection.cursor()
    cursor.execute(f"PRAGMA cache_size=-{IMPORT_CACHE_KIB}")
    cursor.close()


def _import_bundle(
    sessions: sessionmaker[Session],
    path: str,
    position: int,
    document: dict[str, Any],
    report: ImportReport,
) -> None:
    try:
        with sessions.begin() as session:
            counts = load_bundle(session, document)
    except (ValidationError, BundleError) as error:
        report.rejected.append(Rejection(path, position, _reason(error)))
        return
    report.created += counts["created"]
    report.updated += counts["updated"]
    report.unchanged += counts["unchanged"]
    report.articles += len(document.get("articles", ()))


def _import_items(
    sessions: sessionmaker[Session],
    service: str | None,
    path: str,
    position: int,
    document: dict[str, Any] | list[Any],
    report: ImportReport,
) -> None:
    """A ninjs document or an article (one object), or a list of them, as one batch."""
    single = isinstance(document, dict)
    items = [document] if single else list(document)
    try:
        with sessions.begin() as session:
            result = import_batch(session, service, items)
    except ImportRejected as rejected:
        for error in rejected.errors:
            reason = f"{error.path}: {error.reason}" if error.path else error.reason
            item = None if single else error.position
            report.rejected.append(Rejection(path, position, reason, item))
        return
    except UnknownService as error:
        report.rejected.append(Rejection(path, position, str(error)))
        return
    report.created += result.created
    report.updated += result.updated
    report.unchanged += result.unchanged
    report.superseded += result.superseded
    report.outdated += result.outdated
    report.articles += sum(1 for item in result.items if item["type"] == "article")


def _progress(done: int, total: int, report: ImportReport, elapsed: float) -> None:
    width = 30
    filled = int(width * done / total) if total else width
    rate = report.articles / elapsed if elapsed else 0.0
    sys.stderr.write(
        f"\r[{'#' * filled}{'.' * (width - filled)}] {100 * done / max(total, 1):5.1f}% "
        f"{report.articles} articles, {rate:,.0f}/s"
    )
    sys.stderr.flush()
