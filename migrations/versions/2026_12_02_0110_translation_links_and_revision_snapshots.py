"""translation links by editors, and the content each revision left

Revision ID: 5ecd164e060a
Revises: 881b896ae2a2
Create Date: 2026-12-02 00:37:14.788970

Revisions recorded before this one carry no snapshot: the API reconstructs their
content from the later ones (see app/articles/history.py).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "5ecd164e060a"
down_revision: str | None = "881b896ae2a2"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("articles", schema=None) as batch_op:
        batch_op.add_column(sa.Column("translation_of_id", sa.Integer(), nullable=True))
        batch_op.create_index(
            batch_op.f("ix_articles_translation_of_id"), ["translation_of_id"], unique=False
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_articles_translation_of_id_articles"),
            "articles",
            ["translation_of_id"],
            ["id"],
            ondelete="SET NULL",
        )

    with op.batch_alter_table("revisions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("snapshot", sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column("restored_from", sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("revisions", schema=None) as batch_op:
        batch_op.drop_column("restored_from")
        batch_op.drop_column("snapshot")

    with op.batch_alter_table("articles", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_articles_translation_of_id_articles"), type_="foreignkey"
        )
        batch_op.drop_index(batch_op.f("ix_articles_translation_of_id"))
        batch_op.drop_column("translation_of_id")
