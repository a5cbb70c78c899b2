"""Write formatted tables into an .xlsx file with rustpy-xlsxwriter (rust_xlsxwriter underneath).

Every sheet gets a bold header row that is frozen, repeated on printed pages and filtered,
column widths, dates as real date cells, points as numbers shown with one decimal, and an
A4 print setup. Text a person typed is always written as text: a name such as "=1+2" or
"@abc" is stored as a string (the writer never makes formulas from data) and the text columns
carry a quote prefix so Excel and WPS keep what is typed into them as text, too.

Why this writer (docs/performance.md has the figures): the county's quarter, 102,459 entries
in 23 columns, takes openpyxl's write-only mode about 30 s and XlsxWriter's constant-memory
mode about 17 s on the reference machine; rustpy-xlsxwriter writes it in about 2 s with
everything the exchange workbook needs (per-column formats, merged title, frozen header,
autofilter, print titles, print area, page header and footer, grouped hidden columns).

The rows are gathered first and written afterwards: the 说明 sheet, written last because it
holds the other sheets' counts and digest, is nevertheless the first tab.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from itertools import islice, repeat
from pathlib import Path
from typing import Any

from rustpy_xlsxwriter import Format, write_worksheets

from desktop.exporters.xlsx.columns import CONVERT, MAX_CELL_TEXT, convert_column, line_counter, safe_text

__all__ = ["CONVERT", "MAX_CELL_TEXT", "Column", "Sheet", "safe_text", "write_workbook"]

FORMULA_STARTS = ("=", "+", "-", "@")
DATE_FORMAT = "yyyy-mm-dd"
DATETIME_FORMAT = "yyyy-mm-dd hh:mm:ss"
POINTS_FORMAT = "0.0"
A4 = 9  # Excel's paper size code
PADDING = 0.7109375  # what rust_xlsxwriter adds to a column's width
CHUNK = 4096  # rows converted together, a column at a time (see `columns`)


@dataclass(frozen=True)
class Column:
    """One column: header text, value kind and width in characters.

    Kinds: "text" (any text, written as text), "int", "number" (a plain number),
    "points" (a Decimal/number shown as 0.0), "tenths" (integer tenths, 125 → 12.5, shown as
    0.0), "date", "datetime", "bool" (是/否).
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


def _formats(sheet: Sheet) -> tuple[Format, dict[str, Format]]:
    """The header's format and each formatted column's (by header)."""
    head = (Format().set_font_name("宋体").set_bold().set_background_color("#DDEBF7").set_align("center")
            .set_align("vcenter").set_text_wrap().set_border("thin").set_border_color("#999999"))
    columns: dict[str, Format] = {}
    for col in sheet.columns:
        if col.kind == "text":
            fmt = Format().set_quote_prefix()
            if col.wrap:  # bottom-aligned like every other cell of the row
                fmt = fmt.set_text_wrap()
        elif col.kind in ("points", "tenths"):  # centred: a right-aligned -12.5 ran into the next column's text
            fmt = Format().set_num_format(POINTS_FORMAT).set_align("center")
        elif col.kind == "date":
            fmt = Format().set_num_format(DATE_FORMAT)
        elif col.kind == "datetime":
            fmt = Format().set_num_format(DATETIME_FORMAT)
        else:
            continue
        columns[col.header] = fmt
    return head, columns


@dataclass
class _Gathered:
    """A sheet's rows converted to the values written, and the heights its wrapped rows need."""

    sheet: Sheet
    heads: list[str]
    header_row: int  # 0-based
    rows: list[tuple[Any, ...]]
    heights: dict[int, float]


def _gather(sheet: Sheet, on_row: Callable[[], None] | None) -> _Gathered:
    heads = [safe_text(c.header) for c in sheet.columns]
    if len(set(heads)) != len(heads):
        raise ValueError(f"工作表“{sheet.name}”有重名的列")
    header_row = 1 if sheet.title_row and sheet.title else 0
    wraps = [(i, c.width) for i, c in enumerate(sheet.columns) if c.wrap and c.kind == "text"]
    heights: dict[int, float] = {}
    # A header wrapped in a narrow column (一票否决) needs a taller row, or its second line prints
    # over the first data row; spreadsheets do not re-measure stored rows.
    lines = max((header_lines(col) for col in sheet.columns if not col.hidden), default=1)
    if lines > 1:
        heights[header_row] = 15 * lines + 2
    rows: list[tuple[Any, ...]] = []
    n = len(sheet.columns)
    counters = [(i, line_counter(width, text_lines)) for i, width in wraps]
    source = iter(sheet.rows)
    while chunk := list(islice(source, CHUNK)):
        if set(map(len, chunk)) != {n}:  # a short row ends in blanks, a long one is cut to the columns
            chunk = [[*row[:n], *repeat(None, n - len(row))] for row in chunk]
        cols = [convert_column(c.kind, col) for c, col in zip(sheet.columns, zip(*chunk, strict=True), strict=True)]
        if counters:
            per_column = [map(count, cols[i]) for i, count in counters]
            first = header_row + 1 + len(rows)
            for j, lines in enumerate(map(max, *per_column) if len(per_column) > 1 else per_column[0]):
                if lines > 1:
                    heights[first + j] = LINE_HEIGHT * lines + 2
        rows.extend(zip(*cols, strict=True))
        if on_row is not None:
            for _ in chunk:
                on_row()
    sheet.count = len(rows)
    return _Gathered(sheet, heads, header_row, rows, heights)


def _records(g: _Gathered) -> Iterator[dict[str, Any]]:
    heads = g.heads
    if not g.rows:  # the header is written from the first record's keys
        yield dict.fromkeys(heads)
    yield from map(dict, map(zip, repeat(heads), g.rows))


def _hidden_groups(sheet: Sheet) -> list[dict[str, Any]]:
    """Runs of hidden columns as collapsed column groups: hidden on screen and on paper, and the
    group's + in the margin shows them again."""
    groups: list[dict[str, Any]] = []
    start = None
    cols = [*sheet.columns, Column("", hidden=False)]
    for i, col in enumerate(cols):
        if col.hidden and start is None:
            start = i
        elif not col.hidden and start is not None:
            groups.append({"from": safe_text(cols[start].header), "to": safe_text(cols[i - 1].header),
                           "collapsed": True})
            start = None
    return groups


def _width(width: float) -> float:
    """The width to ask for so the file stores `width`: rust_xlsxwriter, like Excel's own dialog,
    adds the cell padding (5 pixels, 0.71 of a character) to the width it is given; our widths
    are what the file should hold, as the printed layout was measured with them."""
    return max(width - PADDING, 0.5)


def _options(g: _Gathered) -> dict[str, Any]:
    """rustpy-xlsxwriter's per-sheet settings for one sheet."""
    sheet, n = g.sheet, len(g.heads)
    last_row = g.header_row + max(len(g.rows), 1)
    # Excel cannot merge a single cell: a one-column sheet's title spans a second, empty column.
    last_col = max(n - 1, 1) if g.header_row else n - 1
    head, columns = _formats(sheet)
    page: dict[str, Any] = {
        "landscape": sheet.landscape, "paper_size": A4, "fit_to_pages": (1, 0),  # as many pages tall as needed
        "repeat_rows": g.header_row, "center_horizontally": True,
        # The page header and footer sit in their own bands above and below the table: with the
        # default header margin (0.3 in) inside a 0.6 in top margin, the header overlapped row 1.
        "margins": {"left": 0.4, "right": 0.4, "top": 0.75, "bottom": 0.75, "header": 0.25, "footer": 0.25},
        "footer": "&C第 &P 页，共 &N 页",
    }
    if sheet.title:
        page["header"] = "&C" + safe_text(sheet.title).replace("&", "&&")  # a lone & starts a header code
    if n:  # long text in the last column spills right; without a print area that widens the page
        page["print_area"] = (0, 0, last_row, last_col)
    options: dict[str, Any] = {
        "header_row": g.header_row, "header_format": head, "column_formats": columns,
        "column_widths": {h: _width(c.width) for h, c in zip(g.heads, sheet.columns, strict=True)},
        "freeze_panes": {"row": g.header_row + 1, "col": 0}, "autofilter": bool(sheet.filter and n),
        "page_setup": page, "row_heights": g.heights,
    }
    if g.header_row:
        title = Format().set_font_name("黑体").set_bold().set_font_size(14)
        options["merge_ranges"] = [(0, 0, 0, last_col, safe_text(sheet.title), title)]
    groups = _hidden_groups(sheet)
    if groups:
        options["outline"] = {"columns": groups}
    return options


def write_workbook(path: Path, sheets: Iterable[Sheet], on_row: Callable[[], None] | None = None, *,
                   first: str | None = None) -> None:
    """Write the sheets to `path` (via a temporary file, so a failed write leaves no half file).

    `first` names a sheet made last (e.g. a summary that needs the other sheets' totals) that
    should nevertheless be the first tab.
    """
    gathered = [_gather(sheet, on_row) for sheet in sheets]
    if first is not None:
        gathered.sort(key=lambda g: g.sheet.name != first)  # stable: the others keep their order
    per_sheet: dict[str, dict[str, Any]] = {}
    for g in gathered:
        for key, value in _options(g).items():
            per_sheet.setdefault(key, {})[g.sheet.name] = value
    tmp = path.with_name(path.name + ".part")
    try:
        write_worksheets([(g.sheet.name, _records(g)) for g in gathered], str(tmp), **per_sheet)
        tmp.replace(path)
    finally:
        tmp.unlink(missing_ok=True)
