"""How alike two pieces of content are: shared tags, shared words, the same section and
closeness in time.

One measure for every "more like this" list: related articles, ranked per request
from the search index, and the suggested related videos, ranked when an article is
rendered. Each side gathers its candidates as it can afford (the index's matches per
request; a few set-based queries per batch of articles at write time) and both rank
them here, from the terms the search index keeps (space-separated, as analysed).
"""

from __future__ import annotations

import heapq
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

DAY_MS = 86_400_000
#: Terms of a piece that look for others like it: its headline's first, then its most
#: frequent summary and body terms.
TERMS = 10
_FIELD_WEIGHTS = (3.0, 2.0, 1.0)
# How much a term found in the other piece's headline, summary or body counts.
_FOUND_WEIGHTS = (1.0, 0.8, 0.5)
MAX_SHARED_TAGS = 3
CLOSE_DAYS = 14


def weighted_terms(headline: str, summary: str, body: str) -> dict[str, float]:
    """The ``TERMS`` heaviest terms of a piece with their weights (headline 3, summary
    2, body 1 an occurrence); short terms and numbers say little about a story."""
    counts: dict[str, float] = {}
    for weight, terms in zip(_FIELD_WEIGHTS, (headline, summary, body), strict=True):
        for term in terms.split():
            if len(term) > 2 and not term.isdigit():
                counts[term] = counts.get(term, 0.0) + weight
    ranked = sorted(counts.items(), key=lambda pair: (-pair[1], pair[0]))[:TERMS]
    return dict(ranked)


def text_similarity(terms: Mapping[str, float], headline: str, summary: str, body: str) -> float:
    """The share (0 to 1) of a piece's weighted terms that another piece holds, each
    counted by the best field it is found in."""
    total = sum(terms.values())
    if not total:
        return 0.0
    fields = [f" {text} " for text in (headline, summary, body)]
    found = 0.0
    for term, weight in terms.items():
        needle = f" {term} "
        for field_weight, text in zip(_FOUND_WEIGHTS, fields, strict=True):
            if needle in text:
                found += weight * field_weight
                break
    return found / total


def found_weights(headline: str, summary: str, body: str) -> dict[str, float]:
    """How much each term of a piece counts when another piece looks for it (the
    weight of the best field it is in), for comparing the piece with many others: a
    term (which holds no space) is here exactly when :func:`text_similarity` finds it
    between spaces in the piece's text."""
    weights: dict[str, float] = {}
    for field_weight, text in zip(_FOUND_WEIGHTS, (headline, summary, body), strict=True):
        for term in text.split(" "):
            weights.setdefault(term, field_weight)
    return weights


def found_similarity(terms: Mapping[str, float], found_in: Mapping[str, float]) -> float:
    """:func:`text_similarity` of a piece given by its :func:`found_weights`."""
    total = sum(terms.values())
    if not total:
        return 0.0
    found = 0.0
    weight_in = found_in.get
    for term, weight in terms.items():
        field_weight = weight_in(term)
        if field_weight is not None:
            found += weight * field_weight
    return found / total


@dataclass(frozen=True, slots=True)
class Source:
    """What a piece is compared by."""

    terms: Mapping[str, float]
    section_id: int | None
    published_ts: int


@dataclass(frozen=True, slots=True)
class Candidate:
    """Another piece: how many tags it shares with the source, and its indexed terms."""

    item_id: int
    shared_tags: int
    section_id: int | None
    published_ts: int
    headline: str
    summary: str
    body: str


def score(source: Source, candidate: Candidate) -> float:
    text = text_similarity(source.terms, candidate.headline, candidate.summary, candidate.body)
    return score_with(source, candidate, text)


def score_with(source: Source, candidate: Candidate, text: float) -> float:
    """:func:`score` with the text similarity already known."""
    shared = min(candidate.shared_tags, MAX_SHARED_TAGS)
    same_section = source.section_id is not None and candidate.section_id == source.section_id
    days = abs(candidate.published_ts - source.published_ts) / DAY_MS
    closeness = 1.0 / (1.0 + days / CLOSE_DAYS)
    return 3.0 * text + 1.5 * shared + (1.0 if same_section else 0.0) + closeness


def rank(source: Source, candidates: Iterable[Candidate], limit: int | None = None) -> list[int]:
    """The candidates' ids, most alike first (the newer of two equals first); the first
    ``limit`` of them when given."""
    return best(((score(source, candidate), candidate.item_id) for candidate in candidates), limit)


def best(scored: Iterable[tuple[float, int]], limit: int | None = None) -> list[int]:
    """The ids of ``(score, id)`` pairs, highest first (the higher id of two equals
    first); the first ``limit`` of them when given."""
    if limit is not None:
        # The first ``limit`` of the full sort: no two entries are equal (ids differ).
        return [item_id for _, item_id in heapq.nlargest(limit, scored)]
    return [item_id for _, item_id in sorted(scored, reverse=True)]
