"""The reader's query language, read into terms and written for each store.

Words must all match; ``"quoted phrases"`` match in order; ``-word`` and
``-"a phrase"`` exclude; ``OR`` between two items makes either enough. Everything
else is text: brackets, stars, colons, ``NEAR``, ``AND``, quotes left open, SQL.
Nothing the reader types reaches FTS5 or ``tsquery`` as syntax: both are written
here from analysed terms only, each quoted, and terms hold letters and digits only.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cached_property, lru_cache

from app.kit.analysis import (
    analyzer,
    candidate_languages,
    fold,
    normalize,
    query_alternatives,
    words,
)
from app.readmodel.search_index import FOLD_PREFIX
from app.search.highlight import Marks

MAX_ITEMS = 16
# Only terms this long are also looked for by fold key: shorter ones are ordinary
# words (rate, rat) more often than spellings of a name.
MIN_FOLD = 5
MAX_PHRASE_WORDS = 12
EXACT_COLUMNS = "{headline summary body}"
FOLD_COLUMNS = "{headline_folds summary_folds body_folds}"
_TOKEN = re.compile(r'(-?)"([^"]*)"?|(\S+)')


class QueryTooLong(ValueError):
    """More words or phrases than a query may hold."""


@dataclass(frozen=True, slots=True)
class Item:
    """A word or a phrase, as the sequences of terms it may stand for."""

    exact: frozenset[tuple[str, ...]]
    folded: frozenset[tuple[str, ...]]


@dataclass
class Parsed:
    # Every clause must match; a clause matches when any of its items does.
    clauses: list[list[Item]] = field(default_factory=list)
    excluded: list[Item] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not self.clauses

    @cached_property
    def marks(self) -> Marks:
        """What a highlight marks: the terms and fold keys of the positive items (kept
        with the parsed query, so that repeated searches reuse its decisions)."""
        exact: set[str] = set()
        folded: set[str] = set()
        for clause in self.clauses:
            for item in clause:
                for sequence in item.exact:
                    exact.update(sequence)
                for sequence in item.folded:
                    folded.update(sequence)
        return Marks(frozenset(exact), frozenset(folded))


# Kept by word: most words of one query come back in others, and reading a word into
# its lemmas and spellings costs far more than the search that uses them.
@lru_cache(maxsize=16_384)
def _word_item(word: str, languages: tuple[str, ...]) -> Item | None:
    terms = query_alternatives(word, languages)
    if not terms:
        return None
    return Item(
        exact=frozenset((term,) for term in terms),
        folded=frozenset((fold(term),) for term in terms if len(term) >= MIN_FOLD),
    )


def _phrase_item(phrase_words: list[str], languages: tuple[str, ...]) -> Item | None:
    if len(phrase_words) == 1:
        return _word_item(phrase_words[0], languages)
    exact: set[tuple[str, ...]] = set()
    for language in candidate_languages(phrase_words[0], languages):
        term = analyzer(language)
        sequence = tuple(value for value in map(term, phrase_words) if value)
        if sequence:
            exact.add(sequence)
    if not exact:
        return None
    return Item(
        exact=frozenset(exact),
        folded=frozenset(tuple(map(fold, sequence)) for sequence in exact),
    )


def _item(text: str, languages: tuple[str, ...]) -> Item | None:
    found = [match.group() for match in words(normalize(text))][:MAX_PHRASE_WORDS]
    if not found:
        return None
    return _phrase_item(found, languages)


@lru_cache(maxsize=4096)
def parse(raw: str, languages: tuple[str, ...] = ()) -> Parsed:
    """The query as clauses of items; raises ``QueryTooLong`` past ``MAX_ITEMS``."""
    parsed = Parsed()
    pending_or = False
    count = 0
    for match in _TOKEN.finditer(raw):
        negated, quoted, bare = match.group(1), match.group(2), match.group(3)
        if bare == "OR":
            pending_or = bool(parsed.clauses)
            continue
        if bare is not None:
            negated = "-" if bare.startswith("-") and len(bare) > 1 else ""
            text = bare[1:] if negated else bare
        else:
            text = quoted
        count += 1
        if count > MAX_ITEMS:
            raise QueryTooLong(f"A query holds at most {MAX_ITEMS} words or phrases.")
        item = _item(text, languages)
        if item is None:
            pending_or = pending_or and not negated
            continue
        if negated:
            parsed.excluded.append(item)
            pending_or = False
        elif pending_or:
            parsed.clauses[-1].append(item)
            pending_or = False
        else:
            parsed.clauses.append([item])
    return parsed


# Writing the query for each store ---------------------------------------------


def _fts_phrase(terms: tuple[str, ...]) -> str:
    return '"' + " ".join(terms) + '"'


def _fts_item(item: Item, *, folded: bool = True) -> str:
    exact = f"{EXACT_COLUMNS} : ({' OR '.join(sorted(map(_fts_phrase, item.exact)))})"
    if not folded or not item.folded:
        return f"({exact})"
    keys = " OR ".join(sorted(map(_fts_phrase, item.folded)))
    return f"({exact} OR {FOLD_COLUMNS} : ({keys}))"


def fts5(parsed: Parsed) -> str:
    """An FTS5 MATCH expression of a non-empty query."""
    clauses = ["(" + " OR ".join(map(_fts_item, clause)) + ")" for clause in parsed.clauses]
    expression = " AND ".join(clauses)
    if parsed.excluded:
        # Exclusions take the reader's words as written: a fold key would exclude
        # other words that happen to share it.
        excluded = " OR ".join(_fts_item(item, folded=False) for item in parsed.excluded)
        expression = f"({expression}) NOT ({excluded})"
    return expression


def _ts_sequence(terms: tuple[str, ...], prefix: str = "") -> str:
    lexemes = [f"'{prefix}{term}'" for term in terms]
    return lexemes[0] if len(lexemes) == 1 else "(" + " <-> ".join(lexemes) + ")"


def _ts_item(item: Item, *, folded: bool = True) -> str:
    alternatives = sorted(_ts_sequence(sequence) for sequence in item.exact)
    if folded:
        alternatives += sorted(_ts_sequence(sequence, FOLD_PREFIX) for sequence in item.folded)
    return "(" + " | ".join(alternatives) + ")"


def tsquery(parsed: Parsed, *, exclusions: bool = True) -> str:
    """A ``tsquery`` literal of a non-empty query (without its exclusions: the one
    ranking uses)."""
    clauses = ["(" + " | ".join(map(_ts_item, clause)) + ")" for clause in parsed.clauses]
    expression = " & ".join(clauses)
    if exclusions and parsed.excluded:
        excluded = " | ".join(_ts_item(item, folded=False) for item in parsed.excluded)
        expression = f"{expression} & !({excluded})"
    return expression
