"""The pysbd-based key points that ``app.summaries.extractive`` replaced (reference only).

Not used by the application. This is the implementation as it was before the fast
sentence splitter (``app.summaries.sentences``), kept unchanged so that the benchmarks
can compare with it in the same run: ``bench/sentence_split.py`` (agreement of the
sentences, speed) and ``bench/rouge_summaries.py --implementation pysbd`` (ROUGE).
Sentences are split with pysbd (its rules for the language, Russian rules for Ukrainian
and Belarusian, English rules otherwise), then pysbd's known mistakes are repaired.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import cache, lru_cache
from typing import Any, Final

import pysbd
from pysbd.languages import LANGUAGE_CODES as _PYSBD_LANGUAGE_CODES

__all__ = ["select_sentences", "split_sentences", "summarize"]

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
    {
        # ru: imeni, street, avenue, square, embankment, boulevard, settlement, village,
        # saint, professor, academician, docent, general, "Дж." (J.), for example,
        # correspondent, deputy
        *("им", "ул", "просп", "пр-т", "пл", "наб", "бул", "б-р", "пос", "дер", "св"),
        *("проф", "акад", "доц", "ген", "дж", "напр", "корр", "зам"),
        # uk: imeni, street, lane, town, village, "т. зв." (so-called), see, deputy
        *("ім", "вул", "пров", "смт", "сел", "зв", "див", "заст"),
    }
)
#: Abbreviations that never end a sentence unless they follow a number ("100 м." is
#: metres but "м. Київ" is "the city of Kyiv"; "с." is village or seconds).
_CYR_NON_FINAL_UNLESS_NUMBER: Final[frozenset[str]] = frozenset({"м", "с", "г"})
#: Abbreviations that do not end a sentence when a lower-case word or a number follows.
_CYR_ABBREVIATIONS: Final[frozenset[str]] = (
    _CYR_NON_FINAL
    | _CYR_NON_FINAL_UNLESS_NUMBER
    | frozenset(
        {
            # ru
            *("е", "т", "д", "п", "пп", "ч", "гг", "в", "вв", "н", "к", "и", "р", "др", "пр"),
            *("млн", "млрд", "тыс", "коп", "руб", "долл", "обл", "р-н", "ст", "стр", "рис"),
            *("табл", "гл", "вып", "изд", "см", "тел"),
            # uk
            *("тис", "грн", "дол", "ін", "вид", "вип", "рр", "стор", "поч"),
        }
    )
)
#: Words after which pysbd's Russian rules keep going although a new sentence starts
#: ("... 1,496 млрд руб. Торги пройдут ...", "... и т. д. Потом ...").
_CYR_SENTENCE_END: Final = re.compile(
    r"(?<=[\s\d])(?:руб|долл|тыс|грн|коп|т\.\s?д|т\.\s?п|т\.\s?ін|др)\."
    r"(?=\s+[A-ZА-ЯЁІЇЄҐ][a-zа-яёіїєґ'’])"
)

_LAST_WORD: Final = re.compile(r"(?:^|(?<=[\s(«\"„“'‘]))([^\W\d_](?:[\w-]*\w)?)\.$")
_NUMBER_BEFORE_LAST_WORD: Final = re.compile(r"\d\s*\S+\.$")
_HAS_WORD: Final = re.compile(r"\w")
_LAST_LETTER: Final = re.compile(r"(?:^|(?<=[\s(«\"„“'‘.]))([^\W\d_])\.$")


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
    # Segmenter.segment() stores the text on the (shared, cached) segmenter, then looks
    # each sentence up again in it with a fresh regex. The Processor it runs underneath
    # is a new object per call, so calling it directly leaves the shared segmenter
    # untouched (safe across threads) and is about 40% faster.
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
    initial = _LAST_LETTER.search(previous)
    if initial is not None and initial.group(1).isupper():
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
    return [part for sentence in merged for part in _split_after_abbreviations(sentence)]


def _split_after_abbreviations(sentence: str) -> list[str]:
    parts: list[str] = []
    start = 0
    for match in _CYR_SENTENCE_END.finditer(sentence):
        parts.append(sentence[start : match.end()].strip())
        start = match.end()
    parts.append(sentence[start:].strip())
    return [part for part in parts if part]


@lru_cache(maxsize=2048)  # re-summarising an edited article splits only what changed
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
#
# A sentence scores by how many of the article's recurring content words it holds
# (word-frequency centrality), times a prior for sentences near the top. Content words
# are found without a stop-word list, so that it works for any language: a word is left
# out when it is short (< 3 characters: "в", "of", "في"), a number, or occurs in most of
# the article's sentences. Writing without spaces (Chinese, Japanese, Thai, ...) is cut
# into character pairs.
#
# Tuned on the English BBC News Summary corpus (bench/rouge_summaries.py): weights were
# chosen on the even-numbered articles (duplicates left out), then checked on the odd
# ones, where it beats the first three sentences by 15 points of ROUGE-1 F1 and 18 of
# ROUGE-2 F1. The weights are round values from a broad plateau, not a sharp optimum;
# nearby values (and a TextRank variant) score within about a point.

_WORD: Final = re.compile(r"\w+")
#: Scripts written without spaces between words: Han, kana, Thai, Lao, Khmer, Myanmar.
_UNSPACED: Final = re.compile(
    r"[\u0e00-\u0eff\u1000-\u109f\u1780-\u17ff\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff"
    r"\uf900-\ufaff]"
)
_QUOTE_ONLY: Final = re.compile(r"^[\"“«„'‘‹].*[\"”»“'’›][.!?…]?$")

_MIN_WORD_LENGTH: Final = 3
#: A word found in at least this share of the sentences is a function word.
_STOP_WORD_SENTENCE_SHARE: Final = 0.7
#: Sentence score = sum(sqrt(frequency - 1)) / content_words ** _LENGTH_NORMALISATION:
#: 0 would favour long sentences, 1 short ones.
_LENGTH_NORMALISATION: Final = 0.3
#: The sentence at index i gets a bonus of _POSITION_WEIGHT / (i + 1).
_POSITION_WEIGHT: Final = 0.25
_SHORT_SENTENCE_WORDS: Final = 5
_SHORT_SENTENCE_FACTOR: Final = 0.3
_QUOTE_ONLY_FACTOR: Final = 0.8


def _tokens(sentence: str) -> list[str]:
    tokens: list[str] = []
    for word in _WORD.findall(sentence.lower()):
        if _UNSPACED.search(word) and len(word) > 2:
            tokens.extend(word[i : i + 2] for i in range(len(word) - 1))
        else:
            tokens.append(word)
    return tokens


def _score_sentences(sentences: Sequence[str]) -> list[float]:
    """A score per sentence; the higher, the better a key point it makes."""
    tokenised = [_tokens(sentence) for sentence in sentences]
    frequency: dict[str, int] = {}
    sentence_frequency: dict[str, int] = {}
    for tokens in tokenised:
        for token in tokens:
            frequency[token] = frequency.get(token, 0) + 1
        for token in set(tokens):
            sentence_frequency[token] = sentence_frequency.get(token, 0) + 1
    too_common = max(2.0, _STOP_WORD_SENTENCE_SHARE * len(sentences))

    def is_content(token: str) -> bool:
        return (
            (len(token) >= _MIN_WORD_LENGTH or _UNSPACED.match(token) is not None)
            and not token.isdigit()
            and sentence_frequency[token] < too_common
        )

    scores: list[float] = []
    for index, (sentence, tokens) in enumerate(zip(sentences, tokenised, strict=True)):
        content = [token for token in tokens if is_content(token)]
        if not content:
            scores.append(-1.0)
            continue
        centrality = sum((frequency[token] - 1) ** 0.5 for token in set(content))
        score = centrality / len(content) ** _LENGTH_NORMALISATION
        score *= 1.0 + _POSITION_WEIGHT / (index + 1)
        if len(tokens) < _SHORT_SENTENCE_WORDS:
            score *= _SHORT_SENTENCE_FACTOR
        if _QUOTE_ONLY.match(sentence):
            score *= _QUOTE_ONLY_FACTOR
        scores.append(score)
    return scores


def select_sentences(sentences: Sequence[str], max_bullets: int = 3) -> list[str]:
    """Up to ``max_bullets`` of ``sentences``, the best scored, in their original order."""
    if max_bullets <= 0 or not sentences:
        return []
    scores = _score_sentences(sentences)
    ranking = sorted(range(len(sentences)), key=lambda index: (-scores[index], index))
    chosen: list[int] = []
    seen: set[str] = set()
    for index in ranking:
        if sentences[index] in seen:  # the same sentence twice (a repeated paragraph)
            continue
        seen.add(sentences[index])
        chosen.append(index)
        if len(chosen) == max_bullets:
            break
    return [sentences[index] for index in sorted(chosen)]


def summarize(paragraphs: list[str], language: str, max_bullets: int = 3) -> list[str]:
    """Up to ``max_bullets`` key sentences of an article body, in reading order.

    ``paragraphs`` is the plain text of the body, one string per paragraph, in reading
    order; ``language`` is a BCP 47 tag ("en", "ru", "uk", "fa", "pt-BR", ...). The
    sentences are taken word for word from the text (whitespace normalised). Returns
    fewer sentences when the text has fewer, and ``[]`` for an empty text.
    """
    if max_bullets <= 0:
        return []
    return select_sentences(split_sentences(paragraphs, language), max_bullets)
