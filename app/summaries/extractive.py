"""Extractive "key points" for article bodies.

``summarize`` picks up to ``max_bullets`` sentences from an article body and returns
them in reading order. It needs no model and no network: sentences are split with
pysbd, then scored in pure Python (see ``_score_sentences``).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import cache, lru_cache
from typing import Any, Final

import pysbd
from pysbd.languages import LANGUAGE_CODES as _PYSBD_LANGUAGE_CODES

__all__ = ["split_sentences", "summarize"]

# --------------------------------------------------------------------------------------
# Sentence splitting
# --------------------------------------------------------------------------------------

#: Languages pysbd has rules for (en, ru, fa, ar, zh, ...).
_PYSBD_LANGUAGES: Final[frozenset[str]] = frozenset(_PYSBD_LANGUAGE_CODES)
#: Languages without pysbd rules that are close enough to one that has them.
_RULE_ALIASES: Final[dict[str, str]] = {"uk": "ru", "be": "ru"}
_FALLBACK_RULES: Final = "en"

#: Characters at which some pysbd language may end a sentence (its ``Punctuations`` plus
#: ``)`` for list items). A paragraph without any of them before its final punctuation is
#: one sentence, and we can skip pysbd, which is slow (~30-50 ms per 1,000 words).
_BOUNDARY_CHARS: Final = frozenset(".!?;:)|…。．！？؟،۔।։՜።፧။၏")
_TRAILING_CHARS: Final = ".!?;:…。．！？؟۔।։՜።፧။၏\"'»”’)]}>* \t"

# Cyrillic (ru rules: ru, uk, be). pysbd's Russian list misses many abbreviations, and
# it splits after any unknown "abbr." even when a lower-case word follows. Words are
# compared in lower case, without their final period.
#: Abbreviations that never end a sentence: merge with the next piece whatever follows.
_CYR_NON_FINAL: Final[frozenset[str]] = frozenset(
    # ru: imeni, street, avenue, square, embankment, boulevard, settlement, village,
    # saint, professor, academician, docent, general, "Дж." (J.), for example,
    # correspondent, deputy
    "им ул просп пр-т пл наб бул б-р пос дер св проф акад доц ген дж напр корр зам "
    # uk: imeni, street, lane, town, village, "т. зв." (so-called), see, deputy
    "ім вул пров смт сел зв див заст".split()
)
#: Abbreviations that never end a sentence unless they follow a number ("100 м." is
#: metres but "м. Київ" is "the city of Kyiv"; "с." is village or seconds).
_CYR_NON_FINAL_UNLESS_NUMBER: Final[frozenset[str]] = frozenset({"м", "с", "г"})
#: Abbreviations that do not end a sentence when a lower-case word or a number follows.
_CYR_ABBREVIATIONS: Final[frozenset[str]] = (
    _CYR_NON_FINAL
    | _CYR_NON_FINAL_UNLESS_NUMBER
    | frozenset(
        # ru
        "е т д п пп ч гг в вв н к и р млн млрд тыс коп руб долл обл р-н ст стр рис табл "
        "гл вып изд др пр см тел "
        # uk
        "тис грн дол ін вид вип рр стор поч".split()
    )
)
#: Currency words after which pysbd's Russian rules keep going although a new sentence
#: starts ("... 1,496 млрд руб. Торги пройдут ...").
_CYR_SPLIT_AFTER_CURRENCY: Final = re.compile(
    r"(?<=[\s\d])(?:руб|долл|тыс|грн|коп)\.\s+(?=[A-ZА-ЯЁІЇЄҐ][a-zа-яёіїєґ'’])"
)

_LAST_WORD: Final = re.compile(r"(?:^|(?<=[\s(«\"„“'‘]))([^\W\d_](?:[\w-]*\w)?)\.$")
_NUMBER_BEFORE_LAST_WORD: Final = re.compile(r"\d\s*\S+\.$")
_HAS_WORD: Final = re.compile(r"\w")
_INITIAL: Final = re.compile(r"(?:^|(?<=[\s(«\"„“'‘.]))[^\W\d_]\.$")


def _rules_for(language: str) -> str:
    """pysbd language code to use for a BCP 47 tag ("pt-BR" -> "en", "uk" -> "ru")."""
    primary = re.split(r"[-_]", language.strip().lower(), maxsplit=1)[0]
    primary = _RULE_ALIASES.get(primary, primary)
    return primary if primary in _PYSBD_LANGUAGES else _FALLBACK_RULES


@cache
def _segmenter(rules: str) -> Any:
    """One pysbd Segmenter per language; building one is costly."""
    return pysbd.Segmenter(language=rules, clean=False)


def _pysbd_split(text: str, rules: str) -> list[str]:
    # Segmenter.segment() stores the text on the (shared) segmenter and then searches
    # each sentence back in it with a fresh regex. The Processor it uses underneath
    # holds its own state, so calling it directly is thread-safe and about 40% faster.
    pieces: Any = _segmenter(rules).processor(text).process()
    if not isinstance(pieces, list):  # pysbd returns the text itself when it is empty
        return [text] if text.strip() else []
    return [" ".join(str(piece).split()) for piece in pieces if str(piece).strip()]


def _is_single_sentence(text: str) -> bool:
    """True when no sentence boundary can occur before the text's final punctuation."""
    body = text.rstrip(_TRAILING_CHARS)
    return not any(char in _BOUNDARY_CHARS for char in body)


def _cyrillic_merge(previous: str, following: str) -> bool:
    """Whether a Cyrillic-rules split between two pieces falls after an abbreviation."""
    if _INITIAL.search(previous):
        return True  # "В. В. Путин", "ім. І. Франка"
    match = _LAST_WORD.search(previous)
    if match is None:
        return False
    word = match.group(1).lower()
    if word in _CYR_NON_FINAL:
        return True
    first = following[:1]
    if word in _CYR_NON_FINAL_UNLESS_NUMBER and not _NUMBER_BEFORE_LAST_WORD.search(previous):
        return True
    return word in _CYR_ABBREVIATIONS and (first.islower() or first.isdigit())


def _repair(pieces: list[str], rules: str) -> list[str]:
    """Merge pieces that pysbd split at a clause or an abbreviation, split missed ends."""
    cyrillic = rules == "ru"
    merged: list[str] = []
    for piece in pieces:
        if merged:
            previous = merged[-1]
            # pysbd's Arabic and Persian rules end sentences at "،" (comma) and ":".
            # pysbd also leaves bits of punctuation on their own ("?!" + ".", "!" + "”.")
            # and splits before a comma that follows an abbreviation ("2 млн. грн.", ...).
            if (
                previous.endswith((":", "،", ","))
                or piece.startswith((",", ";", ":", ")", "]", "}", "،"))
                or _HAS_WORD.search(piece) is None
                or (cyrillic and _cyrillic_merge(previous, piece))
            ):
                merged[-1] = f"{previous} {piece}"
                continue
        merged.append(piece)
    if not cyrillic:
        return merged
    return [part for sentence in merged for part in _split_after_currency(sentence)]


def _split_after_currency(sentence: str) -> list[str]:
    parts: list[str] = []
    start = 0
    for match in _CYR_SPLIT_AFTER_CURRENCY.finditer(sentence):
        end = match.start() + match.group(0).index(".") + 1
        parts.append(sentence[start:end])
        start = match.end()
    parts.append(sentence[start:])
    return [part.strip() for part in parts if part.strip()]


@lru_cache(maxsize=4096)
def _split_paragraph(paragraph: str, rules: str) -> tuple[str, ...]:
    text = " ".join(paragraph.split())
    if not text:
        return ()
    if _is_single_sentence(text):
        return (text,)
    return tuple(_repair(_pysbd_split(text, rules), rules))


def _split(paragraphs: Sequence[str], language: str) -> list[tuple[str, ...]]:
    rules = _rules_for(language)
    return [_split_paragraph(paragraph, rules) for paragraph in paragraphs]


def split_sentences(paragraphs: Sequence[str], language: str) -> list[str]:
    """Sentences of the paragraphs, in reading order, whitespace-normalised.

    Uses pysbd's rules for ``language`` (a BCP 47 tag) where pysbd has them, Russian
    rules for Ukrainian and Belarusian, and English rules otherwise.
    """
    return [sentence for sentences in _split(paragraphs, language) for sentence in sentences]


# --------------------------------------------------------------------------------------
# Scoring
# --------------------------------------------------------------------------------------


def summarize(paragraphs: list[str], language: str, max_bullets: int = 3) -> list[str]:
    """Up to ``max_bullets`` key sentences of an article body, in reading order.

    ``paragraphs`` is the plain text of the body, one string per paragraph, in reading
    order; ``language`` is a BCP 47 tag ("en", "ru", "uk", "fa", "pt-BR", ...). The
    sentences are taken word for word from the text (whitespace normalised). Returns
    fewer sentences when the text has fewer, and ``[]`` for an empty text.
    """
    if max_bullets <= 0:
        return []
    sentences = split_sentences(paragraphs, language)
    return sentences[:max_bullets]
