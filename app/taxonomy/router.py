"""Public sections, tags and authors."""

from typing import Annotated, Any

import orjson
from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import Response

from app.editions.repository import require_service
from app.errors import PROBLEM_RESPONSES, BadRequest, NotFound
from app.http.caching import public_response
from app.http.pagination import decode_cursor, encode_cursor, list_body, next_link
from app.http.reader import reader
from app.kit.timeutil import db_time_ms
from app.readstore import ReadStore
from app.taxonomy import repository
from app.taxonomy.schemas import (
    AuthorOut,
    AuthorPage,
    SectionOut,
    SectionPage,
    TagOut,
    TagPage,
)

router = APIRouter(tags=["taxonomy"])

CODE = r"^[a-z0-9][a-z0-9-]{0,31}$"
SLUG = r"^[\w-]{1,200}$"
ServiceFilter = Annotated[str | None, Query(pattern=CODE)]
Limit = Annotated[int, Query(ge=1, le=100)]
Cursor = Annotated[str | None, Query(max_length=200)]
SlugPath = Annotated[str, Path(pattern=SLUG)]


def _doc(kind: str, row: Any) -> dict[str, Any]:
    if kind == "authors":
        return {"slug": row[1], "name": row[2], "bio": row[3]}
    return {"slug": row[1], "name": row[2], "service": row[3]}


async def _list(
    kind: str,
    request: Request,
    store: ReadStore,
    settings: Any,
    service: str | None,
    limit: int,
    cursor: str | None,
) -> Response:
    params: dict[str, object] = {"limit": limit + 1}
    if service is not None:
        await require_service(store, service)
        params["service"] = service
    if cursor is not None:
        _, params["cursor_id"] = decode_cursor(cursor, kind)
    rows = await store.all(
        repository.list_query(kind, service is not None, cursor is not None), params
    )
    more = len(rows) > limit
    rows = rows[:limit]
    next_cursor = encode_cursor(kind, 0, rows[-1][0]) if more else None
    items = [orjson.dumps(_doc(kind, row)) for row in rows]
    return public_response(
        request,
        list_body(items, next_cursor),
        settings=settings,
        last_modified_ms=max((db_time_ms(row[4]) or 0 for row in rows), default=None),
        surrogate_keys=kind,
        extra_headers={"Link": next_link(request, next_cursor)} if next_cursor else None,
    )


async def _one(
    kind: str,
    request: Request,
    store: ReadStore,
    settings: Any,
    slug: str,
    service: str | None,
) -> Response:
    params: dict[str, object] = {"limit": 2, "slug": slug}
    if service is not None:
        await require_service(store, service)
        params["service"] = service
    rows = await store.all(
        repository.list_query(kind, service is not None, False, by_slug=True), params
    )
    if not rows:
        raise NotFound(f"There is no {kind[:-1]} '{slug}'.")
    if len(rows) > 1:
        raise BadRequest(
            f"Several services have a {kind[:-1]} '{slug}'; name one with ?service=.",
            errors=[{"location": "query", "field": "service", "message": "required here"}],
        )
    row = rows[0]
    return public_response(
        request,
        orjson.dumps(_doc(kind, row)),
        settings=settings,
        last_modified_ms=db_time_ms(row[4]),
        surrogate_keys=f"{kind[:-1]}-{row[0]}",
    )


@router.get(
    "/v1/sections",
    operation_id="list_sections",
    response_model=SectionPage,
    responses=PROBLEM_RESPONSES,
)
async def list_sections(
    request: Request,
    service: ServiceFilter = None,
    limit: Limit = 20,
    cursor: Cursor = None,
) -> Response:
    """Sections, optionally of one service."""
    store, settings, _country = reader(request)
    return await _list("sections", request, store, settings, service, limit, cursor)


@router.get(
    "/v1/sections/{slug}",
    operation_id="get_section",
    response_model=SectionOut,
    responses=PROBLEM_RESPONSES,
)
async def get_section(
    request: Request,
    slug: SlugPath,
    service: ServiceFilter = None,
) -> Response:
    """One section."""
    store, settings, _country = reader(request)
    return await _one("sections", request, store, settings, slug, service)


@router.get(
    "/v1/tags", operation_id="list_tags", response_model=TagPage, responses=PROBLEM_RESPONSES
)
async def list_tags(
    request: Request,
    service: ServiceFilter = None,
    limit: Limit = 20,
    cursor: Cursor = None,
) -> Response:
    """Tags, optionally of one service."""
    store, settings, _country = reader(request)
    return await _list("tags", request, store, settings, service, limit, cursor)


@router.get(
    "/v1/tags/{slug}",
    operation_id="get_tag",
    response_model=TagOut,
    responses=PROBLEM_RESPONSES,
)
async def get_tag(
    request: Request,
    slug: SlugPath,
    service: ServiceFilter = None,
) -> Response:
    """One tag."""
    store, settings, _country = reader(request)
    return await _one("tags", request, store, settings, slug, service)


@router.get(
    "/v1/authors",
    operation_id="list_authors",
    response_model=AuthorPage,
    responses=PROBLEM_RESPONSES,
)
async def list_authors(
    request: Request,
    service: ServiceFilter = None,
    limit: Limit = 20,
    cursor: Cursor = None,
) -> Response:
    """Bylines; with ``service``, those who wrote in it."""
    store, settings, _country = reader(request)
    return await _list("authors", request, store, settings, service, limit, cursor)


@router.get(
    "/v1/authors/{slug}",
    operation_id="get_author",
    response_model=AuthorOut,
    responses=PROBLEM_RESPONSES,
)
async def get_author(
    request: Request,
    slug: SlugPath,
) -> Response:
    """One byline."""
    store, settings, _country = reader(request)
    return await _one("authors", request, store, settings, slug, None)
