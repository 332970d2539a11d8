"""Editorial endpoints of notices (there is no public list: article reads carry
the notices that apply to each reader)."""

from typing import Annotated

from fastapi import APIRouter, Path
from sqlalchemy.orm import Session

from app.editorial.routes import Answer, Resource, add_resource_routes
from app.models import Notice
from app.notices import editorial
from app.notices.schemas import NoticeStored, NoticeWrite

router = APIRouter(tags=["notices"])


def notice_key(notice_id: Annotated[int, Path(ge=1, le=2**62)]) -> int:
    return notice_id


def _answer(_session: Session, notice: Notice) -> Answer:
    return Answer(
        editorial.notice_document(notice),
        editorial.notice_etag(notice),
        f"/v1/notices/{notice.id}",
    )


add_resource_routes(
    router,
    Resource(
        name="notice",
        collection_path="/v1/notices",
        item_path="/v1/notices/{notice_id}",
        key=notice_key,
        write_model=NoticeWrite,
        response_model=NoticeStored,
        create=editorial.create_notice,
        update=editorial.update_notice,
        delete=editorial.delete_notice,
        answer=_answer,
        create_doc="Create a notice (admin, or an editor of every service it names).",
        update_doc="Change a notice (JSON merge patch, If-Match); readers see it on their "
        "next read.",
        delete_doc="Delete a notice (If-Match).",
    ),
)
