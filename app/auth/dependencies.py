"""Who is calling: the ``Authorization: Bearer`` token, checked on every request.

The dependencies are named for what they let through: ``AnyToken`` (any valid
token; the write rules then check its role and services), ``AdminToken`` (admin
tokens only), ``OptionalToken`` (anonymous too).
"""

import hmac
from typing import Annotated

import orjson
from fastapi import Depends, Request

from app.auth.repository import BY_HASH
from app.auth.service import Principal, hash_token
from app.errors import Forbidden, Unauthorized
from app.http.reader import get_store
from app.kit.timeutil import db_time_ms, now_ms


async def optional_principal(request: Request) -> Principal | None:
    """None without an Authorization header; 401 for a malformed, unknown or revoked token."""
    header = request.headers.get("authorization")
    if header is None:
        return None
    scheme, _, token = header.partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token or len(token) > 200:
        raise Unauthorized("Send a token as 'Authorization: Bearer <token>'.")
    digest = hash_token(token)
    store = await get_store(request)
    row = await store.one(BY_HASH, {"hash": digest})
    if row is None or not hmac.compare_digest(row[4], digest) or row[5] is not None:
        raise Unauthorized("The token is unknown or revoked.")
    expires_ms = db_time_ms(row[6])
    if expires_ms is not None and expires_ms <= now_ms():
        raise Unauthorized("The token has expired.")
    services = row[3] if isinstance(row[3], list) else orjson.loads(row[3])
    return Principal(token_id=row[0], name=row[1], role=row[2], services=frozenset(services or ()))


async def require_principal(
    principal: Annotated[Principal | None, Depends(optional_principal)],
) -> Principal:
    if principal is None:
        raise Unauthorized("This endpoint needs a token: 'Authorization: Bearer <token>'.")
    return principal


async def require_admin(principal: Annotated[Principal, Depends(require_principal)]) -> Principal:
    if not principal.is_admin:
        raise Forbidden("Only an admin token may do this.")
    return principal


OptionalToken = Annotated[Principal | None, Depends(optional_principal)]
AnyToken = Annotated[Principal, Depends(require_principal)]
AdminToken = Annotated[Principal, Depends(require_admin)]
