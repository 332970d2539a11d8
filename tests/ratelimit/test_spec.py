"""The spec declares the 429 wherever a request is counted."""

import json
from typing import Any

from app.cli import OPENAPI_PATH
from app.ratelimit.middleware import EXEMPT_PATHS


def test_every_counted_operation_documents_its_429_and_its_fields() -> None:
    spec: dict[str, Any] = json.loads(OPENAPI_PATH.read_text(encoding="utf-8"))
    counted = 0
    for path, methods in spec["paths"].items():
        for method, operation in methods.items():
            responses = operation["responses"]
            if path in EXEMPT_PATHS:
                assert "429" not in responses, (method, path)
                continue
            counted += 1
            answer = responses["429"]
            assert answer["content"] == {
                "application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}
            }
            assert set(answer["headers"]) == {"Retry-After", "RateLimit", "RateLimit-Policy"}
    assert counted > 50
    assert {"/healthz", "/readyz"} <= set(spec["paths"])
