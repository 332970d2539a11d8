"""Editorial endpoints of sections, tags and authors."""

from functools import partial
from typing import Annotated

from fastapi import APIRouter, Path, Query
from pydantic import BaseModel
from sqlalchemy.orm import Session

from app.editorial.routes import Answer, Resource, add_resource_routes
from app.kit.fields import CODE_PATTERN, SLUG_PATTERN
from app.models import Author, Section, Tag
from app.taxonomy import editorial
from app.taxonomy.editorial import Term, TermKey
from app.taxonomy.schemas import (
    AuthorOut,
    AuthorWrite,
    SectionOut,
    SectionWrite,
    TagOut,
    TagWrite,
    TermWrite,
)

router = APIRouter(tags=["taxonomy"])

SlugPath = Annotated[str, Path(pattern=SLUG_PATTERN)]
ServiceQuery = Annotated[str, Query(pattern=CODE_PATTERN, description="The term's service.")]


def term_key(slug: SlugPath, service: ServiceQuery) -> TermKey:
    return slug, service


def author_key(slug: SlugPath) -> str:
    return slug


def _term_answer(_session: Session, written: tuple[Term, str]) -> Answer:
    term, service = written
    kind = "sections" if isinstance(term, Section) else "tags"
    return Answer(
        editorial.term_document(term, service),
        editorial.term_etag(term, service),
        f"/v1/{kind}/{term.slug}?service={service}",
    )


def _author_answer(_session: Session, author: Author) -> Answer:
    return Answer(
        editorial.author_document(author),
        editorial.author_etag(author),
        f"/v1/authors/{author.slug}",
    )


def _term_resource(
    model: type[Section] | type[Tag],
    write_model: type[TermWrite],
    response_model: type[BaseModel],
    docs: tuple[str, str, str],
) -> Resource[TermKey, tuple[Term, str]]:
    name = "section" if model is Section else "tag"
    create_doc, update_doc, delete_doc = docs
    return Resource(
        name=name,
        collection_path=f"/v1/{name}s",
        item_path=f"/v1/{name}s/{{slug}}",
        key=term_key,
        write_model=write_model,
        response_model=response_model,
        create=partial(editorial.create_term, model),
        update=partial(editorial.update_term, model),
        delete=partial(editorial.delete_term, model),
        answer=_term_answer,
        create_doc=create_doc,
        update_doc=update_doc,
        delete_doc=delete_doc,
    )


add_resource_routes(
    router,
    _term_resource(
        Section,
        SectionWrite,
        SectionOut,
        (
            "Create a section (admin, or an editor of its service).",
            "Rename a section (JSON merge patch, If-Match); what carries it is re-rendered.",
            "Delete a section that holds no article or video (If-Match).",
        ),
    ),
)
add_resource_routes(
    router,
    _term_resource(
        Tag,
        TagWrite,
        TagOut,
        (
            "Create a tag (admin, or an editor of its service).",
            "Rename a tag (JSON merge patch, If-Match); what carries it is re-rendered.",
            "Delete a tag and take it off every article and video (If-Match).",
        ),
    ),
)
add_resource_routes(
    router,
    Resource(
        name="author",
        collection_path="/v1/authors",
        item_path="/v1/authors/{slug}",
        key=author_key,
        write_model=AuthorWrite,
        response_model=AuthorOut,
        create=editorial.create_author,
        update=editorial.update_author,
        delete=editorial.delete_author,
        answer=_author_answer,
        create_doc="Create a byline (admin, or any editor: authors are shared by every service).",
        update_doc="Change a byline (JSON merge patch, If-Match); the articles it is on are "
        "re-rendered.",
        delete_doc="Delete a byline that is on no article (If-Match).",
    ),
)
