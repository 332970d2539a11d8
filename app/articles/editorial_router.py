"""Editorial article endpoints (bearer token): writes, workflow, history, and the
token-aware reads that show editors their drafts.

Every answer here is ``Cache-Control: private, no-store`` and carries the
editorial ETag (``"article-<id>-v<version>"``), which If-Match takes.
"""

from collections.abc import Callable
from datetime import datetime
from typing import Annotated, Any

import anyio.from_thread
import orjson
from fastapi import APIRouter, Body, Header, Path, Query, Request, Security
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response
from fastapi.security import HTTPBearer
from sqlalchemy.orm import Session

from app.articles import editorial
from app.articles.schemas import (
    ArticleOut,
    ArticleWrite,
    PublishWrite,
    RelatedVideosOut,
    RelatedVideosWrite,
    RevisionDetail,
    RevisionPage,
    SummaryOut,
    SummaryWrite,
)
from app.articles.service import breaking_json, resolve_related
from app.auth.dependencies import CurrentPrincipal, Unauthorized, optional_principal
from app.auth.service import Principal
from app.db import SessionDep
from app.errors import PROBLEM_MEDIA_TYPE, NotFound, Problem
from app.http.caching import http_date
from app.http.editorial import MERGE_PATCH, MergePatch, write_responses
from app.http.fields import trim_document, trim_list
from app.http.pagination import decode_cursor, encode_cursor, list_body, next_link
from app.http.reader import reader
from app.http.writes import PRIVATE, idempotent, private_json
from app.kit.timeutil import iso, opt_ms, to_ms
from app.models import Article, Revision, utcnow
from app.notices.repository import notices_for
from app.readmodel.articles import load_article

bearer = HTTPBearer(
    auto_error=False,
    scheme_name="token",
    description="A token made by `masthead token create` (roles admin, editor, viewer).",
)
editorial_router = APIRouter(tags=["editorial"], dependencies=[Security(bearer)])

ArticleId = Annotated[int, Path(ge=1, le=2**62, description="The article's id.")]
IfMatch = Annotated[
    str | None,
    Header(
        alias="If-Match",
        description='The ETag you last read (`"article-<id>-v<version>"`).',
    ),
]
IdempotencyKey = Annotated[
    str | None,
    Header(
        alias="Idempotency-Key",
        description="Retrying with the same key and body replays the first answer; "
        "the same key with another body is refused (422).",
    ),
]
RELATED_LIMIT = 6

TOO_LARGE: dict[int | str, dict[str, Any]] = {
    413: {"model": Problem, "content": {PROBLEM_MEDIA_TYPE: {}}, "description": "Body too large"}
}
CREATE = {**write_responses(400, 401, 403, 409, 422), **TOO_LARGE}
PATCH = {**write_responses(401, 403, 404, 409, 412, 415, 422, 428), **TOO_LARGE}
PUT = {**write_responses(401, 403, 404, 412, 422, 428), **TOO_LARGE}
DELETE = write_responses(401, 403, 404, 412, 422, 428)
ACTION = {**write_responses(401, 403, 404, 409, 412, 422), **TOO_LARGE}
READ = write_responses(400, 401, 403, 404, 422)
ETAG_HEADER = {"ETag": {"description": "The editorial ETag; send it back as If-Match."}}


# Representations ---------------------------------------------------------------


def _notices(request: Request, country: str | None, service: str, now: int) -> Any:
    """The notices for this reader, from the read store on the event loop (this
    runs in a worker thread)."""
    store = request.app.state.read_store
    return anyio.from_thread.run(notices_for, store, country, service, now)


def _live_response(
    request: Request,
    session: Session,
    article: Article,
    now: datetime,
    *,
    status_code: int = 200,
    names: list[str] | None = None,
    **headers: str,
) -> Response:
    """The editorial representation: the public shape, rendered from the store now,
    with the real status, and the reader's parts (breaking, videos, notices)."""
    _, _, country = reader(request)
    document, related = editorial.live_view(session, article, now)
    now_ms = to_ms(now)
    videos, _, _ = resolve_related(related, country, now_ms, RELATED_LIMIT)
    document["breaking"] = orjson.loads(breaking_json(opt_ms(article.breaking_until), now_ms))
    document["related_videos"] = videos
    document["notices"] = [
        notice["doc"] for notice in _notices(request, country, document["service"], now_ms)
    ]
    body = orjson.dumps(document)
    if names is not None:
        body = trim_document(body, names)
    return private_json(
        body,
        status_code=status_code,
        etag=editorial.article_etag(article),
        Last_Modified=http_date(article.updated_at.timestamp()),
        **headers,
    )


def _fresh(session: Session, article: Article) -> Article:
    loaded = load_article(session, article.id)
    assert loaded is not None
    return loaded


def _written(request: Request, session: Session, article: Article, now: datetime) -> Response:
    return _live_response(request, session, _fresh(session, article), now)


# Token-aware reads, called by the public routes when a request carries a token -----


async def _principal(request: Request) -> Principal:
    principal = await optional_principal(request)
    assert principal is not None  # only called when an Authorization header is present
    return principal


async def check_token(request: Request) -> None:
    """A request with a token is answered only if the token is good (else 401)."""
    await _principal(request)


def _with_session(request: Request, work: Callable[[Session], Response | None]) -> Response | None:
    with request.app.state.sessionmaker() as session:
        return work(session)


async def read_article(
    request: Request, article_id: int, names: list[str] | None
) -> Response | None:
    """The live representation for a token that may read the service's drafts;
    None when the public answer applies."""
    principal = await _principal(request)

    def work(session: Session) -> Response | None:
        article = editorial.viewable_article(session, principal, article_id)
        if article is None:
            return None
        return _live_response(request, session, article, utcnow(), names=names)

    return await run_in_threadpool(_with_session, request, work)


async def read_article_by_slug(
    request: Request, code: str, slug: str, names: list[str] | None
) -> Response | None:
    principal = await _principal(request)

    def work(session: Session) -> Response | None:
        found = editorial.viewable_by_slug(session, principal, code, slug)
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
        return _live_response(request, session, article, utcnow(), names=names)

    return await run_in_threadpool(_with_session, request, work)


async def read_summary(request: Request, article_id: int) -> Response | None:
    principal = await _principal(request)

    def work(session: Session) -> Response | None:
        article = editorial.viewable_article(session, principal, article_id)
        if article is None:
            return None
        summary = editorial.live_summary(article)
        if summary is None:
            raise NotFound("This article has no summary.")
        return private_json(summary, etag=editorial.article_etag(article))

    return await run_in_threadpool(_with_session, request, work)


async def read_related_videos(request: Request, article_id: int, limit: int) -> Response | None:
    principal = await _principal(request)

    def work(session: Session) -> Response | None:
        article = editorial.viewable_article(session, principal, article_id)
        if article is None:
            return None
        _, _, country = reader(request)
        _, related = editorial.live_view(session, article, utcnow())
        videos, _, _ = resolve_related(related, country, to_ms(utcnow()), limit)
        return private_json({"items": videos}, etag=editorial.article_etag(article))

    return await run_in_threadpool(_with_session, request, work)


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
        rows = editorial.list_by_status(session, principal, status, service, before, limit, now)
        more = len(rows) > limit
        rows = rows[:limit]
        now_ms = to_ms(now)
        items = [
            b"".join((teaser.encode(), b',"breaking":', breaking_json(until, now_ms), b"}"))
            for _, until, teaser in rows
        ]
        next_cursor = encode_cursor(sort, rows[-1][0], rows[-1][0]) if more else None
        body = list_body(items, next_cursor)
        if names is not None:
            body = trim_list(body, names)
        response = private_json(body)
        if next_cursor is not None:
            response.headers["Link"] = next_link(request, next_cursor)
        return response

    found = await run_in_threadpool(_with_session, request, work)
    assert found is not None
    return found


# Writes ----------------------------------------------------------------------------


@editorial_router.post(
    "/v1/articles",
    operation_id="create_article",
    status_code=201,
    response_model=ArticleOut,
    responses={
        **CREATE,
        201: {
            "description": "The new draft",
            "headers": {
                **ETAG_HEADER,
                "Location": {"description": "The article's address."},
            },
        },
    },
)
def create_article(
    request: Request,
    principal: CurrentPrincipal,
    session: SessionDep,
    data: ArticleWrite,
    idempotency_key: IdempotencyKey = None,
) -> Response:
    """Create a draft article in a service the token may write."""

    def produce() -> Response:
        now = utcnow()
        article = editorial.create_article(session, principal, data, now)
        return _live_response(
            request,
            session,
            _fresh(session, article),
            now,
            status_code=201,
            Location=f"/v1/articles/{article.id}",
        )

    payload = data.model_dump(mode="json", exclude_unset=True)
    return idempotent(session, request, principal, payload, produce)


@editorial_router.patch(
    "/v1/articles/{article_id}",
    operation_id="update_article",
    response_model=ArticleOut,
    responses={**PATCH, 200: {"description": "The changed article", "headers": ETAG_HEADER}},
    openapi_extra={
        "requestBody": {
            "required": True,
            "description": "A JSON merge patch (RFC 7396) of the article's write shape "
            '(`ArticleWrite`): members given replace, `null` removes (`"slug": null` '
            "makes a new slug from the headline), the rest stays. An extra member "
            '`"correction": "text"` appends to the public corrections log.',
            "content": {
                MERGE_PATCH: {"schema": {"type": "object"}},
                "application/json": {"schema": {"type": "object"}},
            },
        }
    },
)
def update_article(
    request: Request,
    article_id: ArticleId,
    principal: CurrentPrincipal,
    session: SessionDep,
    patch: MergePatch,
    if_match: IfMatch = None,
) -> Response:
    """Edit an article with a JSON merge patch; needs If-Match."""
    now = utcnow()
    article = editorial.update_article(session, principal, article_id, patch, if_match, now)
    return _written(request, session, article, now)


def _no_content(article: Article) -> Response:
    """204 with the article's new editorial ETag."""
    return Response(
        status_code=204,
        headers={"ETag": f'"{editorial.article_etag(article)}"', "Cache-Control": PRIVATE},
    )


@editorial_router.delete(
    "/v1/articles/{article_id}",
    operation_id="archive_article",
    status_code=204,
    responses={**DELETE, 204: {"description": "Archived", "headers": ETAG_HEADER}},
)
def archive_article(
    article_id: ArticleId,
    principal: CurrentPrincipal,
    session: SessionDep,
    if_match: IfMatch = None,
) -> Response:
    """Archive an article: readers lose it at once; needs If-Match."""
    article = editorial.archive_article(session, principal, article_id, if_match, utcnow())
    return _no_content(article)


@editorial_router.post(
    "/v1/articles/{article_id}/publish",
    operation_id="publish_article",
    response_model=ArticleOut,
    responses={**ACTION, 200: {"description": "Published or scheduled", "headers": ETAG_HEADER}},
)
def publish_article(
    request: Request,
    article_id: ArticleId,
    principal: CurrentPrincipal,
    session: SessionDep,
    data: Annotated[PublishWrite | None, Body()] = None,
    if_match: IfMatch = None,
    idempotency_key: IdempotencyKey = None,
) -> Response:
    """Publish now, or schedule with `at`; If-Match is optional."""

    def produce() -> Response:
        now = utcnow()
        at = data.at if data is not None else None
        article = editorial.publish_article(session, principal, article_id, at, if_match, now)
        return _written(request, session, article, now)

    payload = data.model_dump(mode="json", exclude_unset=True) if data is not None else {}
    return idempotent(session, request, principal, payload, produce)


@editorial_router.post(
    "/v1/articles/{article_id}/unpublish",
    operation_id="unpublish_article",
    response_model=ArticleOut,
    responses={**ACTION, 200: {"description": "Back to draft", "headers": ETAG_HEADER}},
)
def unpublish_article(
    request: Request,
    article_id: ArticleId,
    principal: CurrentPrincipal,
    session: SessionDep,
    if_match: IfMatch = None,
    idempotency_key: IdempotencyKey = None,
) -> Response:
    """Take an article back to draft; If-Match is optional."""

    def produce() -> Response:
        now = utcnow()
        article = editorial.unpublish_article(session, principal, article_id, if_match, now)
        return _written(request, session, article, now)

    return idempotent(session, request, principal, {}, produce)


@editorial_router.put(
    "/v1/articles/{article_id}/summary",
    operation_id="put_article_summary",
    response_model=SummaryOut,
    responses={**PUT, 200: {"description": "The summary readers see", "headers": ETAG_HEADER}},
)
def put_article_summary(
    article_id: ArticleId,
    principal: CurrentPrincipal,
    session: SessionDep,
    data: SummaryWrite,
    if_match: IfMatch = None,
) -> Response:
    """Set the editors' key points (1 to 7 bullets); needs If-Match."""
    now = utcnow()
    article = editorial.put_summary(session, principal, article_id, data, if_match, now)
    article = _fresh(session, article)
    return private_json(editorial.live_summary(article), etag=editorial.article_etag(article))


@editorial_router.delete(
    "/v1/articles/{article_id}/summary",
    operation_id="delete_article_summary",
    status_code=204,
    responses={**DELETE, 204: {"description": "Generated again", "headers": ETAG_HEADER}},
)
def delete_article_summary(
    article_id: ArticleId,
    principal: CurrentPrincipal,
    session: SessionDep,
    if_match: IfMatch = None,
) -> Response:
    """Drop the editors' key points, back to the generated ones; needs If-Match."""
    article = editorial.delete_summary(session, principal, article_id, if_match, utcnow())
    return _no_content(article)


@editorial_router.put(
    "/v1/articles/{article_id}/related-videos",
    operation_id="put_related_videos",
    response_model=RelatedVideosOut,
    responses={**PUT, 200: {"description": "The curated list", "headers": ETAG_HEADER}},
)
def put_related_videos(
    article_id: ArticleId,
    principal: CurrentPrincipal,
    session: SessionDep,
    data: RelatedVideosWrite,
    if_match: IfMatch = None,
) -> Response:
    """Set the curated, ordered related videos; needs If-Match."""
    article, ids = editorial.put_related_videos(
        session, principal, article_id, data, if_match, utcnow()
    )
    return private_json({"video_ids": ids}, etag=editorial.article_etag(article))


# History -----------------------------------------------------------------------------


def _revision(found: Revision, *, detail: bool) -> dict[str, Any]:
    document: dict[str, Any] = {
        "number": found.number,
        "action": found.action,
        "actor": found.actor,
        "fields": found.fields,
        "created_at": iso(found.created_at),
    }
    if detail:
        document["previous"] = found.previous
    return document


@editorial_router.get(
    "/v1/articles/{article_id}/revisions",
    operation_id="list_article_revisions",
    response_model=RevisionPage,
    responses=READ,
)
def list_article_revisions(
    request: Request,
    article_id: ArticleId,
    principal: CurrentPrincipal,
    session: SessionDep,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    cursor: Annotated[str | None, Query(max_length=200)] = None,
) -> Response:
    """The article's revisions, newest first."""
    before = decode_cursor(cursor, "revisions")[0] if cursor is not None else None
    article, found = editorial.revisions(session, principal, article_id, before, limit, utcnow())
    more = len(found) > limit
    found = found[:limit]
    next_cursor = encode_cursor("revisions", found[-1].number, article.id) if more else None
    response = private_json(
        {"items": [_revision(r, detail=False) for r in found], "next_cursor": next_cursor},
        etag=editorial.article_etag(article),
    )
    if next_cursor is not None:
        response.headers["Link"] = next_link(request, next_cursor)
    return response


@editorial_router.get(
    "/v1/articles/{article_id}/revisions/{number}",
    operation_id="get_article_revision",
    response_model=RevisionDetail,
    responses=READ,
)
def get_article_revision(
    article_id: ArticleId,
    number: Annotated[int, Path(ge=1, le=2**31)],
    principal: CurrentPrincipal,
    session: SessionDep,
) -> Response:
    """One revision: who, when, which fields, and their previous values."""
    article, found = editorial.revision(session, principal, article_id, number, utcnow())
    return private_json(
        _revision(found, detail=True),
        etag=f"article-{article.id}-r{found.number}",
    )
