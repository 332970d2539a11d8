"""ROUGE of the extractive key points against the BBC News Summary references.

Compares ``app.summaries.extractive.summarize(..., "en", 3)`` with lead-3 (the first
three sentences, from the same splitter) on the English BBC News Summary corpus, with
the same scorer (rouge-score, Porter stemming), and prints mean F1 as a Markdown table.

    uv run python -m bench.rouge_summaries [--limit N] [--data PATH] [--skip-duplicates]
        [--implementation {current,pysbd}]

``--implementation pysbd`` scores the pysbd-based implementation that the rule-based
sentence splitter replaced (``bench.pysbd_legacy``), for before/after figures.

The references are long (about 45% of the article's sentences) and both systems give
three sentences, so recall, and with it F1, is low for both; compare the two columns,
not the absolute values with other corpora. The reference sentences are not in article
order, so ROUGE-Lsum (summary-level LCS over sentences) is shown next to ROUGE-L.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rouge_score import rouge_scorer

from app.summaries import extractive
from bench import pysbd_legacy

REPO = Path(__file__).resolve().parents[1]
DEFAULT_DATA = REPO.parent / "shared" / "data" / "bbc-news-summary" / "bbc-news-summary.jsonl"
METRICS = (("rouge1", "ROUGE-1"), ("rouge2", "ROUGE-2"), ("rougeL", "ROUGE-L"))
EXTRA_METRICS = (("rougeLsum", "ROUGE-Lsum"),)
BULLETS = 3


@dataclass
class Totals:
    articles: int = 0
    words: int = 0
    f1: dict[str, dict[str, list[float]]] = field(default_factory=lambda: {"ours": {}, "lead3": {}})
    sentences: int = 0
    bullet_words: int = 0
    summarize_seconds: list[float] = field(default_factory=list)
    scoring_seconds: list[float] = field(default_factory=list)

    def add(self, system: str, scores: dict[str, Any]) -> None:
        for key, score in scores.items():
            self.f1[system].setdefault(key, []).append(score.fmeasure)

    def mean(self, system: str, key: str) -> float:
        return 100 * statistics.fmean(self.f1[system][key])


def articles(path: Path, limit: int | None, skip_duplicates: bool) -> Iterator[dict[str, Any]]:
    count = 0
    with path.open(encoding="utf-8") as lines:
        for line in lines:
            if limit is not None and count >= limit:
                return
            article: dict[str, Any] = json.loads(line)
            if skip_duplicates and article.get("duplicate_of"):
                continue
            count += 1
            yield article


def run(path: Path, limit: int | None, skip_duplicates: bool, implementation: str) -> Totals:
    module: Any = pysbd_legacy if implementation == "pysbd" else extractive
    summarize, split_sentences = module.summarize, module.split_sentences
    select_sentences = module.select_sentences
    keys = [key for key, _ in METRICS + EXTRA_METRICS]
    scorer = rouge_scorer.RougeScorer(keys, use_stemmer=True)
    totals = Totals()
    for article in articles(path, limit, skip_duplicates):
        paragraphs = [line for line in article["body"].split("\n") if line.strip()]
        reference = article["summary"]

        started = time.perf_counter()
        ours = summarize(paragraphs, "en", BULLETS)
        totals.summarize_seconds.append(time.perf_counter() - started)

        sentences = split_sentences(paragraphs, "en")
        started = time.perf_counter()
        select_sentences(sentences, BULLETS)
        totals.scoring_seconds.append(time.perf_counter() - started)
        lead3 = sentences[:BULLETS]

        totals.add("ours", scorer.score(reference, "\n".join(ours)))
        totals.add("lead3", scorer.score(reference, "\n".join(lead3)))
        totals.articles += 1
        totals.words += sum(len(paragraph.split()) for paragraph in paragraphs)
        totals.sentences += len(sentences)
        totals.bullet_words += sum(len(bullet.split()) for bullet in ours)
    return totals


def report(totals: Totals, path: Path, skip_duplicates: bool, implementation: str) -> str:
    which = "without duplicates" if skip_duplicates else "all, duplicates included"
    splitter = "pysbd (before)" if implementation == "pysbd" else "rule-based"
    lines = [
        f"BBC News Summary: {totals.articles} articles ({which}); {path}",
        f"Implementation: {implementation} (sentence splitter: {splitter}).",
        f"Mean F1 x 100, {BULLETS} sentences each, rouge-score with Porter stemmer.",
        "",
        "| metric | ours | lead-3 | difference |",
        "|---|---:|---:|---:|",
    ]
    for key, name in METRICS + EXTRA_METRICS:
        ours, lead3 = totals.mean("ours", key), totals.mean("lead3", key)
        lines.append(f"| {name} | {ours:.2f} | {lead3:.2f} | {ours - lead3:+.2f} |")
    per_kword = 1000 / max(totals.words, 1)
    summarize_total = sum(totals.summarize_seconds)
    scoring_total = sum(totals.scoring_seconds)
    lines += [
        "",
        f"Articles average {totals.words / max(totals.articles, 1):.0f} words and "
        f"{totals.sentences / max(totals.articles, 1):.1f} sentences; the key points "
        f"average {totals.bullet_words / max(totals.articles, 1):.1f} words.",
        "summarize() incl. sentence splitting: "
        f"{1000 * summarize_total / max(totals.articles, 1):.2f} ms per article, "
        f"{1000 * summarize_total * per_kword:.2f} ms per 1,000 words, "
        f"max {1000 * max(totals.summarize_seconds, default=0):.1f} ms",
        "scoring only (sentences already split): "
        f"{1000 * scoring_total / max(totals.articles, 1):.3f} ms per article, "
        f"{1000 * scoring_total * per_kword:.3f} ms per 1,000 words, "
        f"max {1000 * max(totals.scoring_seconds, default=0):.2f} ms",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="JSONL file")
    parser.add_argument("--limit", type=int, default=None, help="first N articles only")
    parser.add_argument(
        "--implementation",
        choices=("current", "pysbd"),
        default="current",
        help="pysbd: the implementation before the rule-based splitter",
    )
    parser.add_argument(
        "--skip-duplicates",
        action="store_true",
        help="leave out the 136 articles marked duplicate_of (as the corpus README advises)",
    )
    args = parser.parse_args(argv)
    if not args.data.is_file():
        print(f"no data at {args.data}", file=sys.stderr)
        return 2
    started = time.perf_counter()
    totals = run(args.data, args.limit, args.skip_duplicates, args.implementation)
    if not totals.articles:
        print("no articles", file=sys.stderr)
        return 1
    print(report(totals, args.data, args.skip_duplicates, args.implementation))
    print(f"Whole run (including ROUGE): {time.perf_counter() - started:.1f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
