"""search index

Revision ID: 881b896ae2a2
Revises: 117a8981a13b
Create Date: 2026-12-01 23:05:53.212650

The index of an existing store fills with ``masthead rerender``.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "881b896ae2a2"
down_revision: str | None = "117a8981a13b"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

FACTS = [
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
]
FTS_COLUMNS = "headline, summary, body, headline_folds, summary_folds, body_folds"
OLD_VALUES = ", ".join(f"old.{name}" for name in FTS_COLUMNS.split(", "))
NEW_VALUES = ", ".join(f"new.{name}" for name in FTS_COLUMNS.split(", "))
# FTS5 over the stored terms (external content: search_documents), kept current by
# triggers. The terms are made in Python and contain no ASCII punctuation, so the
# ascii tokenizer splits them exactly at the spaces.
SQLITE_FTS = [
    f"""CREATE VIRTUAL TABLE search_fts USING fts5({FTS_COLUMNS},
        content='search_documents', content_rowid='doc_id', tokenize='ascii')""",
    f"""CREATE TRIGGER search_documents_ai AFTER INSERT ON search_documents BEGIN
        INSERT INTO search_fts(rowid, {FTS_COLUMNS}) VALUES (new.doc_id, {NEW_VALUES});
        END""",
    f"""CREATE TRIGGER search_documents_ad AFTER DELETE ON search_documents BEGIN
        INSERT INTO search_fts(search_fts, rowid, {FTS_COLUMNS})
        VALUES ('delete', old.doc_id, {OLD_VALUES});
        END""",
    f"""CREATE TRIGGER search_documents_au AFTER UPDATE ON search_documents BEGIN
        INSERT INTO search_fts(search_fts, rowid, {FTS_COLUMNS})
        VALUES ('delete', old.doc_id, {OLD_VALUES});
        INSERT INTO search_fts(rowid, {FTS_COLUMNS}) VALUES (new.doc_id, {NEW_VALUES});
        END""",
]


def upgrade() -> None:
    op.create_table(
        "search_documents",
        sa.Column("doc_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("article_id", sa.Integer(), nullable=True),
        sa.Column("video_id", sa.Integer(), nullable=True),
        sa.Column("service", sa.String(length=32), nullable=False),
        sa.Column("language", sa.String(length=35), nullable=False),
        sa.Column("section_id", sa.Integer(), nullable=True),
        sa.Column("public_from", sa.BigInteger(), nullable=False),
        sa.Column("published_ts", sa.BigInteger(), nullable=False),
        sa.Column("breaking_until", sa.BigInteger(), nullable=True),
        sa.Column("withheld_in", sa.String(length=800), nullable=False),
        sa.Column("headline", sa.Text(), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("headline_folds", sa.Text(), nullable=False),
        sa.Column("summary_folds", sa.Text(), nullable=False),
        sa.Column("body_folds", sa.Text(), nullable=False),
        sa.Column("snippet", sa.Text(), nullable=False),
        sa.Column("snippet_terms", sa.Text(), nullable=False),
        sa.Column(
            "vector", sa.Text().with_variant(postgresql.TSVECTOR(), "postgresql"), nullable=True
        ),
        sa.ForeignKeyConstraint(
            ["article_id"],
            ["articles.id"],
            name=op.f("fk_search_documents_article_id_articles"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["video_id"],
            ["videos.id"],
            name=op.f("fk_search_documents_video_id_videos"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("doc_id", name=op.f("pk_search_documents")),
    )
    with op.batch_alter_table("search_documents", schema=None) as batch_op:
        batch_op.create_index("ix_search_documents_article_id", ["article_id"], unique=False)
        batch_op.create_index("ix_search_documents_video_id", ["video_id"], unique=False)
        batch_op.create_index("ix_search_documents_public_from", ["public_from"], unique=False)
        batch_op.create_index(
            "ix_search_documents_breaking_until", ["breaking_until"], unique=False
        )
        batch_op.create_index("ix_search_documents_facts", FACTS, unique=False)
        batch_op.create_index(
            "ix_search_documents_published", ["published_ts", "doc_id"], unique=False
        )
        batch_op.create_index(
            "ix_search_documents_vector",
            ["vector"],
            unique=False,
            postgresql_using="gin",
            sqlite_where=sa.text("0"),
        )
    if op.get_bind().dialect.name == "sqlite":
        for statement in SQLITE_FTS:
            op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for trigger in ("ai", "ad", "au"):
            op.execute(f"DROP TRIGGER search_documents_{trigger}")
        op.execute("DROP TABLE search_fts")
    with op.batch_alter_table("search_documents", schema=None) as batch_op:
        batch_op.drop_index(
            "ix_search_documents_vector", postgresql_using="gin", sqlite_where=sa.text("0")
        )
        batch_op.drop_index("ix_search_documents_published")
        batch_op.drop_index("ix_search_documents_facts")
        batch_op.drop_index("ix_search_documents_breaking_until")
        batch_op.drop_index("ix_search_documents_public_from")
        batch_op.drop_index("ix_search_documents_video_id")
        batch_op.drop_index("ix_search_documents_article_id")
    op.drop_table("search_documents")
