"""The representations an article or a video is answered in, and how the spec
declares them."""

from typing import Annotated, Any, Literal

from fastapi import Query

from app.formats.ninjs import SCHEMA_URI

Format = Literal["json", "ninjs", "jsonld"]

JSONLD_MEDIA_TYPE = "application/ld+json"
NINJS_MEDIA_TYPE = f'application/json; profile="{SCHEMA_URI}"'

MEDIA_TYPES: dict[str, str] = {
    "json": "application/json",
    "ninjs": NINJS_MEDIA_TYPE,
    "jsonld": JSONLD_MEDIA_TYPE,
}

# No default in the spec: a client (or Swagger UI) that leaves it out gets JSON.
FormatQuery = Annotated[
    Format | None,
    Query(
        alias="format",
        description="`json` (when absent), `ninjs` (IPTC ninjs 3.1, answered as "
        f"`{NINJS_MEDIA_TYPE}`) or `jsonld` (schema.org JSON-LD, `{JSONLD_MEDIA_TYPE}`). "
        "The reader's context (country, time) applies to each alike; `fields` "
        "trims the JSON representation only.",
    ),
]


#: Lists come in JSON alone: ninjs has no list, and a list asked for in another
#: format is a 422 rather than JSON the client did not ask for.
ListFormatQuery = Annotated[
    Literal["json"] | None,
    Query(alias="format", description="Lists are JSON only (`json`, as when absent)."),
]


def format_responses(schema_type: str) -> dict[int | str, dict[str, Any]]:
    """The success's other media types, beside the JSON schema FastAPI declares."""
    return {
        200: {
            "description": "The JSON representation; with `format=ninjs` an IPTC ninjs 3.1 "
            f"document; with `format=jsonld` a schema.org `{schema_type}`.",
            "content": {
                NINJS_MEDIA_TYPE: {
                    "schema": {
                        "type": "object",
                        "description": f"IPTC ninjs 3.1, valid against {SCHEMA_URI}",
                        "required": ["uri"],
                    }
                },
                JSONLD_MEDIA_TYPE: {
                    "schema": {
                        "type": "object",
                        "description": f"schema.org {schema_type} (JSON-LD)",
                        "required": ["@context", "@type"],
                    }
                },
            },
        }
    }
