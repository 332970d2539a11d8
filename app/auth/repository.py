"""The SQL of tokens: the read store's lookup by hash, and the writes of the command line."""

from collections.abc import Iterable

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from app.models import ApiToken, Service
from app.readstore import Query

T = ApiToken.__table__.c
BY_HASH = Query(
    select(T.id, T.name, T.role, T.services, T.token_hash, T.revoked_at, T.expires_at).where(
        T.token_hash == bindparam("hash")
    )
)


class TokenRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def known_services(self, codes: Iterable[str]) -> set[str]:
        return set(self.session.scalars(select(Service.code).where(Service.code.in_(codes))))

    def add(self, token: ApiToken) -> None:
        self.session.add(token)
        self.session.flush()

    def get(self, token_id: int) -> ApiToken | None:
        return self.session.get(ApiToken, token_id)

    def every(self) -> list[ApiToken]:
        return list(self.session.scalars(select(ApiToken).order_by(ApiToken.id)))

    def flush(self) -> None:
        self.session.flush()
