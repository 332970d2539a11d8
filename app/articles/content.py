"""What an article's content is made of, whichever way it is written (the
editorial API or an import): sanitised body blocks and lead image, word count and
reading time, and the key points generated from its prose."""

import math
import re
from typing import Any

from app.articles.repository import ArticleRepository
from app.kit.sanitize import plain_text, rich_text, text_of
from app.models import Article
from app.summaries.extractive import summarize

WORDS_PER_MINUTE = 230
_WORD = re.compile(r"\w+")
#: Block members that hold inline HTML, and those that hold plain text.
_RICH_MEMBERS = ("text",)
_PLAIN_MEMBERS = ("caption", "credit", "alt", "attribution", "provider")


def clean_block(data: dict[str, Any]) -> dict[str, Any]:
    """A body block (already validated) with its text sanitised: inline HTML by the
    allow-list, captions and other labels as plain text."""
    cleaned = dict(data)
    for name in _RICH_MEMBERS:
        if isinstance(cleaned.get(name), str):
            cleaned[name] = rich_text(cleaned[name])
    if isinstance(cleaned.get("items"), list):
        cleaned["items"] = [rich_text(text) for text in cleaned["items"]]
    for name in _PLAIN_MEMBERS:
        if cleaned.get(name) is not None:
            cleaned[name] = plain_text(cleaned[name])
    return cleaned


def clean_image(data: dict[str, Any]) -> dict[str, Any]:
    """A lead image with its caption, credit and alt text as plain text."""
    cleaned = dict(data)
    for name in ("caption", "credit", "alt"):
        if cleaned.get(name) is not None:
            cleaned[name] = plain_text(cleaned[name])
    return cleaned


def block_texts(blocks: list[dict[str, Any]]) -> list[str]:
    """Readable text of body blocks, one string a block, in order."""
    texts: list[str] = []
    for block in blocks:
        kind = block.get("type")
        if kind in ("paragraph", "heading", "quote"):
            texts.append(text_of(block.get("text", "")))
        elif kind == "list":
            texts.extend(text_of(item) for item in block.get("items", []))
    return [text for text in texts if text]


def count_words(blocks: list[dict[str, Any]]) -> int:
    return sum(len(_WORD.findall(text)) for text in block_texts(blocks))


def reading_minutes(words: int) -> int:
    return max(1, math.ceil(words / WORDS_PER_MINUTE))


def apply_counts(article: Article) -> None:
    article.word_count = count_words(article.body)
    article.reading_time_minutes = reading_minutes(article.word_count)


def generated_summary(body: list[dict[str, Any]], language: str) -> list[str]:
    """Key points taken from the article's own prose, in its language."""
    prose = [
        text
        for block in body
        if block.get("type") in ("paragraph", "quote")
        for text in block_texts([block])
    ]
    # The sentences are plain text taken from sanitised HTML, so an escaped
    # "&lt;script&gt;" in the prose is a literal "<script>" here: keep the angle
    # brackets from ever forming markup again, as plain_text does.
    return [
        sentence.replace("<", "‹").replace(">", "›") for sentence in summarize(prose, language, 3)
    ]


def apply_derived(articles: ArticleRepository, article: Article) -> None:
    """Word count, reading time and the generated key points, computed on save."""
    apply_counts(article)
    articles.store_generated_summary(article, generated_summary(article.body, article.language))
