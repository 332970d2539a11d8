"""Public sections, tags and authors."""

from typing import Annotated

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import Response

from app.errors import PROBLEM_RESPONSES
from app.http.caching import public_answer
from app.http.fields import Fields, parse_fields, trimmed
from app.http.reader import reader
from app.kit.fields import CODE_PATTERN, SLUG_PATTERN
from app.taxonomy.schemas import (
    AuthorOut,
    AuthorPage,
    SectionOut,
    SectionPage,
    TagOut,
    TagPage,
)
from app.taxonomy.service import term_item, term_list

router = APIRouter(tags=["taxonomy"])

ServiceFilter = Annotated[str | None, Query(pattern=CODE_PATTERN)]
Limit = Annotated[int, Query(ge=1, le=100)]
Cursor = Annotated[str | None, Query(max_length=200)]
SlugPath = Annotated[str, Path(pattern=SLUG_PATTERN)]
FIELDS = {
    "sections": frozenset(SectionOut.model_fields),
    "tags": frozenset(TagOut.model_fields),
    "authors": frozenset(AuthorOut.model_fields),
}


async def _list(
    request: Request,
    kind: str,
    service: str | None,
    limit: int,
    cursor: str | None,
    fields: str | None,
) -> Response:
    store, settings, _country = reader(request)
    names = parse_fields(fields, FIELDS[kind])
    page = await term_list(store, kind, service, limit, cursor)
    return public_answer(request, trimmed(page, names, items=True), settings)


async def _item(
    request: Request, kind: str, slug: str, service: str | None, fields: str | None
) -> Response:
    store, settings, _country = reader(request)
    names = parse_fields(fields, FIELDS[kind])
    found = await term_item(store, kind, slug, service)
    return public_answer(request, trimmed(found, names), settings)


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
    fields: Fields = None,
) -> Response:
    """Sections, optionally of one service."""
    return await _list(request, "sections", service, limit, cursor, fields)


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
    fields: Fields = None,
) -> Response:
    """One section."""
    return await _item(request, "sections", slug, service, fields)


@router.get(
    "/v1/tags", operation_id="list_tags", response_model=TagPage, responses=PROBLEM_RESPONSES
)
async def list_tags(
    request: Request,
    service: ServiceFilter = None,
    limit: Limit = 20,
    cursor: Cursor = None,
    fields: Fields = None,
) -> Response:
    """Tags, optionally of one service."""
    return await _list(request, "tags", service, limit, cursor, fields)


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
    fields: Fields = None,
) -> Response:
    """One tag."""
    return await _item(request, "tags", slug, service, fields)


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
    fields: Fields = None,
) -> Response:
    """Bylines; with ``service``, those who wrote in it."""
    return await _list(request, "authors", service, limit, cursor, fields)


@router.get(
    "/v1/authors/{slug}",
    operation_id="get_author",
    response_model=AuthorOut,
    responses=PROBLEM_RESPONSES,
)
async def get_author(
    request: Request,
    slug: SlugPath,
    fields: Fields = None,
) -> Response:
    """One byline."""
    return await _item(request, "authors", slug, None, fields)
