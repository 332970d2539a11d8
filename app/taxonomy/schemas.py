"""Sections, tags and authors: their public shapes and the shapes editors write."""

from pydantic import BaseModel, Field

from app.kit.fields import Code, Slug, Strict


class TaxonomyRef(BaseModel):
    slug: str
    name: str


class SectionOut(BaseModel):
    slug: str
    name: str
    service: str


class TagOut(BaseModel):
    slug: str
    name: str
    service: str


class AuthorOut(BaseModel):
    slug: str
    name: str
    bio: str | None


class SectionPage(BaseModel):
    items: list[SectionOut]
    next_cursor: str | None


class TagPage(BaseModel):
    items: list[TagOut]
    next_cursor: str | None


class AuthorPage(BaseModel):
    items: list[AuthorOut]
    next_cursor: str | None


# Writes ----------------------------------------------------------------------


class TermWrite(Strict):
    service: Code
    slug: Slug | None = Field(
        default=None, description="Made from the name (transliterated) when absent."
    )
    name: str = Field(min_length=1, max_length=200)


class SectionWrite(TermWrite):
    """A section as editors write it."""


class TagWrite(TermWrite):
    """A tag as editors write it."""


class AuthorWrite(Strict):
    """A byline as editors write it; authors are shared by every service."""

    slug: Slug | None = Field(
        default=None, description="Made from the name (transliterated) when absent."
    )
    name: str = Field(min_length=1, max_length=200)
    bio: str | None = Field(default=None, max_length=5000)
