"""Cell values made ready for the writer a column at a time.

A county's quarter is 100,000 rows of 23 cells: converting them one cell at a time through a
Python function cost as long as writing the file. Most columns need nothing done (a text
column of printable strings, a date column of dates), and that is checked for a whole column at
once with loops that run in C (`map`, `set`, `all`); only a column that needs it is converted
cell by cell, with the same rules as before (`CONVERT`), so the cells written are the same.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections.abc import Callable, Sequence
from decimal import Decimal
from typing import Any

MAX_CELL_TEXT = 32767
# XML 1.0 cannot hold these control characters (the same set openpyxl refuses).
ILLEGAL_CHARACTERS_RE = re.compile(r"[\000-\010]|[\013-\014]|[\016-\037]")
NONE = type(None)


def safe_text(value: str) -> str:
    """Text without the control characters that .xlsx cannot hold, cut to Excel's cell limit."""
    text = ILLEGAL_CHARACTERS_RE.sub("", value)
    return text[:MAX_CELL_TEXT]


# Names, departments, items and categories repeat on every row of a large sheet: clean each once.
_cached_safe_text = functools.lru_cache(maxsize=1 << 16)(safe_text)


def _text(value: Any) -> Any:
    if value.__class__ is str:
        if not value:
            return None
        if value.isprintable() and len(value) <= MAX_CELL_TEXT:
            return value
        return _cached_safe_text(value)
    if value is None or (isinstance(value, int | float | Decimal) and not isinstance(value, bool)):
        return float(value) if isinstance(value, Decimal) else value
    return _cached_safe_text(str(value))


def _number(value: Any) -> Any:
    if value is None or value == "":
        return None
    if value.__class__ is Decimal:
        return float(value)  # a one-decimal Decimal is exactly the shortest float repr written
    if isinstance(value, int | float) and not isinstance(value, bool):
        return value
    return _text(value)


def _tenths(value: Any) -> Any:
    """Points held as integer tenths (as the database keeps them): 125 → 12.5. Division of two
    integers is correctly rounded, so this is the same float as float(Decimal("12.5"))."""
    if value.__class__ is int:
        return value / 10
    return _number(value)


def _date(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return value.date()
    return value if isinstance(value, dt.date) else _text(value) if value is not None else None


def _datetime(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return value.replace(microsecond=0, tzinfo=None) if value.microsecond or value.tzinfo else value
    if isinstance(value, dt.date):
        return dt.datetime(value.year, value.month, value.day)
    return _text(value) if value is not None else None


def _bool(value: Any) -> Any:
    if value is None or value == "":
        return None
    if isinstance(value, str):
        return _text(value)
    return "是" if value else "否"


CONVERT: dict[str, Callable[[Any], Any]] = {
    "text": _text, "int": _number, "number": _number, "points": _number, "tenths": _tenths,
    "date": _date, "datetime": _datetime, "bool": _bool,
}


def _plain_text(col: Sequence[Any], types: set[type]) -> bool:
    """Printable, non-empty strings (and blanks as None) within the cell limit: written as they are."""
    if not types <= {str, NONE} or "" in col:
        return False
    strings = col if NONE not in types else [v for v in col if v is not None]
    return all(map(str.isprintable, strings)) and max(map(len, strings), default=0) <= MAX_CELL_TEXT


def convert_column(kind: str, col: Sequence[Any]) -> list[Any]:
    """The column's values as `CONVERT[kind]` would give them, one by one."""
    types = set(map(type, col))
    if kind == "text" and _plain_text(col, types):
        return list(col)
    if kind == "tenths" and types <= {int, NONE}:
        if NONE not in types:
            return list(map((10).__rtruediv__, col))
        return [None if v is None else v / 10 for v in col]
    if kind in ("int", "number", "points") and types <= {int, float, NONE}:
        return list(col)
    if kind == "date" and types <= {dt.date, NONE}:
        return list(col)
    if kind == "datetime" and types <= {dt.datetime, NONE} and not any(
            v.microsecond or v.tzinfo for v in col if v is not None):
        return list(col)
    return list(map(CONVERT.get(kind, _text), col))


def line_counter(width: float, count: Callable[[Any, float], int]) -> Callable[[Any], int]:
    """`count(value, width)` for one column, remembered per value (items and reasons repeat)."""
    return functools.lru_cache(maxsize=1 << 14)(functools.partial(count, width=width))
