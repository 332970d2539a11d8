"""Editorial article endpoints (bearer token): writes, workflow and history. (The
public routes show editors their drafts too, through ``articles.service``.)

Every answer here is ``Cache-Control: private, no-store`` and carries the
editorial ETag (``"article-<id>-v<version>"``), which If-Match takes.
"""

from typing import Annotated, Any

import orjson
from fastapi import APIRouter, Body, Header, Path, Query, Request, Security
from fastapi.responses import Response
from fastapi.security import HTTPBearer

from app.articles import editorial
from app.articles.dependencies import ArticleId
from app.articles.schemas import (
    ArticleOut,
    ArticlePatch,
    ArticleWrite,
    PublishWrite,
    RelatedVideosOut,
    RelatedVideosWrite,
    RevisionDetail,
    RevisionOut,
    RevisionPage,
    SummaryOut,
    SummaryWrite,
)
from app.articles.service import (
    article_etag,
    revision,
    revision_document,
    revisions,
    written,
    written_summary,
)
from app.auth.dependencies import AnyToken
from app.db import CommittedRoute, SessionDep
from app.editorial.idempotency import IdempotencyKey, idempotent
from app.editorial.patch import MergePatch, merge_patch_body
from app.editorial.responses import write_responses
from app.errors import PROBLEM_MEDIA_TYPE, Problem
from app.http.fields import Fields, parse_fields, trim_document, trim_list
from app.http.pagination import decode_cursor, encode_cursor, next_link
from app.http.writes import PRIVATE, private_json
from app.models import Article, utcnow

bearer = HTTPBearer(
    auto_error=False,
    scheme_name="token",
    description="A token made by `masthead token create` (roles admin, editor, viewer).",
)
router = APIRouter(tags=["editorial"], dependencies=[Security(bearer)], route_class=CommittedRoute)

RevisionNumber = Annotated[int, Path(ge=1, le=2**31, description="The revision's number.")]
IfMatch = Annotated[
    str | None,
    Header(
        alias="If-Match",
        description='The ETag you last read (`"article-<id>-v<version>"`).',
    ),
]
TOO_LARGE: dict[int | str, dict[str, Any]] = {
    413: {"model": Problem, "content": {PROBLEM_MEDIA_TYPE: {}}, "description": "Body too large"}
}
CREATE = {**write_responses(400, 401, 403, 409, 422), **TOO_LARGE}
PATCH = {**write_responses(400, 401, 403, 404, 409, 412, 415, 422, 428), **TOO_LARGE}
PUT = {**write_responses(400, 401, 403, 404, 412, 422, 428), **TOO_LARGE}
DELETE = write_responses(400, 401, 403, 404, 412, 422, 428)
ACTION = {**write_responses(400, 401, 403, 404, 409, 412, 422), **TOO_LARGE}
READ = write_responses(400, 401, 403, 404, 422)
REVISION_FIELDS = frozenset(RevisionOut.model_fields)
REVISION_DETAIL_FIELDS = frozenset(RevisionDetail.model_fields)
ETAG_HEADER = {"ETag": {"description": "The editorial ETag; send it back as If-Match."}}


# Writes ----------------------------------------------------------------------------


@router.post(
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
    principal: AnyToken,
    session: SessionDep,
    data: ArticleWrite,
    idempotency_key: IdempotencyKey = None,
) -> Response:
    """Create a draft article in a service the token may write."""

    def produce() -> Response:
        now = utcnow()
        article = editorial.create_article(session, principal, data, now)
        return written(
            request, session, article, now, status_code=201, location=f"/v1/articles/{article.id}"
        )

    payload = data.model_dump(mode="json", exclude_unset=True)
    return idempotent(session, request, principal, payload, produce)


@router.patch(
    "/v1/articles/{article_id}",
    operation_id="update_article",
    response_model=ArticleOut,
    responses={**PATCH, 200: {"description": "The changed article", "headers": ETAG_HEADER}},
    openapi_extra=merge_patch_body(
        ArticlePatch,
        "A JSON merge patch (RFC 7396) of the article's write shape (`ArticleWrite`): "
        'members given replace, `null` removes (`"slug": null` makes a new slug from the '
        'headline, `"translation_of": null` unlinks the translation), the rest stays. An '
        'extra member `"correction": "text"` appends to the public corrections log.',
    ),
)
def update_article(
    request: Request,
    article_id: ArticleId,
    principal: AnyToken,
    session: SessionDep,
    patch: MergePatch,
    if_match: IfMatch = None,
) -> Response:
    """Edit an article with a JSON merge patch; needs If-Match."""
    now = utcnow()
    article = editorial.update_article(session, principal, article_id, patch, if_match, now)
    return written(request, session, article, now)


def _no_content(article: Article) -> Response:
    """204 with the article's new editorial ETag."""
    return Response(
        status_code=204,
        headers={"ETag": f'"{article_etag(article)}"', "Cache-Control": PRIVATE},
    )


@router.delete(
    "/v1/articles/{article_id}",
    operation_id="archive_article",
    status_code=204,
    responses={**DELETE, 204: {"description": "Archived", "headers": ETAG_HEADER}},
)
def archive_article(
    article_id: ArticleId,
    principal: AnyToken,
    session: SessionDep,
    if_match: IfMatch = None,
) -> Response:
    """Archive an article: readers lose it at once; needs If-Match."""
    article = editorial.archive_article(session, principal, article_id, if_match, utcnow())
    return _no_content(article)


@router.post(
    "/v1/articles/{article_id}/publish",
    operation_id="publish_article",
    response_model=ArticleOut,
    responses={**ACTION, 200: {"description": "Published or scheduled", "headers": ETAG_HEADER}},
)
def publish_article(
    request: Request,
    article_id: ArticleId,
    principal: AnyToken,
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
        return written(request, session, article, now)

    payload = data.model_dump(mode="json", exclude_unset=True) if data is not None else {}
    return idempotent(session, request, principal, payload, produce)


@router.post(
    "/v1/articles/{article_id}/unpublish",
    operation_id="unpublish_article",
    response_model=ArticleOut,
    responses={**ACTION, 200: {"description": "Back to draft", "headers": ETAG_HEADER}},
)
def unpublish_article(
    request: Request,
    article_id: ArticleId,
    principal: AnyToken,
    session: SessionDep,
    if_match: IfMatch = None,
    idempotency_key: IdempotencyKey = None,
) -> Response:
    """Take an article back to draft; If-Match is optional."""

    def produce() -> Response:
        now = utcnow()
        article = editorial.unpublish_article(session, principal, article_id, if_match, now)
        return written(request, session, article, now)

    return idempotent(session, request, principal, {}, produce)


@router.put(
    "/v1/articles/{article_id}/summary",
    operation_id="put_article_summary",
    response_model=SummaryOut,
    responses={**PUT, 200: {"description": "The summary readers see", "headers": ETAG_HEADER}},
)
def put_article_summary(
    article_id: ArticleId,
    principal: AnyToken,
    session: SessionDep,
    data: SummaryWrite,
    if_match: IfMatch = None,
) -> Response:
    """Set the editors' key points (1 to 7 bullets); needs If-Match."""
    now = utcnow()
    article = editorial.put_summary(session, principal, article_id, data, if_match, now)
    return written_summary(session, article)


@router.delete(
    "/v1/articles/{article_id}/summary",
    operation_id="delete_article_summary",
    status_code=204,
    responses={**DELETE, 204: {"description": "Generated again", "headers": ETAG_HEADER}},
)
def delete_article_summary(
    article_id: ArticleId,
    principal: AnyToken,
    session: SessionDep,
    if_match: IfMatch = None,
) -> Response:
    """Drop the editors' key points, back to the generated ones; needs If-Match."""
    article = editorial.delete_summary(session, principal, article_id, if_match, utcnow())
    return _no_content(article)


@router.put(
    "/v1/articles/{article_id}/related-videos",
    operation_id="put_related_videos",
    response_model=RelatedVideosOut,
    responses={**PUT, 200: {"description": "The curated list", "headers": ETAG_HEADER}},
)
def put_related_videos(
    article_id: ArticleId,
    principal: AnyToken,
    session: SessionDep,
    data: RelatedVideosWrite,
    if_match: IfMatch = None,
) -> Response:
    """Set the curated, ordered related videos; needs If-Match."""
    article, ids = editorial.put_related_videos(
        session, principal, article_id, data, if_match, utcnow()
    )
    return private_json({"video_ids": ids}, etag=article_etag(article))


# History -----------------------------------------------------------------------------


@router.get(
    "/v1/articles/{article_id}/revisions",
    operation_id="list_article_revisions",
    response_model=RevisionPage,
    responses=READ,
)
def list_article_revisions(
    request: Request,
    article_id: ArticleId,
    principal: AnyToken,
    session: SessionDep,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    cursor: Annotated[str | None, Query(max_length=200)] = None,
    fields: Fields = None,
) -> Response:
    """The article's revisions, newest first."""
    names = parse_fields(fields, REVISION_FIELDS)
    before = decode_cursor(cursor, "revisions")[0] if cursor is not None else None
    article, found = revisions(session, principal, article_id, before, limit, utcnow())
    more = len(found) > limit
    found = found[:limit]
    next_cursor = encode_cursor("revisions", found[-1].number, article.id) if more else None
    page = {"items": [revision_document(r) for r in found], "next_cursor": next_cursor}
    response = private_json(trim_list(orjson.dumps(page), names), etag=article_etag(article))
    if next_cursor is not None:
        response.headers["Link"] = next_link(request, next_cursor)
    return response


@router.get(
    "/v1/articles/{article_id}/revisions/{number}",
    operation_id="get_article_revision",
    response_model=RevisionDetail,
    responses=READ,
)
def get_article_revision(
    article_id: ArticleId,
    number: RevisionNumber,
    principal: AnyToken,
    session: SessionDep,
    fields: Fields = None,
) -> Response:
    """One revision: who, when, which fields and their previous values, and the
    article as it left it (write shape, status, key points, curated videos)."""
    names = parse_fields(fields, REVISION_DETAIL_FIELDS)
    article, found, content = revision(session, principal, article_id, number, utcnow())
    return private_json(
        trim_document(orjson.dumps(revision_document(found, content)), names),
        etag=f"article-{article.id}-r{found.number}",
    )


@router.post(
    "/v1/articles/{article_id}/revisions/{number}/restore",
    operation_id="restore_article_revision",
    response_model=ArticleOut,
    responses={
        **write_responses(400, 401, 403, 404, 409, 412, 422, 428),
        200: {"description": "The article with that content again", "headers": ETAG_HEADER},
    },
)
def restore_article_revision(
    request: Request,
    article_id: ArticleId,
    number: RevisionNumber,
    principal: AnyToken,
    session: SessionDep,
    if_match: IfMatch = None,
    idempotency_key: IdempotencyKey = None,
) -> Response:
    """Make a revision's content current again, as a new revision; needs If-Match."""

    def produce() -> Response:
        now = utcnow()
        article = editorial.restore_revision(session, principal, article_id, number, if_match, now)
        return written(request, session, article, now)

    return idempotent(session, request, principal, {}, produce)
