"""The SQL of idempotent writes: the first answer to each Idempotency-Key."""

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import IdempotencyRecord


class IdempotencyRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def find(self, token_id: int, key: str) -> IdempotencyRecord | None:
        return self.session.scalars(
            select(IdempotencyRecord).where(
                IdempotencyRecord.token_id == token_id, IdempotencyRecord.key == key
            )
        ).one_or_none()

    def add(self, record: IdempotencyRecord) -> None:
        self.session.add(record)
        self.session.flush()
