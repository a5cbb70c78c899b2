"""Write formatted tables into an .xlsx file with openpyxl's write-only (streaming) mode.

Every sheet gets a bold header row that is frozen, repeated on printed pages and filtered,
column widths, dates as real date cells, points as numbers shown with one decimal, and an
A4 print setup. Text a person typed is always written as text: a name such as "=1+2" or
"@abc" stays a string (never a formula) and is marked with a quote prefix so Excel and WPS
keep it as text when the cell is edited.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, Cell
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
NUMBER_ALIGN = Alignment(horizontal="center")
WRAP_ALIGN = Alignment(wrap_text=True)  # bottom-aligned like every other cell of the row
WRAP_FORMAT = "General"  # the key of the wrapped text cell among a column's styled cells


@dataclass(frozen=True)
class Column:
    """One column: header text, value kind and width in characters.

    Kinds: "text" (any text, written as text), "int", "number" (a plain number),
    "points" (a Decimal/number shown as 0.0), "date", "datetime", "bool" (是/否).
    """

    header: str
    kind: str = "text"
    width: float = 12
    # A technical column (UUIDs, digests, a definition in JSON): kept in the file for the
    # importer, hidden on screen and on paper so the sheet prints at a readable size.
    hidden: bool = False
    wrap: bool = False  # long text (事实说明, 等次说明) wraps inside its column instead of being cut off on paper


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


# Names, departments, items and categories repeat on every row of a large sheet: clean each once.
_cached_safe_text = functools.lru_cache(maxsize=1 << 16)(safe_text)


@functools.lru_cache(maxsize=1 << 16)
def _plain_text(value: str) -> str | None:
    """The cleaned text when it can be written as a plain string; None when it needs a text cell."""
    text = safe_text(value)
    return None if text.startswith(FORMULA_STARTS) else text


class _FormattedCell(Cell):
    """A date or points cell of one column, reused row after row, whose style id is looked up once.

    openpyxl looks a styled cell's style up in the workbook's style table every time the cell is
    written (`style_id`); a 100,000-entry sheet has 300,000 such cells and the lookups were a
    tenth of the export. The style of these cells never changes after `freeze`.
    """

    __slots__ = ("_style_id",)

    def freeze(self) -> None:
        self._style_id = self.parent.parent._cell_styles.add(self._style)

    @property
    def style_id(self) -> int:
        return self._style_id

    @property
    def has_style(self) -> bool:
        return True

    def put(self, value: Any, data_type: str) -> _FormattedCell:
        """Store a value whose cell type the column already knows ("n" or "d"): `cell.value = …`
        would infer the type and check the number format again for every one of them."""
        self._value = value
        self.data_type = data_type
        return self

    def __repr__(self) -> str:
        # openpyxl learns that an appended value is a cell by trying to store it as a value, and
        # formats the cell into the error it then catches: the usual repr costs as much again.
        return "<formatted cell>"


class _CellMaker:
    """Builds the cells of one streamed sheet.

    A formatted cell (date, points) is one `WriteOnlyCell` per column, reused row after row:
    a write-only sheet serialises each row as it is appended, and setting a style is the
    costly part of making a cell, so styles are set once per column instead of once per cell.
    """

    def __init__(self, ws: Worksheet) -> None:
        self.ws = ws
        self._formatted: dict[tuple[int, str], WriteOnlyCell] = {}

    def text(self, value: str) -> Any:
        text = _cached_safe_text(value)
        if not text.startswith(FORMULA_STARTS):
            return text
        cell = WriteOnlyCell(self.ws, text)
        cell.data_type = "s"  # openpyxl would otherwise store "=…" as a formula
        cell.quotePrefix = True
        return cell

    def _cell(self, col: int, number_format: str) -> _FormattedCell:
        cell = self._formatted.get((col, number_format))
        if cell is None:
            cell = self._formatted[(col, number_format)] = _FormattedCell(self.ws, column=1, row=1)
            cell.number_format = number_format
            if number_format == POINTS_FORMAT:  # centred: a right-aligned -12.5 ran into the next column's text
                cell.alignment = NUMBER_ALIGN
            elif number_format == WRAP_FORMAT:
                cell.alignment = WRAP_ALIGN
            cell.freeze()
        return cell

    def wrapped(self, col: int) -> Callable[[Any], Any]:
        """A text column whose cells wrap: one styled cell reused row after row, as for dates."""
        put = self._cell(col, WRAP_FORMAT).put
        make = self.make

        def wrap_cell(value: Any) -> Any:
            if value.__class__ is str and value:
                text = _plain_text(value)
                if text is not None:
                    return put(text, "s")
            return None if value is None else make(col, value, "text")
        return wrap_cell

    def formatted(self, col: int, value: Any, number_format: str) -> WriteOnlyCell:
        cell = self._cell(col, number_format)
        cell.value = value
        return cell

    def make(self, col: int, value: Any, kind: str) -> Any:
        if value is None:
            return None
        if isinstance(value, str):
            if not value:
                return None
            if kind != "bool":
                return self.text(value)
        if kind == "bool":
            return "是" if value else "否"
        if kind == "points":
            return self.formatted(col, value, POINTS_FORMAT)
        if isinstance(value, dt.datetime):
            return self.formatted(col, value.replace(microsecond=0), DATETIME_FORMAT)
        if isinstance(value, dt.date):
            return self.formatted(col, value, DATE_FORMAT)
        if isinstance(value, int | float | Decimal):
            return value
        return self.text(str(value))

    def column(self, col: int, kind: str) -> Callable[[Any], Any]:
        """`make` for one column, with the common case of its kind first: a 100,000-row sheet
        makes two million cells, and the general checks were a fifth of the export's own time."""
        make = self.make
        if kind == "text":
            def text_cell(value: Any) -> Any:
                if value.__class__ is str and value:
                    # Printable ASCII (UUIDs, badges, codes: a third of a large sheet's cells, and
                    # each one different) needs no cleaning and no cache; only a formula start matters.
                    if value.isascii() and value.isprintable() and len(value) <= MAX_CELL_TEXT:
                        if not value.startswith(FORMULA_STARTS):
                            return value
                    else:
                        plain = _plain_text(value)
                        if plain is not None:
                            return plain
                return None if value is None else make(col, value, kind)
            return text_cell
        if kind == "int":
            return lambda value: value if value.__class__ is int else make(col, value, kind)
        exact = {"points": (Decimal, POINTS_FORMAT, "n"), "date": (dt.date, DATE_FORMAT, "d"),
                 "datetime": (dt.datetime, DATETIME_FORMAT, "d")}.get(kind)
        if exact is not None:  # the column's usual type goes straight into its cell
            cls, number_format, data_type = exact
            put = self._cell(col, number_format).put

            def formatted_cell(value: Any) -> Any:
                if value.__class__ is cls and getattr(value, "microsecond", 0) == 0:
                    return put(value, data_type)
                return None if value is None else make(col, value, kind)
            return formatted_cell
        return lambda value: None if value is None else make(col, value, kind)


def _header_cells(ws: Worksheet, columns: Sequence[Column]) -> list[WriteOnlyCell]:
    cells = []
    for col in columns:
        cell = WriteOnlyCell(ws, safe_text(col.header))
        cell.font, cell.fill, cell.alignment, cell.border = HEADER_FONT, HEADER_FILL, HEADER_ALIGN, HEADER_BORDER
        cells.append(cell)
    return cells


LINE_HEIGHT = 14.5  # points per line of 11-point text
MAX_LINES = 8


def text_lines(value: Any, width: float) -> int:
    """Lines a text takes wrapped to a column `width` wide (a Chinese character is two units)."""
    if value.__class__ is not str or len(value) * 2 <= width:
        return 1
    units = sum(2 if ord(ch) > 0x2E7F else 1 for ch in value)
    room = max(int(width), 1)
    return min(MAX_LINES, -(-units // room))


def header_lines(col: Column) -> int:
    """How many lines a column's header takes when wrapped to its width (a Chinese character is
    two width units), at most three."""
    units = sum(2 if ord(ch) > 0x2E7F else 1 for ch in col.header)
    room = max(col.width - 1, 1)
    return min(3, -(-units // int(room)) if units > room else 1)


def _head_setup(ws: Worksheet, sheet: Sheet, header_row: int) -> None:
    """What a streamed sheet writes before its first row: widths, frozen header, fit to page."""
    for index, col in enumerate(sheet.columns, start=1):
        dimension = ws.column_dimensions[get_column_letter(index)]
        dimension.width = col.width
        if col.hidden:
            dimension.hidden = True
    ws.freeze_panes = f"A{header_row + 1}"
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    # A header wrapped in a narrow column (一票否决) needs a taller row, or its second line prints
    # over the first data row; a row's height must be set before the row is streamed.
    lines = max((header_lines(col) for col in sheet.columns if not col.hidden), default=1)
    if lines > 1:
        ws.row_dimensions[header_row].height = 15 * lines + 2


def _tail_setup(ws: Worksheet, sheet: Sheet, header_row: int, last_row: int) -> None:
    """What a streamed sheet writes after its rows: print setup and the filter's range."""
    ws.print_title_rows = f"{header_row}:{header_row}"
    ws.page_setup.paperSize = Worksheet.PAPERSIZE_A4
    ws.page_setup.orientation = "landscape" if sheet.landscape else "portrait"
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0  # as many pages tall as needed
    ws.print_options.horizontalCentered = True
    # The page header and footer sit in their own bands above and below the table: with the
    # default header margin (0.3 in) inside a 0.6 in top margin, the header overlapped row 1.
    ws.page_margins.left = ws.page_margins.right = 0.4
    ws.page_margins.top = ws.page_margins.bottom = 0.75
    ws.page_margins.header = ws.page_margins.footer = 0.25
    if sheet.title:
        ws.oddHeader.center.text = sheet.title.replace("&", "&&")  # a lone & starts a header code
    ws.oddFooter.center.text = "第 &P 页，共 &N 页"
    if sheet.filter and sheet.columns:
        ws.auto_filter.ref = f"A{header_row}:{get_column_letter(len(sheet.columns))}{max(last_row, header_row)}"
    if sheet.columns:  # long text in the last column spills right; without a print area that widens the page
        ws.print_area = f"A1:{get_column_letter(len(sheet.columns))}{max(last_row, header_row)}"


def write_sheet(wb: Workbook, sheet: Sheet, on_row: Callable[[], None] | None = None) -> int:
    """Append one formatted sheet to a write-only workbook; returns the number of data rows."""
    ws = wb.create_sheet(sheet.name)
    maker = _CellMaker(ws)
    header_row = 2 if sheet.title_row and sheet.title else 1
    _head_setup(ws, sheet, header_row)
    if header_row == 2:
        title = WriteOnlyCell(ws, safe_text(sheet.title))
        title.font = TITLE_FONT
        ws.append([title])
    ws.append(_header_cells(ws, sheet.columns))
    makers = [maker.wrapped(col) if c.wrap and c.kind == "text" else maker.column(col, c.kind)
              for col, c in enumerate(sheet.columns)]
    count = 0
    # Wrapped columns: (index, width) — a row whose text wraps gets the height of its lines, since
    # a streamed row cannot be measured afterwards and spreadsheets do not re-measure stored rows.
    wraps = [(i, c.width) for i, c in enumerate(sheet.columns) if c.wrap and c.kind == "text"]
    for row in sheet.rows:
        if wraps:
            lines = max((text_lines(row[i], width) for i, width in wraps if i < len(row)), default=1)
            if lines > 1:
                ws.row_dimensions[header_row + count + 1].height = LINE_HEIGHT * lines + 2
        ws.append([make(v) for make, v in zip(makers, row, strict=False)])
        count += 1
        if on_row is not None:
            on_row()
    _tail_setup(ws, sheet, header_row, header_row + count)
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
