"""article renders breaking indexes

Revision ID: 258789bb3978
Revises: f4b66bb780d4
Create Date: 2026-12-01 23:00:00.000000
"""

from collections.abc import Sequence

from alembic import op

revision: str = "258789bb3978"
down_revision: str | None = "f4b66bb780d4"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("article_renders", schema=None) as batch_op:
        batch_op.create_index("ix_article_renders_breaking", ["breaking_until"], unique=False)
        batch_op.create_index(
            "ix_article_renders_service_breaking", ["service", "breaking_until"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("article_renders", schema=None) as batch_op:
        batch_op.drop_index("ix_article_renders_service_breaking")
        batch_op.drop_index("ix_article_renders_breaking")
