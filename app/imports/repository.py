"""The statements of imports that are not an article's or a video's own: the
natural keys (service codes, term and author slugs, video and article uris) a
bundle or a batch is matched on, and the items it upserts by them."""

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import literal, select, update
from sqlalchemy.orm import Session

from app.imports.schemas import SourceVersion
from app.models import Article, Author, Notice, Section, Service, Tag, Video

TermModel = type[Section] | type[Tag]
#: An article or video stored under a uri: (id, service_id, published_at, status,
#: the agency version an import last applied).
StoredRow = tuple[int, int, datetime | None, str, SourceVersion]


def _chunks(values: Iterable[str], size: int = 500) -> Iterable[list[str]]:
    ordered = sorted(set(values))
    for start in range(0, len(ordered), size):
        yield ordered[start : start + size]


class ImportRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def flush(self) -> None:
        self.session.flush()

    def add(self, item: Any) -> None:
        self.session.add(item)

    def by_ids(self, model: TermModel, ids: Iterable[int]) -> dict[int, Any]:
        """Sections (or tags) by id, loaded in one query."""
        wanted = sorted(set(ids))
        if not wanted:
            return {}
        rows: list[Section | Tag] = list(
            self.session.scalars(select(model).where(model.id.in_(wanted)))
        )
        return {row.id: row for row in rows}

    def services(self) -> dict[str, Service]:
        return {service.code: service for service in self.session.scalars(select(Service))}

    def service(self, code: str) -> Service | None:
        return self.session.scalars(select(Service).where(Service.code == code)).one_or_none()

    def terms(self, model: TermModel, service_ids: list[int]) -> list[tuple[int, int, str]]:
        """``(id, service_id, slug)`` of every section or tag of these services."""
        return [
            (term_id, service_id, slug)
            for term_id, service_id, slug in self.session.execute(
                select(model.id, model.service_id, model.slug).where(
                    model.service_id.in_(service_ids)
                )
            )
        ]

    def term_slugs(self, model: TermModel, service_id: int, slugs: Iterable[str]) -> set[str]:
        """Which of these slugs the service has as sections (or tags)."""
        return set(
            self.session.scalars(
                select(model.slug).where(
                    model.service_id == service_id, model.slug.in_(sorted(slugs))
                )
            )
        )

    def author_id(self, slug: str) -> int | None:
        return self.session.scalars(select(Author.id).where(Author.slug == slug)).one_or_none()

    def authors(self, slugs: Iterable[str]) -> dict[str, Author]:
        return {
            author.slug: author
            for author in self.session.scalars(select(Author).where(Author.slug.in_(set(slugs))))
        }

    def author_ids(self, slugs: Iterable[str]) -> dict[str, int]:
        return dict(
            self.session.execute(
                select(Author.slug, Author.id).where(Author.slug.in_(sorted(slugs)))
            ).all()
        )

    def video_id(self, uri: str) -> int | None:
        return self.session.scalars(select(Video.id).where(Video.uri == uri)).one_or_none()

    def videos(self, uris: Iterable[str]) -> dict[str, Video]:
        return {
            video.uri or "": video
            for video in self.session.scalars(select(Video).where(Video.uri.in_(set(uris))))
        }

    def video_uris(self, ids: Iterable[int]) -> dict[int, str | None]:
        return dict(
            self.session.execute(select(Video.id, Video.uri).where(Video.id.in_(sorted(ids)))).all()
        )

    def stored_video_uris(self, uris: Iterable[str]) -> set[str]:
        return {
            uri or ""
            for uri in self.session.scalars(select(Video.uri).where(Video.uri.in_(sorted(uris))))
        }

    def articles(self, uris: list[str]) -> dict[str, Article]:
        return {
            article.uri or "": article
            for article in self.session.scalars(select(Article).where(Article.uri.in_(uris)))
        }

    def notice(self, key: str) -> Notice | None:
        return self.session.scalars(select(Notice).where(Notice.key == key)).one_or_none()

    def stored(
        self, model: type[Article] | type[Video], uris: Iterable[str]
    ) -> dict[str, StoredRow]:
        """What is stored under these uris: ``(id, service_id, published_at, status,
        source version)``."""
        found: dict[str, StoredRow] = {}
        status = Article.status if model is Article else literal("")
        for chunk in _chunks(uris):
            for row in self.session.execute(
                select(
                    model.uri,
                    model.id,
                    model.service_id,
                    model.published_at,
                    status,
                    model.source_version,
                    model.source_version_created,
                ).where(model.uri.in_(chunk))
            ):
                uri, item_id, service_id, published_at, state, number, created = row
                source = SourceVersion(number, created)
                found[uri or ""] = (item_id, service_id, published_at, state, source)
        return found

    def record_source(self, model: type[Article], item_id: int, source: SourceVersion) -> None:
        self.session.execute(
            update(model)
            .where(model.id == item_id)
            .values(source_version=source.number, source_version_created=source.created)
        )

    def ids(self, model: type[Article] | type[Video], uris: Iterable[str]) -> dict[str, int]:
        found: dict[str, int] = {}
        for chunk in _chunks(uris):
            for uri, item_id in self.session.execute(
                select(model.uri, model.id).where(model.uri.in_(chunk))
            ):
                found[uri or ""] = item_id
        return found
