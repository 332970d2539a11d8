"""What every editorial write shares: If-Match, Idempotency-Key, merge patches,
and private (never cached) answers."""

import hashlib
from collections.abc import Callable
from typing import Any

import orjson
from fastapi import Request
from fastapi.responses import Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.auth.service import Principal
from app.errors import AppError, BadRequest
from app.models import IdempotencyRecord

PRIVATE = "private, no-store"


class PreconditionFailed(AppError):
    status = 412
    title = "Precondition Failed"
    slug = "precondition-failed"


class PreconditionRequired(AppError):
    status = 428
    title = "Precondition Required"
    slug = "precondition-required"


class IdempotencyConflict(AppError):
    status = 422
    title = "Idempotency Key Reused"
    slug = "idempotency-key-reused"


def version_etag(kind: str, item_id: int, version: int) -> str:
    """The editorial validator of an item: it changes with every write."""
    return f"{kind}-{item_id}-v{version}"


def match_if(
    if_match: str | None,
    current_etag: str,
    *,
    required: bool = True,
    variants: bool = False,
    what: str = "item",
) -> None:
    """RFC 9110 13.1.1 If-Match against the editorial ETag: a missing header is
    428 (when required), a stale one 412; weak tags never match. With
    ``variants``, a tag a public read gave for one reader (``"<etag>-<state>"``)
    names the same representation."""
    if if_match is None:
        if required:
            raise PreconditionRequired(
                "Send If-Match with the ETag you last read, so that no one's change is lost."
            )
        return
    for candidate in (part.strip() for part in if_match.split(",")):
        if candidate.startswith("W/"):
            continue
        if candidate == "*" or candidate == f'"{current_etag}"':
            return
        if variants and candidate.startswith(f'"{current_etag}-'):
            return
    raise PreconditionFailed(
        f"The {what} changed since you read it; read it again and reapply your change.",
        headers={"ETag": f'"{current_etag}"'},
    )


def private_json(
    data: Any, *, status_code: int = 200, etag: str | None = None, **headers: str
) -> Response:
    response = Response(
        data if isinstance(data, bytes) else orjson.dumps(data),
        status_code=status_code,
        media_type="application/json",
    )
    response.headers["Cache-Control"] = PRIVATE
    if etag is not None:
        response.headers["ETag"] = f'"{etag}"'
    for name, value in headers.items():
        response.headers[name.replace("_", "-")] = value
    return response


def merge_patch(target: Any, patch: Any) -> Any:
    """RFC 7396 JSON merge patch."""
    if not isinstance(patch, dict):
        return patch
    result = dict(target) if isinstance(target, dict) else {}
    for key, value in patch.items():
        if value is None:
            result.pop(key, None)
        else:
            result[key] = merge_patch(result.get(key), value)
    return result


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
    found = session.scalars(
        select(IdempotencyRecord).where(
            IdempotencyRecord.token_id == principal.token_id, IdempotencyRecord.key == key
        )
    ).one_or_none()
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
        session.add(
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
        session.flush()
    return response
