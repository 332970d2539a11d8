"""URL slugs made from text: Cyrillic, Arabic and other scripts are transliterated to Latin."""

from slugify import slugify

SLUG_MAX = 120


def make_slug(text: str) -> str:
    """A lower-case slug of at most ``SLUG_MAX`` characters; empty when nothing is left."""
    return str(slugify(text, max_length=SLUG_MAX, word_boundary=True, lowercase=True))
