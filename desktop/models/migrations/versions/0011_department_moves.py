"""department_moves: a move between departments with its effective date

A person moved on the 15th is ranked that month in the new department and the months before in
the old one; `people.department_id` alone could only say "now". Existing people get no rows:
their department has always been the one they hold. Plain DDL, the same on both databases.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-03 10:20:00
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('department_moves',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('uuid', sa.String(length=36), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('from_department_id', sa.Integer(), nullable=False),
    sa.Column('to_department_id', sa.Integer(), nullable=False),
    sa.Column('effective_on', sa.Date(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.ForeignKeyConstraint(['person_id'], ['people.id'], name=op.f('fk_department_moves_person_id_people')),
    sa.ForeignKeyConstraint(['from_department_id'], ['departments.id'],
                            name=op.f('fk_department_moves_from_department_id_departments')),
    sa.ForeignKeyConstraint(['to_department_id'], ['departments.id'],
                            name=op.f('fk_department_moves_to_department_id_departments')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_department_moves_created_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_department_moves')),
    sa.UniqueConstraint('uuid', name=op.f('uq_department_moves_uuid')),
    sa.UniqueConstraint('person_id', 'effective_on', name=op.f('uq_department_moves_person_id'))
    )
    op.create_index(op.f('ix_department_moves_person_id'), 'department_moves', ['person_id'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_department_moves_person_id'), table_name='department_moves')
    op.drop_table('department_moves')
