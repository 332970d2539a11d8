"""Article reads: who may see what, and the parts that depend on the reader.

Public reads are stored renderings from the read store, plus the breaking flag,
related videos and notices resolved for this reader now. A token that may read a
service's drafts gets the live editorial representation instead (private, with
the editorial ETag); so do the editors' own reads (lists by status, revisions).
"""

import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import orjson
from fastapi import Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response
from sqlalchemy import inspect
from sqlalchemy.orm import Session

from app.articles import repository
from app.articles.history import Content, content_after, snapshot
from app.articles.repository import ArticleRepository
from app.auth.dependencies import optional_principal
from app.auth.service import Principal
from app.db import reading
from app.editions.service import require_service
from app.errors import BadRequest, Forbidden, NotFound, Unauthorized, UnavailableForLegalReasons
from app.http.caching import Representation, body_etag, http_date
from app.http.fields import trim_document, trim_list, trimmed
from app.http.pagination import decode_cursor, encode_cursor, list_body, next_link
from app.http.reader import reader
from app.http.writes import PRIVATE, private_json, version_etag
from app.kit.timeutil import iso, iso_from_ms, now_ms, opt_ms, to_ms
from app.models import Article, ArticleVideo, Revision, utcnow
from app.notices.service import notices_for, notices_in
from app.readmodel.articles import DETAIL_RELATED, live_document
from app.readmodel.availability import depends_on_country, resolve
from app.readmodel.documents import public_from, summary_document
from app.readstore import ReadStore

NOT_FOUND_DETAIL = "No published article has this id."
#: How many related videos the live representation shows.
RELATED_LIMIT = 6


@dataclass(slots=True)
class Moved:
    """An old slug: the article's current address."""

    location: str


# Visibility ------------------------------------------------------------------


def hidden() -> NotFound:
    # Exactly what the public read answers for an id that never existed.
    return NotFound(NOT_FOUND_DETAIL)


def check_visible(row: Sequence[Any] | None, now: int, country: str | None) -> Sequence[Any]:
    """Drafts, scheduled, embargoed and archived articles are 404, like unknown ids."""
    if row is None or row[0] is None or row[0] > now:
        raise hidden()
    withheld = row[1]
    if withheld and country is not None and country in withheld.split(","):
        raise UnavailableForLegalReasons(
            "This article is not available in your country for legal reasons."
        )
    return row


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
    """The editorial ETag, which If-Match takes: it changes with every write."""
    return version_etag("article", article.id, article.version)


# The reader's parts --------------------------------------------------------------


def breaking_json(until: int | None, now: int) -> bytes:
    if until is None or until <= now:
        return b"null"
    return orjson.dumps({"until": iso_from_ms(until)})


def resolve_related(
    related: str | bytes, country: str | None, now: int, limit: int
) -> tuple[list[dict[str, Any]], str, bool]:
    """Related videos resolved for this reader, a short state key for the ETag,
    and whether the answer depends on the reader's country. The editors' videos are
    shown whatever their state; a suggestion only to a reader who may play it."""
    videos: list[dict[str, Any]] = []
    states = []
    by_country = False
    for entry in orjson.loads(related):
        if len(videos) == limit:
            break
        video = resolve(entry["video"], entry["rules"], country, now)
        reason = video["unavailable_reason"]
        states.append(reason or "ok")
        by_country = by_country or depends_on_country(entry["rules"])
        if reason is None or video["curated"]:
            videos.append(video)
    return videos, ".".join(states), by_country


# Public reads, from the read store -----------------------------------------------


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=UTC)


async def list_teasers(
    store: ReadStore,
    country: str | None,
    *,
    filters: dict[str, str | None],
    breaking: bool | None,
    published_after: datetime | None,
    published_before: datetime | None,
    sort: str,
    limit: int,
    cursor: str | None,
    names: list[str] | None,
) -> Representation:
    """A page of published teasers, newest first (or as ``sort`` says)."""
    now = now_ms()
    params: dict[str, object] = {"now": now, "limit": limit + 1}
    used = set()
    for name, value in filters.items():
        if value is not None:
            used.add(name)
            params[name] = value
    if country is not None:
        used.add("country")
        params["withheld_pattern"] = f"%{country}%"
    if breaking is not None:
        used.add("breaking_true" if breaking else "breaking_false")
    if published_after is not None:
        used.add("published_after")
        params["published_after"] = to_ms(_aware(published_after))
    if published_before is not None:
        used.add("published_before")
        params["published_before"] = to_ms(_aware(published_before))
    if cursor is not None:
        params["cursor_key"], params["cursor_id"] = decode_cursor(cursor, sort)
    query = repository.list_query(sort, frozenset(used), cursor is not None)
    rows = await store.all(query, params)
    service = filters.get("service")
    if not rows and service is not None:
        # Only an empty page needs to tell an unknown service from a quiet one.
        await require_service(store, service)
    more = len(rows) > limit
    rows = rows[:limit]
    items = []
    validators = [sort.encode(), str(limit).encode()]
    for _, _, until, teaser, _, etag in rows:
        breaking_now = breaking_json(until, now)
        items.append(b"".join((teaser.encode(), b',"breaking":', breaking_now, b"}")))
        validators.append(etag.encode() + (b"b" if breaking_now != b"null" else b"n"))
    next_cursor = encode_cursor(sort, rows[-1][1], rows[-1][0]) if more else None
    body = list_body(items, next_cursor)
    # The stored renderings' own ETags identify the page's content: hashing them
    # is cheaper than hashing the assembled body.
    validators.append((next_cursor or "").encode())
    etag = None if names is not None else body_etag(b"|".join(validators))
    body = trim_list(body, names)
    keys = ["articles", *(f"article-{row[0]}" for row in rows)]
    if service is not None:
        keys.append(f"service-{service}")
    return Representation(
        body=body,
        etag=etag,
        last_modified_ms=max((row[4] for row in rows), default=None),
        surrogate_keys=" ".join(keys),
        vary_country=True,
        next_cursor=next_cursor,
    )


async def article_detail(
    store: ReadStore,
    row: Sequence[Any],
    article_id: int,
    country: str | None,
    now: int,
) -> Representation:
    """The stored detail (as bytes, see ``repository.BY_ID``) with the reader's parts."""
    _, _, breaking_until, etag, updated_ts, detail, related, service, _, translations = row[:10]
    static: bytes | None = row[10]
    if static is not None:
        # The same for every reader: served as stored, and the related videos
        # are then covered by the stored ETag.
        keys_part, _, videos_json = static.partition(b"\n")
        video_keys, video_state = keys_part.decode(), "static"
    else:
        videos, video_state, _ = resolve_related(related, country, now, DETAIL_RELATED)
        videos_json = orjson.dumps(videos)
        video_keys = " ".join(f"video-{video['id']}" for video in videos)
    notices = await notices_for(store, country, service, now)
    breaking = breaking_json(breaking_until, now)
    notices_json = orjson.dumps([notice["doc"] for notice in notices])
    public = [(since, doc) for since, doc in orjson.loads(translations) if since <= now]
    translations_json = orjson.dumps([doc for _, doc in public])
    # Last-Modified moves with what changed by the clock or elsewhere: an expired
    # breaking flag, a translation that became public, a notice.
    last_modified = max(
        updated_ts,
        breaking_until if breaking_until is not None and breaking_until <= now else 0,
        *(since for since, _ in public),
        *(notice["changed"] for notice in notices),
    )
    body = b"".join(
        (
            detail,
            b',"translations":',
            translations_json,
            b',"breaking":',
            breaking,
            b',"related_videos":',
            videos_json,
            b',"notices":',
            notices_json,
            b"}",
        )
    )
    # The stored ETag covers the stored bytes; the parts added per request (the
    # breaking flag with its expiry, the videos' availability, the notices'
    # wording) must change the validator too, or a 304 would hide their change.
    variant = hashlib.blake2b(
        b"\x00".join((breaking, video_state.encode(), notices_json, translations_json)),
        digest_size=6,
    ).hexdigest()
    keys = [f"article-{article_id}", f"service-{service}"]
    if video_keys:
        keys.append(video_keys)
    keys.extend(f"notice-{notice['doc']['id']}" for notice in notices)
    return Representation(
        body=body,
        etag=f"{etag}-{variant}",
        last_modified_ms=last_modified,
        surrogate_keys=" ".join(keys),
        vary_country=True,
    )


async def article_by_id(
    store: ReadStore, article_id: int, country: str | None, names: list[str] | None
) -> Representation:
    now = now_ms()
    row = check_visible(await store.one(repository.BY_ID, {"id": article_id}), now, country)
    return trimmed(await article_detail(store, row, article_id, country, now), names)


async def article_by_slug(
    store: ReadStore, code: str, slug: str, country: str | None, names: list[str] | None
) -> Representation | Moved:
    """The article holding the slug in the service, or where an old slug moved to."""
    now = now_ms()
    row = await store.one(repository.BY_SLUG, {"service": code, "slug": slug})
    if row is None:
        old = await store.one(repository.OLD_SLUG, {"service": code, "slug": slug})
        if old is None:
            raise hidden()
        current_slug, *visibility = old
        check_visible([*visibility], now, country)
        return Moved(f"/v1/services/{code}/articles/{current_slug}")
    row = check_visible(row, now, country)
    return trimmed(await article_detail(store, row, row[11], country, now), names)


async def article_summary(
    store: ReadStore, article_id: int, country: str | None, names: list[str] | None
) -> Representation:
    now = now_ms()
    row = check_visible(await store.one(repository.SUMMARY, {"id": article_id}), now, country)
    _, withheld, summary, updated_ts, service = row
    if summary == "null":
        raise NotFound("This article has no summary.")
    found = Representation(
        body=summary.encode(),
        etag=None,
        last_modified_ms=updated_ts,
        surrogate_keys=f"article-{article_id} service-{service}",
        vary_country=bool(withheld),
    )
    return trimmed(found, names)


async def related_videos(
    store: ReadStore, article_id: int, country: str | None, limit: int, names: list[str] | None
) -> Representation:
    now = now_ms()
    row = check_visible(await store.one(repository.RELATED, {"id": article_id}), now, country)
    _, withheld, related, updated_ts, _, static = row
    if static is not None and limit == DETAIL_RELATED:
        # The detail's list, the same for every reader: served as stored.
        video_keys, _, stored = static.partition("\n")
        body = b"".join((b'{"items":', stored.encode(), b"}"))
        keys, by_country = [f"article-{article_id}", *video_keys.split()], False
    else:
        videos, _, by_country = resolve_related(related, country, now, limit)
        body = orjson.dumps({"items": videos})
        keys = [f"article-{article_id}", *(f"video-{video['id']}" for video in videos)]
    found = Representation(
        body=body,
        etag=None,
        last_modified_ms=updated_ts,
        surrogate_keys=" ".join(keys),
        vary_country=by_country or bool(withheld),
    )
    return trimmed(found, names, items=True)


# Editors' reads ------------------------------------------------------------------


def readable_article(
    session: Session, principal: Principal, article_id: int, now: datetime
) -> Article:
    """An article whose editorial records (drafts, revisions) the token may read.

    Someone who may not read the service gets 403 for an article the public can
    see anyway, and for any other the same 404 as for an id that never existed.
    """
    article = ArticleRepository(session).find(article_id)
    if article is None:
        raise hidden()
    if principal.can_read(article.service.code):
        return article
    if is_public(article, now):
        raise Forbidden(
            f"This token may not read the editorial records of the service "
            f"'{article.service.code}'."
        )
    raise hidden()


def viewable_article(session: Session, principal: Principal, article_id: int) -> Article | None:
    """The article, fully loaded, if the token may read its service's drafts; else
    None, and the caller answers as the public read does."""
    article = ArticleRepository(session).load(article_id)
    if article is None or not principal.can_read(article.service.code):
        return None
    return article


def viewable_by_slug(
    session: Session, principal: Principal, code: str, slug: str
) -> tuple[Article, bool] | None:
    """The article holding ``slug`` (or having held it: the flag says it is an old
    one) in a service whose drafts the token may read."""
    if not principal.can_read(code):
        return None
    articles = ArticleRepository(session)
    service_id = articles.service_id(code)
    if service_id is None:
        return None
    article_id = articles.id_by_slug(service_id, slug)
    old = False
    if article_id is None:
        article_id = articles.id_by_old_slug(service_id, slug)
        old = True
    if article_id is None:
        return None
    article = articles.load(article_id)
    return None if article is None else (article, old)


def live_view(session: Session, article: Article, now: datetime) -> tuple[dict[str, Any], str]:
    """The editorial representation of a fully loaded article, and its related
    videos as last rendered (refreshed by every write)."""
    document = live_document(session, article, effective_status(article, now))
    related = ArticleRepository(session).rendered_related(article.id)
    return document, related or "[]"


def live_summary(article: Article) -> dict[str, Any] | None:
    return summary_document(article)


def live_response(
    request: Request,
    session: Session,
    article: Article,
    now: datetime,
    *,
    status_code: int = 200,
    names: list[str] | None = None,
    location: str | None = None,
) -> Response:
    """The editorial representation: the public shape, rendered from the store now,
    with the real status, and the reader's parts (breaking, videos, notices)."""
    _, _, country = reader(request)
    document, related = live_view(session, article, now)
    now_in_ms = to_ms(now)
    videos, _, _ = resolve_related(related, country, now_in_ms, RELATED_LIMIT)
    document["breaking"] = orjson.loads(breaking_json(opt_ms(article.breaking_until), now_in_ms))
    document["related_videos"] = videos
    document["notices"] = [
        notice["doc"] for notice in notices_in(session, country, document["service"], now_in_ms)
    ]
    body = trim_document(orjson.dumps(document), names)
    return private_json(
        body,
        status_code=status_code,
        etag=article_etag(article),
        Last_Modified=http_date(article.updated_at.timestamp()),
        **({"Location": location} if location is not None else {}),
    )


#: What ``load_article`` loads of an article besides its columns.
_SHOWN = frozenset(("service", "section", "tags", "authors", "corrections", "summaries"))


def _reloaded(session: Session, article: Article) -> Article:
    """The article with everything its representation shows. A write that changed
    it ends by rendering it, which loads all of that afresh after the last change
    (``render_articles``): that article is used as it is, not loaded a second time."""
    state = inspect(article)
    if not state.modified and not state.expired and _SHOWN.isdisjoint(state.unloaded):
        return article
    loaded = ArticleRepository(session).load(article.id)
    assert loaded is not None
    return loaded


def written(
    request: Request,
    session: Session,
    article: Article,
    now: datetime,
    *,
    status_code: int = 200,
    location: str | None = None,
) -> Response:
    """The live representation after a write, read again from the database."""
    loaded = _reloaded(session, article)
    return live_response(request, session, loaded, now, status_code=status_code, location=location)


def written_summary(session: Session, article: Article) -> Response:
    """The key points readers see after a write, with the new editorial ETag."""
    loaded = _reloaded(session, article)
    return private_json(live_summary(loaded), etag=article_etag(loaded))


# With a token, through the public routes: the live representation for a token
# that may read the service's drafts; None when the public answer applies.


async def _principal(request: Request) -> Principal:
    principal = await optional_principal(request)
    assert principal is not None  # only called when an Authorization header is present
    return principal


async def check_token(request: Request) -> None:
    """A request with a token is answered only if the token is good (else 401)."""
    await _principal(request)


def _with_session(request: Request, work: Callable[[Session], Response | None]) -> Response | None:
    with reading(request.app.state.sessionmaker) as session:
        return work(session)


async def live_article(
    request: Request, article_id: int, names: list[str] | None
) -> Response | None:
    principal = await _principal(request)

    def work(session: Session) -> Response | None:
        article = viewable_article(session, principal, article_id)
        if article is None:
            return None
        return live_response(request, session, article, utcnow(), names=names)

    return await run_in_threadpool(_with_session, request, work)


async def live_article_by_slug(
    request: Request, code: str, slug: str, names: list[str] | None
) -> Response | None:
    principal = await _principal(request)

    def work(session: Session) -> Response | None:
        found = viewable_by_slug(session, principal, code, slug)
        if found is None:
            return None
        article, old = found
        if old:
            location = f"/v1/services/{code}/articles/{article.slug}"
            if request.url.query:
                location += f"?{request.url.query}"
            return Response(
                status_code=301, headers={"Location": location, "Cache-Control": PRIVATE}
            )
        return live_response(request, session, article, utcnow(), names=names)

    return await run_in_threadpool(_with_session, request, work)


async def live_summary_response(
    request: Request, article_id: int, names: list[str] | None
) -> Response | None:
    principal = await _principal(request)

    def work(session: Session) -> Response | None:
        article = viewable_article(session, principal, article_id)
        if article is None:
            return None
        summary = live_summary(article)
        if summary is None:
            raise NotFound("This article has no summary.")
        body = trim_document(orjson.dumps(summary), names)
        return private_json(body, etag=article_etag(article))

    return await run_in_threadpool(_with_session, request, work)


async def live_related_videos(
    request: Request, article_id: int, limit: int, names: list[str] | None
) -> Response | None:
    principal = await _principal(request)

    def work(session: Session) -> Response | None:
        article = viewable_article(session, principal, article_id)
        if article is None:
            return None
        _, _, country = reader(request)
        _, related = live_view(session, article, utcnow())
        videos, _, _ = resolve_related(related, country, to_ms(utcnow()), limit)
        body = trim_list(orjson.dumps({"items": videos}), names)
        return private_json(body, etag=article_etag(article))

    return await run_in_threadpool(_with_session, request, work)


def _teasers_by_status(
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
    articles = ArticleRepository(session)
    services: list[str] | None = None
    if service is not None:
        if articles.service_id(service) is None:
            raise NotFound(
                f"There is no service '{service}'.",
                errors=[{"location": "query", "field": "service", "message": "unknown service"}],
            )
        if not principal.can_read(service):
            raise Forbidden(f"This token may not read the drafts of the service '{service}'.")
        services = [service]
    elif not principal.is_admin:
        services = sorted(principal.services)
    return articles.teasers_by_status(status, services, before_id, limit + 1, now)


async def list_by_status(
    request: Request,
    status: str,
    service: str | None,
    limit: int,
    cursor: str | None,
    names: list[str] | None,
) -> Response:
    """``GET /v1/articles?status=...``: the teasers of drafts (or scheduled, published,
    archived articles) in the services the token may read, newest first."""
    principal = await optional_principal(request)
    if principal is None:
        raise Unauthorized("Listing by status needs a token: 'Authorization: Bearer <token>'.")
    sort = f"status-{status}"
    before = decode_cursor(cursor, sort)[1] if cursor is not None else None

    def work(session: Session) -> Response:
        now = utcnow()
        rows = _teasers_by_status(session, principal, status, service, before, limit, now)
        more = len(rows) > limit
        rows = rows[:limit]
        now_in_ms = to_ms(now)
        items = [
            b"".join((teaser.encode(), b',"breaking":', breaking_json(until, now_in_ms), b"}"))
            for _, until, teaser in rows
        ]
        next_cursor = encode_cursor(sort, rows[-1][0], rows[-1][0]) if more else None
        response = private_json(trim_list(list_body(items, next_cursor), names))
        if next_cursor is not None:
            response.headers["Link"] = next_link(request, next_cursor)
        return response

    found = await run_in_threadpool(_with_session, request, work)
    assert found is not None
    return found


def check_status_list(public_only: Sequence[object], sort: str) -> None:
    """A list by status takes service, limit, cursor and fields only."""
    if any(value is not None for value in public_only) or sort != "-published_at":
        raise BadRequest(
            "A list by status takes service, limit, cursor and fields only.",
            errors=[{"location": "query", "field": "status", "message": "not combinable"}],
        )


# The write shape and history ----------------------------------------------------


def shape_time(value: datetime | None) -> str | None:
    """Full precision, so that an unchanged time compares equal after a round trip."""
    if value is None:
        return None
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z")


def write_shape(articles: ArticleRepository, article: Article) -> dict[str, Any]:
    """The article as editors write it: what a merge patch is applied to."""
    section = articles.section_slug(article.section_id) if article.section_id is not None else None
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
        "tags": articles.tag_slugs(article.id),
        "authors": articles.author_slugs(article.id),
        "urgency": article.urgency,
        "breaking_until": shape_time(article.breaking_until),
        "embargo_until": shape_time(article.embargo_until),
        "withheld_in": sorted(article.withheld_in or []),
        "translation_of": articles.translation_of(article),
    }
    return {name: value for name, value in shape.items() if value is not None}


def content_of(articles: ArticleRepository, article: Article, status: str) -> Content:
    """What a revision keeps of the article: its write shape, status, the editors' key
    points (None when readers get generated ones) and the curated related videos."""
    editorial = articles.summary(article.id, "editorial")
    return snapshot(
        write_shape(articles, article),
        status,
        list(editorial.bullets) if editorial is not None else None,
        articles.linked_ids(ArticleVideo, "video_id", article.id),
    )


def revision_document(found: Revision, content: Content | None = None) -> dict[str, Any]:
    """A revision as the history lists it; with its ``content``, as it is read alone."""
    document: dict[str, Any] = {
        "number": found.number,
        "action": found.action,
        "actor": found.actor,
        "fields": found.fields,
        "created_at": iso(found.created_at),
        "restored_from": found.restored_from,
    }
    if content is not None:
        document["previous"] = found.previous
        document.update(content)
    return document


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
    return article, ArticleRepository(session).revisions(article.id, before, limit + 1)


def revision_of(articles: ArticleRepository, article: Article, number: int) -> Revision:
    found = articles.revision(article.id, number)
    if found is None:
        raise NotFound(f"The article has no revision {number}.")
    return found


def revision_content(
    articles: ArticleRepository, article: Article, found: Revision, now: datetime
) -> Content:
    """The content the revision left (see ``articles.history``)."""
    later = articles.revisions_after(article.id, found.number) if found.snapshot is None else []
    return content_after(
        found, later, lambda: content_of(articles, article, effective_status(article, now))
    )


def revision(
    session: Session, principal: Principal, article_id: int, number: int, now: datetime
) -> tuple[Article, Revision, Content]:
    """One revision and the article as it left it."""
    article = readable_article(session, principal, article_id, now)
    articles = ArticleRepository(session)
    found = revision_of(articles, article, number)
    return article, found, revision_content(articles, article, found, now)
