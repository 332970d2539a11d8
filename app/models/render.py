"""The read model: every public representation, rendered once when content changes.

A public read is one indexed lookup in these tables; nothing is serialised per
request but the few parts that depend on the reader (country, current time).
Times are epoch milliseconds so that the hot path compares plain integers on
every backend.
"""

from sqlalchemy import BigInteger, Boolean, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base


class ArticleRender(Base):
    __tablename__ = "article_renders"
    __table_args__ = (
        Index("ix_article_renders_feed", "published_ts", "article_id"),
        Index("ix_article_renders_service_feed", "service", "published_ts", "article_id"),
        Index("ix_article_renders_updated", "updated_ts", "article_id"),
        Index("ix_article_renders_section_feed", "section_id", "published_ts", "article_id"),
        Index("ix_article_renders_service_slug", "service", "slug"),
        # The breaking list reads the few flags still up, not every article.
        Index("ix_article_renders_breaking", "breaking_until"),
        Index("ix_article_renders_service_breaking", "service", "breaking_until"),
    )

    article_id: Mapped[int] = mapped_column(
        ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True
    )
    service: Mapped[str] = mapped_column(String(32))
    section_id: Mapped[int | None] = mapped_column(Integer)
    language: Mapped[str] = mapped_column(String(35))
    slug: Mapped[str] = mapped_column(String(200))
    # When the article becomes publicly visible (publication or embargo end);
    # NULL while it is a draft or archived.
    public_from: Mapped[int | None] = mapped_column(BigInteger)
    published_ts: Mapped[int] = mapped_column(BigInteger)
    updated_ts: Mapped[int] = mapped_column(BigInteger)
    breaking_until: Mapped[int | None] = mapped_column(BigInteger)
    withheld_in: Mapped[str] = mapped_column(String(800), default="")
    etag: Mapped[str] = mapped_column(String(64))
    detail: Mapped[str] = mapped_column(Text)
    teaser: Mapped[str] = mapped_column(Text)
    summary: Mapped[str] = mapped_column(Text)
    related: Mapped[str] = mapped_column(Text)
    # The detail's related videos already resolved, when they are the same for
    # every reader at every time (no country rules, no time window), else NULL:
    # their surrogate keys, a newline, then the JSON list.
    related_detail: Mapped[str | None] = mapped_column(Text)
    # [[public_from, translation], ...]: a translation shows once it is public.
    translations: Mapped[str] = mapped_column(Text, default="[]", server_default="[]")


class ArticleRelatedVideo(Base):
    """Curated and suggested videos as rendered, so a video change finds its articles."""

    __tablename__ = "article_related_videos"

    article_id: Mapped[int] = mapped_column(
        ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True
    )
    video_id: Mapped[int] = mapped_column(
        ForeignKey("videos.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    position: Mapped[int] = mapped_column(Integer)
    curated: Mapped[bool] = mapped_column(Boolean)


class VideoRender(Base):
    __tablename__ = "video_renders"
    __table_args__ = (
        Index("ix_video_renders_feed", "published_ts", "video_id"),
        Index("ix_video_renders_service_feed", "service", "published_ts", "video_id"),
    )

    video_id: Mapped[int] = mapped_column(
        ForeignKey("videos.id", ondelete="CASCADE"), primary_key=True
    )
    service: Mapped[str] = mapped_column(String(32))
    published_ts: Mapped[int] = mapped_column(BigInteger)
    updated_ts: Mapped[int] = mapped_column(BigInteger)
    etag: Mapped[str] = mapped_column(String(64))
    # Availability rules, resolved for each request's country and time.
    rules: Mapped[str] = mapped_column(Text)
    detail: Mapped[str] = mapped_column(Text)
