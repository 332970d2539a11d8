"""Rule-based sentence splitter vs the pysbd-based one it replaced: agreement and speed.

For each corpus in ../shared/data, splits every body paragraph with both
``app.summaries.sentences.split_sentences`` (new) and
``bench.pysbd_legacy.split_sentences`` (pysbd, before) and counts the paragraphs
split identically. Then times ``summarize`` per article, before and after, in the same
run, with cold caches, in CPU time (best of ``--repeat`` runs: the machine may be busy).

    uv run python -m bench.sentence_split [--show N] [--dump PATH] [--itn-all]
        [--repeat N] [--no-timing]

``--show N`` prints N differing paragraphs per corpus, as the sentences only one
splitter produced ("-" pysbd, "+" new); ``--dump`` writes all of them as JSONL.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

from app.summaries import extractive, sentences
from bench import pysbd_legacy

REPO = Path(__file__).resolve().parents[1]
DATA = REPO.parent / "shared" / "data"
ITN = DATA / "itn-corpus" / "itn-corpus.jsonl"
#: (label, file, language); the itn-corpus mixes languages.
CORPORA: tuple[tuple[str, Path, str | None], ...] = (
    ("en", DATA / "bbc-news-summary" / "bbc-news-summary.jsonl", "en"),
    ("ru", DATA / "corus-ru-news-samples" / "corus-ru-news-samples.jsonl", "ru"),
    ("uk", DATA / "bruk-press-uk" / "bruk-press-uk.jsonl", "uk"),
    ("fa", ITN, "fa"),
    ("ar", ITN, "ar"),
)
#: Articles of about 400 words (the speed target is for those).
TYPICAL_WORDS = (350, 450)


@dataclass
class Result:
    label: str
    articles: int = 0
    words: int = 0
    paragraphs: int = 0
    identical: int = 0
    sentences_before: int = 0
    sentences_after: int = 0
    differences: list[dict[str, Any]] = field(default_factory=list)
    seconds_before: list[float] = field(default_factory=list)
    seconds_after: list[float] = field(default_factory=list)
    split_seconds_after: list[float] = field(default_factory=list)
    typical_before: list[float] = field(default_factory=list)
    typical_after: list[float] = field(default_factory=list)

    @property
    def agreement(self) -> float:
        return 100 * self.identical / max(self.paragraphs, 1)


def articles(path: Path, language: str | None) -> Iterator[dict[str, Any]]:
    with path.open(encoding="utf-8") as lines:
        for line in lines:
            record: dict[str, Any] = json.loads(line)
            if language is None or record["language"] == language:
                yield record


def paragraphs_of(record: dict[str, Any]) -> list[str]:
    return [line for line in record["body"].split("\n") if line.strip()]


def timed(function: Callable[[], object], repeat: int) -> float:
    """Best of ``repeat`` cold runs, in seconds of CPU time."""
    best = float("inf")
    for _ in range(repeat):
        pysbd_legacy._split_paragraph.cache_clear()  # the new splitter has no cache
        started = time.process_time()
        function()
        best = min(best, time.process_time() - started)
    return best


def compare(label: str, records: Iterator[dict[str, Any]], timing: bool, repeat: int) -> Result:
    result = Result(label)
    for record in records:
        language = record["language"]
        paragraphs = paragraphs_of(record)
        words = sum(len(paragraph.split()) for paragraph in paragraphs)
        result.articles += 1
        result.words += words
        for paragraph in paragraphs:
            before = pysbd_legacy.split_sentences([paragraph], language)
            after = sentences.split_sentences([paragraph], language)
            result.paragraphs += 1
            result.sentences_before += len(before)
            result.sentences_after += len(after)
            if before == after:
                result.identical += 1
            else:
                result.differences.append(
                    {"id": record["id"], "language": language, "pysbd": before, "new": after}
                )
        if not timing:
            continue
        before_seconds = timed(partial(pysbd_legacy.summarize, paragraphs, language), repeat)
        after_seconds = timed(partial(extractive.summarize, paragraphs, language), repeat)
        split_seconds = timed(partial(sentences.split_sentences, paragraphs, language), repeat)
        result.seconds_before.append(before_seconds)
        result.seconds_after.append(after_seconds)
        result.split_seconds_after.append(split_seconds)
        if TYPICAL_WORDS[0] <= words <= TYPICAL_WORDS[1]:
            result.typical_before.append(before_seconds)
            result.typical_after.append(after_seconds)
    return result


def show(difference: dict[str, Any]) -> str:
    before, after = difference["pysbd"], difference["new"]
    lines = [f"{difference['id']} ({difference['language']})"]
    lines += [f"  - {sentence}" for sentence in before if sentence not in after]
    lines += [f"  + {sentence}" for sentence in after if sentence not in before]
    return "\n".join(lines)


def ms(seconds: list[float]) -> str:
    return f"{1000 * statistics.fmean(seconds):.3f}" if seconds else "-"


def python_speed() -> float:
    """ms for ``sum(range(10**6))``, best of 20: to compare timings across machines."""
    best = float("inf")
    for _ in range(20):
        started = time.process_time()
        sum(range(10**6))
        best = min(best, time.process_time() - started)
    return 1000 * best


def report(results: list[Result], timing: bool) -> str:
    lines = [
        "Agreement: paragraphs split identically by the new splitter and by pysbd (before).",
        "",
        "| corpus | articles | paragraphs | identical | agreement | sentences, pysbd | new |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        lines.append(
            f"| {r.label} | {r.articles} | {r.paragraphs} | {r.identical} | "
            f"{r.agreement:.2f}% | {r.sentences_before} | {r.sentences_after} |"
        )
    if not timing:
        return "\n".join(lines)
    low, high = TYPICAL_WORDS
    lines += [
        "",
        "Speed: summarize() per article, CPU time, best of --repeat cold runs each; "
        f"ms per article (mean), and for the articles of {low}-{high} words (their number "
        "in brackets).",
        "",
        "| corpus | words/article | before ms | after ms | speed-up | after ms/400 words "
        f"| before, {low}-{high} words | after, {low}-{high} words | after, splitting only |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        if not r.seconds_after:
            continue
        speed_up = sum(r.seconds_before) / max(sum(r.seconds_after), 1e-12)
        per_400_words = 1000 * sum(r.seconds_after) * 400 / max(r.words, 1)
        lines.append(
            f"| {r.label} | {r.words / max(r.articles, 1):.0f} | {ms(r.seconds_before)} | "
            f"{ms(r.seconds_after)} | {speed_up:.0f}x | {per_400_words:.3f} | "
            f"{ms(r.typical_before)} | {ms(r.typical_after)} ({len(r.typical_after)}) | "
            f"{ms(r.split_seconds_after)} |"
        )
    lines += [
        "",
        f"Python speed of this machine: sum(range(10**6)) takes {python_speed():.1f} ms of CPU "
        "(best of 20).",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--show", type=int, default=0, help="differences to print per corpus")
    parser.add_argument("--dump", type=Path, help="write all differences to this JSONL file")
    parser.add_argument("--itn-all", action="store_true", help="add all itn-corpus languages")
    parser.add_argument("--repeat", type=int, default=3, help="timing runs per article (best)")
    parser.add_argument("--no-timing", action="store_true", help="agreement only")
    args = parser.parse_args(argv)

    corpora = list(CORPORA)
    if args.itn_all:
        corpora.append(("itn, all languages", ITN, None))
    missing = sorted({str(path) for _, path, _ in corpora if not path.is_file()})
    if missing:
        print(f"no data at {', '.join(missing)}", file=sys.stderr)
        return 2

    started = time.perf_counter()
    results = []
    for label, path, language in corpora:
        timing = not args.no_timing and language is not None
        results.append(compare(label, articles(path, language), timing, args.repeat))
    print(report(results, not args.no_timing))

    if args.show:
        for result in results:
            print(f"\n## {result.label}: {len(result.differences)} differing paragraphs\n")
            for difference in result.differences[: args.show]:
                print(show(difference))
    if args.dump:
        with args.dump.open("w", encoding="utf-8") as out:
            for result in results:
                for difference in result.differences:
                    out.write(json.dumps(difference, ensure_ascii=False) + "\n")
    print(f"\nWhole run: {time.perf_counter() - started:.1f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
