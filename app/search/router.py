"""Public search endpoints."""

from datetime import UTC, datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from app.articles.dependencies import ArticleId
from app.articles.schemas import TEASER_FIELDS
from app.articles.service import check_token
from app.errors import LEGAL_RESPONSE, PROBLEM_RESPONSES
from app.http.caching import public_response
from app.http.fields import Fields, parse_fields, trim_list
from app.http.frontcache import expires_at
from app.http.pagination import next_link
from app.http.reader import reader
from app.kit.fields import QueryTime
from app.kit.timeutil import now_ms, to_ms
from app.search.schemas import ArticleHit, RelatedArticlePage, SearchPage, VideoHit
from app.search.service import MAX_AGE_MS, MAX_QUERY, RELATED_MAX, Filters, related_articles, search

router = APIRouter()

HIT_FIELDS = frozenset(ArticleHit.model_fields) | frozenset(VideoHit.model_fields)

SLUG = r"^[\w-]{1,200}$"
CODE = r"^[a-z0-9][a-z0-9-]{0,31}$"
LANGUAGE = r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$"
QUERY_HELP = (
    'Words (all must match), "quoted phrases", -exclusions and OR between two items; '
    "inflected forms and spellings of names are found too."
)


def _ms(value: datetime | None) -> int | None:
    if value is None:
        return None
    return to_ms(value if value.tzinfo else value.replace(tzinfo=UTC))


@router.get(
    "/v1/search",
    operation_id="search",
    tags=["search"],
    response_model=SearchPage,
    responses=PROBLEM_RESPONSES,
)
async def search_content(
    request: Request,
    q: Annotated[str, Query(min_length=1, max_length=MAX_QUERY, description=QUERY_HELP)],
    service: Annotated[str | None, Query(pattern=CODE)] = None,
    language: Annotated[str | None, Query(pattern=LANGUAGE)] = None,
    section: Annotated[str | None, Query(pattern=SLUG)] = None,
    tag: Annotated[str | None, Query(pattern=SLUG)] = None,
    author: Annotated[str | None, Query(pattern=SLUG)] = None,
    breaking: bool | None = None,
    published_after: QueryTime | None = None,
    published_before: QueryTime | None = None,
    type: Literal["article", "video"] | None = None,
    sort: Literal["relevance", "-published_at"] = "relevance",
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    cursor: Annotated[str | None, Query(max_length=300)] = None,
    fields: Fields = None,
) -> Response:
    """Search published articles and videos, best match first."""
    store, settings, country = reader(request)
    names = parse_fields(fields, HIT_FIELDS)
    if "authorization" in request.headers:
        await check_token(request)
    filters = Filters(
        service=service,
        language=language,
        section=section,
        tag=tag,
        author=author,
        breaking=breaking,
        published_after=_ms(published_after),
        published_before=_ms(published_before),
        type=type,
    )
    now = now_ms()
    page = await search(
        store, q, filters, sort=sort, limit=limit, cursor=cursor, country=country, now=now
    )
    # Recency in the ranking moves with the clock, slowly.
    expires_at(request, now + MAX_AGE_MS)
    if page.changes_ms is not None:
        expires_at(request, page.changes_ms)
    headers = {"Link": next_link(request, page.next_cursor)} if page.next_cursor else None
    return public_response(
        request,
        page.body if names is None else trim_list(page.body, names),
        settings=settings,
        last_modified_ms=page.last_modified_ms,
        surrogate_keys=page.surrogate_keys,
        vary_country=True,
        extra_headers=headers,
    )


@router.get(
    "/v1/articles/{article_id}/related",
    operation_id="list_related_articles",
    tags=["articles"],
    response_model=RelatedArticlePage,
    responses={**PROBLEM_RESPONSES, **LEGAL_RESPONSE},
)
async def list_related_articles(
    request: Request,
    article_id: ArticleId,
    limit: Annotated[int, Query(ge=1, le=RELATED_MAX)] = 6,
    fields: Fields = None,
) -> Response:
    """Articles like this one (shared tags, words, section, time), as teasers."""
    store, settings, country = reader(request)
    names = parse_fields(fields, TEASER_FIELDS)
    if "authorization" in request.headers:
        await check_token(request)
    page = await related_articles(store, article_id, limit=limit, country=country, now=now_ms())
    return public_response(
        request,
        page.body if names is None else trim_list(page.body, names),
        settings=settings,
        last_modified_ms=page.last_modified_ms,
        surrogate_keys=page.surrogate_keys,
        vary_country=True,
    )
