"""Highlights: a short passage of a hit with ``<mark>`` around the words that matched.

A word matches when its stored term is one of the query's terms, or its fold key one
of the query's fold keys (so a "Zelenskyy" hit for "Zelensky" is marked too). The
passage is the headline when only the headline matched, else a window of the
summary and body around their first match. Everything but the marks is escaped.
"""

from __future__ import annotations

import html
import re
from itertools import compress, islice

from app.kit.analysis import fold
from app.readmodel.search_index import NO_TERM, surface_words, surface_words_of

WINDOW_WORDS = 28
BEFORE_WORDS = 6
ELLIPSIS = "…"
_SPAN = re.Match.span
# An entry of several terms (a word that analysis splits).
_JOINED = re.compile("[+]").search


class Marks:
    """The query's terms and fold keys."""

    __slots__ = ("exact", "folded")

    def __init__(self, exact: frozenset[str], folded: frozenset[str]) -> None:
        self.exact = exact
        self.folded = folded

    def marking(self, entries: list[str]) -> set[str]:
        """Which of these stored entries match: most are single terms, found in the
        query's terms at once, the others by their fold keys (in one pass)."""
        exact, folded = self.exact, self.folded
        distinct = set(entries)
        found = distinct & exact
        rest = list(distinct - found)
        if folded:
            found.update(compress(rest, map(folded.__contains__, map(fold, rest))))
            found.discard(NO_TERM)
        for entry in filter(_JOINED, rest):
            if any(term in exact or fold(term) in folded for term in entry.split("+")):
                found.add(entry)
        return found


def highlight(snippet: str, terms: str, marks: Marks) -> str:
    """HTML: the best passage of ``snippet`` with its matching words marked."""
    entries = terms.split(" ")
    headline, _, _ = snippet.partition("\n")
    headline_words = len(surface_words_of(headline))
    # The passage ends at most a window past the first exact match after the headline:
    # the words beyond it need no fold keys.
    exact = list(map(marks.exact.__contains__, entries))
    if True in exact[headline_words:]:
        del entries[exact.index(True, headline_words) + WINDOW_WORDS :]
    marked = list(map(marks.marking(entries).__contains__, entries))
    try:
        first_after = marked.index(True, headline_words)
    except ValueError:
        first_after = None
    if first_after is None:
        if any(marked[:headline_words]) or headline_words >= len(marked):
            begin, end, limit = 0, headline_words, len(headline)
        else:
            begin, end, limit = headline_words, headline_words + WINDOW_WORDS, None
    else:
        begin = max(headline_words, first_after - BEFORE_WORDS)
        end, limit = begin + WINDOW_WORDS, None
    spans = list(map(_SPAN, islice(surface_words(snippet), end + 1)))
    end = min(end, len(spans))
    # Entries stored by an older analysis may be fewer than the words found now.
    marked.extend([False] * (end - len(marked)))
    return _render(snippet, spans, marked, begin, end, limit)


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
    # spans may hold one word past the passage, to tell where it stops.
    start = spans[begin][0]
    stop = limit if limit is not None else spans[end - 1][1]
    line_end = snippet.find("\n", stop)
    line_end = len(snippet) if line_end < 0 else line_end
    ends_line = end >= len(spans) or spans[end][0] > line_end
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
