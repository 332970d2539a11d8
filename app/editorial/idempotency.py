"""Idempotency-Key: a retried POST gets the first answer again, never a second write."""

import hashlib
from collections.abc import Callable
from typing import Annotated, Any

import orjson
from fastapi import Header, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from app.auth.service import Principal
from app.editorial.repository import IdempotencyRepository
from app.errors import BadRequest, IdempotencyConflict
from app.models import IdempotencyRecord

#: The header as a POST that honours it declares it (``idempotent`` reads it).
IdempotencyKey = Annotated[
    str | None,
    Header(
        alias="Idempotency-Key",
        description="Retrying with the same key and body replays the first answer; "
        "the same key with another body is refused (422).",
    ),
]


def idempotent(
    session: Session,
    request: Request,
    principal: Principal,
    payload: Any,
    produce: Callable[[], Response],
) -> Response:
    """Replay the first answer to a POST with the same Idempotency-Key and body;
    refuse the key with a different body."""
    key = request.headers.get("idempotency-key")
    if key is None:
        return produce()
    if not 1 <= len(key) <= 200:
        raise BadRequest(
            "Idempotency-Key must be 1 to 200 characters.",
            errors=[{"location": "header", "field": "Idempotency-Key", "message": "length"}],
        )
    body_hash = hashlib.sha256(orjson.dumps(payload, option=orjson.OPT_SORT_KEYS)).hexdigest()
    records = IdempotencyRepository(session)
    found = records.find(principal.token_id, key)
    if found is not None:
        if (
            found.body_hash != body_hash
            or found.method != request.method
            or found.path != request.url.path
        ):
            raise IdempotencyConflict(
                "This Idempotency-Key was used with a different request; use a new key."
            )
        response = Response(
            found.body.encode(), status_code=found.status, media_type="application/json"
        )
        for name, value in found.headers.items():
            response.headers[name] = value
        response.headers["Idempotency-Replayed"] = "true"
        return response
    response = produce()
    if 200 <= response.status_code < 300:
        kept = {
            name: value
            for name, value in response.headers.items()
            if name.lower() in ("etag", "location", "cache-control")
        }
        records.add(
            IdempotencyRecord(
                token_id=principal.token_id,
                key=key,
                method=request.method,
                path=request.url.path,
                body_hash=body_hash,
                status=response.status_code,
                headers=kept,
                body=bytes(response.body).decode(),
            )
        )
    return response
