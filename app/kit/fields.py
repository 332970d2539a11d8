"""Field types every schema shares: strict models, URLs, codes, slugs, language
tags, country codes and times. Each pattern is also exported for the path and
query parameters that take the same values."""

import re
from datetime import UTC, datetime
from typing import Annotated
from urllib.parse import urlsplit

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field

CODE_PATTERN = r"^[a-z0-9][a-z0-9-]{0,31}$"
SLUG_PATTERN = r"^[\w-]{1,200}$"
#: A BCP 47 language tag, as articles, services, captions and notices carry it.
LANGUAGE_PATTERN = r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$"
COUNTRY_PATTERN = r"^[A-Z]{2}$"
#: The longest caption, credit, alt text or other label a block or image holds.
LABEL_MAX = 1000


class Strict(BaseModel):
    """A shape that refuses unknown members (422), as every write does, and takes each
    value as the JSON type its schema declares: ``"5"`` is no number, ``1`` no string,
    ``"true"`` no boolean."""

    model_config = ConfigDict(extra="forbid", strict=True)


def _http_url(value: str) -> str:
    if not value.lower().startswith(("https://", "http://")):
        raise ValueError("must be an http(s) URL")
    return value


_URL_FORBIDDEN = re.compile(r"[\s\x00-\x1f\x7f\"'<>\\`]")


def is_safe_url(value: str) -> bool:
    """An absolute http(s) URL with a host, and nothing that could break out of an
    attribute: no ``javascript:``, ``data:`` or other scheme, however spelt."""
    if _URL_FORBIDDEN.search(value):
        return False
    parts = urlsplit(value)
    return parts.scheme.lower() in ("http", "https") and bool(parts.hostname)


def _safe_url(value: str) -> str:
    if _URL_FORBIDDEN.search(value):
        raise ValueError("must be an http(s) URL without spaces, quotes or angle brackets")
    if not is_safe_url(value):
        raise ValueError("must be an absolute http(s) URL")
    return value


_RFC3339 = re.compile(
    r"^[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt ][0-9]{2}:[0-9]{2}(:[0-9]{2}(\.[0-9]+)?)?"
    r"([Zz]|[+-][0-9]{2}:[0-9]{2})?$"
)


def _rfc3339_text(value: object) -> object:
    # Lax parsing would read a number, or a numeric string, as seconds since the epoch.
    if isinstance(value, datetime):
        return value
    if not isinstance(value, str) or not _RFC3339.match(value):
        raise ValueError("must be an RFC 3339 time such as 2025-09-01T10:00:00Z")
    return value


def _aware(value: datetime) -> datetime:
    if value.tzinfo is None:
        raise ValueError("must carry a time zone (RFC 3339)")
    try:
        value.astimezone(UTC)
    except OverflowError:
        raise ValueError("must be a time between years 1 and 9999 in UTC") from None
    return value


#: An http(s) URL of media (renditions, thumbnails, captions, a service's site).
URL = Annotated[str, Field(max_length=2000), AfterValidator(_http_url)]
#: An http(s) URL that body blocks and lead images put in front of readers.
SafeUrl = Annotated[str, Field(max_length=2000), AfterValidator(_safe_url)]
Time = Annotated[
    datetime, Field(strict=False), BeforeValidator(_rfc3339_text), AfterValidator(_aware)
]
#: A time in a query (``published_after``): a zone-less one is read as UTC.
QueryTime = Annotated[datetime, BeforeValidator(_rfc3339_text)]
Country = Annotated[str, Field(pattern=COUNTRY_PATTERN)]
Slug = Annotated[str, Field(pattern=SLUG_PATTERN)]
Code = Annotated[str, Field(pattern=CODE_PATTERN)]
LanguageTag = Annotated[str, Field(pattern=LANGUAGE_PATTERN)]
