"""Extractive "key points" for article bodies.

``summarize`` picks up to ``max_bullets`` sentences from an article body and returns
them in reading order. It needs no model and no network: sentences are split by rules
(``app.summaries.sentences``), credit lines and sentences that spell out a URL are left
out (``app.summaries.credits``), then the rest are scored in pure Python (see
``_score_sentences``).
It runs when an article is saved, imports included, so it has to be fast: about half a
millisecond for a 400-word article (``bench/sentence_split.py``).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from itertools import chain
from typing import Final

from app.summaries.credits import is_credit_or_link
from app.summaries.sentences import split_sentences

__all__ = ["select_sentences", "split_sentences", "summarize"]

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
# ones, where it beat the first three sentences by 15 points of ROUGE-1 F1 and 18 of
# ROUGE-2 F1 (with pysbd's sentences; with the rule-based splitter, on all 2,225
# articles: +13.9 and +17.4). The weights are round values from a broad plateau, not a
# sharp optimum; nearby values (and a TextRank variant) score within about a point.
#
# It costs about 0.3 ms for a 400-word article, the splitting about 0.15 ms.

_WORD: Final = re.compile(r"\w+")
#: Scripts written without spaces between words: Han, kana, Thai, Lao, Khmer, Myanmar.
_UNSPACED: Final = re.compile(
    r"[\u0e00-\u0eff\u1000-\u109f\u1780-\u17ff\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff"
    r"\uf900-\ufaff]"
)
_OPENING_QUOTES: Final = frozenset("\"“«„'‘‹")
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
    words: list[str] = _WORD.findall(sentence.lower())
    if _UNSPACED.search(sentence) is None:
        return words
    tokens: list[str] = []
    for word in words:
        if len(word) > 2 and _UNSPACED.search(word):
            tokens.extend(word[i : i + 2] for i in range(len(word) - 1))
        else:
            tokens.append(word)
    return tokens


def _score_sentences(sentences: Sequence[str]) -> list[float]:
    """A score per sentence; the higher, the better a key point it makes."""
    unspaced = any(_UNSPACED.search(sentence) for sentence in sentences)
    if unspaced:
        tokenised = [_tokens(sentence) for sentence in sentences]
    else:
        find_words = _WORD.findall
        tokenised = [find_words(sentence.lower()) for sentence in sentences]
    distinct = [set(tokens) for tokens in tokenised]
    frequency = Counter(chain.from_iterable(tokenised))
    too_common = max(2.0, _STOP_WORD_SENTENCE_SHARE * len(sentences))
    #: sqrt(frequency - 1) of each content word: one of 3 characters or more (or in a
    #: script without spaces), not a number, not in most sentences (only a word that
    #: occurs that often in all can be).
    weights: dict[str, float] = {}
    for token, count in frequency.items():
        if (
            (len(token) >= _MIN_WORD_LENGTH or (unspaced and _UNSPACED.match(token)))
            and not token.isdigit()
            and (count < too_common or sum(token in found for found in distinct) < too_common)
        ):
            weights[token] = (count - 1) ** 0.5
    is_content = weights.__contains__
    weight = weights.__getitem__
    content_words = weights.keys()

    scores: list[float] = []
    for index, (sentence, tokens) in enumerate(zip(sentences, tokenised, strict=True)):
        content = distinct[index] & content_words
        if not content:
            scores.append(-1.0)
            continue
        centrality = sum(map(weight, content))
        score = centrality / sum(map(is_content, tokens)) ** _LENGTH_NORMALISATION
        score *= 1.0 + _POSITION_WEIGHT / (index + 1)
        if len(tokens) < _SHORT_SENTENCE_WORDS:
            score *= _SHORT_SENTENCE_FACTOR
        if sentence[:1] in _OPENING_QUOTES and _QUOTE_ONLY.match(sentence):
            score *= _QUOTE_ONLY_FACTOR
        scores.append(score)
    return scores


def select_sentences(sentences: Sequence[str], max_bullets: int = 3) -> list[str]:
    """Up to ``max_bullets`` of ``sentences``, the best scored, in their original order;
    never a credit line or a sentence that spells out a URL."""
    if max_bullets <= 0:
        return []
    # Left out before scoring, so that the words of a credit ("Reuters", "Wikipedia")
    # do not count as the story's recurring words either.
    sentences = [sentence for sentence in sentences if not is_credit_or_link(sentence)]
    if not sentences:
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
    sentences are taken word for word from the text (whitespace normalised), never a
    credit line ("Source: ...", "Фото: ...") or one that spells out a URL. Returns fewer
    sentences when the text has fewer (one for a one-sentence story), and ``[]`` when
    none is left.
    """
    if max_bullets <= 0:
        return []
    return select_sentences(split_sentences(paragraphs, language), max_bullets)
