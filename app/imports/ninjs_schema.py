"""IPTC ninjs 2.x and 3.x: which version a document is, and whether it is valid
against that version's official schema.

Which version: its ``$schema`` when it names one of the two schemas; otherwise
the shape of its member names, since ninjs 3 renamed every member to camelCase
(``versionCreated``, ``altIds``...) where ninjs 2 had them in lower case
(``versioncreated``, ``altids``...). A document with neither kind of member
(``uri``, ``headlines``, ``bodies`` only) is read as 3.x, the current one. 2.x
documents are checked against the 2.1 schema, 3.x ones against 3.1.

The schemas (IPTC, MIT licence, see ``schemas/LICENSE``) refer to the GeoJSON
schema online; nothing is fetched while validating: a place's ``geoJSON`` is only
checked to be an object with a ``type``.
"""

from functools import cache
from pathlib import Path
from typing import Any, Literal

import orjson
from jsonschema import Draft202012Validator, FormatChecker
from jsonschema.exceptions import ValidationError, best_match
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

SCHEMAS = Path(__file__).resolve().parent / "schemas"
Version = Literal["2", "3"]

_GEOJSON_URI = "https://geojson.org/schema/GeoJSON.json"
_GEOJSON_STAND_IN = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "type": "object",
    "required": ["type"],
    "properties": {"type": {"type": "string"}},
}


class NinjsError(ValueError):
    """A document that is not valid ninjs, or that Masthead cannot store.

    ``path`` names the member at fault, dot-separated (``bodies.0.value``)."""

    def __init__(self, path: str, reason: str) -> None:
        super().__init__(f"{path}: {reason}" if path else reason)
        self.path = path
        self.reason = reason


def _key_style(document: dict[str, Any]) -> tuple[int, int]:
    """How many member names only ninjs 3 (camelCase) and only ninjs 2 (lower case) use."""
    v3, v2 = property_names("3"), property_names("2")
    keys = set(document)
    return len(keys & (v3 - v2)), len(keys & (v2 - v3))


@cache
def property_names(version: Version) -> frozenset[str]:
    schema = _schema(version)
    return frozenset(schema["$defs"]["ninjsType"]["properties"])


@cache
def _schema(version: Version) -> dict[str, Any]:
    name = "ninjs-schema_2.1.json" if version == "2" else "ninjs-schema_3.1.json"
    schema: dict[str, Any] = orjson.loads((SCHEMAS / name).read_bytes())
    return schema


def _retrieve(uri: str) -> Resource[Any]:
    if uri.rstrip("#") == _GEOJSON_URI:
        return DRAFT202012.create_resource(_GEOJSON_STAND_IN)
    raise LookupError(f"no remote schema is fetched ({uri})")


@cache
def validator(version: Version) -> Draft202012Validator:
    """The official schema of that version, with format checking (date-time, uri)."""
    return Draft202012Validator(
        _schema(version),
        format_checker=FormatChecker(),
        registry=Registry(retrieve=_retrieve),  # type: ignore[call-arg]
    )


def detect_version(document: dict[str, Any]) -> Version:
    declared = document.get("$schema")
    if isinstance(declared, str):
        if "ninjs-schema_2" in declared or "/ninjs/2" in declared:
            return "2"
        if "ninjs-schema_3" in declared or "/ninjs/3" in declared:
            return "3"
        raise NinjsError("$schema", "names neither the ninjs 2.x nor the 3.x schema")
    camel, lower = _key_style(document)
    return "2" if lower > camel else "3"


def _path(error: ValidationError) -> str:
    return ".".join(str(part) for part in error.absolute_path)


def validate(document: dict[str, Any]) -> Version:
    """The document's ninjs version, once it is valid against that schema."""
    version = detect_version(document)
    instance = {key: value for key, value in document.items() if key != "$schema"}
    error = best_match(validator(version).iter_errors(instance))
    if error is not None:
        message = error.message if len(error.message) <= 300 else error.message[:297] + "..."
        raise NinjsError(_path(error), f"not valid ninjs {version}.x: {message}")
    return version
