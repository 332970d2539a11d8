"""The workloads: which requests each one sends, prepared as files of paths for wrk.

Preparation talks to the running server (ETags, cursors, endpoint checks) and reads
article ids from the database; wrk then picks random lines of the files.
"""

from __future__ import annotations

import http.client
import random
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote, urlencode

import orjson
from sqlalchemy import select

from app.db import make_engine
from app.models import Article
from bench.server import HOST, get

# Order of the report.
READ_WORKLOADS = ("detail", "detail-304", "list", "list-deep", "search", "related", "feed", "mixed")
ALL_WORKLOADS = (*READ_WORKLOADS, "publish", "import", "search-quality")
# --workloads names: "list" selects both list rows.
SELECTORS = {"list": ("list", "list-deep")}
MIXED_WEIGHTS = {"detail": 70, "list": 7.5, "list-deep": 7.5, "search": 10, "feed": 5}
LIST_PATH = "/v1/articles?service=en&limit=20"
FEED_PATH = "/v1/feeds/en/rss.xml"
DEEP_PAGE = 50
ID_SAMPLE = 20_000
ETAG_SAMPLE = 2_000
CHECK_SAMPLE = 20
MIXED_LINES = 20_000

Log = Callable[[str], None]


@dataclass
class Prepared:
    """Paths files per workload, or the reason a workload cannot run."""

    files: dict[str, Path] = field(default_factory=dict)
    missing: dict[str, str] = field(default_factory=dict)
    notes: dict[str, str] = field(default_factory=dict)
    ids: list[int] = field(default_factory=list)
    # Articles the publish workload may edit: none whose ETag detail-304 sends.
    publish_ids: list[int] = field(default_factory=list)
    checks: dict[str, dict[str, int]] = field(default_factory=dict)


def article_ids(database_url: str, sample: int = ID_SAMPLE) -> list[int]:
    """A random sample of the published article ids, straight from the database."""
    engine = make_engine(database_url)
    try:
        with engine.connect() as conn:
            ids = list(conn.scalars(select(Article.id).where(Article.status == "published")))
    finally:
        engine.dispose()
    rng = random.Random(7)
    return rng.sample(ids, min(sample, len(ids)))


def _write(path: Path, lines: list[str]) -> Path:
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


class _Client:
    """One kept-alive connection for the preparation requests."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.conn = http.client.HTTPConnection(HOST, port, timeout=30)

    def get(
        self, path: str, headers: dict[str, str] | None = None
    ) -> tuple[int, dict[str, str], bytes]:
        try:
            return get(self.port, path, headers, connection=self.conn)
        except (OSError, http.client.HTTPException):
            self.conn.close()
            self.conn = http.client.HTTPConnection(HOST, self.port, timeout=30)
            return get(self.port, path, headers, connection=self.conn)

    def close(self) -> None:
        self.conn.close()


def detail_body(port: int, ids: list[int], sample: int = 200) -> bytes:
    """An article detail of median size among a sample: the ceiling's body."""
    client = _Client(port)
    try:
        bodies = []
        for article_id in ids[:sample]:
            status, _, body = client.get(f"/v1/articles/{article_id}")
            if status == 200:
                bodies.append(body)
    finally:
        client.close()
    if not bodies:
        raise RuntimeError("no article detail answered 200")
    bodies.sort(key=len)
    return bodies[len(bodies) // 2]


def _walk_cursor(client: _Client, first: str, pages: int) -> list[str]:
    """Paths of pages 2..pages following next_cursor from ``first``."""
    found, path = [], first
    for _ in range(pages - 1):
        status, _, body = client.get(path)
        if status != 200:
            break
        cursor = orjson.loads(body).get("next_cursor")
        if not cursor:
            break
        path = f"{first}&{urlencode({'cursor': cursor})}"
        found.append(path)
    return found


def prepare(
    port: int, ids: list[int], search_terms: list[str], folder: Path, *, quick: bool, log: Log
) -> Prepared:
    folder.mkdir(parents=True, exist_ok=True)
    prepared = Prepared(ids=ids, publish_ids=ids[ETAG_SAMPLE:] or ids)
    client = _Client(port)
    try:
        detail = [f"/v1/articles/{i}" for i in ids]
        prepared.files["detail"] = _write(folder / "detail.txt", detail)
        prepared.files["related"] = _write(
            folder / "related.txt", [f"/v1/articles/{i}/related-videos" for i in ids]
        )
        # ETags as a reader with no country header gets them (the ETag depends on it).
        etag_lines = []
        for path in detail[: ETAG_SAMPLE // (2 if quick else 1)]:
            status, headers, _ = client.get(path)
            if status == 200 and "etag" in headers:
                etag_lines.append(f"{path}\t{headers['etag']}")
        if etag_lines:
            prepared.files["detail-304"] = _write(folder / "detail-304.txt", etag_lines)
        else:
            prepared.missing["detail-304"] = "n/a (no ETag on article detail)"
        prepared.files["list"] = _write(folder / "list.txt", [LIST_PATH])
        # Pages around 50 deep, reached by walking the cursor as a client does.
        pages = _walk_cursor(client, LIST_PATH, DEEP_PAGE + 5)
        deep = pages[DEEP_PAGE - 6 :]
        if deep:
            prepared.files["list-deep"] = _write(folder / "list-deep.txt", deep)
            prepared.notes["list-deep"] = f"pages {DEEP_PAGE - 4}–{DEEP_PAGE - 5 + len(deep)}"
        else:
            prepared.missing["list-deep"] = f"n/a (fewer than {DEEP_PAGE} pages)"
        search = [f"/v1/search?q={quote(term)}" for term in search_terms]
        status, _, _ = client.get(search[0])
        if status == 404:
            prepared.missing["search"] = "n/a (endpoint missing)"
        else:
            prepared.files["search"] = _write(folder / "search.txt", search)
        status, _, _ = client.get(FEED_PATH)
        if status == 404:
            prepared.missing["feed"] = "n/a (endpoint missing)"
        else:
            prepared.files["feed"] = _write(folder / "feed.txt", [FEED_PATH])
        _mixed(prepared, folder)
        for name, paths_file in prepared.files.items():
            prepared.checks[name] = _check(client, paths_file)
    finally:
        client.close()
    for name, statuses in prepared.checks.items():
        bad = {s: n for s, n in statuses.items() if not 200 <= int(s) < 400}
        if bad or (name == "detail-304" and set(statuses) != {"304"}):
            log(f"  check {name}: statuses {statuses}")
    return prepared


def _mixed(prepared: Prepared, folder: Path) -> None:
    available = {k: w for k, w in MIXED_WEIGHTS.items() if k in prepared.files}
    skipped = [k for k in MIXED_WEIGHTS if k not in available]
    total = sum(available.values())
    rng = random.Random(11)
    sources = {k: prepared.files[k].read_text(encoding="utf-8").splitlines() for k in available}
    kinds = rng.choices(list(available), [w / total for w in available.values()], k=MIXED_LINES)
    lines = [rng.choice(sources[kind]) for kind in kinds]
    prepared.files["mixed"] = _write(folder / "mixed.txt", lines)
    share = ", ".join(f"{k} {100 * w / total:.0f}%" for k, w in available.items())
    note = f"{share}"
    if skipped:
        note += f" (renormalised without {', '.join(sorted(set(skipped)))})"
    prepared.notes["mixed"] = note


def _check(client: _Client, path: Path) -> dict[str, int]:
    """Statuses of a few lines of a paths file, sent as wrk will send them."""
    lines = path.read_text(encoding="utf-8").splitlines()
    rng = random.Random(3)
    statuses: Counter[str] = Counter()
    for line in rng.sample(lines, min(CHECK_SAMPLE, len(lines))):
        target, _, etag = line.partition("\t")
        status, _, _ = client.get(target, {"If-None-Match": etag} if etag else None)
        statuses[str(status)] += 1
    return dict(statuses)
