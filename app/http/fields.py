"""``?fields=a,b``: trim any representation to the named top-level fields (of each
item, in a list)."""

import re
from typing import Annotated, Any

import orjson
from fastapi import Query

from app.errors import BadRequest
from app.http.caching import Representation
from app.http.contract import FIELDS_PATTERN

_FIELDS = re.compile(FIELDS_PATTERN)

#: The ``fields`` query parameter every read of a resource or list takes.
Fields = Annotated[
    str | None,
    Query(
        description="Comma-separated top-level fields to keep (of each item, in a list); "
        "an unknown name is a 400.",
        max_length=500,
    ),
]


def parse_fields(raw: str | None, allowed: frozenset[str]) -> list[str] | None:
    if raw is None:
        return None
    if not _FIELDS.match(raw):
        raise BadRequest(
            "fields must be a comma-separated list of field names.",
            errors=[{"location": "query", "field": "fields", "message": "malformed list"}],
        )
    names = raw.split(",")
    unknown = sorted(set(names) - allowed)
    if unknown:
        raise BadRequest(
            f"Unknown field(s): {', '.join(unknown)}.",
            errors=[
                {"location": "query", "field": "fields", "message": f"unknown field {name}"}
                for name in unknown
            ],
        )
    return names


def _trim(doc: dict[str, Any], names: list[str]) -> dict[str, Any]:
    return {name: doc[name] for name in names if name in doc}


def trim_document(body: bytes, names: list[str] | None) -> bytes:
    if names is None:
        return body
    return orjson.dumps(_trim(orjson.loads(body), names))


def trim_list(body: bytes, names: list[str] | None) -> bytes:
    """Each item of ``{"items": [...], ...}`` trimmed; the page's other members stay."""
    if names is None:
        return body
    doc = orjson.loads(body)
    doc["items"] = [_trim(item, names) for item in doc["items"]]
    return orjson.dumps(doc)


def trimmed(
    found: Representation, names: list[str] | None, *, items: bool = False
) -> Representation:
    """A read's answer trimmed to ``names``: its ETag is then the hash of the trimmed
    bytes, so each selection of fields has its own validator."""
    if names is not None:
        found.body = (trim_list if items else trim_document)(found.body, names)
        found.etag = None
    return found
