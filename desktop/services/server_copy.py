"""Copying every row of a station's database into a schema on the bureau server, as it is.

`jifen server push` (services.server_push) decides whether a station may go up; this module
moves the rows. They are copied verbatim, ids included, through SQLAlchemy Core rather than the
ORM: the row seals and the audit chain vouch for exactly these values, so nothing may be
re-sealed, renumbered or recomputed on the way. What PostgreSQL needs around a verbatim copy:

- the month-sum triggers are dropped for the copy (the sums are copied too, and the triggers
  would add every entry a second time) and made again after it (desktop/models/pg_sums.py);
- a foreign key drawn `use_alter` (the station's grade policy, which itself belongs to the
  station) is filled in after both rows exist;
- each id sequence is moved past the copied ids, so the next row written on the server does
  not collide with a copied one.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from sqlalchemy import Connection, Engine, Table, select, text, update

from desktop.models import pg_sums
from desktop.models.base import Base

BATCH = 2000
# Alembic's own table is the target's (it was migrated to head before the copy).
SKIPPED = frozenset({"alembic_version"})

ProgressFn = Callable[[str, int], None]


def copied_tables() -> list[Table]:
    """Every table of the model, parents before children."""
    return [t for t in Base.metadata.sorted_tables if t.name not in SKIPPED]


def _late_columns(table: Table) -> list[str]:
    """Columns whose foreign key points at a table copied later (a cycle drawn `use_alter`)."""
    return [fk.parent.name for fk in table.foreign_keys if fk.use_alter or fk.constraint.use_alter]


def _batches(source: Connection, table: Table) -> Iterator[list[dict[str, Any]]]:
    key = list(table.primary_key.columns)
    result = source.execute(select(table).order_by(*key)).mappings()
    while chunk := result.fetchmany(BATCH):
        yield [dict(row) for row in chunk]


def empty_tables(target: Connection) -> None:
    """A schema just migrated may hold rows a migration seeded: the copy brings the station's own."""
    names = ", ".join(f'"{t.name}"' for t in copied_tables())
    target.exec_driver_sql(f"TRUNCATE {names} RESTART IDENTITY CASCADE")


def copy_rows(source: Engine, target: Connection, progress: ProgressFn | None = None) -> dict[str, int]:
    """Copy every table's rows from `source` into `target` (a transaction on the server whose
    search path is the receiving schema); the number of rows per table."""
    counts: dict[str, int] = {}
    late: list[tuple[Table, str, list[tuple[Any, Any]]]] = []
    for statement in pg_sums.drop_triggers():
        target.exec_driver_sql(statement)
    with source.connect() as reading:
        for table in copied_tables():
            deferred = _late_columns(table)
            key = next(iter(table.primary_key.columns)).name
            pending: dict[str, list[tuple[Any, Any]]] = {c: [] for c in deferred}
            total = 0
            for rows in _batches(reading, table):
                for row in rows:
                    for column in deferred:
                        if row[column] is not None:
                            pending[column].append((row[key], row[column]))
                            row[column] = None
                target.execute(table.insert(), rows)
                total += len(rows)
                if progress is not None:
                    progress(table.name, total)
            counts[table.name] = total
            late += [(table, column, values) for column, values in pending.items() if values]
    for table, column, values in late:
        key_column = next(iter(table.primary_key.columns))
        for key, value in values:
            target.execute(update(table).where(key_column == key).values({column: value}))
    for statement in pg_sums.create(with_scheme=True, deferrable=True):
        target.exec_driver_sql(statement)
    _advance_sequences(target)
    return counts


def _advance_sequences(target: Connection) -> None:
    """Every serial id's sequence just past the largest copied id (or back at 1 when empty)."""
    for table in copied_tables():
        for column in table.primary_key.columns:
            if not (column.autoincrement is True or (column.autoincrement == "auto"
                                                      and column.type.python_type is int)):
                continue
            sequence = target.execute(text("SELECT pg_get_serial_sequence(:t, :c)"),
                                      {"t": table.name, "c": column.name}).scalar()
            if sequence is None:
                continue
            target.execute(text(
                f'SELECT setval(:s, COALESCE((SELECT MAX("{column.name}") FROM "{table.name}"), 0) + 1, false)'),
                {"s": sequence})


def row_counts(conn: Connection) -> dict[str, int]:
    """Rows per table, to compare a copy with its source."""
    return {t.name: conn.execute(select(text("count(*)")).select_from(t)).scalar_one() for t in copied_tables()}
