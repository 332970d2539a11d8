"""The 429 answer in the spec: one response, declared on every operation that counts."""

import copy
from collections.abc import Collection
from typing import Any

from app.errors import PROBLEM_MEDIA_TYPE, PROBLEM_SCHEMA_REF

TOO_MANY_REQUESTS: dict[str, Any] = {
    "description": "Too many requests from this token or client address in the window "
    "(when the server limits rates)",
    "headers": {
        "Retry-After": {
            "description": "Seconds until the window closes and requests are served again.",
            "schema": {"type": "integer", "minimum": 1},
        },
        "RateLimit": {
            "description": "What is left of the quota (draft-ietf-httpapi-ratelimit-headers): "
            '`"anonymous";r=0;t=17`, the policy, the requests left and the seconds until '
            "the window closes. Successful answers carry it too.",
            "schema": {"type": "string"},
        },
        "RateLimit-Policy": {
            "description": 'The quota that applies: `"anonymous";q=600;w=60`, requests per '
            "window of seconds, named for the caller's role (`anonymous`, `viewer`, "
            "`editor`, `admin`). Successful answers carry it too.",
            "schema": {"type": "string"},
        },
    },
    "content": {PROBLEM_MEDIA_TYPE: {"schema": PROBLEM_SCHEMA_REF}},
}


def document_rate_limits(spec: dict[str, Any], exempt: Collection[str]) -> None:
    """Declare the 429 on every operation but those of ``exempt`` paths."""
    for path, methods in spec.get("paths", {}).items():
        if path in exempt:
            continue
        for operation in methods.values():
            responses = operation.setdefault("responses", {})
            own = responses.get("429")
            if own is not None and "RateLimit" in own.get("headers", {}):
                continue  # declared already (the spec is documented once per build)
            responses["429"] = copy.deepcopy(TOO_MANY_REQUESTS)
            if own is not None:
                # An operation with a 429 of its own (too many event streams) may
                # also be refused by the rate limiter.
                responses["429"]["description"] = (
                    f"{own['description']}; or {TOO_MANY_REQUESTS['description'][0].lower()}"
                    f"{TOO_MANY_REQUESTS['description'][1:]}"
                )
