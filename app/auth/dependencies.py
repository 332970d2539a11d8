"""Who is calling: the ``Authorization: Bearer`` token, checked on every request."""

import hmac
from typing import Annotated

import orjson
from fastapi import Depends, Request
from sqlalchemy import bindparam, select

from app.auth.service import Principal, hash_token
from app.errors import AppError
from app.http.reader import get_store
from app.models import ApiToken
from app.readstore import Query

T = ApiToken.__table__.c
BY_HASH = Query(
    select(T.id, T.name, T.role, T.services, T.token_hash, T.revoked_at).where(
        T.token_hash == bindparam("hash")
    )
)


class Unauthorized(AppError):
    status = 401
    title = "Unauthorized"
    slug = "unauthorized"

    def __init__(self, detail: str) -> None:
        super().__init__(detail, headers={"WWW-Authenticate": 'Bearer realm="masthead"'})


class Forbidden(AppError):
    status = 403
    title = "Forbidden"
    slug = "forbidden"


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


OptionalPrincipal = Annotated[Principal | None, Depends(optional_principal)]
CurrentPrincipal = Annotated[Principal, Depends(require_principal)]
AdminPrincipal = Annotated[Principal, Depends(require_admin)]
