"""Result rows, the targets of BENCH.md, the Markdown table and the JSON file."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

FULL_SIZE = 100_000


@dataclass
class Row:
    workload: str
    backend: str
    workers: int | None
    rps: float | None = None
    p50_ms: float | None = None
    p99_ms: float | None = None
    ratio: float | None = None
    rss_mb: float | None = None
    rss_max_process_mb: float | None = None
    rss_anon_mb: float | None = None
    errors: int | None = None
    requests: int | None = None
    note: str = ""
    target: str = ""
    target_met: bool | None = None
    runs: list[dict[str, Any]] = field(default_factory=list)
    checks: dict[str, int] = field(default_factory=dict)

    @property
    def available(self) -> bool:
        return self.rps is not None


#: BENCH.md's ratios to the ceiling: answered from the front cache (hot), and a
#: detail that is not in it (miss).
HOT_DETAIL = 2.0
HOT_LISTS = 1.5
MISS = 0.75
POSTGRES_MISS = 0.5
#: A deep page costs what the first page costs: its ratio within 10% of the first's.
DEEP_PAGE_SHARE = 0.9


def _at_least(ratio: float | None, target: float) -> tuple[str, bool | None]:
    return f"≥ {target:g}×", None if ratio is None else ratio >= target


def apply_target(row: Row, articles: int, first_page: Row | None = None) -> None:
    """Set the row's target from BENCH.md and whether this run met it; a list-deep
    row is also held to the first page of the same server (``first_page``)."""
    at_full = articles >= FULL_SIZE
    ratio, p99 = row.ratio, row.p99_ms
    checks: list[tuple[str, bool | None]] = []
    name, backend = row.workload, row.backend
    postgres = backend.startswith("postgresql")
    if name in ("detail-hot", "detail-304-hot") and (postgres or row.workers == 1):
        checks.append(_at_least(ratio, HOT_DETAIL))
    elif name in ("detail-miss", "detail-304-miss") and (postgres or row.workers == 1):
        checks.append(_at_least(ratio, POSTGRES_MISS if postgres else MISS))
    elif name in ("list", "list-deep", "related", "feed"):
        checks.append(_at_least(ratio, HOT_LISTS))
        if name == "list-deep" and first_page is not None and first_page.ratio:
            share = None if ratio is None else ratio / first_page.ratio
            checks.append(
                (
                    f"≥ {DEEP_PAGE_SHARE:g} of list",
                    None if share is None else share >= DEEP_PAGE_SHARE,
                )
            )
    elif name in ("search", "search-miss") and at_full:
        met = None if ratio is None or p99 is None else ratio >= 0.2 and p99 < 50
        checks.append(("≥ 0.2×, p99 < 50 ms", met))
    elif name == "mixed (publishing)":
        met = None if p99 is None or row.errors is None else p99 < 25 and row.errors == 0
        checks.append(("p99 < 25 ms, 0 errors", met))
    elif name == "import":
        checks.append(("≥ 2,000/s", None if row.rps is None else row.rps >= 2000))
    if at_full and row.rss_max_process_mb is not None and name != "ceiling":
        checks.append(("< 250 MB/worker", row.rss_max_process_mb < 250))
    row.target = "; ".join(text for text, _ in checks)
    results = [met for _, met in checks if met is not None]
    row.target_met = all(results) if results else None


def apply_targets(rows: list[Row], articles: int) -> None:
    first_pages = {
        (row.backend, row.workers): row for row in rows if row.workload == "list" and row.ratio
    }
    for row in rows:
        apply_target(row, articles, first_pages.get((row.backend, row.workers)))


def _num(value: float | None, digits: int = 0) -> str:
    if value is None:
        return "–"
    return f"{value:,.{digits}f}"


def _rss(row: Row) -> str:
    if row.rss_mb is None:
        return "–"
    if row.workers and row.workers > 1 and row.rss_max_process_mb is not None:
        return f"{row.rss_mb:,.0f} (max {row.rss_max_process_mb:,.0f})"
    return f"{row.rss_mb:,.0f}"


def _target(row: Row) -> str:
    if not row.target:
        return ""
    mark = {True: " ✓", False: " ✗", None: ""}[row.target_met]
    return f"{row.target}{mark}"


HEADER = (
    "| workload | backend | workers | rps (median) | p50 ms | p99 ms | × ceiling "
    "| server RSS MB | errors | target | note |\n"
    "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- | --- |"
)


def markdown_table(rows: list[Row]) -> str:
    lines = [HEADER]
    for row in rows:
        if not row.available:
            lines.append(
                f"| {row.workload} | {row.backend} | {row.workers or '–'} | {row.note} "
                "| – | – | – | – | – | | |"
            )
            continue
        lines.append(
            "| "
            + " | ".join(
                [
                    row.workload,
                    row.backend,
                    str(row.workers) if row.workers else "–",
                    _num(row.rps),
                    _num(row.p50_ms, 2),
                    _num(row.p99_ms, 2),
                    _num(row.ratio, 2),
                    _rss(row),
                    _num(row.errors) if row.errors is not None else "–",
                    _target(row),
                    row.note,
                ]
            )
            + " |"
        )
    return "\n".join(lines)


@dataclass
class ScaleRow:
    """The same workload at N and at 10,000 articles, compared by ratio to the ceiling."""

    workload: str
    backend: str
    workers: int
    articles_full: int
    articles_small: int
    rps_full: float
    rps_small: float
    ratio_full: float
    ratio_small: float

    @property
    def scale(self) -> float:
        return self.ratio_full / self.ratio_small if self.ratio_small else 0.0


def scale_table(rows: list[ScaleRow]) -> str:
    if not rows:
        return ""
    full, small = rows[0].articles_full, rows[0].articles_small
    lines = [
        f"| workload | backend | workers | rps at {full:,} | rps at {small:,} "
        f"| × ceiling at {full:,} | × ceiling at {small:,} | ratio | within 10% |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |",
    ]
    for row in rows:
        ok = "✓" if row.scale >= 0.9 else "✗"
        lines.append(
            f"| {row.workload} | {row.backend} | {row.workers} | {row.rps_full:,.0f} "
            f"| {row.rps_small:,.0f} | {row.ratio_full:.2f} | {row.ratio_small:.2f} "
            f"| {row.scale:.2f} | {ok} |"
        )
    return "\n".join(lines)


def as_json(rows: list[Row]) -> list[dict[str, Any]]:
    return [asdict(row) for row in rows]
