"""Masthead's own bundle format: services, taxonomy, videos, articles and notices
in one JSON document, upserted by their natural keys (code, slug, uri, key).

Loading the same bundle twice changes nothing.
"""

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from app.articles.writer import apply_derived, record_slug, slug_from, unique_slug
from app.models import (
    Article,
    ArticleAuthor,
    ArticleTag,
    ArticleVideo,
    Author,
    Correction,
    Notice,
    Section,
    Service,
    Summary,
    Tag,
    Video,
    VideoTag,
)
from app.render.articles import render_article, render_video
from app.sanitize import plain_paragraphs, plain_text, rich_text


def _http_url(value: str) -> str:
    if not value.lower().startswith(("https://", "http://")):
        raise ValueError("must be an http(s) URL")
    return value


def _aware(value: datetime) -> datetime:
    if value.tzinfo is None:
        raise ValueError("must carry a time zone (RFC 3339)")
    return value


URL = Annotated[str, Field(max_length=2000), AfterValidator(_http_url)]
Time = Annotated[datetime, AfterValidator(_aware)]
Country = Annotated[str, Field(pattern=r"^[A-Z]{2}$")]
Slug = Annotated[str, Field(pattern=r"^[\w-]{1,200}$")]
Code = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9-]{0,31}$")]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ServiceIn(Strict):
    code: Code
    name: str = Field(min_length=1, max_length=200)
    description: str | None = None
    language: str = Field(pattern=r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$")
    direction: Literal["ltr", "rtl"] = "ltr"
    timezone: str = "UTC"
    site_url: URL | None = None


class TermIn(Strict):
    service: Code
    slug: Slug
    name: str = Field(min_length=1, max_length=200)


class AuthorIn(Strict):
    slug: Slug
    name: str = Field(min_length=1, max_length=200)
    bio: str | None = None


class ThumbnailIn(Strict):
    url: URL
    width: int | None = Field(default=None, ge=1)
    height: int | None = Field(default=None, ge=1)


class RenditionIn(Strict):
    url: URL
    mime_type: str = Field(pattern=r"^[\w.+-]+/[\w.+-]+$")
    width: int | None = Field(default=None, ge=1)
    height: int | None = Field(default=None, ge=1)
    bitrate: int | None = Field(default=None, ge=1)


class CaptionIn(Strict):
    language: str
    url: URL


class AvailabilityIn(Strict):
    countries_allowed: list[Country] | None = None
    countries_blocked: list[Country] | None = None
    available_from: Time | None = None
    available_until: Time | None = None


class VideoIn(Strict):
    uri: str = Field(min_length=1, max_length=500)
    service: Code
    title: str = Field(min_length=1)
    description: str | None = None
    duration: int = Field(ge=0)
    thumbnail: ThumbnailIn | None = None
    renditions: list[RenditionIn] = []
    captions: list[CaptionIn] = []
    transcript: str | None = None
    availability: AvailabilityIn = AvailabilityIn()
    published_at: Time
    tags: list[Slug] = []
    section: Slug | None = None


class ParagraphIn(Strict):
    type: Literal["paragraph"]
    text: str


class HeadingIn(Strict):
    type: Literal["heading"]
    text: str
    level: int = Field(default=2, ge=2, le=6)


class QuoteIn(Strict):
    type: Literal["quote"]
    text: str
    attribution: str | None = None


class ListIn(Strict):
    type: Literal["list"]
    style: Literal["bullet", "ordered"]
    items: list[str]


class ImageIn(Strict):
    type: Literal["image"]
    url: URL
    caption: str | None = None
    credit: str | None = None
    alt: str | None = None
    width: int | None = Field(default=None, ge=1)
    height: int | None = Field(default=None, ge=1)


class VideoRefIn(Strict):
    type: Literal["video"]
    video_uri: str


class EmbedIn(Strict):
    type: Literal["embed"]
    url: URL
    provider: str | None = None


BlockIn = Annotated[
    ParagraphIn | HeadingIn | QuoteIn | ListIn | ImageIn | VideoRefIn | EmbedIn,
    Field(discriminator="type"),
]


class LeadImageIn(Strict):
    url: URL
    width: int | None = Field(default=None, ge=1)
    height: int | None = Field(default=None, ge=1)
    caption: str | None = None
    credit: str | None = None
    alt: str | None = None


class CorrectionIn(Strict):
    at: Time
    text: str = Field(min_length=1)


class ArticleIn(Strict):
    uri: str = Field(min_length=1, max_length=500)
    service: Code
    language: str | None = None
    slug: Slug | None = None
    headline: str = Field(min_length=1, max_length=1000)
    dek: str | None = None
    kicker: str | None = Field(default=None, max_length=200)
    body: list[BlockIn]
    lead_image: LeadImageIn | None = None
    section: Slug | None = None
    tags: list[Slug] = []
    authors: list[Slug] = []
    urgency: int = Field(default=5, ge=1, le=9)
    breaking_until: Time | None = None
    embargo_until: Time | None = None
    withheld_in: list[Country] = []
    first_published_at: Time | None = None
    published_at: Time
    updated_at: Time | None = None
    summary: list[str] | None = Field(default=None, min_length=1, max_length=7)
    related_videos: list[str] = []
    translation_of: str | None = None
    corrections: list[CorrectionIn] = []


class NoticeIn(Strict):
    key: str = Field(min_length=1, max_length=200)
    text: str = Field(min_length=1)
    countries: list[Country] = Field(min_length=1)
    services: list[Code] | None = None
    language: str | None = None
    active_from: Time | None = None
    active_until: Time | None = None


class Bundle(Strict):
    services: list[ServiceIn] = []
    sections: list[TermIn] = []
    tags: list[TermIn] = []
    authors: list[AuthorIn] = []
    videos: list[VideoIn] = []
    articles: list[ArticleIn] = []
    notices: list[NoticeIn] = []


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


class Loader:
    def __init__(self, session: Session) -> None:
        self.session = session
        self.services: dict[str, Service] = {s.code: s for s in session.scalars(select(Service))}

    def service(self, code: str) -> Service:
        found = self.services.get(code)
        if found is None:
            raise BundleError(f"unknown service '{code}'")
        return found

    def term(self, model: type[Section] | type[Tag], service_id: int, slug: str) -> Any:
        found = self.session.scalars(
            select(model).where(model.service_id == service_id, model.slug == slug)
        ).one_or_none()
        if found is None:
            raise BundleError(f"unknown {model.__tablename__[:-1]} '{slug}'")
        return found

    def load(self, bundle: Bundle) -> dict[str, int]:
        counts = {"created": 0, "updated": 0, "unchanged": 0}

        def count(created: bool, changed: bool) -> None:
            key = "created" if created else "updated" if changed else "unchanged"
            counts[key] += 1

        for item in bundle.services:
            service = self.services.get(item.code)
            created = service is None
            if service is None:
                service = Service(code=item.code)
                self.session.add(service)
                self.services[item.code] = service
            changed = _set(service, **item.model_dump(exclude={"code"}))
            count(created, changed)
        self.session.flush()

        for kind, model in (("sections", Section), ("tags", Tag)):
            for term in getattr(bundle, kind):
                service = self.service(term.service)
                row = self.session.scalars(
                    select(model).where(model.service_id == service.id, model.slug == term.slug)
                ).one_or_none()
                created = row is None
                if row is None:
                    row = model(service_id=service.id, slug=term.slug)
                    self.session.add(row)
                count(created, _set(row, name=plain_text(term.name)))
        for author_in in bundle.authors:
            author = self.session.scalars(
                select(Author).where(Author.slug == author_in.slug)
            ).one_or_none()
            created = author is None
            if author is None:
                author = Author(slug=author_in.slug)
                self.session.add(author)
            count(created, _set(author, name=plain_text(author_in.name), bio=author_in.bio))
        self.session.flush()

        for video_in in bundle.videos:
            self._video(video_in, count)
        for article_in in bundle.articles:
            self._article(article_in, count)
        for notice_in in bundle.notices:
            notice = self.session.scalars(
                select(Notice).where(Notice.key == notice_in.key)
            ).one_or_none()
            created = notice is None
            if notice is None:
                notice = Notice(key=notice_in.key)
                self.session.add(notice)
            values = notice_in.model_dump(exclude={"key"})
            values["text"] = plain_paragraphs(values["text"])
            count(created, _set(notice, **values))
        self.session.flush()
        return counts

    def _video(self, item: VideoIn, count: Any) -> None:
        service = self.service(item.service)
        video = self.session.scalars(select(Video).where(Video.uri == item.uri)).one_or_none()
        created = video is None
        section = self.term(Section, service.id, item.section) if item.section else None
        if video is None:
            video = Video(uri=item.uri)
        changed = _set(
            video,
            service_id=service.id,
            title=plain_text(item.title),
            description=plain_text(item.description) if item.description else None,
            duration=item.duration,
            thumbnail=item.thumbnail.model_dump() if item.thumbnail else None,
            renditions=[r.model_dump() for r in item.renditions],
            captions=[c.model_dump() for c in item.captions],
            transcript=item.transcript,
            countries_allowed=item.availability.countries_allowed,
            countries_blocked=item.availability.countries_blocked,
            available_from=item.availability.available_from,
            available_until=item.availability.available_until,
            section_id=section.id if section else None,
            published_at=item.published_at,
        )
        if changed and not created:
            video.updated_at = max(video.updated_at, item.published_at)
        if created:
            video.updated_at = item.published_at
            self.session.add(video)
        self.session.flush()
        tag_ids = [self.term(Tag, service.id, slug).id for slug in item.tags]
        current = set(
            self.session.scalars(select(VideoTag.tag_id).where(VideoTag.video_id == video.id))
        )
        if current != set(tag_ids):
            self.session.execute(delete(VideoTag).where(VideoTag.video_id == video.id))
            self.session.add_all(VideoTag(video_id=video.id, tag_id=t) for t in set(tag_ids))
            changed = True
        self.session.flush()
        count(created, changed)
        if created or changed:
            render_video(self.session, video.id)

    def _video_id(self, uri: str) -> int:
        video_id = self.session.scalars(select(Video.id).where(Video.uri == uri)).one_or_none()
        if video_id is None:
            raise BundleError(f"unknown video '{uri}'")
        return video_id

    def _block(self, block: Any) -> dict[str, Any]:
        if isinstance(block, VideoRefIn):
            return {"type": "video", "video_id": self._video_id(block.video_uri)}
        data: dict[str, Any] = block.model_dump()
        if "text" in data:
            data["text"] = rich_text(data["text"])
        if "items" in data:
            data["items"] = [rich_text(text) for text in data["items"]]
        for name in ("caption", "credit", "alt", "attribution", "provider"):
            if data.get(name) is not None:
                data[name] = plain_text(data[name])
        return data

    def _article(self, item: ArticleIn, count: Any) -> None:
        service = self.service(item.service)
        article = self.session.scalars(select(Article).where(Article.uri == item.uri)).one_or_none()
        created = article is None
        if article is None:
            article = Article(uri=item.uri, service_id=service.id, status="published")
        section = self.term(Section, service.id, item.section) if item.section else None
        headline = plain_text(item.headline)
        lead_image = None
        if item.lead_image is not None:
            lead_image = item.lead_image.model_dump()
            for name in ("caption", "credit", "alt"):
                if lead_image.get(name) is not None:
                    lead_image[name] = plain_text(lead_image[name])
        if created or (item.slug and item.slug != article.slug):
            base = item.slug or slug_from(headline)
            article.slug = unique_slug(self.session, service.id, base, article.id)
        changed = _set(
            article,
            service_id=service.id,
            language=item.language or service.language,
            kicker=plain_text(item.kicker) if item.kicker else None,
            headline=headline,
            dek=plain_text(item.dek) if item.dek else None,
            body=[self._block(block) for block in item.body],
            lead_image=lead_image,
            section_id=section.id if section else None,
            urgency=item.urgency,
            breaking_until=item.breaking_until,
            embargo_until=item.embargo_until,
            withheld_in=sorted(set(item.withheld_in)),
            translation_group=item.translation_of,
            first_published_at=item.first_published_at or item.published_at,
            published_at=item.published_at,
            updated_at=item.updated_at or item.published_at,
            status="published",
        )
        if created:
            self.session.add(article)
        self.session.flush()
        record_slug(self.session, article)
        changed = self._links(article, item, service.id) or changed
        changed = self._summary(article, item.summary) or changed
        existing = {
            (c.created_at, c.text)
            for c in self.session.scalars(
                select(Correction).where(Correction.article_id == article.id)
            )
        }
        for correction in item.corrections:
            if (correction.at, correction.text) not in existing:
                self.session.add(
                    Correction(
                        article_id=article.id, created_at=correction.at, text=correction.text
                    )
                )
                changed = True
        self.session.flush()
        count(created, changed)
        if created or changed:
            apply_derived(self.session, article)
            render_article(self.session, article.id)

    def _links(self, article: Article, item: ArticleIn, service_id: int) -> bool:
        changed = False
        wanted: list[tuple[type[Any], str, list[int]]] = [
            (ArticleTag, "tag_id", [self.term(Tag, service_id, s).id for s in item.tags]),
            (ArticleAuthor, "author_id", [self._author_id(s) for s in item.authors]),
            (ArticleVideo, "video_id", [self._video_id(uri) for uri in item.related_videos]),
        ]
        for model, column, ids in wanted:
            ids = list(dict.fromkeys(ids))
            current = [
                getattr(row, column)
                for row in self.session.scalars(
                    select(model).where(model.article_id == article.id).order_by(model.position)
                )
            ]
            if current != ids:
                self.session.execute(delete(model).where(model.article_id == article.id))
                self.session.add_all(
                    model(article_id=article.id, position=n, **{column: i})
                    for n, i in enumerate(ids)
                )
                changed = True
        self.session.flush()
        return changed

    def _author_id(self, slug: str) -> int:
        author_id = self.session.scalars(select(Author.id).where(Author.slug == slug)).one_or_none()
        if author_id is None:
            raise BundleError(f"unknown author '{slug}'")
        return author_id

    def _summary(self, article: Article, bullets: list[str] | None) -> bool:
        existing = self.session.get(Summary, (article.id, "editorial"))
        if bullets is None:
            if existing is not None:
                self.session.delete(existing)
                return True
            return False
        clean = [plain_text(bullet) for bullet in bullets]
        if existing is None:
            self.session.add(
                Summary(
                    article_id=article.id,
                    source="editorial",
                    bullets=clean,
                    updated_at=article.updated_at,
                )
            )
            return True
        return _set(existing, bullets=clean)


def load_bundle(session: Session, data: dict[str, Any]) -> dict[str, int]:
    """Validate and upsert one bundle; the caller's transaction makes it all-or-nothing."""
    return Loader(session).load(Bundle.model_validate(data))
