"""Editorial endpoints of sections, tags and authors."""

from typing import Annotated

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import Response

from app.auth.dependencies import CurrentPrincipal
from app.db import SessionDep
from app.http.editorial import (
    CREATE_RESPONSES,
    DELETE_RESPONSES,
    UPDATE_RESPONSES,
    MergePatch,
    check_if_match,
    merge_patch_body,
)
from app.http.writes import PRIVATE, idempotent, private_json
from app.models import Author, Section, Tag
from app.taxonomy import editorial
from app.taxonomy.schemas import AuthorOut, AuthorWrite, SectionOut, SectionWrite, TagOut, TagWrite

router = APIRouter(tags=["taxonomy"])

SlugPath = Annotated[str, Path(pattern=r"^[\w-]{1,200}$")]
ServiceQuery = Annotated[
    str, Query(pattern=r"^[a-z0-9][a-z0-9-]{0,31}$", description="The term's service.")
]
NO_STORE = {"Cache-Control": PRIVATE}


def _term_answer(term: Section | Tag, service: str, status_code: int = 200) -> Response:
    kind = "sections" if isinstance(term, Section) else "tags"
    headers = (
        {"Location": f"/v1/{kind}/{term.slug}?service={service}"} if status_code == 201 else {}
    )
    return private_json(
        editorial.term_document(term, service),
        status_code=status_code,
        etag=editorial.term_etag(term, service),
        **headers,
    )


def _author_answer(author: Author, status_code: int = 200) -> Response:
    headers = {"Location": f"/v1/authors/{author.slug}"} if status_code == 201 else {}
    return private_json(
        editorial.author_document(author),
        status_code=status_code,
        etag=editorial.author_etag(author),
        **headers,
    )


# Sections --------------------------------------------------------------------


@router.post(
    "/v1/sections",
    operation_id="create_section",
    status_code=201,
    response_model=SectionOut,
    responses=CREATE_RESPONSES,
)
def create_section(
    request: Request, principal: CurrentPrincipal, body: SectionWrite, session: SessionDep
) -> Response:
    """Create a section (admin, or an editor of its service)."""

    def produce() -> Response:
        term, service = editorial.create_term(session, principal, Section, body)
        return _term_answer(term, service, 201)

    return idempotent(session, request, principal, body.model_dump(mode="json"), produce)


@router.patch(
    "/v1/sections/{slug}",
    operation_id="update_section",
    response_model=SectionOut,
    responses=UPDATE_RESPONSES,
    openapi_extra=merge_patch_body(SectionWrite),
)
def update_section(
    request: Request,
    slug: SlugPath,
    service: ServiceQuery,
    principal: CurrentPrincipal,
    patch: MergePatch,
    session: SessionDep,
) -> Response:
    """Rename a section (JSON merge patch, If-Match); what carries it is re-rendered."""
    term = editorial.update_term(
        session,
        principal,
        Section,
        slug,
        service,
        patch,
        lambda etag: check_if_match(request, etag),
    )
    return _term_answer(term, service)


@router.delete(
    "/v1/sections/{slug}",
    operation_id="delete_section",
    status_code=204,
    responses=DELETE_RESPONSES,
)
def delete_section(
    request: Request,
    slug: SlugPath,
    service: ServiceQuery,
    principal: CurrentPrincipal,
    session: SessionDep,
) -> Response:
    """Delete a section that holds no article or video (If-Match)."""
    editorial.delete_term(
        session, principal, Section, slug, service, lambda etag: check_if_match(request, etag)
    )
    return Response(status_code=204, headers=NO_STORE)


# Tags ------------------------------------------------------------------------


@router.post(
    "/v1/tags",
    operation_id="create_tag",
    status_code=201,
    response_model=TagOut,
    responses=CREATE_RESPONSES,
)
def create_tag(
    request: Request, principal: CurrentPrincipal, body: TagWrite, session: SessionDep
) -> Response:
    """Create a tag (admin, or an editor of its service)."""

    def produce() -> Response:
        term, service = editorial.create_term(session, principal, Tag, body)
        return _term_answer(term, service, 201)

    return idempotent(session, request, principal, body.model_dump(mode="json"), produce)


@router.patch(
    "/v1/tags/{slug}",
    operation_id="update_tag",
    response_model=TagOut,
    responses=UPDATE_RESPONSES,
    openapi_extra=merge_patch_body(TagWrite),
)
def update_tag(
    request: Request,
    slug: SlugPath,
    service: ServiceQuery,
    principal: CurrentPrincipal,
    patch: MergePatch,
    session: SessionDep,
) -> Response:
    """Rename a tag (JSON merge patch, If-Match); what carries it is re-rendered."""
    term = editorial.update_term(
        session, principal, Tag, slug, service, patch, lambda etag: check_if_match(request, etag)
    )
    return _term_answer(term, service)


@router.delete(
    "/v1/tags/{slug}",
    operation_id="delete_tag",
    status_code=204,
    responses=DELETE_RESPONSES,
)
def delete_tag(
    request: Request,
    slug: SlugPath,
    service: ServiceQuery,
    principal: CurrentPrincipal,
    session: SessionDep,
) -> Response:
    """Delete a tag and take it off every article and video (If-Match)."""
    editorial.delete_term(
        session, principal, Tag, slug, service, lambda etag: check_if_match(request, etag)
    )
    return Response(status_code=204, headers=NO_STORE)


# Authors ---------------------------------------------------------------------


@router.post(
    "/v1/authors",
    operation_id="create_author",
    status_code=201,
    response_model=AuthorOut,
    responses=CREATE_RESPONSES,
)
def create_author(
    request: Request, principal: CurrentPrincipal, body: AuthorWrite, session: SessionDep
) -> Response:
    """Create a byline (admin, or any editor: authors are shared by every service)."""
    return idempotent(
        session,
        request,
        principal,
        body.model_dump(mode="json"),
        lambda: _author_answer(editorial.create_author(session, principal, body), 201),
    )


@router.patch(
    "/v1/authors/{slug}",
    operation_id="update_author",
    response_model=AuthorOut,
    responses=UPDATE_RESPONSES,
    openapi_extra=merge_patch_body(AuthorWrite),
)
def update_author(
    request: Request,
    slug: SlugPath,
    principal: CurrentPrincipal,
    patch: MergePatch,
    session: SessionDep,
) -> Response:
    """Change a byline (JSON merge patch, If-Match); the articles it is on are re-rendered."""
    author = editorial.update_author(
        session, principal, slug, patch, lambda etag: check_if_match(request, etag)
    )
    return _author_answer(author)


@router.delete(
    "/v1/authors/{slug}",
    operation_id="delete_author",
    status_code=204,
    responses=DELETE_RESPONSES,
)
def delete_author(
    request: Request, slug: SlugPath, principal: CurrentPrincipal, session: SessionDep
) -> Response:
    """Delete a byline that is on no article (If-Match)."""
    editorial.delete_author(session, principal, slug, lambda etag: check_if_match(request, etag))
    return Response(status_code=204, headers=NO_STORE)
