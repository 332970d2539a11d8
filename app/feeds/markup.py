"""Escaping and dates for the hand-built feed documents.

Every piece of stored text goes through ``text`` or ``attr`` on its way into
XML, and through ``html`` on its way into an HTML fragment: there is no other
path into a document.
"""

import re
from datetime import UTC, datetime
from email.utils import format_datetime
from urllib.parse import quote, urlsplit

# Characters XML 1.0 cannot carry at all, not even as character references.
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
# Characters a URL may hold as they are; anything else is percent-encoded.
_URL_SAFE = ":/?#[]@!$&'()*+,;=%~-._"


def clean(value: str) -> str:
    """The text without the characters an XML document may not contain."""
    return value if _NOT_XML.search(value) is None else _NOT_XML.sub("", value)


def text(value: str) -> str:
    """Character data for an XML element. A carriage return is a reference, or it
    would reach the reader as a line feed (XML's end-of-line handling)."""
    return (
        clean(value)
        .replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace("\r", "&#13;")
    )


def attr(value: str) -> str:
    """An XML attribute value, to be written between double quotes (with the
    white space that attribute normalisation would fold kept as references)."""
    return text(value).replace('"', "&quot;").replace("\t", "&#9;").replace("\n", "&#10;")


def html(value: str) -> str:
    """Plain text as HTML character data (for fragments that feeds carry as HTML)."""
    return (
        clean(value)
        .replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace('"', "&quot;")
        .replace("'", "&#x27;")
    )


def url(value: str) -> str:
    """A URL with anything outside printable ASCII percent-encoded (sitemaps and
    RSS readers expect URIs, and slugs may be non-ASCII)."""
    return quote(clean(value), safe=_URL_SAFE)


def absolute(value: str, base: str) -> str:
    """An absolute URL: stored canonical URLs are relative when a service has no
    site address."""
    return url(value if "://" in value else base + value)


def parse_time(value: str) -> datetime:
    return datetime.fromisoformat(value).astimezone(UTC)


def rfc822(value: str) -> str:
    """RSS 2.0 dates (RFC 822, four-digit years)."""
    return format_datetime(parse_time(value), usegmt=True)


def bullets_html(bullets: list[str], dek: str | None, direction: str) -> str:
    """The key points as an HTML list (the dek when there are none), marked
    right-to-left for RTL services."""
    if bullets:
        inner = "<ul>" + "".join(f"<li>{html(b)}</li>" for b in bullets) + "</ul>"
    elif dek:
        inner = f"<p>{html(dek)}</p>"
    else:
        inner = ""
    if direction == "rtl":
        return f'<div dir="rtl">{inner}</div>'
    return inner


_IMAGE_TYPES = {
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".png": "image/png",
    ".gif": "image/gif",
    ".webp": "image/webp",
    ".avif": "image/avif",
    ".svg": "image/svg+xml",
}


def image_type(address: str) -> str | None:
    """The media type an image URL's extension names, if any: enclosures need one."""
    path = urlsplit(address).path.lower()
    dot = path.rfind(".")
    return _IMAGE_TYPES.get(path[dot:]) if dot >= 0 else None
