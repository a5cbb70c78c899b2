"""units and schemes: assessed subjects beyond persons, several 积分制 side by side

Units (所队室, 警务室, 党支部, 执法办案单位) with dated heads and members; the schemes a station
runs; catalogue versions per scheme; entries against a unit, in a scheme, with a case number;
the reviewing unit's word on a case. `entry_sums` keeps summing person-scheme entries only:
its triggers are made again with a WHEN clause, so a unit entry (no person) or another
scheme's entry never reaches the person scheme's totals.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01 22:05:00
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from desktop.models import pg_sums

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None

OLD_TRIGGERS = ("tr_entries_sums_insert", "tr_entries_sums_delete", "tr_entries_sums_update")


def _month(row: str) -> str:
    return (f"(CAST(substr({row}.occurred_on, 1, 4) AS INTEGER) * 100 "
            f"+ CAST(substr({row}.occurred_on, 6, 2) AS INTEGER))")


def _item(row: str, column: str) -> str:
    return f"(SELECT {column} FROM catalogue_items WHERE id = {row}.item_id)"


def _key(row: str) -> str:
    return (f"month = {_month(row)} AND person_id = {row}.person_id AND code = {_item(row, 'code')} "
            f"AND component = {row}.component")


def _add(row: str) -> str:
    return f"""
    INSERT INTO entry_sums (month, person_id, code, component, points_tenths, veto_tenths, entries, cap_tenths)
    VALUES ({_month(row)}, {row}.person_id, {_item(row, 'code')}, {row}.component, {row}.points_tenths,
            CASE WHEN {row}.veto THEN {row}.points_tenths ELSE 0 END, 1, {_item(row, 'monthly_cap_tenths')})
    ON CONFLICT (month, person_id, code, component) DO UPDATE SET
        points_tenths = points_tenths + excluded.points_tenths,
        veto_tenths = veto_tenths + excluded.veto_tenths,
        entries = entries + 1,
        cap_tenths = CASE WHEN cap_tenths IS NULL THEN excluded.cap_tenths
                          WHEN excluded.cap_tenths IS NULL THEN cap_tenths
                          ELSE min(cap_tenths, excluded.cap_tenths) END;"""


def _take(row: str) -> str:
    remaining_cap = f"""(SELECT min(c.monthly_cap_tenths) FROM entries e JOIN catalogue_items c ON c.id = e.item_id
        WHERE e.person_id = {row}.person_id AND e.component = {row}.component AND e.scheme = 'person'
          AND e.occurred_on BETWEEN substr({row}.occurred_on, 1, 7) || '-01' AND substr({row}.occurred_on, 1, 7) || '-31'
          AND c.code = {_item(row, 'code')})"""
    return f"""
    UPDATE entry_sums SET points_tenths = points_tenths - {row}.points_tenths,
        veto_tenths = veto_tenths - CASE WHEN {row}.veto THEN {row}.points_tenths ELSE 0 END,
        entries = entries - 1, cap_tenths = {remaining_cap}
    WHERE {_key(row)};
    DELETE FROM entry_sums WHERE {_key(row)} AND entries <= 0;"""


PERSON = "{row}.scheme = 'person' AND {row}.person_id IS NOT NULL"
TRIGGERS = {
    "tr_entries_sums_insert": f"AFTER INSERT ON entries WHEN {PERSON.format(row='NEW')} BEGIN {_add('NEW')} END",
    "tr_entries_sums_delete": f"AFTER DELETE ON entries WHEN {PERSON.format(row='OLD')} BEGIN {_take('OLD')} END",
    # An update takes the old row out if it counted and puts the new one in if it counts.
    "tr_entries_sums_update_old": (
        "AFTER UPDATE OF occurred_on, person_id, item_id, component, veto, points_tenths, scheme ON entries "
        f"WHEN {PERSON.format(row='OLD')} BEGIN {_take('OLD')} END"),
    "tr_entries_sums_update_new": (
        "AFTER UPDATE OF occurred_on, person_id, item_id, component, veto, points_tenths, scheme ON entries "
        f"WHEN {PERSON.format(row='NEW')} BEGIN {_add('NEW')} END"),
}


def upgrade() -> None:
    op.create_table('schemes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('uuid', sa.String(length=36), nullable=False),
    sa.Column('code', sa.String(length=24), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('subject', sa.String(length=16), nullable=False),
    sa.Column('definition', sa.Text(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('sort_order', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_schemes')),
    sa.UniqueConstraint('code', name=op.f('uq_schemes_code')),
    sa.UniqueConstraint('uuid', name=op.f('uq_schemes_uuid'))
    )
    op.create_table('units',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('uuid', sa.String(length=36), nullable=False),
    sa.Column('code', sa.String(length=32), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('post_class', sa.Integer(), nullable=True),
    sa.Column('sequence', sa.String(length=50), nullable=False),
    sa.Column('department_id', sa.Integer(), nullable=True),
    sa.Column('sort_order', sa.Integer(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.ForeignKeyConstraint(['department_id'], ['departments.id'], name=op.f('fk_units_department_id_departments')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_units')),
    sa.UniqueConstraint('code', name=op.f('uq_units_code')),
    sa.UniqueConstraint('uuid', name=op.f('uq_units_uuid'))
    )
    op.create_index(op.f('ix_units_kind'), 'units', ['kind'], unique=False)
    op.create_table('unit_members',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('uuid', sa.String(length=36), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('role', sa.String(length=10), nullable=False),
    sa.Column('start', sa.Date(), nullable=False),
    sa.Column('end', sa.Date(), nullable=True),
    sa.ForeignKeyConstraint(['person_id'], ['people.id'], name=op.f('fk_unit_members_person_id_people')),
    sa.ForeignKeyConstraint(['unit_id'], ['units.id'], name=op.f('fk_unit_members_unit_id_units')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_unit_members')),
    sa.UniqueConstraint('uuid', name=op.f('uq_unit_members_uuid'))
    )
    op.create_index('ix_unit_members_unit_person', 'unit_members', ['unit_id', 'person_id'], unique=False)
    op.create_index(op.f('ix_unit_members_person_id'), 'unit_members', ['person_id'], unique=False)

    with op.batch_alter_table('catalogue_versions') as batch:
        batch.add_column(sa.Column('scheme', sa.String(length=24), server_default='person', nullable=False))
        batch.drop_constraint('uq_catalogue_versions_effective_from', type_='unique')
        batch.create_unique_constraint(op.f('uq_catalogue_versions_scheme'), ['scheme', 'effective_from'])

    postgres = op.get_bind().dialect.name == "postgresql"
    for name in () if postgres else OLD_TRIGGERS:  # the table is rebuilt below; they are made again after it
        op.execute(f"DROP TRIGGER IF EXISTS {name}")
    with op.batch_alter_table('entries') as batch:
        batch.add_column(sa.Column('unit_id', sa.Integer(), nullable=True))
        batch.add_column(sa.Column('scheme', sa.String(length=24), server_default='person', nullable=False))
        batch.add_column(sa.Column('case_no', sa.String(length=40), server_default='', nullable=False))
        batch.add_column(sa.Column('case_type', sa.String(length=40), server_default='', nullable=False))
        batch.alter_column('person_id', existing_type=sa.Integer(), nullable=True)
        batch.create_index(op.f('ix_entries_unit_id'), ['unit_id'], unique=False)
        batch.create_foreign_key(op.f('fk_entries_unit_id_units'), 'units', ['unit_id'], ['id'])
    # PostgreSQL alters the table in place; its function learns the scheme (desktop/models/pg_sums.py).
    for statement in pg_sums.create(with_scheme=True) if postgres else [
            f"CREATE TRIGGER {name} {body}" for name, body in TRIGGERS.items()]:
        op.execute(statement)

    op.create_table('case_reviews',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('uuid', sa.String(length=36), nullable=False),
    sa.Column('entry_id', sa.Integer(), nullable=False),
    sa.Column('state', sa.String(length=12), nullable=False),
    sa.Column('points_tenths', sa.Integer(), nullable=True),
    sa.Column('reason', sa.String(length=500), nullable=False),
    sa.Column('reviewed_by_id', sa.Integer(), nullable=True),
    sa.Column('reviewed_by_name', sa.String(length=50), nullable=False),
    sa.Column('reviewed_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['entry_id'], ['entries.id'], name=op.f('fk_case_reviews_entry_id_entries')),
    sa.ForeignKeyConstraint(['reviewed_by_id'], ['users.id'], name=op.f('fk_case_reviews_reviewed_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_case_reviews')),
    sa.UniqueConstraint('entry_id', name=op.f('uq_case_reviews_entry_id')),
    sa.UniqueConstraint('uuid', name=op.f('uq_case_reviews_uuid'))
    )


def downgrade() -> None:
    op.drop_table('case_reviews')
    postgres = op.get_bind().dialect.name == "postgresql"
    for name in () if postgres else TRIGGERS:
        op.execute(f"DROP TRIGGER IF EXISTS {name}")
    for statement in pg_sums.create(with_scheme=False) if postgres else []:  # 0004's, before the column goes
        op.execute(statement)
    with op.batch_alter_table('entries') as batch:
        batch.drop_constraint(op.f('fk_entries_unit_id_units'), type_='foreignkey')
        batch.drop_index(op.f('ix_entries_unit_id'))
        batch.alter_column('person_id', existing_type=sa.Integer(), nullable=False)
        batch.drop_column('case_type')
        batch.drop_column('case_no')
        batch.drop_column('scheme')
        batch.drop_column('unit_id')
    with op.batch_alter_table('catalogue_versions') as batch:
        batch.drop_constraint(op.f('uq_catalogue_versions_scheme'), type_='unique')
        batch.create_unique_constraint('uq_catalogue_versions_effective_from', ['effective_from'])
        batch.drop_column('scheme')
    op.drop_index(op.f('ix_unit_members_person_id'), table_name='unit_members')
    op.drop_index('ix_unit_members_unit_person', table_name='unit_members')
    op.drop_table('unit_members')
    op.drop_index(op.f('ix_units_kind'), table_name='units')
    op.drop_table('units')
    op.drop_table('schemes')
