from pydantic import BaseModel


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
