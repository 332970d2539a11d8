"""Every SQL statement of notices: the read store's list for the hot read path,
and the writes on the request's session."""

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from app.models import Notice, Service
from app.readstore import Query

N = Notice.__table__.c

ALL_NOTICES = Query(
    select(
        N.id,
        N.text,
        N.countries,
        N.services,
        N.language,
        N.active_from,
        N.active_until,
        N.updated_at,
    ).order_by(N.id)
)


class NoticeRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def known_services(self, codes: list[str]) -> set[str]:
        return set(self.session.scalars(select(Service.code).where(Service.code.in_(codes))))

    def add(self, notice: Notice) -> None:
        self.session.add(notice)
        self.session.flush()

    def lock(self, notice_id: int) -> Notice | None:
        """The notice, after a no-op write that takes the row's lock before the
        read (see ``ServiceRepository.lock``)."""
        locked = self.session.execute(
            update(Notice).where(Notice.id == notice_id).values(updated_at=Notice.updated_at)
        )
        if locked.rowcount == 0:  # type: ignore[attr-defined]
            return None
        return self.session.get_one(Notice, notice_id)

    def flush(self) -> None:
        self.session.flush()

    def delete(self, notice_id: int) -> None:
        self.session.execute(delete(Notice).where(Notice.id == notice_id))
        self.session.flush()
