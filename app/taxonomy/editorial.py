"""Writing sections, tags and authors, and re-rendering what shows them.

A rename re-renders every article and video that carries the term, in the same
transaction. Deleting: a tag is taken off what carries it (those are
re-rendered); a section still holding articles or videos, or an author still
credited on an article, answers 409, since moving them is an editorial choice.
"""

from collections.abc import Iterable
from typing import Any

from sqlalchemy.orm import Session

from app.auth.service import Principal, require_writer
from app.editions.service import service_in_body, service_in_query
from app.editorial.patch import patched
from app.errors import Conflict, Forbidden, NotFound, Unprocessable
from app.http.caching import representation_etag
from app.http.writes import Precondition
from app.kit.merge_patch import strip_none
from app.kit.sanitize import plain_paragraphs, plain_text
from app.kit.slugs import make_slug
from app.models import Author, Section, Service, Tag, utcnow
from app.readmodel.articles import render_articles
from app.readmodel.videos import render_videos
from app.taxonomy.repository import TaxonomyRepository, TermModel
from app.taxonomy.schemas import AuthorWrite, SectionWrite, TagWrite, TermWrite

Term = Section | Tag
#: A section or tag is named by its slug and its service's code.
TermKey = tuple[str, str]


def made_slug(name: str) -> str:
    """A slug from a name, transliterated to Latin; 422 when nothing is left."""
    slug = make_slug(name)
    if not slug:
        raise Unprocessable(
            "No slug can be made from this name; give one.",
            errors=[{"location": "body", "field": "slug", "message": "required here"}],
        )
    return slug


def _kind(model: TermModel) -> str:
    return "section" if model is Section else "tag"


# Sections and tags -------------------------------------------------------------


def term_document(term: Term, service_code: str) -> dict[str, Any]:
    """Member for member as ``GET /v1/sections/{slug}`` and ``/v1/tags/{slug}``."""
    return {"slug": term.slug, "name": term.name, "service": service_code}


def term_etag(term: Term, service_code: str) -> str:
    return representation_etag(term_document(term, service_code))


def create_term(
    model: TermModel, session: Session, principal: Principal, data: TermWrite
) -> tuple[Term, str]:
    require_writer(principal, data.service)
    terms = TaxonomyRepository(session)
    service = service_in_body(session, data.service)
    name = plain_text(data.name)
    slug = data.slug or made_slug(name)
    if terms.term_taken(model, service.id, slug):
        raise Conflict(f"The service '{service.code}' already has a {_kind(model)} '{slug}'.")
    term = model(service_id=service.id, slug=slug, name=name, updated_at=utcnow())
    terms.add(term)
    return term, service.code


def _locked_term(
    session: Session, principal: Principal, model: TermModel, key: TermKey
) -> tuple[Term, Service]:
    slug, service_code = key
    require_writer(principal, service_code)
    service = service_in_query(session, service_code)
    term = TaxonomyRepository(session).lock_term(model, service.id, slug)
    if term is None:
        raise NotFound(f"The service '{service_code}' has no {_kind(model)} '{slug}'.")
    return term, service


def update_term(
    model: TermModel,
    session: Session,
    principal: Principal,
    key: TermKey,
    patch: dict[str, Any],
    precondition: Precondition,
) -> tuple[Term, str]:
    terms = TaxonomyRepository(session)
    term, service = _locked_term(session, principal, model, key)
    precondition(term_etag(term, service.code))
    write_model = SectionWrite if model is Section else TagWrite
    data = patched(write_model, strip_none(term_document(term, service.code)), patch)
    if data.service != service.code:
        raise Unprocessable(
            f"A {_kind(model)} cannot move to another service.",
            errors=[{"location": "body", "field": "service", "message": "cannot change"}],
        )
    name = plain_text(data.name)
    new_slug = data.slug or made_slug(name)
    if new_slug == term.slug and name == term.name:
        return term, service.code
    if new_slug != term.slug and terms.term_taken(model, service.id, new_slug):
        raise Conflict(f"The service '{service.code}' already has a {_kind(model)} '{new_slug}'.")
    term.slug, term.name, term.updated_at = new_slug, name, utcnow()
    terms.flush()
    _render(session, *terms.carriers(model, term.id))
    return term, service.code


def delete_term(
    model: TermModel,
    session: Session,
    principal: Principal,
    key: TermKey,
    precondition: Precondition,
) -> None:
    terms = TaxonomyRepository(session)
    term, service = _locked_term(session, principal, model, key)
    precondition(term_etag(term, service.code))
    if model is Section:
        what = terms.section_holds(term.id)
        if what is not None:
            raise Conflict(
                f"The section '{term.slug}' still holds {what}; move them to another section first."
            )
        terms.delete_term(Section, term.id)
        return
    article_ids, video_ids = terms.carriers(model, term.id)
    terms.delete_term(Tag, term.id)
    _render(session, article_ids, video_ids)


def _render(session: Session, article_ids: Iterable[int], video_ids: Iterable[int]) -> None:
    # Videos first: their cascade re-renders the articles that show them, and
    # those articles' related videos must carry the new names.
    render_videos(session, video_ids, cascade=True)
    render_articles(session, article_ids)


# Authors -------------------------------------------------------------------


def author_document(author: Author) -> dict[str, Any]:
    """Member for member as ``GET /v1/authors/{slug}``."""
    return {"slug": author.slug, "name": author.name, "bio": author.bio}


def author_etag(author: Author) -> str:
    return representation_etag(author_document(author))


def require_author_writer(principal: Principal) -> None:
    """Bylines are shared by every service: an admin or any editor may write them."""
    if not (principal.is_admin or principal.role == "editor"):
        raise Forbidden("Only an admin or an editor may write authors.")


def _author_values(data: AuthorWrite) -> dict[str, Any]:
    name = plain_text(data.name)
    bio = plain_paragraphs(data.bio) if data.bio else ""
    return {"slug": data.slug or made_slug(name), "name": name, "bio": bio or None}


def create_author(session: Session, principal: Principal, data: AuthorWrite) -> Author:
    require_author_writer(principal)
    authors = TaxonomyRepository(session)
    values = _author_values(data)
    if authors.author_taken(values["slug"]):
        raise Conflict(f"There is already an author '{values['slug']}'.")
    author = Author(updated_at=utcnow(), **values)
    authors.add(author)
    return author


def _locked_author(authors: TaxonomyRepository, principal: Principal, slug: str) -> Author:
    require_author_writer(principal)
    author = authors.lock_author(slug)
    if author is None:
        raise NotFound(f"There is no author '{slug}'.")
    return author


def update_author(
    session: Session,
    principal: Principal,
    slug: str,
    patch: dict[str, Any],
    precondition: Precondition,
) -> Author:
    authors = TaxonomyRepository(session)
    author = _locked_author(authors, principal, slug)
    precondition(author_etag(author))
    values = _author_values(patched(AuthorWrite, strip_none(author_document(author)), patch))
    if all(getattr(author, name) == value for name, value in values.items()):
        return author
    if values["slug"] != author.slug and authors.author_taken(values["slug"]):
        raise Conflict(f"There is already an author '{values['slug']}'.")
    for name, value in values.items():
        setattr(author, name, value)
    author.updated_at = utcnow()
    authors.flush()
    render_articles(session, authors.credited_articles(author.id))
    return author


def delete_author(
    session: Session, principal: Principal, slug: str, precondition: Precondition
) -> None:
    authors = TaxonomyRepository(session)
    author = _locked_author(authors, principal, slug)
    precondition(author_etag(author))
    if authors.credited_articles(author.id):
        raise Conflict(
            f"The author '{slug}' is credited on articles; take the byline off them first."
        )
    authors.delete_author(author.id)
