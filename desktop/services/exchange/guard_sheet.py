"""One worksheet's XML checked before calamine may parse it (`guard.check_workbook`).

calamine places every cell by its own reference (`<c r="GR1048576">`), not by the row it sits
in, and allocates the grid from A1 to the farthest cell: a 2 KB file whose only two cells are
A1 and GR1048576 makes it ask for 6.7 GB and aborts the process. Rows without cells it skips,
and a cell without a reference it puts in its row (by the row's number, else the next one) after
the cell before it. It also takes what XML allows and Excel never writes: `<c r = 'GR1048576'>`,
`<c` and its reference on two lines, a prefix (`<x:c>`, whatever the prefix names). So there are
two scans:

- Excel's own form (every cell tag is `<c r="…"` and none has a prefix), counted as bytes: the
  rows the cells name and the columns, each with one pass of `bytes.count` or one search where
  it can be, because a county merge scans 50 MB of XML on the clerk's thread; the exact answers
  (every reference read) only when a quick bound cannot decide, and then the refusal gives the
  sheet's real size.
- Any other form, parsed (expat, streamed) and every cell placed as calamine places it: by its
  reference, else after the cell before it in its row. Slower, and only for such files.
"""

from __future__ import annotations

import functools
import re
import zipfile
from collections.abc import Callable, Iterator
from typing import IO
from xml.parsers import expat

from desktop.services.exchange import cells
from desktop.services.exchange.rust_digits import BEYOND, row_number

MAX_ROWS = 200_000  # per sheet; a year of a 60-person station's entries is about 60,000
MAX_COLUMNS = 200
MAX_CELLS = 4_000_000  # per sheet, rows x columns of the grid the reader builds
MAX_MERGES = 100_000  # merged ranges per sheet: calamine hands each to Python (~200 bytes a range)
CHUNK = 4 * 1024 * 1024

# Column letters in either case (calamine reads `gr1048576` as GR1048576), and as many letters and
# digits as are written: calamine takes them all (ZZZZZZZ1 is column 8,353,082,582; it aborts).
_CELL_COLUMN = re.compile(rb'<c\b[^>]*?\sr="([A-Za-z]+)\d')
_CELL_ROW = re.compile(rb'<c\b[^>]*?\sr="[A-Za-z]+(\d+)')
_ERROR_CELL = re.compile(rb'<c\b(?=[^>]*\st="e")[^>]*?\sr="([A-Za-z]+)(\d+)"')
_FORMULA_NO_VALUE = re.compile(rb'<c\b[^>]*?\sr="([A-Za-z]+)(\d+)"[^>]*>\s*<f\b(?:[^>]*/>|[^>]*>[^<]*</f>)\s*</c>')
_TWO_LETTERS = re.compile(rb'r="[A-Za-z]{2}')  # where a column past Z may be named (and a few other places)

_MERGE = re.compile(rb"mergeCell[\s/>]")  # a merged range, with or without a prefix (a closing tag too)
_PREFIXED = re.compile(rb":c[\s>/]")  # a cell tag with a prefix (or text that looks like one)
_CELL_TAG = re.compile(rb"<c[\s>/]")  # a cell tag, however it is written
_REFERENCE = re.compile(r"([A-Za-z]+)(\d+)", re.ASCII)  # calamine reads ASCII digits only
_ROW_NUMBER = re.compile(r"[A-Za-z]*(\d+)", re.ASCII)

Refuse = Callable[[str], Exception]  # the refusal for this file, given the reason


class _Other(Exception):
    """The sheet is not in Excel's own form: parse it (`_parse_sheet`)."""


@functools.lru_cache(maxsize=16)
def _far(digits: int) -> re.Pattern[bytes]:
    """A cell written `<c r="…"` whose column is past Z or whose row has more than `digits` digits."""
    return re.compile(rb'<c r="[A-Za-z](?:[A-Za-z]|\d{%d})' % (digits + 1))


@functools.lru_cache(maxsize=64)
def _below(row: int) -> re.Pattern[bytes]:
    """A cell whose reference names a row past `row` (or one written with leading zeros, which
    the exact count then reads as its number)."""
    text = str(row)
    longer = [rb"\d{%d}" % (len(text) + 1)]
    for i, digit in enumerate(text):  # same length: equal up to i, then a greater digit
        if digit != "9":
            rest = len(text) - i - 1
            longer.append(text[:i].encode() + b"[%d-9]" % (int(digit) + 1) + (rb"\d{%d}" % rest if rest else b"") + b'"')
    return re.compile(rb'<c r="[A-Za-z]+(?:' + b"|".join(longer) + b")")


def scan_sheet(zf: zipfile.ZipFile, info: zipfile.ZipInfo, sheet: str, refuse: Refuse) -> int:
    """Count a sheet's rows, columns and cells from its XML without building anything; raise
    `refuse(reason)` when it is too large or holds what reads wrongly. Returns its cell count."""
    try:
        return _count_sheet(zf, info, sheet, refuse)
    except _Other:
        return _parse_sheet(zf, info, sheet, refuse)


def _count_sheet(zf: zipfile.ZipFile, info: zipfile.ZipInfo, sheet: str, refuse: Refuse, exact: bool = False) -> int:
    """The byte count of a sheet in Excel's own form, else `_Other` (`exact`: every piece's columns
    and cell rows worked out, not bounded; see `_widest` and `_cell_rows`)."""
    rows = cells_seen = max_row = max_col = reach = merges = 0  # reach: a bound on the rows cells name
    bounded = False
    formulas: list[str] = []
    errors: list[str] = []
    inside = False  # within <sheetData> at the end of the last piece
    with zf.open(info) as fh:
        for piece in pieces(fh):
            in_rows, in_piece, inside = _count_tags(piece, inside)
            if _PREFIXED.search(piece) is not None:
                raise _Other
            rows += in_rows
            max_row = max(max_row, rows)
            far = in_piece > 0 and not exact and _far(len(str(max_row))).search(piece) is not None
            widest = _widest(piece, in_piece, max_row, exact or (far and _TWO_LETTERS.search(piece) is not None))
            cell_rows = _cell_rows(piece, in_piece, max_row, exact or far)
            bounded = bounded or widest < 0 or cell_rows < 0
            max_col = max(max_col, abs(widest))
            max_row = max(max_row, cell_rows)
            reach = max(reach, max_row, -cell_rows)
            if b"<f" in piece and len(formulas) < 5:
                formulas += [f"{c.decode().upper()}{r.decode()}" for c, r in _FORMULA_NO_VALUE.findall(piece)[:5]]
            if b't="e"' in piece and len(errors) < 5:
                errors += [f"{c.decode().upper()}{r.decode()}" for c, r in _ERROR_CELL.findall(piece)[:5]]
            check_reach(sheet, refuse, max_row, max_col)
            if bounded and (reach > MAX_ROWS or reach * max(max_col, 1) > MAX_CELLS):
                return _count_sheet(zf, info, sheet, refuse, exact=True)  # an earlier bound, now too loose
            check_area(sheet, refuse, cells_seen + in_piece, max_row, max_col)
            cells_seen += in_piece
            if b"mergeCell" in piece:
                merges += len(_MERGE.findall(piece))
                check_merges(sheet, refuse, merges)
    _check_values(sheet, refuse, errors, formulas)
    return cells_seen


def pieces(fh: IO[bytes]) -> Iterator[bytes]:
    """A part's XML in pieces of about `CHUNK` bytes, each cut just before a row, so that no row
    (and no cell) is split between two."""
    carry = b""
    while True:
        block = fh.read(CHUNK)
        data = carry + block
        cut = data.rfind(b"<row") if block else len(data)
        cut = len(data) if cut <= 0 else cut
        yield data[:cut]
        carry = data[cut:]
        if not block:
            return


def check_reach(sheet: str, refuse: Refuse, max_row: int, max_col: int) -> None:
    if max_row > MAX_ROWS:
        raise refuse(f"工作表“{sheet}”超过每张表 {MAX_ROWS:,} 行的上限（至少用到第 {max_row:,} 行）；"
                     "请删除表格下方的多余内容，或按月份、部门拆分成几个工作簿再导入")
    if max_col > MAX_COLUMNS:
        raise refuse(f"工作表“{sheet}”用到了第 {cells.column_letter(max_col - 1)} 列，"
                     f"超过 {MAX_COLUMNS} 列的上限；请删除表格右侧多余的列后再导入")


def check_merges(sheet: str, refuse: Refuse, merges: int) -> None:
    if merges > MAX_MERGES:
        raise refuse(f"工作表“{sheet}”有超过 {MAX_MERGES:,} 处合并单元格，不像是正常的表格；请取消多余的合并后再导入")


def check_area(sheet: str, refuse: Refuse, cells_seen: int, max_row: int, max_col: int) -> None:
    if cells_seen > MAX_CELLS or max_row * max(max_col, 1) > MAX_CELLS:
        raise refuse(f"工作表“{sheet}”的数据区域过大（{max_row:,} 行 × {max_col} 列），"
                     "请删除表格下方和右侧的多余内容后再导入")


def _check_values(sheet: str, refuse: Refuse, errors: list[str], formulas: list[str]) -> None:
    if errors:
        raise refuse(f"工作表“{sheet}”的单元格 {'、'.join(errors[:5])} 是公式错误值（如 #N/A、#DIV/0!），"
                     "读取时会变成空白；请在 Excel 或 WPS 中改正或清除这些单元格（或删除这张表）后再导入")
    if formulas:
        raise refuse(f"工作表“{sheet}”的单元格 {'、'.join(formulas[:5])} 是公式，但文件中没有保存计算结果"
                     "（常见于由其他程序生成的表格）；请用 Excel 或 WPS 打开并保存一次后再导入")


def _count_tags(piece: bytes, inside: bool) -> tuple[int, int, bool]:
    """(rows, cells, still inside <sheetData> at the end) of a piece in Excel's own form, else
    `_Other`. Within <sheetData> the only tags that start `<row` are rows and, in Excel's form,
    the only ones that start `<c` are cells written `<c r="…`: so three passes of `bytes.count`
    tell rows and cells, and a `<c` that is not `<c r="` (a cell on a line of its own, without
    its reference first, or rich inline text's `<color>`) sends the sheet to the parser. Outside
    it a cell tag, however written, does the same."""
    lo = 0 if inside else piece.find(b"<sheetData")
    if lo < 0:  # no sheet data in this piece: no cell either, or a form the counts cannot follow
        if b"sheetData" in piece or _CELL_TAG.search(piece) is not None:
            raise _Other
        return 0, 0, False
    end = piece.rfind(b"</sheetData", lo)  # near the end: found at once
    hi = len(piece) if end < 0 else end
    cells_in = piece.count(b"<c", lo, hi)
    if cells_in != piece.count(b'<c r="', lo, hi):
        raise _Other
    if (lo and _CELL_TAG.search(piece, 0, lo)) or (end >= 0 and _CELL_TAG.search(piece, hi)):
        raise _Other
    return piece.count(b"<row", lo, hi), cells_in, end < 0


def _widest(piece: bytes, cells_in_piece: int, max_row: int, exact: bool) -> int:
    """The highest column a piece of sheet XML uses (1-based), or -26, an upper bound that
    decides the same: when every cell is written `<c r="…"` and none names a column past Z, no
    column check can fail for columns within A–Z on a sheet this short, so the bound stands in
    for finding each cell's letters (a county merge's 340 sheets spent a fifth of the reader's
    own time on that). `_count_sheet` starts again with `exact` when the sheet grows too tall."""
    if not exact and max_row * 26 <= MAX_CELLS:
        return -26 if cells_in_piece else 0  # `_count_sheet` searched for a column past Z
    found = _CELL_COLUMN.findall(piece)
    return max((_column_number(s) for s in set(found)), default=0)


def _cell_rows(piece: bytes, cells_in_piece: int, max_row: int, exact: bool) -> int:
    """The highest row a cell's own reference names when that is past `max_row` (else 0), or a
    negative bound: when every cell is written `<c r="…"` and none names a row with more digits
    than `max_row` has (`_count_sheet`'s search), the cells stay within rows 1 to 9…9 of that many
    digits, which no limit refuses on a sheet this short (up to 99,999 rows, 26 columns).
    Otherwise one search for a reference past `max_row`, and only if one is there, every one read."""
    if not cells_in_piece:
        return 0
    digits = len(str(max_row))
    bound = 10 ** digits - 1
    if not exact and bound <= MAX_ROWS and bound * 26 <= MAX_CELLS:
        return -bound
    if _below(max_row).search(piece) is None:
        return 0
    return max(map(row_number, _CELL_ROW.findall(piece)), default=0)


class _Placing:
    """Every cell of a parsed sheet placed as calamine places it: by its own reference, else in
    its row (the row's number, else the one after the last) after the cell before it."""

    def __init__(self, sheet: str, refuse: Refuse) -> None:
        self.sheet, self.refuse = sheet, refuse
        self.row = self.col = self.cells = self.max_row = self.max_col = self.merges = 0
        self.cell: str | None = None  # the open cell's reference, for the messages
        self.formula = self.value = False
        self.formulas: list[str] = []
        self.errors: list[str] = []

    def start(self, name: str, attrs: dict[str, str]) -> None:
        local = name.rpartition(":")[2]
        if local == "c":
            ref = _REFERENCE.fullmatch(attrs.get("r", "").strip())
            if ref is not None:
                col, row = _column_number(ref[1].encode()), row_number(ref[2])
            else:  # no reference (one calamine cannot read fails there, with its own message)
                col, row = self.col + 1, self.row
            self.col, self.cells = col, self.cells + 1
            self.max_row, self.max_col = max(self.max_row, row), max(self.max_col, col)
            check_reach(self.sheet, self.refuse, self.max_row, self.max_col)
            self.cell = f"{cells.column_letter(col - 1)}{row}"
            self.formula = self.value = False
            if attrs.get("t") == "e" and len(self.errors) < 5:
                self.errors.append(self.cell)
        elif local == "row":
            # calamine reads a row's r as it reads a reference, letters skipped: r="Z1048576" is row 1,048,576
            number = _ROW_NUMBER.fullmatch(attrs.get("r", "").strip())
            self.row = row_number(number[1]) if number is not None else self.row + 1
            self.col = 0
        elif local == "mergeCell":
            self.merges += 1
            check_merges(self.sheet, self.refuse, self.merges)
        elif local == "f" and self.cell is not None:
            self.formula = True
        elif local == "v" and self.cell is not None:
            self.value = True

    def end(self, name: str) -> None:
        if self.cell is not None and name.rpartition(":")[2] == "c":
            if self.formula and not self.value and len(self.formulas) < 5:
                self.formulas.append(self.cell)
            self.cell = None


def _parse_sheet(zf: zipfile.ZipFile, info: zipfile.ZipInfo, sheet: str, refuse: Refuse) -> int:
    """A sheet not in Excel's own form, parsed as a stream (constant memory, a DTD refused: no
    entity of its own can grow the text) and every cell placed (`_Placing`)."""
    placing = _Placing(sheet, refuse)
    parser = expat.ParserCreate()
    parser.StartElementHandler, parser.EndElementHandler = placing.start, placing.end
    with zf.open(info) as fh:
        stream_parse(fh, parser, refuse, f"工作表“{sheet}”",
                     lambda: check_area(sheet, refuse, placing.cells, placing.max_row, placing.max_col))
    _check_values(sheet, refuse, placing.errors, placing.formulas)
    return placing.cells


def stream_parse(fh: IO[bytes], parser: expat.XMLParserType, refuse: Refuse, what: str,
                 each: Callable[[], None] | None = None) -> None:
    """Feed a part to an expat parser a piece at a time (`each` after every piece), with no DTD
    (whose entities could grow the text) and broken XML refused as `what`'s."""
    def no_dtd(*_args: object) -> None:
        raise refuse(f"{what}的 XML 带有文档类型声明（DTD），不是 Excel、WPS 或 LibreOffice 保存的文件")
    parser.StartDoctypeDeclHandler = no_dtd
    while True:
        block = fh.read(CHUNK)
        try:
            parser.Parse(block, not block)
        except expat.ExpatError as exc:
            raise refuse(f"{what}无法读取：XML 不完整或已损坏（第 {exc.lineno} 行第 {exc.offset + 1} 个字符），"
                         "请用 Excel、WPS 或 LibreOffice 打开并另存一次后再导入") from exc
        if each is not None:
            each()
        if not block:
            return


def _column_number(letters: bytes) -> int:
    if len(letters) > 8:  # past every limit; spares the arithmetic on a crafted run of letters
        return BEYOND
    number = 0
    for ch in letters.upper():
        number = number * 26 + (ch - 64)
    return number


