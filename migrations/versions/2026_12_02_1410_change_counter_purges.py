"""change_counter: purges, moved by every commit that changes what public reads see
in a way the change log does not describe (a notice, a service, a section, a tag,
an author), so that answers kept in memory know to drop everything.

Revision ID: 8c1e4f2a9d37
Revises: 8c41f0d2a7b3
Create Date: 2026-12-02 14:10:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "8c1e4f2a9d37"
down_revision: str | None = "8c41f0d2a7b3"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("change_counter", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("purges", sa.BigInteger(), server_default="0", nullable=False)
        )


def downgrade() -> None:
    with op.batch_alter_table("change_counter", schema=None) as batch_op:
        batch_op.drop_column("purges")
