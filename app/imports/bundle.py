"""Loading Masthead's own bundle format (:class:`app.imports.schemas.Bundle`):
services, taxonomy, videos, articles and notices upserted by their natural keys
(code, slug, uri, key). Loading the same bundle twice changes nothing.
"""

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from app.articles.content import (
    apply_derived,
    clean_block,
    clean_image,
    count_words,
    generated_summary,
    reading_minutes,
)
from app.articles.editorial import slug_from
from app.articles.repository import ArticleRepository
from app.imports.repository import ImportRepository
from app.imports.schemas import (
    ArticleIn,
    Bundle,
    CorrectionIn,
    Outcome,
    SourceVersion,
    VideoIn,
    VideoRefIn,
)
from app.kit.sanitize import plain_paragraphs, plain_text
from app.models import (
    Article,
    ArticleAuthor,
    ArticleSlug,
    ArticleTag,
    ArticleVideo,
    Author,
    Correction,
    Notice,
    Revision,
    Section,
    Service,
    Summary,
    Tag,
    Video,
    utcnow,
)
from app.readmodel.articles import render_articles
from app.readmodel.videos import render_videos
from app.videos.repository import VideoRepository


class BundleError(ValueError):
    pass


def _set(obj: Any, **values: Any) -> bool:
    """Assign only what differs, so an unchanged item stays untouched."""
    changed = False
    for name, value in values.items():
        if getattr(obj, name) != value:
            setattr(obj, name, value)
            changed = True
    return changed


def _jsonable(value: Any) -> Any:
    return value.isoformat() if isinstance(value, datetime) else value


class Counts(dict[str, int]):
    def __init__(self) -> None:
        super().__init__(created=0, updated=0, unchanged=0)

    def add(self, created: bool, changed: bool) -> Outcome:
        outcome: Outcome = "created" if created else "updated" if changed else "unchanged"
        self[outcome] += 1
        return outcome


class Loader:
    """Upserts bundles with set-based lookups, so a batch of thousands of
    articles costs a few dozen queries plus its inserts."""

    def __init__(self, session: Session, actor: str = "import") -> None:
        self.session = session
        self.store = ImportRepository(session)
        self.articles = ArticleRepository(session)
        self.video_store = VideoRepository(session)
        self.actor = actor
        self.services: dict[str, Service] = self.store.services()
        self.terms: dict[tuple[str, int, str], int] = {}
        self.authors: dict[str, int] = {}
        self.videos: dict[str, int] = {}
        #: The agency versions of the articles and videos to load, by (kind, uri):
        #: recorded with them, apart from their content, so they make no revision.
        self.sources: dict[tuple[str, str], SourceVersion] = {}
        #: What loading did to each article and video, by (kind, uri).
        self.outcomes: dict[tuple[str, str], Outcome] = {}

    # lookups ----------------------------------------------------------------

    def service(self, code: str) -> Service:
        found = self.services.get(code)
        if found is None:
            raise BundleError(f"unknown service '{code}'")
        return found

    def _prefetch_terms(self, bundle: "Bundle") -> None:
        service_ids = sorted(
            {self.service(code).id for code in self._service_codes(bundle) if code in self.services}
        )
        if not service_ids:
            return
        for model in (Section, Tag):
            for term_id, service_id, slug in self.store.terms(model, service_ids):
                self.terms[(model.__tablename__, service_id, slug)] = term_id

    @staticmethod
    def _service_codes(bundle: "Bundle") -> set[str]:
        codes = {term.service for term in [*bundle.sections, *bundle.tags]}
        codes.update(video.service for video in bundle.videos)
        codes.update(article.service for article in bundle.articles)
        return codes

    def term(self, model: type[Section] | type[Tag], service_id: int, slug: str) -> int:
        found = self.terms.get((model.__tablename__, service_id, slug))
        if found is None:
            raise BundleError(f"unknown {model.__tablename__[:-1]} '{slug}'")
        return found

    def author_id(self, slug: str) -> int:
        found = self.authors.get(slug)
        if found is None:
            found = self.store.author_id(slug)
            if found is None:
                raise BundleError(f"unknown author '{slug}'")
            self.authors[slug] = found
        return found

    def video_id(self, uri: str) -> int:
        found = self.videos.get(uri)
        if found is None:
            found = self.store.video_id(uri)
            if found is None:
                raise BundleError(f"unknown video '{uri}'")
            self.videos[uri] = found
        return found

    def _source(self, kind: str, uri: str) -> dict[str, Any]:
        source = self.sources.get((kind, uri))
        if source is None:
            return {}
        return {"source_version": source.number, "source_version_created": source.created}

    # loading ----------------------------------------------------------------

    def load(self, bundle: "Bundle") -> dict[str, int]:
        counts = Counts()
        for item in bundle.services:
            service = self.services.get(item.code)
            created = service is None
            if service is None:
                service = Service(code=item.code)
                self.store.add(service)
                self.services[item.code] = service
            values = item.model_dump(exclude={"code"})
            values["name"] = plain_text(item.name)
            if item.description is not None:
                values["description"] = plain_paragraphs(item.description)
            counts.add(created, _set(service, **values))
        self.store.flush()
        self._prefetch_terms(bundle)

        for kind, model in (("sections", Section), ("tags", Tag)):
            terms = getattr(bundle, kind)
            # A bundle names every term it uses: the stored ones come in one query.
            stored = self.store.by_ids(
                model,
                [
                    self.terms[key]
                    for term in terms
                    if (key := (model.__tablename__, self.service(term.service).id, term.slug))
                    in self.terms
                ],
            )
            for term in terms:
                service = self.service(term.service)
                key = (model.__tablename__, service.id, term.slug)
                name = plain_text(term.name)
                if key not in self.terms:
                    row = model(service_id=service.id, slug=term.slug, name=name)
                    self.store.add(row)
                    self.store.flush()
                    self.terms[key] = row.id
                    counts.add(True, True)
                else:
                    counts.add(False, _set(stored[self.terms[key]], name=name))
        if bundle.authors:
            existing = self.store.authors(a.slug for a in bundle.authors)
            for author_in in bundle.authors:
                author = existing.get(author_in.slug)
                values = {
                    "name": plain_text(author_in.name),
                    "bio": plain_paragraphs(author_in.bio) if author_in.bio else None,
                }
                if author is None:
                    author = Author(slug=author_in.slug, **values)
                    self.store.add(author)
                    existing[author_in.slug] = author
                    counts.add(True, True)
                else:
                    counts.add(False, _set(author, **values))
            self.store.flush()
            self.authors.update({slug: author.id for slug, author in existing.items()})

        self._videos(bundle.videos, counts)
        self._articles(bundle.articles, counts)
        for notice_in in bundle.notices:
            notice = self.store.notice(notice_in.key)
            created = notice is None
            if notice is None:
                notice = Notice(key=notice_in.key)
                self.store.add(notice)
            values = notice_in.model_dump(exclude={"key"})
            values["text"] = plain_paragraphs(notice_in.text)
            counts.add(created, _set(notice, **values))
        self.store.flush()
        return dict(counts)

    def _videos(self, items: list[VideoIn], counts: Counts) -> None:
        if not items:
            return
        existing = self.store.videos(item.uri for item in items)
        to_render: list[Video] = []
        new_tags: list[tuple[Video, list[int]]] = []
        for item in items:
            service = self.service(item.service)
            section_id = self.term(Section, service.id, item.section) if item.section else None
            tag_ids = list(dict.fromkeys(self.term(Tag, service.id, t) for t in item.tags))
            values = {
                "service_id": service.id,
                "title": plain_text(item.title),
                "description": plain_text(item.description) if item.description else None,
                "duration": item.duration,
                "thumbnail": item.thumbnail.model_dump() if item.thumbnail else None,
                "renditions": [r.model_dump() for r in item.renditions],
                "captions": [c.model_dump() for c in item.captions],
                "transcript": plain_paragraphs(item.transcript) if item.transcript else None,
                "countries_allowed": item.availability.countries_allowed,
                "countries_blocked": item.availability.countries_blocked,
                "available_from": item.availability.available_from,
                "available_until": item.availability.available_until,
                "section_id": section_id,
                "published_at": item.published_at,
            }
            video = existing.get(item.uri)
            source = self._source("video", item.uri)
            if video is None:
                video = Video(uri=item.uri, updated_at=item.published_at, **values, **source)
                self.store.add(video)
                existing[item.uri] = video
                new_tags.append((video, tag_ids))
                to_render.append(video)
                self.outcomes[("video", item.uri)] = counts.add(True, True)
                continue
            changed = _set(video, **values)
            _set(video, **source)
            if sorted(self.video_store.linked_tag_ids(video.id)) != sorted(tag_ids):
                self.video_store.replace_tags(video.id, [])
                new_tags.append((video, tag_ids))
                changed = True
            if changed:
                video.updated_at = max(video.updated_at, utcnow())
                to_render.append(video)
            self.outcomes[("video", item.uri)] = counts.add(False, changed)
        self.store.flush()
        self.videos.update({uri: video.id for uri, video in existing.items()})
        for video, tag_ids in new_tags:
            self.video_store.replace_tags(video.id, tag_ids, new=True)
        render_videos(self.session, [video.id for video in to_render])

    def _block(self, block: Any) -> dict[str, Any]:
        if isinstance(block, VideoRefIn):
            return {"type": "video", "video_id": self.video_id(block.video_uri)}
        return clean_block(block.model_dump())

    def _article_values(self, item: ArticleIn, service: Service) -> dict[str, Any]:
        body = [self._block(block) for block in item.body]
        words = count_words(body)
        lead_image = None
        if item.lead_image is not None:
            lead_image = clean_image(item.lead_image.model_dump())
        return {
            "service_id": service.id,
            "language": item.language or service.language,
            "kicker": plain_text(item.kicker) if item.kicker else None,
            "headline": plain_text(item.headline),
            "dek": plain_text(item.dek) if item.dek else None,
            "body": body,
            "lead_image": lead_image,
            "section_id": self.term(Section, service.id, item.section) if item.section else None,
            "urgency": item.urgency,
            "breaking_until": item.breaking_until,
            "embargo_until": item.embargo_until,
            "withheld_in": sorted(set(item.withheld_in)),
            "translation_group": item.translation_of,
            "first_published_at": item.first_published_at or item.published_at,
            "published_at": item.published_at,
            "updated_at": item.updated_at or item.published_at,
            "status": "published",
            "word_count": words,
            "reading_time_minutes": reading_minutes(words),
        }

    def _links_of(self, item: ArticleIn, service_id: int) -> dict[str, list[int]]:
        return {
            "tag_id": list(dict.fromkeys(self.term(Tag, service_id, s) for s in item.tags)),
            "author_id": list(dict.fromkeys(self.author_id(s) for s in item.authors)),
            "video_id": list(dict.fromkeys(self.video_id(u) for u in item.related_videos)),
        }

    def _articles(self, items: list[ArticleIn], counts: Counts) -> None:
        if not items:
            return
        uris = [item.uri for item in items]
        if len(set(uris)) != len(uris):
            raise BundleError("an article uri appears twice in one batch")
        existing = self.store.articles(uris)
        slugs = _SlugBook(self.articles)
        values_by_uri = {}
        wanted: dict[int, set[str]] = {}
        for item in items:
            service = self.service(item.service)
            values_by_uri[item.uri] = self._article_values(item, service)
            if item.uri not in existing:
                base = item.slug or slug_from(values_by_uri[item.uri]["headline"])
                values_by_uri[item.uri]["slug"] = base
                wanted.setdefault(service.id, set()).add(base)
        slugs.prefetch(wanted)
        created: list[tuple[dict[str, Any], ArticleIn]] = []
        changed_articles: list[Article] = []
        for item in items:
            service = self.service(item.service)
            values = values_by_uri[item.uri]
            article = existing.get(item.uri)
            source = self._source("article", item.uri)
            if article is None:
                values["slug"] = slugs.claim(service.id, values["slug"], None)
                values["uri"] = item.uri
                values["created_at"] = utcnow()
                # One statement inserts them all: every row names the same columns.
                values["source_version"] = source.get("source_version")
                values["source_version_created"] = source.get("source_version_created")
                created.append((values, item))
                continue
            # An import publishes what it creates; it republishes what an editor
            # has since unpublished or archived only when the item says so.
            if item.status is None:
                values.pop("status", None)
            previous = {
                name: _jsonable(getattr(article, name))
                for name, value in values.items()
                if getattr(article, name) != value
            }
            changed = _set(article, **values)
            if item.slug and item.slug != article.slug:
                previous["slug"] = article.slug
                article.slug = slugs.claim(service.id, item.slug, article.id)
                changed = True
            fields = list(previous)
            for name, altered in (
                ("links", self._update_links(article, item, service.id)),
                ("summary", self._summary(article, item.summary)),
                ("corrections", self._corrections(article, item.corrections)),
            ):
                if altered:
                    fields.append(name)
                    changed = True
            _set(article, **source)
            self.outcomes[("article", item.uri)] = counts.add(False, changed)
            if changed:
                changed_articles.append(article)
                # An import is an edit like any other: a new version (so a stale
                # If-Match is caught) and a revision in the history.
                article.version += 1
                self._revision(article.id, fields, previous)
        self.store.flush()
        if created:
            ids = self.articles.insert_many([values for values, _ in created])
            for (values, _), new_id in zip(created, ids, strict=True):
                values["id"] = new_id

        links: dict[type[Any], list[dict[str, Any]]] = {
            ArticleTag: [],
            ArticleAuthor: [],
            ArticleVideo: [],
            ArticleSlug: [],
            Summary: [],
            Correction: [],
            Revision: [],
        }
        column_model = {"tag_id": ArticleTag, "author_id": ArticleAuthor, "video_id": ArticleVideo}
        for new, item in created:
            self.outcomes[("article", item.uri)] = counts.add(True, True)
            for column, link_ids in self._links_of(item, new["service_id"]).items():
                links[column_model[column]].extend(
                    {"article_id": new["id"], column: i, "position": n}
                    for n, i in enumerate(link_ids)
                )
            links[ArticleSlug].append(
                {
                    "article_id": new["id"],
                    "service_id": new["service_id"],
                    "slug": new["slug"],
                }
            )
            if item.summary is not None:
                links[Summary].append(
                    {
                        "article_id": new["id"],
                        "source": "editorial",
                        "bullets": [plain_text(b) for b in item.summary],
                        "updated_at": new["updated_at"],
                    }
                )
            links[Correction].extend(
                {"article_id": new["id"], "created_at": c.at, "text": plain_text(c.text)}
                for c in item.corrections
            )
            links[Revision].append(
                {
                    "article_id": new["id"],
                    "number": 1,
                    "action": "import",
                    "actor": self.actor,
                    "fields": [],
                    "previous": {},
                    "created_at": new["created_at"],
                }
            )
        for model, rows in links.items():
            self.articles.insert_rows(model, rows)
        for article in changed_articles:
            self.articles.record_slug(article)
        generated = [
            {
                "article_id": new["id"],
                "source": "generated",
                "bullets": generated_summary(new["body"], new["language"]),
                "updated_at": new["updated_at"],
            }
            for new, item in created
            # With editorial key points the generated ones are not shown; they are
            # computed when the editorial summary is removed.
            if item.summary is None
        ]
        self.articles.insert_rows(Summary, generated)
        for article in changed_articles:
            apply_derived(self.articles, article)
        self.store.flush()
        render_articles(
            self.session, [new["id"] for new, _ in created] + [a.id for a in changed_articles]
        )

    def _revision(self, article_id: int, fields: list[str], previous: dict[str, Any]) -> None:
        self.articles.add_revision(
            Revision(
                article_id=article_id,
                action="import",
                actor=self.actor,
                fields=fields,
                previous=previous,
            )
        )

    def _update_links(self, article: Article, item: ArticleIn, service_id: int) -> bool:
        changed = False
        column_model: dict[str, Any] = {
            "tag_id": ArticleTag,
            "author_id": ArticleAuthor,
            "video_id": ArticleVideo,
        }
        for column, ids in self._links_of(item, service_id).items():
            model = column_model[column]
            if self.articles.linked_ids(model, column, article.id) != ids:
                self.articles.replace_links(model, column, article.id, ids)
                changed = True
        return changed

    def _corrections(self, article: Article, corrections: list[CorrectionIn]) -> bool:
        existing = {(c.created_at, c.text) for c in self.articles.corrections(article.id)}
        changed = False
        for correction in corrections:
            text = plain_text(correction.text)
            if (correction.at, text) not in existing:
                self.articles.add_correction(
                    Correction(article_id=article.id, created_at=correction.at, text=text)
                )
                changed = True
        return changed

    def _summary(self, article: Article, bullets: list[str] | None) -> bool:
        existing = self.articles.summary(article.id, "editorial")
        if bullets is None:
            if existing is not None:
                self.articles.delete_summary(existing)
                return True
            return False
        clean = [plain_text(bullet) for bullet in bullets]
        if existing is None:
            self.articles.add_summary(
                Summary(
                    article_id=article.id,
                    source="editorial",
                    bullets=clean,
                    updated_at=article.updated_at,
                )
            )
            return True
        return _set(existing, bullets=clean)


class _SlugBook:
    """Unique slugs per service for a batch: one query finds which wanted slugs
    are already held; only those fall back to a search for a free suffix."""

    def __init__(self, articles: ArticleRepository) -> None:
        self.articles = articles
        self.claimed: dict[int, set[str]] = {}
        self.held: dict[int, set[str]] = {}

    def prefetch(self, wanted: dict[int, set[str]]) -> None:
        for service_id, slugs in wanted.items():
            held = self.held.setdefault(service_id, set())
            held.update(self.articles.held_slugs(service_id, sorted(slugs)))

    def claim(self, service_id: int, base: str, article_id: int | None) -> str:
        claimed = self.claimed.setdefault(service_id, set())
        held = self.held.get(service_id)
        if article_id is None and held is not None and base not in held and base not in claimed:
            candidate = base
        else:
            candidate = self.articles.unique_slug(service_id, base, article_id, also_taken=claimed)
        claimed.add(candidate)
        return candidate


def load_bundle(session: Session, data: dict[str, Any]) -> dict[str, int]:
    """Validate and upsert one bundle; the caller's transaction makes it all-or-nothing."""
    return Loader(session).load(Bundle.model_validate(data))
