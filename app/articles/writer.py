"""Writing articles: slugs, derived fields, the generated summary, the stored renderings."""

from slugify import slugify
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import Article, ArticleSlug
from app.render.articles import (
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


def unique_slug(session: Session, service_id: int, base: str, article_id: int | None) -> str:
    """``base``, or ``base-2``, ``base-3``... so no other article of the service holds it."""
    taken = {
        slug
        for slug, owner in session.execute(
            select(ArticleSlug.slug, ArticleSlug.article_id).where(
                ArticleSlug.service_id == service_id, ArticleSlug.slug.startswith(base)
            )
        )
        if owner != article_id
    }
    taken.update(
        slug
        for slug, owner in session.execute(
            select(Article.slug, Article.id).where(
                Article.service_id == service_id, Article.slug.startswith(base)
            )
        )
        if owner != article_id
    )
    candidate, n = base, 1
    while candidate in taken:
        n += 1
        candidate = f"{base}-{n}"
    return candidate


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


def apply_derived(session: Session, article: Article) -> None:
    """Word count, reading time and the generated key points, computed on save."""
    article.word_count = count_words(article.body)
    article.reading_time_minutes = reading_minutes(article.word_count)
    prose = [text for block, text in _prose(article.body) if block in ("paragraph", "quote")]
    refresh_summary(session, article, summarize(prose, article.language, 3))


def _prose(blocks: list[dict[str, object]]) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    for block in blocks:
        texts = block_texts([block])
        out.extend((str(block.get("type")), text) for text in texts)
    return out
