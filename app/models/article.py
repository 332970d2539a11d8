from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.models.base import Base, utcnow
from app.models.service import Service
from app.models.taxonomy import Author, Section, Tag

ARTICLE_STATUSES = ("draft", "scheduled", "published", "archived")


class Article(Base):
    __tablename__ = "articles"
    __table_args__ = (
        UniqueConstraint("service_id", "slug"),
        Index("ix_articles_translation_group", "translation_group"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    uri: Mapped[str | None] = mapped_column(String(500), unique=True)
    service_id: Mapped[int] = mapped_column(ForeignKey("services.id", ondelete="RESTRICT"))
    language: Mapped[str] = mapped_column(String(35))
    slug: Mapped[str] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(16), default="draft")
    kicker: Mapped[str | None] = mapped_column(String(200))
    headline: Mapped[str] = mapped_column(Text)
    dek: Mapped[str | None] = mapped_column(Text)
    body: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    lead_image: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    section_id: Mapped[int | None] = mapped_column(ForeignKey("sections.id", ondelete="SET NULL"))
    urgency: Mapped[int] = mapped_column(Integer, default=5)
    breaking_until: Mapped[datetime | None]
    embargo_until: Mapped[datetime | None]
    withheld_in: Mapped[list[str]] = mapped_column(JSON, default=list)
    # Articles sharing a group are the same story in several services: each one's
    # ``translations`` lists the others.
    translation_group: Mapped[str | None] = mapped_column(String(200))
    # The article (in another service) an editor said this one translates; it is in
    # that article's translation group.
    translation_of_id: Mapped[int | None] = mapped_column(
        ForeignKey("articles.id", ondelete="SET NULL"), index=True
    )
    first_published_at: Mapped[datetime | None]
    published_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    word_count: Mapped[int] = mapped_column(Integer, default=0)
    reading_time_minutes: Mapped[int] = mapped_column(Integer, default=1)
    # Bumped by every editorial write; the editorial ETag and If-Match use it.
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    # The agency's ninjs version and versionCreated of the item an import last
    # applied, so that an older version arriving later does not overwrite it.
    source_version: Mapped[int | None] = mapped_column(BigInteger)
    source_version_created: Mapped[datetime | None]

    service: Mapped[Service] = relationship(lazy="raise")
    section: Mapped[Section | None] = relationship(lazy="raise")
    tags: Mapped[list[Tag]] = relationship(
        secondary="article_tags", order_by="ArticleTag.position", lazy="raise", viewonly=True
    )
    authors: Mapped[list[Author]] = relationship(
        secondary="article_authors",
        order_by="ArticleAuthor.position",
        lazy="raise",
        viewonly=True,
    )
    corrections: Mapped[list["Correction"]] = relationship(
        order_by="Correction.created_at", lazy="raise", cascade="all, delete-orphan"
    )
    summaries: Mapped[list["Summary"]] = relationship(lazy="raise", cascade="all, delete-orphan")


class ArticleSlug(Base):
    """Every slug an article has had in its service, the current one included."""

    __tablename__ = "article_slugs"
    __table_args__ = (UniqueConstraint("service_id", "slug"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    article_id: Mapped[int] = mapped_column(
        ForeignKey("articles.id", ondelete="CASCADE"), index=True
    )
    service_id: Mapped[int] = mapped_column(ForeignKey("services.id", ondelete="CASCADE"))
    slug: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class ArticleTag(Base):
    __tablename__ = "article_tags"
    # A tag's articles from the index alone, newest (highest id) first: related
    # articles count the tags they share.
    __table_args__ = (Index("ix_article_tags_tag_id_article_id", "tag_id", "article_id"),)

    article_id: Mapped[int] = mapped_column(
        ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True
    )
    tag_id: Mapped[int] = mapped_column(ForeignKey("tags.id", ondelete="CASCADE"), primary_key=True)
    position: Mapped[int] = mapped_column(Integer, default=0)


class ArticleAuthor(Base):
    __tablename__ = "article_authors"

    article_id: Mapped[int] = mapped_column(
        ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True
    )
    author_id: Mapped[int] = mapped_column(
        ForeignKey("authors.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    position: Mapped[int] = mapped_column(Integer, default=0)


class ArticleVideo(Base):
    """The editors' curated, ordered related videos of an article."""

    __tablename__ = "article_videos"

    article_id: Mapped[int] = mapped_column(
        ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True
    )
    video_id: Mapped[int] = mapped_column(
        ForeignKey("videos.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    position: Mapped[int] = mapped_column(Integer, default=0)


class Correction(Base):
    __tablename__ = "corrections"

    id: Mapped[int] = mapped_column(primary_key=True)
    article_id: Mapped[int] = mapped_column(
        ForeignKey("articles.id", ondelete="CASCADE"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    text: Mapped[str] = mapped_column(Text)


class Summary(Base):
    """An article's key points: one editorial and one generated row at most."""

    __tablename__ = "summaries"

    article_id: Mapped[int] = mapped_column(
        ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True
    )
    source: Mapped[str] = mapped_column(String(16), primary_key=True)
    bullets: Mapped[list[str]] = mapped_column(JSON)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
