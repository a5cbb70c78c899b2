"""entries person index with the scheme: a person's entries of one scheme without a scheme scan

With `(person_id, occurred_on)` and `(scheme, occurred_on)` (0012) both one equality and a date
range, SQLite without statistics picked the scheme index for "this person's person-scheme
entries of the year" and read the whole county's year for each person: 0.32 s a file in the
year's 政绩档案 of 2,000 people (jifen bench performance_file_pdf). `(person_id, scheme,
occurred_on)` has two equalities, so it is chosen on any database, analysed or not; it serves
the queries the old index served too (a person's dates are checked inside the index).

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-04 21:20:00
"""
from __future__ import annotations

from alembic import op

revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Plain CREATE/DROP INDEX on both databases: a batch rebuild of entries would drop the
    # entry_sums triggers.
    op.create_index('ix_entries_person_scheme_day', 'entries', ['person_id', 'scheme', 'occurred_on'], unique=False)
    op.drop_index('ix_entries_person_day', table_name='entries')


def downgrade() -> None:
    op.create_index('ix_entries_person_day', 'entries', ['person_id', 'occurred_on'], unique=False)
    op.drop_index('ix_entries_person_scheme_day', table_name='entries')
