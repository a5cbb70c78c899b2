"""SQL expressions that read the same on SQLite and PostgreSQL.

A few things each database spells its own way (a date's month, the largest of some booleans):
written here once with SQLAlchemy constructs both dialects compile, so services never reach for
`strftime` (SQLite only) or `date_trunc` (PostgreSQL only).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Integer, case, extract, func, literal_column
from sqlalchemy.sql.elements import ColumnElement


def month_key(column: Any) -> ColumnElement[int]:
    """202611 for a day in November 2026 (SQLite: strftime; PostgreSQL: EXTRACT). The 100 is
    written into the SQL, not bound: PostgreSQL takes a GROUP BY of this expression only when it
    is the very same text as the selected one."""
    return (extract("year", column) * literal_column("100") + extract("month", column)).cast(Integer)


def any_true(column: Any) -> ColumnElement[int]:
    """1 when any row's flag is true, else 0: PostgreSQL has no max() of booleans."""
    return func.max(case((column.is_(True), literal_column("1")), else_=literal_column("0")))
