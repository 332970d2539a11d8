"""Public article endpoints."""

from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import RedirectResponse, Response

from app.articles.dependencies import ArticleId
from app.articles.schemas import (
    TEASER_FIELDS,
    ArticleOut,
    RelatedVideoPage,
    SummaryOut,
    TeaserPage,
)
from app.articles.service import (
    Moved,
    article_by_id,
    article_by_slug,
    article_summary,
    check_status_list,
    check_token,
    list_by_status,
    list_teasers,
    live_article,
    live_article_by_slug,
    live_related_videos,
    live_summary_response,
    related_videos,
)
from app.errors import LEGAL_RESPONSE, PROBLEM_MEDIA_TYPE, PROBLEM_RESPONSES, Problem
from app.formats.schemas import FormatQuery, ListFormatQuery, format_responses
from app.formats.service import check_fields, private_format, public_format
from app.http.caching import public_answer
from app.http.fields import Fields, parse_fields
from app.http.reader import reader
from app.http.writes import PRIVATE
from app.kit.fields import CODE_PATTERN, LANGUAGE_PATTERN, SLUG_PATTERN, QueryTime
from app.readmodel.articles import RELATED_MAX
from app.videos.schemas import RelatedVideo

router = APIRouter(tags=["articles"])

ARTICLE_FIELDS = frozenset(ArticleOut.model_fields)
SUMMARY_FIELDS = frozenset(SummaryOut.model_fields)
RELATED_VIDEO_FIELDS = frozenset(RelatedVideo.model_fields)
SLUG = SLUG_PATTERN
CODE = CODE_PATTERN

# With a token (Authorization: Bearer), a reader of the service's drafts gets the
# live editorial representation, whatever its status; any answer to a request
# with a token is private.
TOKEN_RESPONSE: dict[int | str, dict[str, object]] = {
    401: {
        "model": Problem,
        "content": {PROBLEM_MEDIA_TYPE: {}},
        "description": "An unknown or revoked token",
    }
}
# Anonymous, or with a token (the scheme the editorial router declares).
OPTIONAL_TOKEN: dict[str, object] = {"security": [{}, {"token": []}]}
LIST_TOKEN_RESPONSE: dict[int | str, dict[str, object]] = {
    **TOKEN_RESPONSE,
    403: {
        "model": Problem,
        "content": {PROBLEM_MEDIA_TYPE: {}},
        "description": "status=: the token may not read that service",
    },
}


@router.get(
    "/v1/articles",
    operation_id="list_articles",
    response_model=TeaserPage,
    responses={**PROBLEM_RESPONSES, **LIST_TOKEN_RESPONSE},
    openapi_extra=OPTIONAL_TOKEN,
)
async def list_articles(
    request: Request,
    service: Annotated[str | None, Query(pattern=CODE)] = None,
    language: Annotated[str | None, Query(pattern=LANGUAGE_PATTERN)] = None,
    section: Annotated[str | None, Query(pattern=SLUG)] = None,
    tag: Annotated[str | None, Query(pattern=SLUG)] = None,
    author: Annotated[str | None, Query(pattern=SLUG)] = None,
    breaking: bool | None = None,
    published_after: QueryTime | None = None,
    published_before: QueryTime | None = None,
    sort: Literal["-published_at", "published_at", "-updated_at"] = "-published_at",
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    cursor: Annotated[str | None, Query(max_length=200)] = None,
    fields: Fields = None,
    format_: ListFormatQuery = None,
    status: Annotated[
        Literal["draft", "scheduled", "published", "archived"] | None,
        Query(
            description="With a token: the articles of this status in the services the "
            "token may read, newest first (with `service`, `limit`, `cursor`, `fields`)."
        ),
    ] = None,
) -> Response:
    """List published articles as teasers, newest first."""
    store, settings, country = reader(request)
    names = parse_fields(fields, TEASER_FIELDS)
    if status is not None:
        public_only = (language, section, tag, author, breaking, published_after, published_before)
        check_status_list(public_only, sort)
        return await list_by_status(request, status, service, limit, cursor, names)
    if "authorization" in request.headers:
        await check_token(request)
    page = await list_teasers(
        store,
        country,
        filters={
            "service": service,
            "language": language,
            "section": section,
            "tag": tag,
            "author": author,
        },
        breaking=breaking,
        published_after=published_after,
        published_before=published_before,
        sort=sort,
        limit=limit,
        cursor=cursor,
        names=names,
    )
    return public_answer(request, page, settings)


@router.get(
    "/v1/articles/{article_id}",
    operation_id="get_article",
    response_model=ArticleOut,
    responses={
        **format_responses("NewsArticle"),
        **PROBLEM_RESPONSES,
        **LEGAL_RESPONSE,
        **TOKEN_RESPONSE,
    },
    openapi_extra=OPTIONAL_TOKEN,
)
async def get_article(
    request: Request,
    article_id: ArticleId,
    fields: Fields = None,
    format_: FormatQuery = None,
) -> Response:
    """One published article, in full (with a token, drafts of its services too)."""
    store, settings, country = reader(request)
    names = parse_fields(fields, ARTICLE_FIELDS)
    fmt = format_ or "json"
    check_fields(fmt, names)
    if "authorization" in request.headers:
        live = await live_article(request, article_id, names)
        if live is not None:
            return await private_format(request, live, fmt, "article", store, settings)
    found = await article_by_id(store, article_id, country, names)
    return await public_format(request, found, fmt, "article", store, settings)


@router.get(
    "/v1/services/{code}/articles/{slug}",
    operation_id="get_article_by_slug",
    response_model=ArticleOut,
    responses={
        **format_responses("NewsArticle"),
        **PROBLEM_RESPONSES,
        **LEGAL_RESPONSE,
        **TOKEN_RESPONSE,
        301: {"description": "An old slug: Location names the current address"},
    },
    openapi_extra=OPTIONAL_TOKEN,
)
async def get_article_by_slug(
    request: Request,
    code: Annotated[str, Path(pattern=CODE)],
    slug: Annotated[str, Path(pattern=SLUG)],
    fields: Fields = None,
    format_: FormatQuery = None,
) -> Response:
    """One published article, by its slug in its service; old slugs redirect."""
    store, settings, country = reader(request)
    names = parse_fields(fields, ARTICLE_FIELDS)
    fmt = format_ or "json"
    check_fields(fmt, names)
    private = "authorization" in request.headers
    if private:
        live = await live_article_by_slug(request, code, slug, names)
        if live is not None:
            return await private_format(request, live, fmt, "article", store, settings)
    found = await article_by_slug(store, code, slug, country, names)
    if isinstance(found, Moved):
        location = found.location
        if request.url.query:
            location += f"?{request.url.query}"
        cache_control = PRIVATE if private else f"public, max-age={settings.public_max_age}"
        return RedirectResponse(location, status_code=301, headers={"Cache-Control": cache_control})
    return await public_format(request, found, fmt, "article", store, settings)


@router.get(
    "/v1/articles/{article_id}/summary",
    operation_id="get_article_summary",
    response_model=SummaryOut,
    responses={**PROBLEM_RESPONSES, **LEGAL_RESPONSE, **TOKEN_RESPONSE},
    openapi_extra=OPTIONAL_TOKEN,
)
async def get_article_summary(
    request: Request,
    article_id: ArticleId,
    fields: Fields = None,
) -> Response:
    """The article's key points: the editors' own, or generated from the text."""
    store, settings, country = reader(request)
    names = parse_fields(fields, SUMMARY_FIELDS)
    if "authorization" in request.headers:
        live = await live_summary_response(request, article_id, names)
        if live is not None:
            return live
    found = await article_summary(store, article_id, country, names)
    return public_answer(request, found, settings)


@router.get(
    "/v1/articles/{article_id}/related-videos",
    operation_id="list_related_videos",
    response_model=RelatedVideoPage,
    responses={**PROBLEM_RESPONSES, **LEGAL_RESPONSE, **TOKEN_RESPONSE},
    openapi_extra=OPTIONAL_TOKEN,
)
async def list_related_videos(
    request: Request,
    article_id: ArticleId,
    limit: Annotated[int, Query(ge=1, le=RELATED_MAX)] = 6,
    fields: Fields = None,
) -> Response:
    """Curated videos first, in the editors' order, then suggested ones."""
    store, settings, country = reader(request)
    names = parse_fields(fields, RELATED_VIDEO_FIELDS)
    if "authorization" in request.headers:
        live = await live_related_videos(request, article_id, limit, names)
        if live is not None:
            return live
    found = await related_videos(store, article_id, country, limit, names)
    return public_answer(request, found, settings)
