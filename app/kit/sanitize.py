"""Allow-list sanitising of everything that may reach a reader's browser."""

import html
import re

import nh3

INLINE_TAGS = {"b", "i", "em", "strong", "a"}
_ATTRIBUTES = {"a": {"href"}}
_URL_SCHEMES = {"http", "https", "mailto"}
# ASCII whitespace only: no-break spaces are typography worth keeping.
_SPACES = re.compile(r"[ \t\r\n\f\v]+")
_TAG = re.compile(r"<[^>]*>")


def rich_text(value: str) -> str:
    """Inline HTML limited to b, i, em, strong and a href (http, https, mailto)."""
    return nh3.clean(
        value,
        tags=INLINE_TAGS,
        attributes=_ATTRIBUTES,
        url_schemes=_URL_SCHEMES,
        link_rel="noopener noreferrer nofollow",
        strip_comments=True,
    ).strip()


def plain_text(value: str) -> str:
    """Text with every tag removed; stray angle brackets cannot form markup again."""
    cleaned = html.unescape(nh3.clean(value, tags=set(), strip_comments=True))
    cleaned = cleaned.replace("<", "‹").replace(">", "›")
    return _SPACES.sub(" ", cleaned).strip()


def text_of(rich: str) -> str:
    """The readable text of sanitised inline HTML (for word counts, summaries, search)."""
    if "<" in rich:
        rich = _TAG.sub("", rich)
    if "&" in rich:
        rich = html.unescape(rich)
    return " ".join(rich.split())


def plain_paragraphs(value: str) -> str:
    """Plain text that keeps its paragraphs (separated by blank lines)."""
    paragraphs = (plain_text(part) for part in re.split(r"\n\s*\n", value))
    return "\n\n".join(part for part in paragraphs if part)
