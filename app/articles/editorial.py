"""Editorial rules for articles: who may change what, and how each change is
made: once (an atomic version check), recorded as a revision, and rendered into
the read model in the caller's transaction.

Rules only ``flush()``; the request's session commits once, before the answer.
Every statement is the repository's.
"""

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from pydantic import ValidationError
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from app.articles.content import apply_derived, clean_block, clean_image, generated_summary
from app.articles.history import SHAPE_FIELDS
from app.articles.repository import ArticleRepository
from app.articles.schemas import ArticleWrite, RelatedVideosWrite, SummaryWrite, VideoBlockWrite
from app.articles.service import (
    article_etag,
    content_of,
    effective_status,
    hidden,
    is_public,
    revision_content,
    revision_of,
    shape_time,
    write_shape,
)
from app.auth.service import Principal
from app.errors import Conflict, Forbidden, PreconditionFailed, Unprocessable
from app.http.writes import match_if, version_etag
from app.kit.merge_patch import merge_patch
from app.kit.sanitize import plain_text
from app.kit.slugs import make_slug
from app.kit.timeutil import iso
from app.models import (
    Article,
    ArticleAuthor,
    ArticleTag,
    ArticleVideo,
    Author,
    Correction,
    Revision,
    Service,
    Summary,
    Tag,
)
from app.readmodel.articles import render_articles

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


def slug_from(text: str) -> str:
    """A slug made from a headline (``article`` when nothing is left of it)."""
    return make_slug(text) or "article"


def writable_article(
    session: Session, principal: Principal, article_id: int, now: datetime
) -> Article:
    """An article the token may change; 403, or 404 where 403 would reveal it exists."""
    article = ArticleRepository(session).find(article_id)
    if article is None:
        raise hidden()
    code = article.service.code
    if principal.can_write(code):
        return article
    if principal.can_read(code) or is_public(article, now):
        raise Forbidden(f"This token may not change articles of the service '{code}'.")
    raise hidden()


# Preconditions and the version -------------------------------------------------


def check_if_match(if_match: str | None, article: Article, *, required: bool = True) -> None:
    """RFC 9110 If-Match against the article's editorial ETag."""
    match_if(if_match, article_etag(article), required=required, what="article")


def claim_version(session: Session, article: Article, now: datetime) -> None:
    """Move the article to its next version if, and only if, it is still at the
    version this request read. One statement, so two writers that read the same
    version cannot both succeed: the database serialises them on the row, and the
    second finds no row to update and answers 412."""
    articles = ArticleRepository(session)
    if not articles.claim_version(article.id, article.version):
        latest = articles.version(article.id)
        raise PreconditionFailed(
            "The article changed while this request ran; read it again and reapply your change.",
            headers={"ETag": f'"{version_etag("article", article.id, latest or 0)}"'},
        )
    set_committed_value(article, "version", article.version + 1)
    # A scheduled article whose time has come is published: say so in the store
    # too, now that it is being written anyway.
    article.status = effective_status(article, now)


def _record(
    articles: ArticleRepository,
    article: Article,
    principal: Principal,
    action: str,
    fields: Sequence[str],
    previous: dict[str, Any],
    now: datetime,
    *,
    restored_from: int | None = None,
) -> None:
    """The revision of a change, with the content the change left."""
    articles.flush()
    articles.add_revision(
        Revision(
            article_id=article.id,
            action=action,
            actor=principal.label,
            fields=list(fields),
            previous=previous,
            snapshot=content_of(articles, article, article.status),
            restored_from=restored_from,
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


def _finish(articles: ArticleRepository, article: Article, others: Sequence[int] = ()) -> None:
    """Render the article (and the others its change touches) in this transaction."""
    articles.flush()
    render_articles(articles.session, [article.id, *others], videos_unchanged=True)


# The write shape ----------------------------------------------------------------


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
    articles: ArticleRepository,
    model: type[Tag] | type[Author],
    slugs: list[str],
    service_id: int | None,
    name: str,
    errors: list[dict[str, str]],
) -> list[int]:
    wanted = list(dict.fromkeys(slugs))
    if not wanted:
        return []
    found = articles.term_ids(model, wanted, service_id)
    for position, slug in enumerate(slugs):
        if slug not in found:
            errors.append(_error(f"{name}.{position}", f"no {name[:-1]} '{slug}' here"))
    return [found[slug] for slug in wanted if slug in found]


def _prepare(
    articles: ArticleRepository, data: ArticleWrite, service: Service, known_videos: set[int]
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
        existing = articles.existing_videos(wanted_videos)
        for video_id, position in wanted_videos.items():
            if video_id not in existing:
                errors.append(_error(f"body.{position}.video_id", f"no video {video_id}"))
    section_id = None
    if data.section is not None:
        section_id = articles.section_id(service.id, data.section)
        if section_id is None:
            errors.append(_error("section", f"no section '{data.section}' in '{service.code}'"))
    tag_ids = _resolve_slugs(articles, Tag, data.tags, service.id, "tags", errors)
    author_ids = _resolve_slugs(articles, Author, data.authors, None, "authors", errors)
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
        "breaking_until": shape_time(data.breaking_until),
        "embargo_until": shape_time(data.embargo_until),
        "translation_of": data.translation_of,
    }
    shape = {name: value for name, value in shape.items() if value is not None}
    return _Prepared(columns, section_id, tag_ids, author_ids, shape)


def _label(value: str | None) -> str | None:
    """Optional plain text; what holds nothing but markup is absent."""
    return (plain_text(value) or None) if value is not None else None


def _claim_slug(
    articles: ArticleRepository, service_id: int, slug: str, article_id: int | None
) -> str:
    owner = articles.slug_owner(service_id, slug)
    if owner is not None and owner != article_id:
        raise Conflict(
            f"Another article of this service has (or had) the slug '{slug}'.",
            errors=[_error("slug", "taken")],
        )
    return slug


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


# Translations ---------------------------------------------------------------------


def _translation_target(
    articles: ArticleRepository,
    principal: Principal,
    article: Article | None,
    service: Service,
    target_id: int,
    now: datetime,
) -> Article:
    """The article ``translation_of`` names, if this one (None: a new one) may become
    its translation: the token may see it, it is in another service, it translates
    nothing itself, and its story has no other version in this service. One the
    token may not see is refused exactly as an unknown id is."""
    target = articles.find(target_id)
    if target is None or not (principal.can_read(target.service.code) or is_public(target, now)):
        raise _invalid([_error("translation_of", f"no article {target_id}")])
    if target.service_id == service.id:
        raise _invalid([_error("translation_of", "the article translated is in another service")])
    # A story is one original and its translations: no chain, no cycle.
    if articles.translation_of(target) is not None:
        raise _invalid(
            [_error("translation_of", "that article is a translation; name the one it translates")]
        )
    if article is not None and articles.is_translated(article):
        raise _invalid(
            [_error("translation_of", "other articles translate this one; unlink them first")]
        )
    if target.translation_group is not None:
        own = article.id if article is not None else None
        for member, service_id in articles.story_members(target.translation_group):
            if service_id == service.id and member != own:
                raise _invalid(
                    [_error("translation_of", f"the story has a version in '{service.code}'")]
                )
    return target


def _link_translation(
    articles: ArticleRepository, article: Article, target: Article | None
) -> list[int]:
    """Make the article part of ``target``'s story (None: of no story); the ids of
    the articles of the story it leaves, whose translations lists change too."""
    left = []
    if article.translation_group is not None:
        left = [
            member
            for member, _ in articles.story_members(article.translation_group)
            if member != article.id
        ]
    if target is None:
        article.translation_of_id = None
        article.translation_group = None
    else:
        if target.translation_group is None:
            target.translation_group = f"article:{target.id}"
        article.translation_of_id = target.id
        article.translation_group = target.translation_group
    return left


# Changes to the write shape ----------------------------------------------------------


@dataclass
class _Change:
    """What a write changes in an article's write shape, validated."""

    prepared: _Prepared
    slug: str
    changed: list[str]
    previous: dict[str, Any]
    translation: Article | None


def _change(
    articles: ArticleRepository,
    principal: Principal,
    article: Article,
    current: dict[str, Any],
    data: ArticleWrite,
    now: datetime,
) -> _Change:
    """The members of ``data`` that differ from the ``current`` write shape."""
    service = article.service
    if data.service != service.code:
        raise _invalid([_error("service", "an article stays in its service")])
    known_videos = {block["video_id"] for block in article.body if block.get("type") == "video"}
    prepared = _prepare(articles, data, service, known_videos)
    if data.slug is not None:
        slug = data.slug
        if slug != article.slug:
            _claim_slug(articles, service.id, slug, article.id)
    else:
        # ``"slug": null`` asks for a slug made from the (new) headline.
        slug = slug_from(prepared.columns["headline"])
        if slug != article.slug:
            slug = articles.unique_slug(service.id, slug, article.id)
    proposed = {**prepared.shape, "slug": slug}
    changed = [
        name
        for name in SHAPE_FIELDS
        if name != "service" and proposed.get(name) != current.get(name)
    ]
    translation = None
    if "translation_of" in changed and data.translation_of is not None:
        translation = _translation_target(
            articles, principal, article, service, data.translation_of, now
        )
    previous = {name: current.get(name) for name in changed}
    return _Change(prepared, slug, changed, previous, translation)


def _apply(articles: ArticleRepository, article: Article, change: _Change) -> list[int]:
    """Write the change; the ids of other articles whose representation it changes."""
    prepared = change.prepared
    for name in change.changed:
        if name in _COLUMNS:
            setattr(article, name, prepared.columns[name])
    if "section" in change.changed:
        article.section_id = prepared.section_id
    if "tags" in change.changed:
        articles.replace_links(ArticleTag, "tag_id", article.id, prepared.tag_ids)
    if "authors" in change.changed:
        articles.replace_links(ArticleAuthor, "author_id", article.id, prepared.author_ids)
    if "slug" in change.changed:
        article.slug = change.slug
    if "translation_of" in change.changed:
        return _link_translation(articles, article, change.translation)
    return []


def _settle(articles: ArticleRepository, article: Article, changed: list[str]) -> None:
    """What follows from the written members: the slug's history, the counts and the
    generated key points."""
    articles.flush()
    if "slug" in changed:
        articles.record_slug(article)
    if "body" in changed or "language" in changed:
        apply_derived(articles, article)


def _store_summary(
    articles: ArticleRepository, article: Article, bullets: list[str] | None, now: datetime
) -> None:
    """The editors' key points (None: none, readers get the generated ones)."""
    existing = articles.summary(article.id, "editorial")
    if bullets is None:
        if existing is None:
            return
        articles.delete_summary(existing)
        if articles.summary(article.id, "generated") is None:
            articles.store_generated_summary(
                article, generated_summary(article.body, article.language)
            )
    elif existing is None:
        articles.add_summary(
            Summary(article_id=article.id, source="editorial", bullets=bullets, updated_at=now)
        )
    else:
        existing.bullets = bullets
        existing.updated_at = now


# Writes -----------------------------------------------------------------------------


def create_article(
    session: Session, principal: Principal, data: ArticleWrite, now: datetime
) -> Article:
    """A new draft in a service the token may write."""
    articles = ArticleRepository(session)
    service = articles.service(data.service)
    if service is None:
        raise _invalid([_error("service", f"no service '{data.service}'")])
    if not principal.can_write(service.code):
        raise Forbidden(f"This token may not write articles of the service '{service.code}'.")
    prepared = _prepare(articles, data, service, set())
    translation = None
    if data.translation_of is not None:
        translation = _translation_target(
            articles, principal, None, service, data.translation_of, now
        )
    if data.slug is not None:
        slug = _claim_slug(articles, service.id, data.slug, None)
    else:
        slug = articles.unique_slug(service.id, slug_from(prepared.columns["headline"]), None)
    article = Article(
        service=service,
        status="draft",
        slug=slug,
        section_id=prepared.section_id,
        created_at=now,
        updated_at=now,
        version=1,
        **prepared.columns,
    )
    articles.add(article)
    articles.replace_links(ArticleTag, "tag_id", article.id, prepared.tag_ids)
    articles.replace_links(ArticleAuthor, "author_id", article.id, prepared.author_ids)
    if translation is not None:
        _link_translation(articles, article, translation)
    articles.record_slug(article)
    apply_derived(articles, article)
    fields = [name for name in SHAPE_FIELDS if name in prepared.shape or name == "slug"]
    _record(articles, article, principal, "create", fields, {}, now)
    _finish(articles, article)
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
    articles = ArticleRepository(session)
    article = writable_article(session, principal, article_id, now)
    check_if_match(if_match, article)
    patch = dict(patch)
    correction = _correction(article, patch.pop("correction", None), now)
    current = write_shape(articles, article)
    change = _change(
        articles, principal, article, current, _validated(merge_patch(current, patch)), now
    )
    if not change.changed and correction is None:
        return article
    claim_version(session, article, now)
    others = _apply(articles, article, change)
    changed, previous = list(change.changed), dict(change.previous)
    if correction is not None:
        previous["corrections"] = [
            {"at": iso(found.created_at), "text": found.text}
            for found in articles.corrections(article.id)
        ]
        articles.add_correction(Correction(article_id=article.id, created_at=now, text=correction))
        changed.append("corrections")
    _touch(article, now)
    _settle(articles, article, change.changed)
    _record(articles, article, principal, "update", changed, previous, now)
    _finish(articles, article, others)
    return article


def restore_revision(
    session: Session,
    principal: Principal,
    article_id: int,
    number: int,
    if_match: str | None,
    now: datetime,
) -> Article:
    """Make the content a revision left (write shape, editors' key points, curated
    related videos) current again, as a new revision. The status stays: restoring
    neither publishes nor withdraws, and the public corrections log keeps growing."""
    articles = ArticleRepository(session)
    article = writable_article(session, principal, article_id, now)
    found = revision_of(articles, article, number)
    check_if_match(if_match, article)
    content = revision_content(articles, article, found, now)
    current = write_shape(articles, article)
    try:
        change = _change(articles, principal, article, current, _validated(content["article"]), now)
        videos = _restorable_videos(articles, content["related_videos"])
    except Unprocessable as error:
        raise Conflict(
            f"Revision {number} names what the store no longer allows (see errors); "
            "edit the article instead.",
            errors=error.errors,
        ) from None
    changed, previous = list(change.changed), dict(change.previous)
    summary = articles.summary(article.id, "editorial")
    summary_before = list(summary.bullets) if summary is not None else None
    if content["summary"] != summary_before:
        changed.append("summary")
        previous["summary"] = summary_before
    videos_before = articles.linked_ids(ArticleVideo, "video_id", article.id)
    if videos != videos_before:
        changed.append("related_videos")
        previous["related_videos"] = videos_before
    if not changed:
        return article
    claim_version(session, article, now)
    others = _apply(articles, article, change)
    if "summary" in changed:
        _store_summary(articles, article, content["summary"], now)
    if "related_videos" in changed:
        articles.replace_links(ArticleVideo, "video_id", article.id, videos)
    _touch(article, now)
    _settle(articles, article, change.changed)
    _record(articles, article, principal, "restore", changed, previous, now, restored_from=number)
    _finish(articles, article, others)
    return article


def _restorable_videos(articles: ArticleRepository, ids: list[int]) -> list[int]:
    existing = articles.existing_videos(ids)
    missing = [
        _error(f"related_videos.{n}", f"no video {video_id}")
        for n, video_id in enumerate(ids)
        if video_id not in existing
    ]
    if missing:
        raise _invalid(missing)
    return ids


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
    articles = ArticleRepository(session)
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
        articles,
        article,
        principal,
        "schedule" if status == "scheduled" else "publish",
        changed,
        {name: previous[name] for name in changed},
        now,
    )
    _finish(articles, article)
    return article


def unpublish_article(
    session: Session,
    principal: Principal,
    article_id: int,
    if_match: str | None,
    now: datetime,
) -> Article:
    """Back to draft (from published, scheduled or archived); readers lose it at once."""
    articles = ArticleRepository(session)
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
    _record(articles, article, principal, "unpublish", list(previous), previous, now)
    _finish(articles, article)
    return article


def archive_article(
    session: Session,
    principal: Principal,
    article_id: int,
    if_match: str | None,
    now: datetime,
) -> Article:
    """Withdraw the article from readers; editors still see it, with its history."""
    articles = ArticleRepository(session)
    article = writable_article(session, principal, article_id, now)
    check_if_match(if_match, article)
    if article.status == "archived":
        return article
    claim_version(session, article, now)
    previous = {"status": article.status}
    article.status = "archived"
    _record(articles, article, principal, "archive", ["status"], previous, now)
    _finish(articles, article)
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
    articles = ArticleRepository(session)
    article = writable_article(session, principal, article_id, now)
    check_if_match(if_match, article)
    bullets = [plain_text(bullet) for bullet in data.bullets]
    empty = [n for n, bullet in enumerate(bullets) if not bullet]
    if empty:
        raise _invalid([_error(f"bullets.{n}", "empty once markup is removed") for n in empty])
    existing = articles.summary(article.id, "editorial")
    if existing is not None and existing.bullets == bullets:
        return article
    claim_version(session, article, now)
    previous = {"summary": existing.bullets if existing is not None else None}
    _store_summary(articles, article, bullets, now)
    _touch(article, now)
    _record(articles, article, principal, "summary", ["summary"], previous, now)
    _finish(articles, article)
    return article


def delete_summary(
    session: Session,
    principal: Principal,
    article_id: int,
    if_match: str | None,
    now: datetime,
) -> Article:
    """Drop the editors' key points: readers get the generated ones again."""
    articles = ArticleRepository(session)
    article = writable_article(session, principal, article_id, now)
    check_if_match(if_match, article)
    existing = articles.summary(article.id, "editorial")
    if existing is None:
        return article
    claim_version(session, article, now)
    previous = {"summary": existing.bullets}
    _store_summary(articles, article, None, now)
    _touch(article, now)
    _record(articles, article, principal, "summary_removed", ["summary"], previous, now)
    _finish(articles, article)
    return article


def put_related_videos(
    session: Session,
    principal: Principal,
    article_id: int,
    data: RelatedVideosWrite,
    if_match: str | None,
    now: datetime,
) -> tuple[Article, list[int]]:
    """Set the curated, ordered related videos; suggestions fill the rest."""
    articles = ArticleRepository(session)
    article = writable_article(session, principal, article_id, now)
    check_if_match(if_match, article)
    ids = data.video_ids
    errors = [
        _error(f"video_ids.{n}", "listed twice")
        for n, video_id in enumerate(ids)
        if video_id in ids[:n]
    ]
    existing = articles.existing_videos(ids)
    errors.extend(
        _error(f"video_ids.{n}", f"no video {video_id}")
        for n, video_id in enumerate(ids)
        if video_id not in existing
    )
    if errors:
        raise _invalid(errors)
    current = articles.linked_ids(ArticleVideo, "video_id", article.id)
    if current == ids:
        return article, ids
    claim_version(session, article, now)
    articles.replace_links(ArticleVideo, "video_id", article.id, ids)
    _record(
        articles,
        article,
        principal,
        "related_videos",
        ["related_videos"],
        {"related_videos": current},
        now,
    )
    _finish(articles, article)
    return article, ids
