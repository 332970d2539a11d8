"""``?fields=a,b``: trim any representation to the named top-level fields."""

import re
from typing import Any

import orjson

from app.errors import BadRequest

_FIELDS = re.compile(r"^[a-z_]+(,[a-z_]+)*$")


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


def trim_document(body: bytes, names: list[str]) -> bytes:
    doc = orjson.loads(body)
    return orjson.dumps(_trim(doc, names))


def trim_list(body: bytes, names: list[str]) -> bytes:
    doc = orjson.loads(body)
    doc["items"] = [_trim(item, names) for item in doc["items"]]
    return orjson.dumps(doc)
