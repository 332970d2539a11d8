"""Public article endpoints."""

from datetime import UTC, datetime
from typing import Annotated, Literal

import orjson
from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import RedirectResponse, Response

from app.articles import editorial, repository
from app.articles.schemas import ArticleOut, RelatedVideoPage, SummaryOut, TeaserPage
from app.articles.service import (
    NOT_FOUND_DETAIL,
    article_detail,
    breaking_json,
    check_visible,
    resolve_related,
)
from app.errors import (
    PROBLEM_MEDIA_TYPE,
    PROBLEM_RESPONSES,
    BadRequest,
    NotFound,
    Problem,
    problem_spec,
)
from app.http.caching import body_etag, public_response
from app.http.fields import parse_fields, trim_document, trim_list
from app.http.pagination import decode_cursor, encode_cursor, list_body, next_link
from app.http.reader import reader
from app.http.writes import PRIVATE
from app.render.articles import RELATED_MAX
from app.services.repository import require_service
from app.timeutil import now_ms, to_ms

router = APIRouter(tags=["articles"])

ARTICLE_FIELDS = frozenset(ArticleOut.model_fields)
TEASER_FIELDS = frozenset(TeaserPage.model_fields["items"].annotation.__args__[0].model_fields)  # type: ignore[union-attr]
SLUG = r"^[\w-]{1,200}$"
CODE = r"^[a-z0-9][a-z0-9-]{0,31}$"

ArticleId = Annotated[int, Path(ge=1, le=2**62, description="The article's id.")]
Fields = Annotated[
    str | None, Query(description="Comma-separated top-level fields to keep.", max_length=500)
]
LEGAL_RESPONSE: dict[int | str, dict[str, object]] = {
    451: problem_spec("Withheld in the reader's country")
}
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


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=UTC)


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
    language: Annotated[str | None, Query(pattern=r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$")] = None,
    section: Annotated[str | None, Query(pattern=SLUG)] = None,
    tag: Annotated[str | None, Query(pattern=SLUG)] = None,
    author: Annotated[str | None, Query(pattern=SLUG)] = None,
    breaking: bool | None = None,
    published_after: datetime | None = None,
    published_before: datetime | None = None,
    sort: Literal["-published_at", "published_at", "-updated_at"] = "-published_at",
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    cursor: Annotated[str | None, Query(max_length=200)] = None,
    fields: Fields = None,
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
        if any(value is not None for value in public_only) or sort != "-published_at":
            raise BadRequest(
                "A list by status takes service, limit, cursor and fields only.",
                errors=[{"location": "query", "field": "status", "message": "not combinable"}],
            )
        return await editorial.list_by_status(request, status, service, limit, cursor, names)
    if "authorization" in request.headers:
        await editorial.check_token(request)
    now = now_ms()
    params: dict[str, object] = {"now": now, "limit": limit + 1}
    filters = set()
    for name, value in (
        ("service", service),
        ("language", language),
        ("section", section),
        ("tag", tag),
        ("author", author),
    ):
        if value is not None:
            filters.add(name)
            params[name] = value
    if country is not None:
        filters.add("country")
        params["withheld_pattern"] = f"%{country}%"
    if breaking is not None:
        filters.add("breaking_true" if breaking else "breaking_false")
    if published_after is not None:
        filters.add("published_after")
        params["published_after"] = to_ms(_aware(published_after))
    if published_before is not None:
        filters.add("published_before")
        params["published_before"] = to_ms(_aware(published_before))
    if cursor is not None:
        params["cursor_key"], params["cursor_id"] = decode_cursor(cursor, sort)
    query = repository.list_query(sort, frozenset(filters), cursor is not None)
    rows = await store.all(query, params)
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
    if names is not None:
        body = trim_list(body, names)
    last_modified = max((row[4] for row in rows), default=None)
    keys = ["articles", *(f"article-{row[0]}" for row in rows)]
    if service is not None:
        keys.append(f"service-{service}")
    headers = {"Link": next_link(request, next_cursor)} if next_cursor else None
    return public_response(
        request,
        body,
        settings=settings,
        etag=etag,
        last_modified_ms=last_modified,
        surrogate_keys=" ".join(keys),
        vary_country=True,
        extra_headers=headers,
    )


@router.get(
    "/v1/articles/{article_id}",
    operation_id="get_article",
    response_model=ArticleOut,
    responses={**PROBLEM_RESPONSES, **LEGAL_RESPONSE, **TOKEN_RESPONSE},
    openapi_extra=OPTIONAL_TOKEN,
)
async def get_article(
    request: Request,
    article_id: ArticleId,
    fields: Fields = None,
) -> Response:
    """One published article, in full (with a token, drafts of its services too)."""
    store, settings, country = reader(request)
    names = parse_fields(fields, ARTICLE_FIELDS)
    if "authorization" in request.headers:
        live = await editorial.read_article(request, article_id, names)
        if live is not None:
            return live
    now = now_ms()
    row = check_visible(await store.one(repository.BY_ID, {"id": article_id}), now, country)
    rendered = await article_detail(store, row, article_id, country, now)
    body = rendered.body if names is None else trim_document(rendered.body, names)
    return public_response(
        request,
        body,
        settings=settings,
        etag=rendered.etag if names is None else None,
        last_modified_ms=rendered.last_modified_ms,
        surrogate_keys=rendered.surrogate_keys,
        vary_country=True,
    )


@router.get(
    "/v1/services/{code}/articles/{slug}",
    operation_id="get_article_by_slug",
    response_model=ArticleOut,
    responses={
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
) -> Response:
    """One published article, by its slug in its service; old slugs redirect."""
    store, settings, country = reader(request)
    names = parse_fields(fields, ARTICLE_FIELDS)
    private = "authorization" in request.headers
    if private:
        live = await editorial.read_article_by_slug(request, code, slug, names)
        if live is not None:
            return live
    now = now_ms()
    row = await store.one(repository.BY_SLUG, {"service": code, "slug": slug})
    if row is None:
        old = await store.one(repository.OLD_SLUG, {"service": code, "slug": slug})
        if old is None:
            raise NotFound(NOT_FOUND_DETAIL)
        current_slug, *visibility = old
        check_visible([*visibility], now, country)
        location = f"/v1/services/{code}/articles/{current_slug}"
        cache_control = PRIVATE if private else f"public, max-age={settings.public_max_age}"
        if request.url.query:
            location += f"?{request.url.query}"
        return RedirectResponse(
            location,
            status_code=301,
            headers={"Cache-Control": cache_control},
        )
    row = check_visible(row, now, country)
    rendered = await article_detail(store, row, row[11], country, now)
    body = rendered.body if names is None else trim_document(rendered.body, names)
    return public_response(
        request,
        body,
        settings=settings,
        etag=rendered.etag if names is None else None,
        last_modified_ms=rendered.last_modified_ms,
        surrogate_keys=rendered.surrogate_keys,
        vary_country=True,
    )


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
) -> Response:
    """The article's key points: the editors' own, or generated from the text."""
    store, settings, country = reader(request)
    if "authorization" in request.headers:
        live = await editorial.read_summary(request, article_id)
        if live is not None:
            return live
    now = now_ms()
    row = check_visible(await store.one(repository.SUMMARY, {"id": article_id}), now, country)
    _, withheld, summary, updated_ts, service = row
    if summary == "null":
        raise NotFound("This article has no summary.")
    return public_response(
        request,
        summary.encode(),
        settings=settings,
        last_modified_ms=updated_ts,
        surrogate_keys=f"article-{article_id} service-{service}",
        vary_country=bool(withheld),
    )


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
) -> Response:
    """Curated videos first, in the editors' order, then suggested ones."""
    store, settings, country = reader(request)
    if "authorization" in request.headers:
        live = await editorial.read_related_videos(request, article_id, limit)
        if live is not None:
            return live
    now = now_ms()
    row = check_visible(await store.one(repository.RELATED, {"id": article_id}), now, country)
    _, withheld, related, updated_ts, _ = row
    videos, _, by_country = resolve_related(related, country, now, limit)
    keys = [f"article-{article_id}", *(f"video-{video['id']}" for video in videos)]
    return public_response(
        request,
        orjson.dumps({"items": videos}),
        settings=settings,
        last_modified_ms=updated_ts,
        surrogate_keys=" ".join(keys),
        vary_country=by_country or bool(withheld),
    )
