"""entries scheme index: each scheme's month read without scanning every scheme's entries

Scoring a scheme (基层基础, 执法, 党建 …) reads its own entries of the month; with only the date
indexes, each scheme scanned the whole month, four schemes four times (jifen bench
scheme_score: 0.56 s against 0.22 s with this index on the county dataset).

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-03 14:50:00
"""
from __future__ import annotations

from alembic import op

revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # A plain CREATE INDEX on both databases: a batch rebuild of entries would drop the
    # entry_sums triggers.
    op.create_index('ix_entries_scheme_day', 'entries', ['scheme', 'occurred_on'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_entries_scheme_day', table_name='entries')
