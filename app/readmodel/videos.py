"""Rendering videos into the read model, and the articles that show them."""

from collections.abc import Iterable
from typing import cast

import orjson
from sqlalchemy import Table, delete, insert, select
from sqlalchemy.orm import Session

from app.kit.timeutil import to_ms
from app.models import ArticleRelatedVideo, VideoRender
from app.readmodel.articles import render_articles
from app.readmodel.changes import record_videos
from app.readmodel.documents import content_etag, resizer_of, video_document, video_rules
from app.readmodel.loading import load_videos
from app.readmodel.search_index import index_videos


def render_video(session: Session, video_id: int, *, cascade: bool = True) -> None:
    render_videos(session, [video_id], cascade=cascade)


def render_videos(session: Session, video_ids: Iterable[int], *, cascade: bool = True) -> None:
    """Store the videos' public renderings, and refresh the articles that show them."""
    ids = sorted(set(video_ids))
    if not ids:
        return
    videos = load_videos(session, ids)
    session.execute(delete(VideoRender).where(VideoRender.video_id.in_(ids)))
    rows = []
    resizer = resizer_of(session)
    for video in videos.values():
        doc = video_document(video, video.service.code, resizer)
        doc["transcript"] = video.transcript
        detail = orjson.dumps(doc)
        rules = orjson.dumps(video_rules(video))
        rows.append(
            {
                "video_id": video.id,
                "service": video.service.code,
                "published_ts": to_ms(video.published_at),
                "updated_ts": to_ms(video.updated_at),
                "etag": content_etag(resizer, detail, rules),
                "rules": rules.decode(),
                "detail": detail.decode(),
            }
        )
    if rows:
        session.execute(insert(cast(Table, VideoRender.__table__)), rows)
    index_videos(session, ids)
    record_videos(session, ids)
    if cascade:
        article_ids = session.scalars(
            select(ArticleRelatedVideo.article_id)
            .where(ArticleRelatedVideo.video_id.in_(ids))
            .distinct()
        ).all()
        render_articles(session, article_ids, cascade=False)
