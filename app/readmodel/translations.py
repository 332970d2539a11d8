"""Translations: the other services' versions of an article's story."""

from typing import Any

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from app.models import Article, Service
from app.readmodel.documents import canonical_url, public_from

# Built once: every write of an article in a story runs it.
_STORIES = (
    select(Article, Service)
    .join(Service, Service.id == Article.service_id)
    .where(
        Article.translation_group.in_(bindparam("groups", expanding=True)),
        Article.status.in_(("published", "scheduled")),
    )
    .order_by(Article.id)
)


def translations_of(
    session: Session, articles: list[Article]
) -> dict[str, list[tuple[int, int | None, dict[str, Any]]]]:
    """The other services' versions of each article's story: (id, public_from, doc)."""
    groups = sorted({a.translation_group for a in articles if a.translation_group is not None})
    found: dict[str, list[tuple[int, int | None, dict[str, Any]]]] = {}
    if not groups:
        return found
    rows = session.execute(_STORIES, {"groups": groups})
    for other, service in rows:
        found.setdefault(other.translation_group or "", []).append(
            (
                other.id,
                public_from(other),
                {
                    "id": other.id,
                    "service": service.code,
                    "language": other.language,
                    "slug": other.slug,
                    "url": canonical_url(service, other.slug),
                    "headline": other.headline,
                },
            )
        )
    return found
