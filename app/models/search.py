"""The search index: one row per publicly visible (or scheduled) article and per video.

The analysed terms are computed in Python (``app/search/analysis.py``) and stored
here, so that both stores search the same terms. On SQLite an FTS5 table
(``search_fts``, external content: this table) indexes the term columns and is kept
current by triggers; on PostgreSQL ``vector`` holds the weighted ``tsvector`` of
the same terms, under a GIN index. Neither the FTS5 table nor its shadow tables
are ORM tables: ``is_search_index_table`` tells Alembic's comparison to leave them.
"""

from sqlalchemy import BigInteger, ForeignKey, Index, Integer, String, Text, text
from sqlalchemy.dialects.postgresql import TSVECTOR
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base

#: SQLite's full-text index of ``search_documents`` (with its shadow tables).
FTS_TABLE = "search_fts"


def is_search_index_table(name: str | None) -> bool:
    """Whether a table is SQLite's FTS5 index (or one of its shadow tables)."""
    return name is not None and (name == FTS_TABLE or name.startswith(FTS_TABLE + "_"))


class SearchDocument(Base):
    __tablename__ = "search_documents"
    __table_args__ = (
        Index("ix_search_documents_published", "published_ts", "doc_id"),
        Index("ix_search_documents_public_from", "public_from"),
        Index("ix_search_documents_breaking_until", "breaking_until"),
        # Everything a search filters and ranks on but the text: each match is joined
        # through this index alone, never through the wide rows.
        Index(
            "ix_search_documents_facts",
            "doc_id",
            "public_from",
            "published_ts",
            "kind",
            "service",
            "language",
            "section_id",
            "breaking_until",
            "withheld_in",
            "article_id",
            "video_id",
        ),
        # PostgreSQL's full-text index; on SQLite FTS5 does that job, and the
        # predicate keeps this one empty there.
        Index(
            "ix_search_documents_vector",
            "vector",
            postgresql_using="gin",
            sqlite_where=text("0"),
        ),
    )

    # 2 * id for an article, 2 * id + 1 for a video: stable across re-indexing, and
    # SQLite's FTS5 rowid.
    doc_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    kind: Mapped[str] = mapped_column(String(8))
    # One of the two; a deleted article or video leaves the index with it.
    article_id: Mapped[int | None] = mapped_column(
        ForeignKey("articles.id", ondelete="CASCADE"), index=True
    )
    video_id: Mapped[int | None] = mapped_column(
        ForeignKey("videos.id", ondelete="CASCADE"), index=True
    )
    service: Mapped[str] = mapped_column(String(32))
    language: Mapped[str] = mapped_column(String(35))
    section_id: Mapped[int | None] = mapped_column(Integer)
    # Epoch milliseconds, as in the read model; videos are public from 0.
    public_from: Mapped[int] = mapped_column(BigInteger)
    published_ts: Mapped[int] = mapped_column(BigInteger)
    breaking_until: Mapped[int | None] = mapped_column(BigInteger)
    withheld_in: Mapped[str] = mapped_column(String(800), default="")
    # Space-separated terms of each field, and their fold keys, in order.
    headline: Mapped[str] = mapped_column(Text)
    summary: Mapped[str] = mapped_column(Text)
    body: Mapped[str] = mapped_column(Text)
    headline_folds: Mapped[str] = mapped_column(Text)
    summary_folds: Mapped[str] = mapped_column(Text)
    body_folds: Mapped[str] = mapped_column(Text)
    # The readable text highlights are cut from, and the term of each of its words.
    snippet: Mapped[str] = mapped_column(Text)
    snippet_terms: Mapped[str] = mapped_column(Text)
    vector: Mapped[str | None] = mapped_column(Text().with_variant(TSVECTOR(), "postgresql"))
    # The headline, summary and lede part of ``vector``, which ranking reads.
    rank_vector: Mapped[str | None] = mapped_column(Text().with_variant(TSVECTOR(), "postgresql"))
    # The digest of the body text and language the body terms were analysed from
    # (``app.readmodel.search_index.body_key``); NULL: not known.
    body_from: Mapped[str | None] = mapped_column(String(32))
