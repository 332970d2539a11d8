"""change log: an item's changes in order; breaking flags come down as changes

An index on ``(item_type, item_id, seq)`` finds an item's previous change in
the log. The articles whose breaking flag is up are marked due when it comes
down, so that the change recorder records the flag's end at its time.

Revision ID: 3b7f2c9d41e6
Revises: 7c1e0f3a9d42
Create Date: 2026-12-02 02:10:00.000000
"""

import time
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "3b7f2c9d41e6"
down_revision: str | None = "7c1e0f3a9d42"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("changes", schema=None) as batch_op:
        batch_op.create_index(
            "ix_changes_item_type_item_id_seq", ["item_type", "item_id", "seq"], unique=False
        )
    op.execute(
        sa.text(
            "UPDATE change_items SET due_ts = ("
            " SELECT r.breaking_until FROM article_renders r"
            " WHERE r.article_id = change_items.item_id)"
            " WHERE item_type = 'article' AND public AND due_ts IS NULL AND EXISTS ("
            " SELECT 1 FROM article_renders r WHERE r.article_id = change_items.item_id"
            " AND r.breaking_until > :now)"
        ).bindparams(now=time.time_ns() // 1_000_000)
    )


def downgrade() -> None:
    with op.batch_alter_table("changes", schema=None) as batch_op:
        batch_op.drop_index("ix_changes_item_type_item_id_seq")
