"""The workloads: which requests each one sends, prepared as files of paths for wrk.

Preparation talks to the running server (ETags, cursors, endpoint checks) and reads
article ids from the database; wrk then picks random lines of the files.
"""

from __future__ import annotations

import http.client
import random
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote, urlencode

import orjson
from sqlalchemy import select

from app.db import make_engine
from app.models import Article, utcnow
from bench.dataset import STOPWORDS
from bench.server import HOST, get

# Order of the report.
READ_WORKLOADS = (
    "detail-hot",
    "detail-miss",
    "detail-304-hot",
    "detail-304-miss",
    "list",
    "list-deep",
    "search",
    "search-miss",
    "related",
    "feed",
    "mixed",
)
ALL_WORKLOADS = (*READ_WORKLOADS, "publish", "import", "search-quality")
# --workloads names: "list" selects both list rows, "detail" and "detail-304" their
# hot and miss rows.
SELECTORS = {
    "list": ("list", "list-deep"),
    "detail": ("detail-hot", "detail-miss"),
    "detail-304": ("detail-304-hot", "detail-304-miss"),
}
# Sent to a second server whose front cache holds too little to answer them (see
# MISS_CACHE_MB): what a request costs when it is not in memory.
MISS_WORKLOADS = frozenset({"detail-miss", "detail-304-miss", "search-miss"})
#: The miss server's front cache: about 60 article details, so that fewer than 1 in
#: 100 of the requests over the sampled ids are answered from it, while a miss still
#: pays for everything the cache does (lookup, capture, keeping, eviction).
MISS_CACHE_MB = 1
#: The hot set: the newest articles, which is where a newsroom's readers are.
HOT_ARTICLES = 100
MIXED_WEIGHTS = {"detail": 70, "list": 7.5, "list-deep": 7.5, "search": 10, "feed": 5}
LIST_PATH = "/v1/articles?service=en&limit=20"
FEED_PATH = "/v1/feeds/en/rss.xml"
DEEP_PAGE = 50
ID_SAMPLE = 20_000
ETAG_SAMPLE = 2_000
CHECK_SAMPLE = 20
MIXED_LINES = 20_000
#: Distinct queries of the search-miss workload: a 10 s run sends fewer requests than
#: that, so nearly every one is a query the server has not answered before.
MISS_QUERIES = 20_000
_QUERY_WORD = re.compile(r"[^\W\d_]{4,}")

Log = Callable[[str], None]


@dataclass
class Prepared:
    """Paths files per workload, or the reason a workload cannot run."""

    files: dict[str, Path] = field(default_factory=dict)
    missing: dict[str, str] = field(default_factory=dict)
    notes: dict[str, str] = field(default_factory=dict)
    ids: list[int] = field(default_factory=list)
    hot_ids: list[int] = field(default_factory=list)
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


def newest_ids(database_url: str, count: int = HOT_ARTICLES) -> list[int]:
    """The ``count`` most recently published articles (the hot set)."""
    engine = make_engine(database_url)
    try:
        with engine.connect() as conn:
            return list(
                conn.scalars(
                    select(Article.id)
                    .where(Article.status == "published", Article.published_at <= utcnow())
                    .order_by(Article.published_at.desc(), Article.id.desc())
                    .limit(count)
                )
            )
    finally:
        engine.dispose()


def headline_queries(database_url: str, ids: list[int], count: int = MISS_QUERIES) -> list[str]:
    """Distinct queries as readers type them, from the headlines of the sampled articles
    (every service): one or two of a headline's words, in its order."""
    engine = make_engine(database_url)
    try:
        with engine.connect() as conn:
            rows = conn.execute(select(Article.id, Article.headline).where(Article.id.in_(ids)))
            headlines = {article_id: headline for article_id, headline in rows}
    finally:
        engine.dispose()
    rng = random.Random(13)
    queries: dict[str, None] = {}
    for article_id in ids:
        found = _QUERY_WORD.findall(headlines.get(article_id, ""))
        words = list(dict.fromkeys(w for w in found if w.lower() not in STOPWORDS))
        if not words:
            continue
        picked = sorted(rng.sample(range(len(words)), min(len(words), rng.choice((1, 2)))))
        queries[" ".join(words[i] for i in picked)] = None
        if len(queries) >= count:
            break
    return list(queries)


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


def _etag_lines(client: _Client, paths: list[str]) -> list[str]:
    """``PATH<TAB>ETAG`` as a reader with no country header gets them (the ETag
    depends on it)."""
    lines = []
    for path in paths:
        status, headers, _ = client.get(path)
        if status == 200 and "etag" in headers:
            lines.append(f"{path}\t{headers['etag']}")
    return lines


def prepare(
    port: int,
    ids: list[int],
    hot_ids: list[int],
    search_terms: list[str],
    folder: Path,
    *,
    log: Log,
    miss_queries: list[str] | None = None,
) -> Prepared:
    folder.mkdir(parents=True, exist_ok=True)
    # The publish workload edits none of the articles whose ETags the 304 rows send.
    hot = set(hot_ids)
    editable = [i for i in ids[ETAG_SAMPLE:] if i not in hot]
    prepared = Prepared(ids=ids, hot_ids=hot_ids, publish_ids=editable or ids)
    client = _Client(port)
    try:
        detail = [f"/v1/articles/{i}" for i in ids]
        hot_detail = [f"/v1/articles/{i}" for i in hot_ids]
        prepared.files["detail"] = _write(folder / "detail.txt", detail)
        prepared.files["detail-hot"] = _write(folder / "detail-hot.txt", hot_detail)
        prepared.notes["detail-hot"] = f"the {len(hot_ids)} newest articles"
        prepared.files["detail-miss"] = prepared.files["detail"]
        prepared.notes["detail-miss"] = _miss_note(len(ids))
        # Related videos are read beside the article: the same hot set.
        prepared.files["related"] = _write(
            folder / "related.txt", [f"{path}/related-videos" for path in hot_detail]
        )
        prepared.notes["related"] = f"the {len(hot_ids)} newest articles"
        for name, paths in (
            ("detail-304-hot", hot_detail),
            ("detail-304-miss", detail[:ETAG_SAMPLE]),
        ):
            lines = _etag_lines(client, paths)
            if lines:
                prepared.files[name] = _write(folder / f"{name}.txt", lines)
            else:
                prepared.missing[name] = "n/a (no ETag on article detail)"
        if "detail-304-miss" in prepared.files:
            prepared.notes["detail-304-miss"] = _miss_note(len(detail[:ETAG_SAMPLE]))
        prepared.notes.setdefault("detail-304-hot", f"the {len(hot_ids)} newest articles")
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
            if miss_queries:
                misses = [f"/v1/search?q={quote(query)}" for query in miss_queries]
                prepared.files["search-miss"] = _write(folder / "search-miss.txt", misses)
                prepared.notes["search-miss"] = (
                    f"{len(misses):,} distinct queries from headlines, to the server whose "
                    f"front cache is {MISS_CACHE_MB} MB"
                )
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


def _miss_note(paths: int) -> str:
    # ~16 KB an answer kept (body, headers, bookkeeping): a 1 MB cache keeps ~60.
    share = min(1.0, 60 / paths)
    return (
        f"{paths:,} random ids, to a server whose front cache is {MISS_CACHE_MB} MB "
        f"(holds ~60: ~{100 * share:.1f}% hits)"
    )


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
