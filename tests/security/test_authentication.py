"""API2, broken authentication: tokens stored as hashes only, compared in constant
time, refused once revoked or expired."""

import hashlib
import inspect
from datetime import UTC, datetime, timedelta

from articles.editorial_kit import Newsroom, room
from sqlalchemy import select
from support import assert_problem

from app.auth import dependencies
from app.auth.service import create_token
from app.models import ApiToken

__all__ = ["room"]


def token_expiring(room: Newsroom, at: datetime) -> str:
    with room.sessions.begin() as session:
        _, secret = create_token(session, "editor", ["en"], "expiring", expires_at=at)
    return secret


def test_an_expired_token_is_401(room: Newsroom) -> None:
    secret = token_expiring(room, datetime.now(UTC) - timedelta(seconds=1))
    response = room.client.get(
        "/v1/articles",
        params={"status": "draft", "service": "en"},
        headers={"Authorization": f"Bearer {secret}"},
    )
    body = assert_problem(response, 401)
    assert "expired" in body["detail"]
    assert response.headers["www-authenticate"].startswith("Bearer")


def test_a_token_works_until_it_expires(room: Newsroom) -> None:
    secret = token_expiring(room, datetime.now(UTC) + timedelta(hours=1))
    room.tokens["expiring"] = secret
    assert room.create("expiring").status_code == 201


def test_tokens_are_stored_only_as_their_sha256(room: Newsroom) -> None:
    secret = room.tokens["en_editor"]
    with room.sessions() as session:
        stored = session.scalars(select(ApiToken)).all()
    assert hashlib.sha256(secret.encode()).hexdigest() in {t.token_hash for t in stored}
    for token in stored:
        for value in (token.token_hash, token.prefix, token.name):
            assert secret not in value
        assert len(token.prefix) < len(secret) // 3


def test_the_stored_hash_is_compared_in_constant_time() -> None:
    source = inspect.getsource(dependencies.optional_principal)
    assert "hmac.compare_digest" in source


def test_a_malformed_authorization_header_is_401_not_500(room: Newsroom) -> None:
    for value in ("Bearer", "Basic abc", "Bearer " + "x" * 5000, "Bearer \u00e9t\u00e9".encode()):
        response = room.client.get("/v1/articles", headers={"Authorization": value})
        assert_problem(response, 401)
