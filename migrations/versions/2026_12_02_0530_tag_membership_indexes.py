"""tags: covering indexes from a tag to its articles and videos

``(tag_id, article_id)`` and ``(tag_id, video_id)`` replace the single-column
indexes on ``tag_id``: related articles count shared tags, and suggested videos
are gathered by tag, from the index alone.

Revision ID: 5d2a9e7c4b18
Revises: 3b7f2c9d41e6
Create Date: 2026-12-02 05:30:00.000000
"""

from collections.abc import Sequence

from alembic import op

revision: str = "5d2a9e7c4b18"
down_revision: str | None = "3b7f2c9d41e6"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_TABLES = (("article_tags", "article_id"), ("video_tags", "video_id"))


def upgrade() -> None:
    for table, item in _TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.create_index(f"ix_{table}_tag_id_{item}", ["tag_id", item], unique=False)
            batch_op.drop_index(f"ix_{table}_tag_id")


def downgrade() -> None:
    for table, item in _TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.create_index(f"ix_{table}_tag_id", ["tag_id"], unique=False)
            batch_op.drop_index(f"ix_{table}_tag_id_{item}")
