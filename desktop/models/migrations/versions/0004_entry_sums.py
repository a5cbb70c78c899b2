"""entry sums: per month, person, item code and component, kept by triggers on entries

Scoring grouped a month's entries by person, item and component and applied the monthly caps
in Python every time (0.13 s for a county's month); it now reads these sums, capped and
grouped by SQLite. The triggers keep them, so every way an entry is written (the diary,
imports, merges, the demo, a raw edit) is covered.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-25 20:52:45.866726
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from desktop.models import pg_sums


revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


# Dates are stored as 'YYYY-MM-DD' text: 2026-11-05 -> 202611.
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
    # The cap is the lowest among the items still there: worked out again from the month's entries
    # (only a raw edit ever removes an entry; the program appends reversals instead).
    remaining_cap = f"""(SELECT min(c.monthly_cap_tenths) FROM entries e JOIN catalogue_items c ON c.id = e.item_id
        WHERE e.person_id = {row}.person_id AND e.component = {row}.component
          AND e.occurred_on BETWEEN substr({row}.occurred_on, 1, 7) || '-01' AND substr({row}.occurred_on, 1, 7) || '-31'
          AND c.code = {_item(row, 'code')})"""
    return f"""
    UPDATE entry_sums SET points_tenths = points_tenths - {row}.points_tenths,
        veto_tenths = veto_tenths - CASE WHEN {row}.veto THEN {row}.points_tenths ELSE 0 END,
        entries = entries - 1, cap_tenths = {remaining_cap}
    WHERE {_key(row)};
    DELETE FROM entry_sums WHERE {_key(row)} AND entries <= 0;"""


TRIGGERS = {
    "tr_entries_sums_insert": f"AFTER INSERT ON entries BEGIN {_add('NEW')} END",
    "tr_entries_sums_delete": f"AFTER DELETE ON entries BEGIN {_take('OLD')} END",
    "tr_entries_sums_update": ("AFTER UPDATE OF occurred_on, person_id, item_id, component, veto, points_tenths "
                               f"ON entries BEGIN {_take('OLD')} {_add('NEW')} END"),
}


def upgrade() -> None:
    op.create_table('entry_sums',
    sa.Column('month', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=32), nullable=False),
    sa.Column('component', sa.String(length=20), nullable=False),
    sa.Column('points_tenths', sa.Integer(), nullable=False),
    sa.Column('veto_tenths', sa.Integer(), nullable=False),
    sa.Column('entries', sa.Integer(), nullable=False),
    sa.Column('cap_tenths', sa.Integer(), nullable=True),
    sa.PrimaryKeyConstraint('month', 'person_id', 'code', 'component', name=op.f('pk_entry_sums')),
    sqlite_with_rowid=False
    )
    postgres = op.get_bind().dialect.name == "postgresql"
    op.execute(f"""
        INSERT INTO entry_sums (month, person_id, code, component, points_tenths, veto_tenths, entries, cap_tenths)
        SELECT {pg_sums.MONTH_OF_E if postgres else _month('e')}, e.person_id, c.code, e.component, SUM(e.points_tenths),
               SUM(CASE WHEN e.veto THEN e.points_tenths ELSE 0 END), COUNT(*), MIN(c.monthly_cap_tenths)
        FROM entries e JOIN catalogue_items c ON c.id = e.item_id GROUP BY 1, 2, 3, 4""")
    if postgres:  # the same sums kept by a PL/pgSQL function (desktop/models/pg_sums.py)
        for statement in pg_sums.create(with_scheme=False):
            op.execute(statement)
        return
    for name, body in TRIGGERS.items():
        op.execute(f"CREATE TRIGGER {name} {body}")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for statement in pg_sums.drop():
            op.execute(statement)
    else:
        for name in TRIGGERS:
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
    op.drop_table('entry_sums')
