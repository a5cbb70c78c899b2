"""Printing tables, CSV and JSON for the command line."""

from __future__ import annotations

import csv
import io
import json
import re
import unicodedata
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

# The workbook writer's rule (desktop/exporters/xlsx/writer.py FORMULA_STARTS), plus tab and
# carriage return, which spreadsheet programs also read as the start of a formula cell. Kept
# here rather than imported: `people --format csv` should not load openpyxl.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)")


def display_width(text: str) -> int:
    """Terminal columns: CJK characters take two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def pad(text: str, width: int, right: bool = False) -> str:
    fill = " " * max(0, width - display_width(text))
    return fill + text if right else text + fill


def table(headers: Sequence[str], rows: Sequence[Sequence[Any]], numeric: Sequence[int] = ()) -> str:
    cells = [[str(h) for h in headers]] + [["" if v is None else str(v) for v in row] for row in rows]
    widths = [max(display_width(r[i]) for r in cells) for i in range(len(headers))]
    lines = []
    for n, row in enumerate(cells):
        lines.append("  ".join(pad(v, widths[i], right=i in numeric) for i, v in enumerate(row)).rstrip())
        if n == 0:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines)


def csv_cell(value: Any) -> Any:
    """A cell as CSV text a spreadsheet cannot run: text starting like a formula ("=1+2",
    "@SUM(…)", "-2+3") gets a leading apostrophe; numbers, and text that is just a number
    such as "-3.5", stay as they are."""
    if value is None or isinstance(value, int | float | Decimal):
        return value
    text = str(value)
    if text.startswith(FORMULA_STARTS) and not _PLAIN_NUMBER.fullmatch(text):
        text = "'" + text
    # A bare CR is not quoted by the csv module when lines end in LF, and would split the row.
    return text.replace("\r\n", "\n").replace("\r", "\n")


def to_csv(headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow([csv_cell(h) for h in headers])
    writer.writerows([csv_cell(v) for v in row] for row in rows)
    return buffer.getvalue()


def _default(value: Any) -> Any:
    if isinstance(value, Decimal):
        # A one-decimal Decimal converts to the float whose shortest repr is the same text.
        return float(value)
    return str(value)


def to_json(data: Any) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2, default=_default)
