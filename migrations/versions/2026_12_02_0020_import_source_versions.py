"""the agency version an import last applied, per article and video

Revision ID: 117a8981a13b
Revises: 258789bb3978
Create Date: 2026-12-02 00:20:57.413532
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import app.models.base

revision: str = "117a8981a13b"
down_revision: str | None = "258789bb3978"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("articles", schema=None) as batch_op:
        batch_op.add_column(sa.Column("source_version", sa.BigInteger(), nullable=True))
        batch_op.add_column(
            sa.Column(
                "source_version_created", app.models.base.UTCDateTime(timezone=True), nullable=True
            )
        )

    with op.batch_alter_table("videos", schema=None) as batch_op:
        batch_op.add_column(sa.Column("source_version", sa.BigInteger(), nullable=True))
        batch_op.add_column(
            sa.Column(
                "source_version_created", app.models.base.UTCDateTime(timezone=True), nullable=True
            )
        )


def downgrade() -> None:
    with op.batch_alter_table("videos", schema=None) as batch_op:
        batch_op.drop_column("source_version_created")
        batch_op.drop_column("source_version")

    with op.batch_alter_table("articles", schema=None) as batch_op:
        batch_op.drop_column("source_version_created")
        batch_op.drop_column("source_version")
