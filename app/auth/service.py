"""Bearer tokens: created once, stored only as SHA-256 hashes, revocable; and the
principal a request is made by, with what it may read and write."""

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from app.auth.repository import TokenRepository
from app.errors import Forbidden
from app.models import ROLES, ApiToken, utcnow

TOKEN_PREFIX = "mh_"


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True, slots=True)
class Principal:
    """Who a request is made by."""

    token_id: int
    name: str
    role: str
    services: frozenset[str]

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"

    def can_read(self, service: str) -> bool:
        """Drafts and other unpublished work of the service."""
        return self.is_admin or service in self.services

    def can_write(self, service: str) -> bool:
        return self.is_admin or (self.role == "editor" and service in self.services)

    @property
    def label(self) -> str:
        return f"{self.name} (token {self.token_id})"


def require_writer(principal: Principal, service: str) -> None:
    """Admins write everywhere; editors in their own services only."""
    if not principal.can_write(service):
        raise Forbidden(f"This token may not write to the service '{service}'.")


class TokenError(ValueError):
    pass


def create_token(
    session: Session,
    role: str,
    services: list[str],
    name: str | None = None,
    expires_at: datetime | None = None,
) -> tuple[ApiToken, str]:
    """A new token; the secret is returned once and never stored."""
    if role not in ROLES:
        raise TokenError(f"role must be one of {', '.join(ROLES)}")
    if role != "admin" and not services:
        raise TokenError(f"a {role} token needs at least one --service")
    tokens = TokenRepository(session)
    unknown = sorted(set(services) - tokens.known_services(services))
    if unknown:
        raise TokenError(f"unknown service(s): {', '.join(unknown)}")
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(
        name=name or f"{role} token",
        role=role,
        services=sorted(set(services)) if role != "admin" else [],
        token_hash=hash_token(secret),
        prefix=secret[:10],
        expires_at=expires_at,
    )
    tokens.add(token)
    return token, secret


def revoke_token(session: Session, token_id: int) -> ApiToken:
    tokens = TokenRepository(session)
    token = tokens.get(token_id)
    if token is None:
        raise TokenError(f"no token {token_id}")
    if token.revoked_at is None:
        token.revoked_at = utcnow()
        tokens.flush()
    return token


def list_tokens(session: Session) -> list[ApiToken]:
    return TokenRepository(session).every()
