"""Writing articles: slugs, derived fields, the generated summary, the stored renderings."""

from typing import Any

from slugify import slugify
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.kit.sanitize import plain_text, rich_text
from app.models import Article, ArticleSlug
from app.readmodel.articles import (
    block_texts,
    count_words,
    reading_minutes,
    refresh_summary,
)
from app.summaries.extractive import summarize

SLUG_MAX = 120


def slug_from(text: str) -> str:
    """A URL slug; Cyrillic, Arabic and other scripts are transliterated to Latin."""
    slug = slugify(text, max_length=SLUG_MAX, word_boundary=True, lowercase=True)
    return slug or "article"


def unique_slug(
    session: Session,
    service_id: int,
    base: str,
    article_id: int | None,
    also_taken: set[str] | None = None,
) -> str:
    """``base``, or ``base-2``, ``base-3``... so no other article of the service holds it."""
    also_taken = also_taken or set()
    for start in range(1, 10_000, 50):
        candidates = [base if n == 1 else f"{base}-{n}" for n in range(start, start + 50)]
        taken = {
            slug
            for slug, owner in session.execute(
                select(ArticleSlug.slug, ArticleSlug.article_id).where(
                    ArticleSlug.service_id == service_id, ArticleSlug.slug.in_(candidates)
                )
            )
            if owner != article_id
        }
        taken |= {
            slug
            for slug, owner in session.execute(
                select(Article.slug, Article.id).where(
                    Article.service_id == service_id, Article.slug.in_(candidates)
                )
            )
            if owner != article_id
        }
        for candidate in candidates:
            if candidate not in taken and candidate not in also_taken:
                return candidate
    raise ValueError(f"no free slug for {base!r}")


def record_slug(session: Session, article: Article) -> None:
    """Keep every slug the article has had, so old links answer 301."""
    existing = session.scalars(
        select(ArticleSlug).where(
            ArticleSlug.service_id == article.service_id, ArticleSlug.slug == article.slug
        )
    ).one_or_none()
    if existing is None:
        session.add(
            ArticleSlug(article_id=article.id, service_id=article.service_id, slug=article.slug)
        )
        session.flush()


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


def apply_derived(session: Session, article: Article) -> None:
    """Word count, reading time and the generated key points, computed on save."""
    apply_counts(article)
    refresh_summary(session, article, generated_summary(article.body, article.language))
