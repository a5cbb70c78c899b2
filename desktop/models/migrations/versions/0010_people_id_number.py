"""people.id_number, and the names a frozen result was graded under

`people.id_number` is the 身份证号 a bureau's personnel workbook names people by: stored
normalised, shown masked, indexed because an adjustment list without badges is matched by it.
`score_results` keeps the badge, name, identity and department name it was computed with, so a
rename after locking leaves the signed sheet and its verification code as they were; rows
frozen earlier take today's values (the best this migration knows). Plain ADD COLUMN and
UPDATE with correlated subqueries: the same on SQLite and PostgreSQL.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-02 14:00:00
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column('people', sa.Column('id_number', sa.String(length=18), server_default='', nullable=False))
    op.create_index(op.f('ix_people_id_number'), 'people', ['id_number'], unique=False)
    for name, size in (('person_badge', 32), ('person_name', 50), ('person_identity', 16), ('department_name', 100)):
        op.add_column('score_results', sa.Column(name, sa.String(length=size), server_default='', nullable=False))
    op.execute("UPDATE score_results SET "
               "person_badge = COALESCE((SELECT badge FROM people WHERE people.id = score_results.person_id), ''), "
               "person_name = COALESCE((SELECT name FROM people WHERE people.id = score_results.person_id), ''), "
               "person_identity = COALESCE((SELECT identity FROM people WHERE people.id = score_results.person_id), ''), "
               "department_name = COALESCE((SELECT name FROM departments "
               "WHERE departments.id = score_results.department_id), '')")


def downgrade() -> None:
    for name in ('department_name', 'person_identity', 'person_name', 'person_badge'):
        op.drop_column('score_results', name)
    op.drop_index(op.f('ix_people_id_number'), table_name='people')
    op.drop_column('people', 'id_number')
