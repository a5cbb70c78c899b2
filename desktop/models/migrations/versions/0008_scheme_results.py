"""scheme results: a non-person scheme's period results frozen, signed and locked

`scheme_results` holds the rows a scheme's sign-off chain signs (JSON with its SHA-256) and
the state (signing, locked); `scheme_signoffs` one row per signed step. Plain tables, the same
on SQLite and PostgreSQL.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02 03:10:00
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('scheme_results',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('uuid', sa.String(length=36), nullable=False),
    sa.Column('scheme', sa.String(length=24), nullable=False),
    sa.Column('period_code', sa.String(length=10), nullable=False),
    sa.Column('state', sa.String(length=10), nullable=False),
    sa.Column('rows_json', sa.Text(), nullable=False),
    sa.Column('digest', sa.String(length=64), nullable=False),
    sa.Column('frozen_by_id', sa.Integer(), nullable=True),
    sa.Column('frozen_by_name', sa.String(length=50), nullable=False),
    sa.Column('frozen_at', sa.DateTime(), nullable=False),
    sa.Column('locked_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['frozen_by_id'], ['users.id'], name=op.f('fk_scheme_results_frozen_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_scheme_results')),
    sa.UniqueConstraint('scheme', 'period_code', name=op.f('uq_scheme_results_scheme')),
    sa.UniqueConstraint('uuid', name=op.f('uq_scheme_results_uuid'))
    )
    op.create_index(op.f('ix_scheme_results_scheme'), 'scheme_results', ['scheme'], unique=False)
    op.create_table('scheme_signoffs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('uuid', sa.String(length=36), nullable=False),
    sa.Column('result_id', sa.Integer(), nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('step_title', sa.String(length=50), nullable=False),
    sa.Column('role', sa.String(length=16), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('signer_name', sa.String(length=50), nullable=False),
    sa.Column('signed_at', sa.DateTime(), nullable=False),
    sa.Column('digest', sa.String(length=64), nullable=False),
    sa.ForeignKeyConstraint(['result_id'], ['scheme_results.id'], name=op.f('fk_scheme_signoffs_result_id_scheme_results')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_scheme_signoffs_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_scheme_signoffs')),
    sa.UniqueConstraint('result_id', 'seq', name=op.f('uq_scheme_signoffs_result_id')),
    sa.UniqueConstraint('uuid', name=op.f('uq_scheme_signoffs_uuid'))
    )


def downgrade() -> None:
    op.drop_table('scheme_signoffs')
    op.drop_index(op.f('ix_scheme_results_scheme'), table_name='scheme_results')
    op.drop_table('scheme_results')
