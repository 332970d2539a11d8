"""Highlights: a short passage of a hit with ``<mark>`` around the words that matched.

A word matches when its stored term is one of the query's terms, or its fold key one
of the query's fold keys (so a "Zelenskyy" hit for "Zelensky" is marked too). The
passage is the headline when only the headline matched, else a window of the
summary and body around their first match. Everything but the marks is escaped.
"""

from __future__ import annotations

import html

from app.search.analysis import fold
from app.search.index import NO_TERM, surface_words

WINDOW_WORDS = 28
BEFORE_WORDS = 6
ELLIPSIS = "…"


def _matches(entry: str, exact: frozenset[str], folded: frozenset[str]) -> bool:
    if entry == NO_TERM:
        return False
    return any(term in exact or fold(term) in folded for term in entry.split("+"))


def highlight(snippet: str, terms: str, exact: frozenset[str], folded: frozenset[str]) -> str:
    """HTML: the best passage of ``snippet`` with its matching words marked."""
    entries = terms.split(" ")
    spans = [(match.start(), match.end()) for match in surface_words(snippet)]
    if len(spans) != len(entries):
        # Stored by another version of the analysis: better no marks than wrong ones.
        entries = [NO_TERM] * len(spans)
    headline_end = snippet.find("\n")
    if headline_end < 0:
        headline_end = len(snippet)
    first_after = None
    headline_words = 0
    marked = []
    for index, (start, _) in enumerate(spans):
        hit = _matches(entries[index], exact, folded)
        marked.append(hit)
        if start < headline_end:
            headline_words = index + 1
        elif hit and first_after is None:
            first_after = index
    if first_after is None:
        if any(marked[:headline_words]) or headline_words == len(spans):
            return _render(snippet, spans, marked, 0, headline_words, headline_end)
        first_after = headline_words
    begin = max(headline_words, first_after - BEFORE_WORDS)
    end = min(len(spans), begin + WINDOW_WORDS)
    return _render(snippet, spans, marked, begin, end, None)


def _render(
    snippet: str,
    spans: list[tuple[int, int]],
    marked: list[bool],
    begin: int,
    end: int,
    limit: int | None,
) -> str:
    if begin >= end:
        return html.escape(snippet[:limit] if limit is not None else "")
    start = spans[begin][0]
    stop = limit if limit is not None else spans[end - 1][1]
    line_end = snippet.find("\n", stop)
    line_end = len(snippet) if line_end < 0 else line_end
    ends_line = end == len(spans) or spans[end][0] > line_end
    if ends_line:
        # The passage ends with its paragraph: keep the closing punctuation.
        stop = line_end
    parts = []
    # An ellipsis where the passage starts or stops inside a paragraph.
    if begin > 0 and "\n" not in snippet[spans[begin - 1][1] : start]:
        parts.append(ELLIPSIS)
    position = start
    for index in range(begin, end):
        if marked[index]:
            word_start, word_end = spans[index]
            parts.append(html.escape(snippet[position:word_start]))
            parts.append(f"<mark>{html.escape(snippet[word_start:word_end])}</mark>")
            position = word_end
    parts.append(html.escape(snippet[position:stop]))
    if not ends_line:
        parts.append(ELLIPSIS)
    return " ".join("".join(parts).split())
