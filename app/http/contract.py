"""What the spec says of the rules the server keeps outside the routes' signatures.

If-Match, Idempotency-Key and ``fields=`` are read by shared code (the write
preconditions, the idempotency record, the field trimmer), so the routes do not
declare them exactly; this completes each operation of the generated document
with what the server actually requires and accepts.
"""

import re
from typing import Any

from app.errors import PROBLEM_MEDIA_TYPE, PROBLEM_SCHEMA_REF

#: RFC 9110 13.1.1: ``*`` or a list of entity tags; anything else is a 400.
IF_MATCH_PATTERN = r'^(\*|(W/)?"[!#-~]*"([ \t]*,[ \t]*(W/)?"[!#-~]*")*)$'
IF_MATCH_SYNTAX = re.compile(IF_MATCH_PATTERN)
IDEMPOTENCY_KEY_LENGTH = (1, 200)
#: ``fields=``: names, comma-separated (the field trimmer's syntax).
FIELDS_PATTERN = r"^[a-z_]+(,[a-z_]+)*$"

_IF_MATCH_DESCRIPTION = "The ETag you last read; a stale one is a 412, a malformed one a 400."


def document_http_contract(spec: dict[str, Any]) -> None:
    """Declare If-Match (required wherever its absence is a 428), the length of an
    Idempotency-Key, the names ``fields=`` takes on each read, the token of every
    operation that answers 401, and the 415 of every operation that takes content."""
    schemas = spec.get("components", {}).get("schemas", {})
    for methods in spec.get("paths", {}).values():
        for operation in methods.values():
            responses = operation.get("responses", {})
            parameters = operation.setdefault("parameters", [])
            if_match = _parameter(parameters, "header", "If-Match")
            if "428" in responses or if_match is not None:
                if if_match is None:
                    if_match = {"name": "If-Match", "in": "header"}
                    parameters.append(if_match)
                if_match["required"] = "428" in responses
                if_match["schema"] = {"type": "string", "pattern": IF_MATCH_PATTERN}
                if_match.setdefault("description", _IF_MATCH_DESCRIPTION)
            if "401" in responses and "security" not in operation:
                # The write routes that a shared dependency guards: a token is required.
                operation["security"] = [{"token": []}]
            if "requestBody" in operation and "415" not in responses:
                responses["415"] = _unsupported_media_type()
            key = _parameter(parameters, "header", "Idempotency-Key")
            if key is not None:
                low, high = IDEMPOTENCY_KEY_LENGTH
                key["schema"] = {"type": "string", "minLength": low, "maxLength": high}
            fields = _parameter(parameters, "query", "fields")
            if fields is not None:
                _set_string_pattern(fields, FIELDS_PATTERN)
                names = _field_names(responses, schemas)
                if names:
                    fields["description"] = (
                        "Comma-separated top-level fields to keep (of each item, in a list), "
                        f"of: {', '.join(f'`{name}`' for name in sorted(names))}; "
                        "another name is a 400."
                    )
            if not parameters:
                del operation["parameters"]


def _unsupported_media_type() -> dict[str, Any]:
    return {
        "description": "The content is not JSON in UTF-8, or has a content coding",
        "content": {PROBLEM_MEDIA_TYPE: {"schema": PROBLEM_SCHEMA_REF}},
    }


def _parameter(parameters: list[dict[str, Any]], where: str, name: str) -> dict[str, Any] | None:
    for parameter in parameters:
        if parameter.get("in") == where and parameter.get("name", "").lower() == name.lower():
            return parameter
    return None


def _set_string_pattern(parameter: dict[str, Any], pattern: str) -> None:
    schema = parameter.setdefault("schema", {})
    # An optional query parameter is documented as ``anyOf: [string, null]``.
    for branch in schema.get("anyOf", [schema]):
        if branch.get("type") == "string":
            branch["pattern"] = pattern


def _resolve(schema: dict[str, Any], schemas: dict[str, Any]) -> dict[str, Any]:
    ref = schema.get("$ref", "")
    if ref.startswith("#/components/schemas/"):
        resolved: dict[str, Any] = schemas.get(ref.rsplit("/", 1)[1], {})
        return resolved
    return schema


def _properties(schema: dict[str, Any], schemas: dict[str, Any]) -> set[str]:
    schema = _resolve(schema, schemas)
    names = set(schema.get("properties", {}))
    for branch in (*schema.get("anyOf", ()), *schema.get("oneOf", ())):
        names |= _properties(branch, schemas)
    return names


def _field_names(responses: dict[str, Any], schemas: dict[str, Any]) -> set[str]:
    """The top-level names of the 200 answer's JSON, or of each item of a list."""
    content = responses.get("200", {}).get("content", {}).get("application/json", {})
    schema = _resolve(content.get("schema", {}), schemas)
    items = schema.get("properties", {}).get("items", {})
    if items.get("type") == "array":
        return _properties(items.get("items", {}), schemas)
    return _properties(schema, schemas)
