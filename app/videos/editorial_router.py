"""Editorial endpoints of videos."""

from typing import Annotated

from fastapi import APIRouter, Path
from sqlalchemy.orm import Session

from app.editorial.routes import Answer, Resource, add_resource_routes
from app.models import Video
from app.videos import editorial
from app.videos.schemas import VideoStored, VideoWrite

router = APIRouter(tags=["videos"])


def video_key(video_id: Annotated[int, Path(ge=1, le=2**62)]) -> int:
    return video_id


def _answer(session: Session, video: Video) -> Answer:
    document, etag = editorial.stored_document(session, video)
    return Answer(document, etag, f"/v1/videos/{video.id}")


add_resource_routes(
    router,
    Resource(
        name="video",
        collection_path="/v1/videos",
        item_path="/v1/videos/{video_id}",
        key=video_key,
        write_model=VideoWrite,
        response_model=VideoStored,
        create=editorial.create_video,
        update=editorial.update_video,
        delete=editorial.delete_video,
        answer=_answer,
        create_doc="Create a video (admin, or an editor of its service).",
        update_doc="Change a video (JSON merge patch, If-Match); the articles showing it "
        "follow at once.",
        delete_doc="Delete a video no article body embeds; curated lists drop it (If-Match).",
        variants=True,
    ),
)
