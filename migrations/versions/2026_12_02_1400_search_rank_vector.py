"""search: a small ranking vector beside the full one

PostgreSQL ranks matches by ``rank_vector`` (headline, summary and lede), kept in
the row, rather than by the full vector, stored out of line: filled here from the
terms the index keeps. SQLite ranks with FTS5 and leaves the column empty.

Revision ID: 8c41f0d2a7b3
Revises: 5d2a9e7c4b18
Create Date: 2026-12-02 14:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from app.readmodel.search_index import RANK_BODY_TERMS, rank_vector

revision: str = "8c41f0d2a7b3"
down_revision: str | None = "5d2a9e7c4b18"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_BATCH = 2_000
# Enough characters of the body's terms for its lede, however long its words.
_BODY_CHARS = 64 * RANK_BODY_TERMS


def _lede(terms: str) -> list[str]:
    found = terms.split()
    if len(terms) == _BODY_CHARS:
        found = found[:-1]  # the last one may be cut
    return found[:RANK_BODY_TERMS]


def _fill() -> None:
    bind = op.get_bind()
    last = -1
    while True:
        rows = bind.execute(
            sa.text(
                "SELECT doc_id, headline, summary, substr(body, 1, :chars), headline_folds, "
                "summary_folds, substr(body_folds, 1, :chars) FROM search_documents "
                "WHERE doc_id > :last ORDER BY doc_id LIMIT :batch"
            ),
            {"chars": _BODY_CHARS, "last": last, "batch": _BATCH},
        ).all()
        if not rows:
            return
        values = []
        for doc_id, headline, summary, body, headline_folds, summary_folds, body_folds in rows:
            fields = [headline.split(), summary.split(), _lede(body)]
            folds = [headline_folds.split(), summary_folds.split(), _lede(body_folds)]
            values.append({"id": doc_id, "vector": rank_vector(fields, folds)})
        bind.execute(
            sa.text(
                "UPDATE search_documents SET rank_vector = CAST(:vector AS tsvector) "
                "WHERE doc_id = :id"
            ),
            values,
        )
        last = rows[-1][0]


# Not in batch mode: on SQLite that would copy the table and lose the triggers that
# keep FTS5 current; SQLite adds and drops a column in place.
def upgrade() -> None:
    op.add_column(
        "search_documents",
        sa.Column(
            "rank_vector",
            sa.Text().with_variant(postgresql.TSVECTOR(), "postgresql"),
            nullable=True,
        ),
    )
    if op.get_bind().dialect.name == "postgresql":
        _fill()


def downgrade() -> None:
    op.drop_column("search_documents", "rank_vector")
