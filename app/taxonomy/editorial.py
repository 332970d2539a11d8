"""Writing sections, tags and authors, and re-rendering what shows them.

A rename re-renders every article and video that carries the term, in the same
transaction. Deleting: a tag is taken off what carries it (those are
re-rendered); a section still holding articles or videos, or an author still
credited on an article, answers 409, since moving them is an editorial choice.
"""

from collections.abc import Callable, Iterable
from typing import Any

from slugify import slugify
from sqlalchemy import delete, exists, select, update
from sqlalchemy.orm import Session

from app.articles.content import SLUG_MAX
from app.auth.dependencies import Forbidden
from app.auth.service import Principal
from app.editions.editorial import service_in_body, service_in_query
from app.errors import Conflict, NotFound, Unprocessable
from app.http.editorial import patched, representation_etag, require_writer, strip_none
from app.kit.sanitize import plain_paragraphs, plain_text
from app.models import (
    Article,
    ArticleAuthor,
    ArticleTag,
    Author,
    Section,
    Service,
    Tag,
    Video,
    VideoTag,
    utcnow,
)
from app.readmodel.articles import render_articles, render_videos
from app.taxonomy.schemas import AuthorWrite, SectionWrite, TagWrite, TermWrite

Term = Section | Tag
TermModel = type[Section] | type[Tag]


def made_slug(name: str) -> str:
    """A slug from a name, transliterated to Latin; 422 when nothing is left."""
    slug = slugify(name, max_length=SLUG_MAX, word_boundary=True, lowercase=True)
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
    session: Session, principal: Principal, model: TermModel, data: TermWrite
) -> tuple[Term, str]:
    require_writer(principal, data.service)
    service = service_in_body(session, data.service)
    name = plain_text(data.name)
    slug = data.slug or made_slug(name)
    taken = session.scalars(
        select(model.id).where(model.service_id == service.id, model.slug == slug)
    ).first()
    if taken is not None:
        raise Conflict(f"The service '{service.code}' already has a {_kind(model)} '{slug}'.")
    term = model(service_id=service.id, slug=slug, name=name, updated_at=utcnow())
    session.add(term)
    session.flush()
    return term, service.code


def _locked_term(
    session: Session, principal: Principal, model: TermModel, slug: str, service_code: str
) -> tuple[Term, Service]:
    require_writer(principal, service_code)
    service = service_in_query(session, service_code)
    # A no-op write takes the row's lock first (see editions.editorial._locked).
    locked = session.execute(
        update(model)
        .where(model.service_id == service.id, model.slug == slug)
        .values(updated_at=model.updated_at)
    )
    if locked.rowcount == 0:  # type: ignore[attr-defined]
        raise NotFound(f"The service '{service_code}' has no {_kind(model)} '{slug}'.")
    term = session.scalars(
        select(model).where(model.service_id == service.id, model.slug == slug)
    ).one()
    assert isinstance(term, Section | Tag)
    return term, service


def update_term(
    session: Session,
    principal: Principal,
    model: TermModel,
    slug: str,
    service_code: str,
    patch: dict[str, Any],
    precondition: Callable[[str], None],
) -> Term:
    term, service = _locked_term(session, principal, model, slug, service_code)
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
        return term
    if new_slug != term.slug:
        taken = session.scalars(
            select(model.id).where(model.service_id == service.id, model.slug == new_slug)
        ).first()
        if taken is not None:
            raise Conflict(
                f"The service '{service.code}' already has a {_kind(model)} '{new_slug}'."
            )
    term.slug, term.name, term.updated_at = new_slug, name, utcnow()
    session.flush()
    _render_carriers(session, model, term.id)
    return term


def delete_term(
    session: Session,
    principal: Principal,
    model: TermModel,
    slug: str,
    service_code: str,
    precondition: Callable[[str], None],
) -> None:
    term, service = _locked_term(session, principal, model, slug, service_code)
    precondition(term_etag(term, service.code))
    if model is Section:
        for carrier, what in ((Article, "articles"), (Video, "videos")):
            if session.scalar(select(exists().where(carrier.section_id == term.id))):
                raise Conflict(
                    f"The section '{slug}' still holds {what}; move them to another section first."
                )
        session.execute(delete(Section).where(Section.id == term.id))
        session.flush()
        return
    article_ids, video_ids = _carriers(session, model, term.id)
    session.execute(delete(Tag).where(Tag.id == term.id))
    session.flush()
    _render(session, article_ids, video_ids)


def _carriers(session: Session, model: TermModel, term_id: int) -> tuple[list[int], list[int]]:
    if model is Section:
        article_ids = session.scalars(select(Article.id).where(Article.section_id == term_id))
        video_ids = session.scalars(select(Video.id).where(Video.section_id == term_id))
    else:
        article_ids = session.scalars(
            select(ArticleTag.article_id).where(ArticleTag.tag_id == term_id)
        )
        video_ids = session.scalars(select(VideoTag.video_id).where(VideoTag.tag_id == term_id))
    return list(article_ids), list(video_ids)


def _render(session: Session, article_ids: Iterable[int], video_ids: Iterable[int]) -> None:
    # Videos first: their cascade re-renders the articles that show them, and
    # those articles' related videos must carry the new names.
    render_videos(session, video_ids, cascade=True)
    render_articles(session, article_ids)


def _render_carriers(session: Session, model: TermModel, term_id: int) -> None:
    _render(session, *_carriers(session, model, term_id))


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
    values = _author_values(data)
    if session.scalars(select(Author.id).where(Author.slug == values["slug"])).first():
        raise Conflict(f"There is already an author '{values['slug']}'.")
    author = Author(updated_at=utcnow(), **values)
    session.add(author)
    session.flush()
    return author


def _locked_author(session: Session, principal: Principal, slug: str) -> Author:
    require_author_writer(principal)
    locked = session.execute(
        update(Author).where(Author.slug == slug).values(updated_at=Author.updated_at)
    )
    if locked.rowcount == 0:  # type: ignore[attr-defined]
        raise NotFound(f"There is no author '{slug}'.")
    return session.scalars(select(Author).where(Author.slug == slug)).one()


def update_author(
    session: Session,
    principal: Principal,
    slug: str,
    patch: dict[str, Any],
    precondition: Callable[[str], None],
) -> Author:
    author = _locked_author(session, principal, slug)
    precondition(author_etag(author))
    values = _author_values(patched(AuthorWrite, strip_none(author_document(author)), patch))
    if all(getattr(author, name) == value for name, value in values.items()):
        return author
    if (
        values["slug"] != author.slug
        and session.scalars(select(Author.id).where(Author.slug == values["slug"])).first()
    ):
        raise Conflict(f"There is already an author '{values['slug']}'.")
    for name, value in values.items():
        setattr(author, name, value)
    author.updated_at = utcnow()
    session.flush()
    render_articles(
        session,
        session.scalars(
            select(ArticleAuthor.article_id).where(ArticleAuthor.author_id == author.id)
        ),
    )
    return author


def delete_author(
    session: Session, principal: Principal, slug: str, precondition: Callable[[str], None]
) -> None:
    author = _locked_author(session, principal, slug)
    precondition(author_etag(author))
    if session.scalar(select(exists().where(ArticleAuthor.author_id == author.id))):
        raise Conflict(
            f"The author '{slug}' is credited on articles; take the byline off them first."
        )
    session.execute(delete(Author).where(Author.id == author.id))
    session.flush()
