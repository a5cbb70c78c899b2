"""Write formatted tables into an .xlsx file with openpyxl's write-only (streaming) mode.

Every sheet gets a bold header row that is frozen, repeated on printed pages and filtered,
column widths, dates as real date cells, points as numbers shown with one decimal, and an
A4 print setup. Text a person typed is always written as text: a name such as "=1+2" or
"@abc" stays a string (never a formula) and is marked with a quote prefix so Excel and WPS
keep it as text when the cell is edited.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

FORMULA_STARTS = ("=", "+", "-", "@")
DATE_FORMAT = "yyyy-mm-dd"
DATETIME_FORMAT = "yyyy-mm-dd hh:mm:ss"
POINTS_FORMAT = "0.0"
MAX_CELL_TEXT = 32767
_THIN = Side(style="thin", color="999999")
HEADER_FONT = Font(name="宋体", bold=True)
HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
HEADER_ALIGN = Alignment(horizontal="center", vertical="center", wrap_text=True)
HEADER_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
TITLE_FONT = Font(name="黑体", bold=True, size=14)


@dataclass(frozen=True)
class Column:
    """One column: header text, value kind and width in characters.

    Kinds: "text" (any text, written as text), "int", "number" (a plain number),
    "points" (a Decimal/number shown as 0.0), "date", "datetime", "bool" (是/否).
    """

    header: str
    kind: str = "text"
    width: float = 12


@dataclass
class Sheet:
    name: str
    columns: Sequence[Column]
    rows: Iterable[Sequence[Any]]
    title: str = ""  # printed in the page header (and as a title row when `title_row`)
    title_row: bool = False  # a merged title row above the header (documents, not data sheets)
    landscape: bool = True
    filter: bool = True
    count: int = field(default=0, init=False)  # rows written, filled in by `write_workbook`


def safe_text(value: str) -> str:
    """Text without the control characters that .xlsx cannot hold, cut to Excel's cell limit."""
    text = ILLEGAL_CHARACTERS_RE.sub("", value)
    return text[:MAX_CELL_TEXT]


class _CellMaker:
    """Builds the cells of one sheet; style objects are shared so openpyxl registers them once."""

    def __init__(self, ws: Worksheet) -> None:
        self.ws = ws

    def text(self, value: str) -> Any:
        text = safe_text(value)
        if not text.startswith(FORMULA_STARTS):
            return text
        cell = WriteOnlyCell(self.ws, text)
        cell.data_type = "s"  # openpyxl would otherwise store "=…" as a formula
        cell.quotePrefix = True
        return cell

    def formatted(self, value: Any, number_format: str) -> Any:
        cell = WriteOnlyCell(self.ws, value)
        cell.number_format = number_format
        return cell

    def make(self, value: Any, kind: str) -> Any:
        if value is None or value == "":
            return None
        if kind == "bool":
            return "是" if value else "否"
        if isinstance(value, str):
            return self.text(value)
        if kind == "points":
            return self.formatted(value, POINTS_FORMAT)
        if isinstance(value, dt.datetime):
            return self.formatted(value.replace(microsecond=0), DATETIME_FORMAT)
        if isinstance(value, dt.date):
            return self.formatted(value, DATE_FORMAT)
        if isinstance(value, int | float | Decimal):
            return value
        return self.text(str(value))


def _header_cells(ws: Worksheet, columns: Sequence[Column]) -> list[WriteOnlyCell]:
    cells = []
    for col in columns:
        cell = WriteOnlyCell(ws, safe_text(col.header))
        cell.font, cell.fill, cell.alignment, cell.border = HEADER_FONT, HEADER_FILL, HEADER_ALIGN, HEADER_BORDER
        cells.append(cell)
    return cells


def _page_setup(ws: Worksheet, sheet: Sheet, header_row: int, last_row: int) -> None:
    ws.freeze_panes = f"A{header_row + 1}"
    ws.print_title_rows = f"{header_row}:{header_row}"
    ws.page_setup.paperSize = Worksheet.PAPERSIZE_A4
    ws.page_setup.orientation = "landscape" if sheet.landscape else "portrait"
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0  # as many pages tall as needed
    ws.print_options.horizontalCentered = True
    ws.page_margins.left = ws.page_margins.right = 0.4
    ws.page_margins.top = ws.page_margins.bottom = 0.6
    if sheet.title:
        ws.oddHeader.center.text = sheet.title
    ws.oddFooter.center.text = "第 &P 页，共 &N 页"
    if sheet.filter and sheet.columns:
        ws.auto_filter.ref = f"A{header_row}:{get_column_letter(len(sheet.columns))}{max(last_row, header_row)}"


def write_sheet(wb: Workbook, sheet: Sheet, on_row: Callable[[], None] | None = None) -> int:
    """Append one formatted sheet to a write-only workbook; returns the number of data rows."""
    ws = wb.create_sheet(sheet.name)
    for index, col in enumerate(sheet.columns, start=1):
        ws.column_dimensions[get_column_letter(index)].width = col.width
    maker = _CellMaker(ws)
    header_row = 1
    if sheet.title_row and sheet.title:
        title = WriteOnlyCell(ws, safe_text(sheet.title))
        title.font = TITLE_FONT
        ws.append([title])
        header_row = 2
    ws.append(_header_cells(ws, sheet.columns))
    kinds = [c.kind for c in sheet.columns]
    count = 0
    for row in sheet.rows:
        ws.append([maker.make(v, k) for v, k in zip(row, kinds, strict=False)])
        count += 1
        if on_row is not None:
            on_row()
    _page_setup(ws, sheet, header_row, header_row + count)
    sheet.count = count
    return count


def write_workbook(path: Path, sheets: Iterable[Sheet], on_row: Callable[[], None] | None = None, *,
                   first: str | None = None) -> None:
    """Write the sheets to `path` (via a temporary file, so a failed write leaves no half file).

    `first` names a sheet written last (e.g. a summary that needs the other sheets' totals)
    that should nevertheless be the first tab.
    """
    wb = Workbook(write_only=True)
    for sheet in sheets:
        write_sheet(wb, sheet, on_row)
    if first is not None:
        ws = wb[first]
        wb.move_sheet(first, offset=-wb.index(ws))
        wb.active = 0
    tmp = path.with_name(path.name + ".part")
    try:
        wb.save(tmp)
        tmp.replace(path)
    finally:
        tmp.unlink(missing_ok=True)
