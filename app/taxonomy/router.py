"""Public sections, tags and authors."""

from typing import Annotated

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import Response

from app.errors import PROBLEM_RESPONSES
from app.http.caching import public_answer
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
    return public_answer(
        request, await term_list(store, "sections", service, limit, cursor), settings
    )


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
    return public_answer(request, await term_item(store, "sections", slug, service), settings)


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
    return public_answer(request, await term_list(store, "tags", service, limit, cursor), settings)


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
    return public_answer(request, await term_item(store, "tags", slug, service), settings)


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
    return public_answer(
        request, await term_list(store, "authors", service, limit, cursor), settings
    )


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
    return public_answer(request, await term_item(store, "authors", slug, None), settings)
