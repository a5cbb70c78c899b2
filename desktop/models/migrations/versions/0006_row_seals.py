"""row seals: the state of every row that decides a grade, sealed into the audit chain

The audit chain said who did what, but a raw edit, delete or insert of a ledger row in the
SQLite file went unnoticed. Each transaction now seals the rows it changed (services/seals.py)
and `audit verify` re-hashes the tables against the seals. A database upgraded to this
revision gets one baseline seal of its rows when the program first opens it.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01 21:30:00
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('row_seals',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('table_name', sa.String(length=40), nullable=False),
    sa.Column('row_key', sa.String(length=80), nullable=False),
    sa.Column('digest', sa.String(length=64), nullable=True),
    sa.Column('state', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_row_seals'))
    )
    with op.batch_alter_table('audit_events') as batch:
        batch.add_column(sa.Column('sealed', sa.Text(), server_default='', nullable=False))
    op.create_index('ix_row_seals_row', 'row_seals', ['table_name', 'row_key'], unique=False)
    op.create_index(op.f('ix_row_seals_event_id'), 'row_seals', ['event_id'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_row_seals_event_id'), table_name='row_seals')
    op.drop_index('ix_row_seals_row', table_name='row_seals')
    op.drop_table('row_seals')
    with op.batch_alter_table('audit_events') as batch:
        batch.drop_column('sealed')
