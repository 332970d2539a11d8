"""search_documents.body_from: a digest of the body text and language a document's
body terms were analysed from, so that a write analyses the body again only when it
changed. Existing rows are left NULL (not known): their next write analyses it.

Revision ID: 3b7d9e1f5a20
Revises: 8c1e4f2a9d37
Create Date: 2026-12-02 16:30:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "3b7d9e1f5a20"
down_revision: str | None = "8c1e4f2a9d37"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


# Plain ALTER TABLE on both backends (SQLite adds and drops a column in place): a
# batch copy of search_documents would lose the triggers that keep FTS5 current.


def upgrade() -> None:
    op.add_column("search_documents", sa.Column("body_from", sa.String(32), nullable=True))


def downgrade() -> None:
    op.drop_column("search_documents", "body_from")
