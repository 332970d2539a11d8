"""Hooks for the schemathesis run (loaded through ``SCHEMATHESIS_HOOKS``).

A valid ``fields=`` trims the answer to the fields named: the response schemas
describe the whole representation (their ``required`` lists hold for it), which
OpenAPI cannot make depend on a query parameter, so generated requests keep only
malformed lists (a 400 to check); tests/http/test_conventions.py covers trimming.
Likewise ``format=ninjs`` and ``format=jsonld`` answer documents of other schemas
under a JSON media type the response schema cannot tell apart from the article's;
tests/formats validates them against the official ninjs schema and schema.org.
"""

import re
from typing import Any

import schemathesis

_WELL_FORMED = re.compile(r"^[a-z_]+(,[a-z_]+)*$")


@schemathesis.hook
def map_query(ctx: Any, query: dict[str, Any] | None) -> dict[str, Any] | None:
    if query and isinstance(query.get("fields"), str) and _WELL_FORMED.match(query["fields"]):
        del query["fields"]
    if query and query.get("format") in ("ninjs", "jsonld"):
        del query["format"]
    return query
