from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.models.base import Base, utcnow
from app.models.service import Service
from app.models.taxonomy import Section, Tag


class Video(Base):
    __tablename__ = "videos"

    id: Mapped[int] = mapped_column(primary_key=True)
    uri: Mapped[str | None] = mapped_column(String(500), unique=True)
    service_id: Mapped[int] = mapped_column(ForeignKey("services.id", ondelete="RESTRICT"))
    title: Mapped[str] = mapped_column(Text)
    description: Mapped[str | None] = mapped_column(Text)
    duration: Mapped[int] = mapped_column(Integer)
    thumbnail: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    renditions: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    captions: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    transcript: Mapped[str | None] = mapped_column(Text)
    countries_allowed: Mapped[list[str] | None] = mapped_column(JSON)
    countries_blocked: Mapped[list[str] | None] = mapped_column(JSON)
    available_from: Mapped[datetime | None]
    available_until: Mapped[datetime | None]
    section_id: Mapped[int | None] = mapped_column(ForeignKey("sections.id", ondelete="SET NULL"))
    published_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    # As for articles: the version of the agency item an import last applied.
    source_version: Mapped[int | None] = mapped_column(BigInteger)
    source_version_created: Mapped[datetime | None]

    service: Mapped[Service] = relationship(lazy="raise")
    section: Mapped[Section | None] = relationship(lazy="raise")
    tags: Mapped[list[Tag]] = relationship(secondary="video_tags", lazy="raise", viewonly=True)


class VideoTag(Base):
    __tablename__ = "video_tags"
    # A tag's videos from the index alone: suggestions gather them by tag.
    __table_args__ = (Index("ix_video_tags_tag_id_video_id", "tag_id", "video_id"),)

    video_id: Mapped[int] = mapped_column(
        ForeignKey("videos.id", ondelete="CASCADE"), primary_key=True
    )
    tag_id: Mapped[int] = mapped_column(ForeignKey("tags.id", ondelete="CASCADE"), primary_key=True)
