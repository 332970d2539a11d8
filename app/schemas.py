"""Shapes shared by several domains."""

from pydantic import BaseModel


class TaxonomyRef(BaseModel):
    slug: str
    name: str
