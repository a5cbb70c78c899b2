"""entry sums deferrable: a bulk import adds its month sums in one statement

On PostgreSQL the month sums' PL/pgSQL function learns to step aside for the inserts of a
transaction that has set `jifen.sums_deferred` (desktop/models/bulk_sums.py adds those rows'
sums afterwards, set-based). SQLite's triggers need no change: there the import drops its
insert trigger inside its own transaction and makes it again before committing.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-07 18:40:00
"""
from __future__ import annotations

from alembic import op

from desktop.models import pg_sums

revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for statement in pg_sums.create(with_scheme=True, deferrable=True):
            op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for statement in pg_sums.create(with_scheme=True):
            op.execute(statement)
