"""Every SQL statement of language services (editions): the public reads on the
read store, and the writes on the request's session."""

from sqlalchemy import bindparam, delete, exists, select, update
from sqlalchemy.orm import Session

from app.models import Article, Notice, Service, Video
from app.readstore import Query

S = Service.__table__.c
_COLUMNS = (S.code, S.name, S.description, S.language, S.direction, S.timezone, S.site_url)
ALL = Query(select(*_COLUMNS, S.updated_at).order_by(S.code))
ONE = Query(select(*_COLUMNS, S.updated_at).where(S.code == bindparam("code")))
SERVICE_EXISTS = Query(select(S.id).where(S.code == bindparam("code")))


class ServiceRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def by_code(self, code: str) -> Service | None:
        return self.session.scalars(select(Service).where(Service.code == code)).one_or_none()

    def add(self, service: Service) -> None:
        self.session.add(service)
        self.session.flush()

    def lock(self, code: str) -> Service | None:
        """The service, after a no-op write that takes the row's lock (PostgreSQL)
        or the database's write lock (SQLite): the If-Match check then sees the
        latest committed state, and two concurrent writers cannot both pass it."""
        locked = self.session.execute(
            update(Service).where(Service.code == code).values(updated_at=Service.updated_at)
        )
        if locked.rowcount == 0:  # type: ignore[attr-defined]
            return None
        return self.session.scalars(select(Service).where(Service.code == code)).one()

    def flush(self) -> None:
        self.session.flush()

    def article_ids(self, service_id: int) -> list[int]:
        return list(
            self.session.scalars(select(Article.id).where(Article.service_id == service_id))
        )

    def holds(self, service_id: int) -> str | None:
        """What still belongs to the service: ``articles``, ``videos``, or None."""
        for model, what in ((Article, "articles"), (Video, "videos")):
            if self.session.scalar(select(exists().where(model.service_id == service_id))):
                return what
        return None

    def named_by_notices(self, code: str) -> bool:
        return any(
            code in (notice.services or ()) for notice in self.session.scalars(select(Notice))
        )

    def delete(self, service_id: int) -> None:
        # Its sections and tags go with it (ON DELETE CASCADE).
        self.session.execute(delete(Service).where(Service.id == service_id))
        self.session.flush()
