"""Editorial rules for articles: who may see and change what, and how each change
is made: once (an atomic version check), recorded as a revision, and rendered
into the read model in the caller's transaction.

Services only ``flush()``; the request's session commits once, before the answer.
"""

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, cast

from pydantic import ValidationError
from sqlalchemy import CursorResult, and_, delete, func, insert, or_, select, update
from sqlalchemy.orm import Session, selectinload
from sqlalchemy.orm.attributes import set_committed_value

from app.articles.content import (
    apply_derived,
    clean_block,
    clean_image,
    generated_summary,
    record_slug,
    slug_from,
    unique_slug,
)
from app.articles.schemas import (
    ArticleWrite,
    RelatedVideosWrite,
    SummaryWrite,
    VideoBlockWrite,
)
from app.articles.service import NOT_FOUND_DETAIL
from app.auth.dependencies import Forbidden
from app.auth.service import Principal
from app.errors import Conflict, NotFound, Unprocessable
from app.http.writes import PreconditionFailed, match_if, merge_patch, version_etag
from app.kit.sanitize import plain_text
from app.kit.timeutil import iso, to_ms
from app.models import (
    Article,
    ArticleAuthor,
    ArticleRender,
    ArticleSlug,
    ArticleTag,
    ArticleVideo,
    Author,
    Correction,
    Revision,
    Section,
    Service,
    Summary,
    Tag,
    Video,
)
from app.readmodel.articles import (
    live_document,
    load_article,
    public_from,
    refresh_summary,
    render_articles,
    summary_document,
)

#: The members of the write shape, in the order the revisions list them.
SHAPE_FIELDS = (
    "service",
    "headline",
    "dek",
    "kicker",
    "language",
    "slug",
    "body",
    "lead_image",
    "section",
    "tags",
    "authors",
    "urgency",
    "breaking_until",
    "embargo_until",
    "withheld_in",
)
#: Write-shape members stored as a column of the same name.
_COLUMNS = (
    "headline",
    "dek",
    "kicker",
    "language",
    "body",
    "lead_image",
    "urgency",
    "breaking_until",
    "embargo_until",
    "withheld_in",
)
CORRECTION_MAX = 2000


# Visibility and permissions ---------------------------------------------------


def is_public(article: Article, now: datetime) -> bool:
    """Whether an anonymous reader may see the article now."""
    start = public_from(article)
    return start is not None and start <= to_ms(now)


def effective_status(article: Article, now: datetime) -> str:
    """``scheduled`` turns into ``published`` by itself when its time comes."""
    if (
        article.status == "scheduled"
        and article.published_at is not None
        and article.published_at <= now
    ):
        return "published"
    return article.status


def article_etag(article: Article) -> str:
    return version_etag("article", article.id, article.version)


def _find(session: Session, article_id: int) -> Article | None:
    return session.scalars(
        select(Article).where(Article.id == article_id).options(selectinload(Article.service))
    ).one_or_none()


def _hidden() -> NotFound:
    # Exactly what the public read answers for an id that never existed.
    return NotFound(NOT_FOUND_DETAIL)


def readable_article(
    session: Session, principal: Principal, article_id: int, now: datetime
) -> Article:
    """An article whose editorial records (drafts, revisions) the token may read.

    Someone who may not read the service gets 403 for an article the public can
    see anyway, and for any other the same 404 as for an id that never existed.
    """
    article = _find(session, article_id)
    if article is None:
        raise _hidden()
    if principal.can_read(article.service.code):
        return article
    if is_public(article, now):
        raise Forbidden(
            f"This token may not read the editorial records of the service "
            f"'{article.service.code}'."
        )
    raise _hidden()


def writable_article(
    session: Session, principal: Principal, article_id: int, now: datetime
) -> Article:
    """An article the token may change; 403, or 404 where 403 would reveal it exists."""
    article = _find(session, article_id)
    if article is None:
        raise _hidden()
    code = article.service.code
    if principal.can_write(code):
        return article
    if principal.can_read(code) or is_public(article, now):
        raise Forbidden(f"This token may not change articles of the service '{code}'.")
    raise _hidden()


def viewable_article(session: Session, principal: Principal, article_id: int) -> Article | None:
    """The article, fully loaded, if the token may read its service's drafts; else
    None, and the caller answers as the public read does."""
    article = _find(session, article_id)
    if article is None or not principal.can_read(article.service.code):
        return None
    return load_article(session, article_id)


def viewable_by_slug(
    session: Session, principal: Principal, code: str, slug: str
) -> tuple[Article, bool] | None:
    """The article holding ``slug`` (or having held it: the flag says it is an old
    one) in a service whose drafts the token may read."""
    if not principal.can_read(code):
        return None
    service_id = session.scalar(select(Service.id).where(Service.code == code))
    if service_id is None:
        return None
    article_id = session.scalar(
        select(Article.id).where(Article.service_id == service_id, Article.slug == slug)
    )
    old = False
    if article_id is None:
        article_id = session.scalar(
            select(ArticleSlug.article_id).where(
                ArticleSlug.service_id == service_id, ArticleSlug.slug == slug
            )
        )
        old = True
    if article_id is None:
        return None
    article = load_article(session, article_id)
    return None if article is None else (article, old)


def live_view(session: Session, article: Article, now: datetime) -> tuple[dict[str, Any], str]:
    """The editorial representation of an article loaded by ``load_article``, and
    its related videos as last rendered (refreshed by every write)."""
    document = live_document(session, article, effective_status(article, now))
    related = session.scalar(
        select(ArticleRender.related).where(ArticleRender.article_id == article.id)
    )
    return document, related or "[]"


def live_summary(article: Article) -> dict[str, Any] | None:
    return summary_document(article)


# Preconditions and the version -------------------------------------------------


def check_if_match(if_match: str | None, article: Article, *, required: bool = True) -> None:
    """RFC 9110 If-Match against the article's editorial ETag."""
    match_if(if_match, article_etag(article), required=required, what="article")


def claim_version(session: Session, article: Article, now: datetime) -> None:
    """Move the article to its next version if, and only if, it is still at the
    version this request read. One statement, so two writers that read the same
    version cannot both succeed: the database serialises them on the row, and the
    second finds no row to update and answers 412."""
    result = cast(
        CursorResult[Any],
        session.execute(
            update(Article)
            .where(Article.id == article.id, Article.version == article.version)
            .values(version=Article.version + 1)
            .execution_options(synchronize_session=False)
        ),
    )
    if result.rowcount != 1:
        latest = session.scalar(select(Article.version).where(Article.id == article.id))
        raise PreconditionFailed(
            "The article changed while this request ran; read it again and reapply your change.",
            headers={"ETag": f'"{version_etag("article", article.id, latest or 0)}"'},
        )
    set_committed_value(article, "version", article.version + 1)
    # A scheduled article whose time has come is published: say so in the store
    # too, now that it is being written anyway.
    article.status = effective_status(article, now)


def _record(
    session: Session,
    article: Article,
    principal: Principal,
    action: str,
    fields: Sequence[str],
    previous: dict[str, Any],
    now: datetime,
) -> None:
    number = (
        session.scalar(select(func.max(Revision.number)).where(Revision.article_id == article.id))
        or 0
    ) + 1
    session.add(
        Revision(
            article_id=article.id,
            number=number,
            action=action,
            actor=principal.label,
            fields=list(fields),
            previous=previous,
            created_at=now,
        )
    )


def _touch(article: Article, now: datetime) -> None:
    """The public ``updated_at`` follows content changes; it never precedes the
    publication a reader sees."""
    updated = now
    if article.status in ("published", "scheduled") and article.published_at is not None:
        updated = max(now, article.published_at)
    article.updated_at = updated


def _finish(session: Session, article: Article) -> None:
    session.flush()
    render_articles(session, [article.id])


# The write shape ----------------------------------------------------------------


def _time(value: datetime | None) -> str | None:
    """Full precision, so that an unchanged time compares equal after a round trip."""
    if value is None:
        return None
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z")


def write_shape(session: Session, article: Article) -> dict[str, Any]:
    """The article as editors write it: what a merge patch is applied to."""
    tags = session.scalars(
        select(Tag.slug)
        .join(ArticleTag, ArticleTag.tag_id == Tag.id)
        .where(ArticleTag.article_id == article.id)
        .order_by(ArticleTag.position)
    ).all()
    authors = session.scalars(
        select(Author.slug)
        .join(ArticleAuthor, ArticleAuthor.author_id == Author.id)
        .where(ArticleAuthor.article_id == article.id)
        .order_by(ArticleAuthor.position)
    ).all()
    section = (
        session.scalar(select(Section.slug).where(Section.id == article.section_id))
        if article.section_id is not None
        else None
    )
    shape: dict[str, Any] = {
        "service": article.service.code,
        "headline": article.headline,
        "dek": article.dek,
        "kicker": article.kicker,
        "language": article.language,
        "slug": article.slug,
        "body": article.body,
        "lead_image": article.lead_image,
        "section": section,
        "tags": list(tags),
        "authors": list(authors),
        "urgency": article.urgency,
        "breaking_until": _time(article.breaking_until),
        "embargo_until": _time(article.embargo_until),
        "withheld_in": sorted(article.withheld_in or []),
    }
    return {name: value for name, value in shape.items() if value is not None}


@dataclass
class _Prepared:
    """A validated write, sanitised and resolved against the store."""

    columns: dict[str, Any]
    section_id: int | None
    tag_ids: list[int]
    author_ids: list[int]
    shape: dict[str, Any] = field(default_factory=dict)


def _invalid(errors: list[dict[str, str]]) -> Unprocessable:
    return Unprocessable("The request is invalid; see errors.", errors=errors)


def _error(name: str, message: str) -> dict[str, str]:
    return {"location": "body", "field": name, "message": message}


def _resolve_slugs(
    session: Session,
    model: type[Tag] | type[Author],
    slugs: list[str],
    service_id: int | None,
    name: str,
    errors: list[dict[str, str]],
) -> list[int]:
    wanted = list(dict.fromkeys(slugs))
    if not wanted:
        return []
    query = select(model.slug, model.id).where(model.slug.in_(wanted))
    if model is Tag:
        query = query.where(Tag.service_id == service_id)
    found: dict[str, int] = {slug: term_id for slug, term_id in session.execute(query)}
    for position, slug in enumerate(slugs):
        if slug not in found:
            errors.append(_error(f"{name}.{position}", f"no {name[:-1]} '{slug}' here"))
    return [found[slug] for slug in wanted if slug in found]


def _prepare(
    session: Session, data: ArticleWrite, service: Service, known_videos: set[int]
) -> _Prepared:
    errors: list[dict[str, str]] = []
    headline = plain_text(data.headline)
    if not headline:
        errors.append(_error("headline", "empty once markup is removed"))
    body: list[dict[str, Any]] = []
    wanted_videos: dict[int, int] = {}
    for position, block in enumerate(data.body):
        if isinstance(block, VideoBlockWrite):
            if block.video_id not in known_videos:
                wanted_videos.setdefault(block.video_id, position)
            body.append({"type": "video", "video_id": block.video_id})
        else:
            body.append(clean_block(block.model_dump()))
    if wanted_videos:
        existing = set(session.scalars(select(Video.id).where(Video.id.in_(wanted_videos))))
        for video_id, position in wanted_videos.items():
            if video_id not in existing:
                errors.append(_error(f"body.{position}.video_id", f"no video {video_id}"))
    section_id = None
    if data.section is not None:
        section_id = session.scalar(
            select(Section.id).where(Section.service_id == service.id, Section.slug == data.section)
        )
        if section_id is None:
            errors.append(_error("section", f"no section '{data.section}' in '{service.code}'"))
    tag_ids = _resolve_slugs(session, Tag, data.tags, service.id, "tags", errors)
    author_ids = _resolve_slugs(session, Author, data.authors, None, "authors", errors)
    if errors:
        raise _invalid(errors)
    columns: dict[str, Any] = {
        "headline": headline,
        "dek": _label(data.dek),
        "kicker": _label(data.kicker),
        "language": data.language or service.language,
        "body": body,
        "lead_image": clean_image(data.lead_image.model_dump()) if data.lead_image else None,
        "urgency": data.urgency,
        "breaking_until": data.breaking_until,
        "embargo_until": data.embargo_until,
        "withheld_in": sorted(set(data.withheld_in)),
    }
    shape = {
        "service": service.code,
        **{name: columns[name] for name in _COLUMNS},
        "section": data.section,
        "tags": list(dict.fromkeys(data.tags)),
        "authors": list(dict.fromkeys(data.authors)),
        "breaking_until": _time(data.breaking_until),
        "embargo_until": _time(data.embargo_until),
    }
    shape = {name: value for name, value in shape.items() if value is not None}
    return _Prepared(columns, section_id, tag_ids, author_ids, shape)


def _label(value: str | None) -> str | None:
    """Optional plain text; what holds nothing but markup is absent."""
    return (plain_text(value) or None) if value is not None else None


def _slug_owner(session: Session, service_id: int, slug: str) -> int | None:
    owner = session.scalar(
        select(ArticleSlug.article_id).where(
            ArticleSlug.service_id == service_id, ArticleSlug.slug == slug
        )
    )
    if owner is None:
        owner = session.scalar(
            select(Article.id).where(Article.service_id == service_id, Article.slug == slug)
        )
    return owner


def _claim_slug(session: Session, service_id: int, slug: str, article_id: int | None) -> str:
    owner = _slug_owner(session, service_id, slug)
    if owner is not None and owner != article_id:
        raise Conflict(
            f"Another article of this service has (or had) the slug '{slug}'.",
            errors=[_error("slug", "taken")],
        )
    return slug


def _replace_links(
    session: Session,
    model: type[ArticleTag] | type[ArticleAuthor],
    column: str,
    article_id: int,
    ids: list[int],
) -> None:
    session.execute(delete(model).where(model.article_id == article_id))
    if ids:
        session.execute(
            insert(model),
            [{"article_id": article_id, column: i, "position": n} for n, i in enumerate(ids)],
        )


def _validated(document: Any) -> ArticleWrite:
    try:
        return ArticleWrite.model_validate(document)
    except ValidationError as error:
        raise _invalid(
            [
                _error(".".join(str(part) for part in item.get("loc", ())), str(item["msg"]))
                for item in error.errors()
            ]
        ) from None


# Writes -----------------------------------------------------------------------------


def create_article(
    session: Session, principal: Principal, data: ArticleWrite, now: datetime
) -> Article:
    """A new draft in a service the token may write."""
    service = session.scalars(select(Service).where(Service.code == data.service)).one_or_none()
    if service is None:
        raise _invalid([_error("service", f"no service '{data.service}'")])
    if not principal.can_write(service.code):
        raise Forbidden(f"This token may not write articles of the service '{service.code}'.")
    prepared = _prepare(session, data, service, set())
    if data.slug is not None:
        slug = _claim_slug(session, service.id, data.slug, None)
    else:
        slug = unique_slug(session, service.id, slug_from(prepared.columns["headline"]), None)
    article = Article(
        service_id=service.id,
        status="draft",
        slug=slug,
        section_id=prepared.section_id,
        created_at=now,
        updated_at=now,
        version=1,
        **prepared.columns,
    )
    session.add(article)
    session.flush()
    _replace_links(session, ArticleTag, "tag_id", article.id, prepared.tag_ids)
    _replace_links(session, ArticleAuthor, "author_id", article.id, prepared.author_ids)
    record_slug(session, article)
    apply_derived(session, article)
    fields = [name for name in SHAPE_FIELDS if name in prepared.shape or name == "slug"]
    _record(session, article, principal, "create", fields, {}, now)
    _finish(session, article)
    return article


def update_article(
    session: Session,
    principal: Principal,
    article_id: int,
    patch: dict[str, Any],
    if_match: str | None,
    now: datetime,
) -> Article:
    """Apply a JSON merge patch to the write shape; ``correction`` appends to the
    public corrections log in the same change."""
    article = writable_article(session, principal, article_id, now)
    check_if_match(if_match, article)
    patch = dict(patch)
    correction = _correction(article, patch.pop("correction", None), now)
    current = write_shape(session, article)
    data = _validated(merge_patch(current, patch))
    service = article.service
    if data.service != service.code:
        raise _invalid([_error("service", "an article stays in its service")])
    known_videos = {block["video_id"] for block in article.body if block.get("type") == "video"}
    prepared = _prepare(session, data, service, known_videos)
    if data.slug is not None:
        slug = data.slug
        if slug != article.slug:
            _claim_slug(session, service.id, slug, article.id)
    else:
        # ``"slug": null`` asks for a slug made from the (new) headline.
        slug = slug_from(prepared.columns["headline"])
        if slug != article.slug:
            slug = unique_slug(session, service.id, slug, article.id)
    proposed = {**prepared.shape, "slug": slug}
    changed = [
        name
        for name in SHAPE_FIELDS
        if name != "service" and proposed.get(name) != current.get(name)
    ]
    if not changed and correction is None:
        return article
    claim_version(session, article, now)
    previous = {name: current.get(name) for name in changed}
    for name in changed:
        if name in _COLUMNS:
            setattr(article, name, prepared.columns[name])
    if "section" in changed:
        article.section_id = prepared.section_id
    if "tags" in changed:
        _replace_links(session, ArticleTag, "tag_id", article.id, prepared.tag_ids)
    if "authors" in changed:
        _replace_links(session, ArticleAuthor, "author_id", article.id, prepared.author_ids)
    if "slug" in changed:
        article.slug = slug
    if correction is not None:
        previous["corrections"] = [
            {"at": iso(at), "text": text}
            for at, text in session.execute(
                select(Correction.created_at, Correction.text)
                .where(Correction.article_id == article.id)
                .order_by(Correction.created_at)
            )
        ]
        session.add(Correction(article_id=article.id, created_at=now, text=correction))
        changed.append("corrections")
    _touch(article, now)
    session.flush()
    if "slug" in changed:
        record_slug(session, article)
    if "body" in changed or "language" in changed:
        apply_derived(session, article)
    _record(session, article, principal, "update", changed, previous, now)
    _finish(session, article)
    return article


def _correction(article: Article, value: Any, now: datetime) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str) or not (text := plain_text(value)):
        raise _invalid([_error("correction", "a correction is a non-empty text")])
    if len(text) > CORRECTION_MAX:
        raise _invalid([_error("correction", f"at most {CORRECTION_MAX} characters")])
    if article.first_published_at is None or article.first_published_at > now:
        raise _invalid(
            [_error("correction", "only an article readers have seen takes corrections")]
        )
    return text


def publish_article(
    session: Session,
    principal: Principal,
    article_id: int,
    at: datetime | None,
    if_match: str | None,
    now: datetime,
) -> Article:
    """Publish now, or schedule for ``at``: the article appears by itself then."""
    article = writable_article(session, principal, article_id, now)
    check_if_match(if_match, article, required=False)
    if effective_status(article, now) == "published":
        raise Conflict("The article is published already; unpublish it first to schedule it again.")
    # A time in the past means now: readers cannot have seen it earlier.
    when = at if at is not None and at > now else now
    status = "scheduled" if when > now else "published"
    claim_version(session, article, now)
    previous = {
        "status": article.status,
        "published_at": iso(article.published_at),
        "first_published_at": iso(article.first_published_at),
    }
    article.status = status
    article.published_at = when
    if article.first_published_at is None or article.first_published_at > now:
        article.first_published_at = when
    article.updated_at = when
    changed = [
        name
        for name, before in previous.items()
        if before != (status if name == "status" else iso(getattr(article, name)))
    ]
    _record(
        session,
        article,
        principal,
        "schedule" if status == "scheduled" else "publish",
        changed,
        {name: previous[name] for name in changed},
        now,
    )
    _finish(session, article)
    return article


def unpublish_article(
    session: Session,
    principal: Principal,
    article_id: int,
    if_match: str | None,
    now: datetime,
) -> Article:
    """Back to draft (from published, scheduled or archived); readers lose it at once."""
    article = writable_article(session, principal, article_id, now)
    check_if_match(if_match, article, required=False)
    if article.status == "draft":
        raise Conflict("The article is a draft already.")
    claim_version(session, article, now)
    previous: dict[str, Any] = {"status": article.status}
    article.status = "draft"
    if article.published_at is not None and article.published_at > now:
        # Scheduled but never seen: nothing was published.
        previous["published_at"] = iso(article.published_at)
        article.published_at = None
        if article.first_published_at is not None and article.first_published_at > now:
            previous["first_published_at"] = iso(article.first_published_at)
            article.first_published_at = None
    _record(session, article, principal, "unpublish", list(previous), previous, now)
    _finish(session, article)
    return article


def archive_article(
    session: Session,
    principal: Principal,
    article_id: int,
    if_match: str | None,
    now: datetime,
) -> Article:
    """Withdraw the article from readers; editors still see it, with its history."""
    article = writable_article(session, principal, article_id, now)
    check_if_match(if_match, article)
    if article.status == "archived":
        return article
    claim_version(session, article, now)
    previous = {"status": article.status}
    article.status = "archived"
    _record(session, article, principal, "archive", ["status"], previous, now)
    _finish(session, article)
    return article


def put_summary(
    session: Session,
    principal: Principal,
    article_id: int,
    data: SummaryWrite,
    if_match: str | None,
    now: datetime,
) -> Article:
    """Set the editors' key points; they replace the generated ones for readers."""
    article = writable_article(session, principal, article_id, now)
    check_if_match(if_match, article)
    bullets = [plain_text(bullet) for bullet in data.bullets]
    empty = [n for n, bullet in enumerate(bullets) if not bullet]
    if empty:
        raise _invalid([_error(f"bullets.{n}", "empty once markup is removed") for n in empty])
    existing = session.get(Summary, (article.id, "editorial"))
    if existing is not None and existing.bullets == bullets:
        return article
    claim_version(session, article, now)
    previous = {"summary": existing.bullets if existing is not None else None}
    if existing is None:
        session.add(
            Summary(article_id=article.id, source="editorial", bullets=bullets, updated_at=now)
        )
    else:
        existing.bullets = bullets
        existing.updated_at = now
    _touch(article, now)
    _record(session, article, principal, "summary", ["summary"], previous, now)
    _finish(session, article)
    return article


def delete_summary(
    session: Session,
    principal: Principal,
    article_id: int,
    if_match: str | None,
    now: datetime,
) -> Article:
    """Drop the editors' key points: readers get the generated ones again."""
    article = writable_article(session, principal, article_id, now)
    check_if_match(if_match, article)
    existing = session.get(Summary, (article.id, "editorial"))
    if existing is None:
        return article
    claim_version(session, article, now)
    previous = {"summary": existing.bullets}
    session.delete(existing)
    if session.get(Summary, (article.id, "generated")) is None:
        refresh_summary(session, article, generated_summary(article.body, article.language))
    _touch(article, now)
    _record(session, article, principal, "summary_removed", ["summary"], previous, now)
    _finish(session, article)
    return article


def curated_videos(session: Session, article_id: int) -> list[int]:
    return list(
        session.scalars(
            select(ArticleVideo.video_id)
            .where(ArticleVideo.article_id == article_id)
            .order_by(ArticleVideo.position)
        )
    )


def put_related_videos(
    session: Session,
    principal: Principal,
    article_id: int,
    data: RelatedVideosWrite,
    if_match: str | None,
    now: datetime,
) -> tuple[Article, list[int]]:
    """Set the curated, ordered related videos; suggestions fill the rest."""
    article = writable_article(session, principal, article_id, now)
    check_if_match(if_match, article)
    ids = data.video_ids
    errors = [
        _error(f"video_ids.{n}", "listed twice")
        for n, video_id in enumerate(ids)
        if video_id in ids[:n]
    ]
    existing = set(session.scalars(select(Video.id).where(Video.id.in_(ids)))) if ids else set()
    errors.extend(
        _error(f"video_ids.{n}", f"no video {video_id}")
        for n, video_id in enumerate(ids)
        if video_id not in existing
    )
    if errors:
        raise _invalid(errors)
    current = curated_videos(session, article.id)
    if current == ids:
        return article, ids
    claim_version(session, article, now)
    session.execute(delete(ArticleVideo).where(ArticleVideo.article_id == article.id))
    if ids:
        session.execute(
            insert(ArticleVideo),
            [
                {"article_id": article.id, "video_id": video_id, "position": n}
                for n, video_id in enumerate(ids)
            ],
        )
    _record(
        session,
        article,
        principal,
        "related_videos",
        ["related_videos"],
        {"related_videos": current},
        now,
    )
    _finish(session, article)
    return article, ids


# Editorial lists ---------------------------------------------------------------------

LIST_STATUSES = ("draft", "scheduled", "published", "archived")


def list_by_status(
    session: Session,
    principal: Principal,
    status: str,
    service: str | None,
    before_id: int | None,
    limit: int,
    now: datetime,
) -> list[tuple[int, int | None, str]]:
    """Teasers of the articles with this (effective) status in the services the
    token may read, newest first: ``(id, breaking_until, teaser)``."""
    if service is not None:
        if session.scalar(select(Service.id).where(Service.code == service)) is None:
            raise NotFound(
                f"There is no service '{service}'.",
                errors=[{"location": "query", "field": "service", "message": "unknown service"}],
            )
        if not principal.can_read(service):
            raise Forbidden(f"This token may not read the drafts of the service '{service}'.")
    render = ArticleRender
    query = select(render.article_id, render.breaking_until, render.teaser).join(
        Article, Article.id == render.article_id
    )
    if status == "published":
        query = query.where(
            or_(
                Article.status == "published",
                and_(Article.status == "scheduled", Article.published_at <= now),
            )
        )
    elif status == "scheduled":
        query = query.where(Article.status == "scheduled", Article.published_at > now)
    else:
        query = query.where(Article.status == status)
    if service is not None:
        query = query.where(render.service == service)
    elif not principal.is_admin:
        query = query.where(render.service.in_(sorted(principal.services)))
    if before_id is not None:
        query = query.where(render.article_id < before_id)
    rows = session.execute(query.order_by(render.article_id.desc()).limit(limit + 1))
    return [(article_id, until, teaser) for article_id, until, teaser in rows]


# History --------------------------------------------------------------------------


def revisions(
    session: Session,
    principal: Principal,
    article_id: int,
    before: int | None,
    limit: int,
    now: datetime,
) -> tuple[Article, list[Revision]]:
    """Newest first; ``before`` is the number the page starts below."""
    article = readable_article(session, principal, article_id, now)
    query = select(Revision).where(Revision.article_id == article.id)
    if before is not None:
        query = query.where(Revision.number < before)
    found = session.scalars(query.order_by(Revision.number.desc()).limit(limit + 1)).all()
    return article, list(found)


def revision(
    session: Session, principal: Principal, article_id: int, number: int, now: datetime
) -> tuple[Article, Revision]:
    article = readable_article(session, principal, article_id, now)
    found = session.scalars(
        select(Revision).where(Revision.article_id == article.id, Revision.number == number)
    ).one_or_none()
    if found is None:
        raise NotFound(f"The article has no revision {number}.")
    return article, found
