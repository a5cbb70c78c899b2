"""One worksheet's XML counted as bytes, before calamine may parse it (`guard.check_workbook`).

calamine places every cell by its own reference (`<c r="GR1048576">`), not by the row it sits
in, and allocates the grid from A1 to the farthest cell: a 2 KB file whose only two cells are
A1 and GR1048576 makes it ask for 6.7 GB and aborts the process. Rows without cells it skips,
and a cell without a reference it puts in its row (by the row's number, else the next one) after
the cell before it. So the scan bounds, per piece of XML, the rows the cells name (and the rows'
own numbers and count where a cell names none) and the columns the cells name (or count, when
unnamed). Each check is a pass of
`bytes.count` or one regular-expression search where it can be, because a county merge scans
50 MB of XML on the clerk's thread; the exact answers (every reference read) are worked out only
when a quick bound could not decide, and then the refusal gives the sheet's real size.
"""

from __future__ import annotations

import functools
import re
import zipfile
from collections.abc import Callable

from desktop.services.exchange import cells

MAX_ROWS = 200_000  # per sheet; a year of a 60-person station's entries is about 60,000
MAX_COLUMNS = 200
MAX_CELLS = 4_000_000  # per sheet, rows x columns of the grid the reader builds
CHUNK = 4 * 1024 * 1024

_ROW_NUMBER = re.compile(rb'<row\b[^>]*?\sr="(\d{1,9})"')
_CELL_COLUMN = re.compile(rb'<c\b[^>]*?\sr="([A-Z]{1,4})\d')
_CELL_ROW = re.compile(rb'<c\b[^>]*?\sr="[A-Z]{1,4}(\d{1,10})')
_ERROR_CELL = re.compile(rb'<c\b(?=[^>]*\st="e")[^>]*?\sr="([A-Z]{1,4})(\d{1,9})"')
_FORMULA_NO_VALUE = re.compile(rb'<c\b[^>]*?\sr="([A-Z]{1,4})(\d{1,9})"[^>]*>\s*<f\b(?:[^>]*/>|[^>]*>[^<]*</f>)\s*</c>')
_TWO_LETTERS = re.compile(rb'r="[A-Z]{2}')  # where a column past Z may be named (and a few other places)

Refuse = Callable[[str], Exception]  # the refusal for this file, given the reason


@functools.lru_cache(maxsize=16)
def _far(digits: int) -> re.Pattern[bytes]:
    """A cell written `<c r="…"` whose column is past Z or whose row has more than `digits` digits."""
    return re.compile(rb'<c r="[A-Z](?:[A-Z]|\d{%d})' % (digits + 1))


@functools.lru_cache(maxsize=64)
def _below(row: int, anywhere: bool) -> re.Pattern[bytes]:
    """A cell whose reference names a row past `row` (or one written with leading zeros, which
    the exact count then reads as its number). `anywhere`: the reference need not come first."""
    text = str(row)
    longer = [rb"\d{%d}" % (len(text) + 1)]
    for i, digit in enumerate(text):  # same length: equal up to i, then a greater digit
        if digit != "9":
            rest = len(text) - i - 1
            longer.append(text[:i].encode() + b"[%d-9]" % (int(digit) + 1) + (rb"\d{%d}" % rest if rest else b"") + b'"')
    start = rb'<c\b[^>]*?\sr="' if anywhere else rb'<c r="'
    return re.compile(start + rb"[A-Z]{1,4}(?:" + b"|".join(longer) + b")")


def scan_sheet(zf: zipfile.ZipFile, info: zipfile.ZipInfo, sheet: str, refuse: Refuse, exact: bool = False) -> None:
    """Count a sheet's rows, columns and cells from its XML without building anything; raise
    `refuse(reason)` when it is too large or holds what reads wrongly (`exact`: every piece's
    columns and cell rows worked out, not bounded; see `_widest` and `_cell_rows`)."""
    rows = cells_seen = max_row = max_col = reach = 0  # reach: a bound on the rows cells name
    bounded = False
    formulas: list[str] = []
    errors: list[str] = []
    carry = b""
    inside = False  # within <sheetData> at the end of the last piece
    with zf.open(info) as fh:
        while True:
            block = fh.read(CHUNK)
            data = carry + block
            cut = data.rfind(b"<row") if block else len(data)
            cut = len(data) if cut <= 0 else cut
            piece, carry = data[:cut], data[cut:]
            in_rows, in_piece, refs, inside = _count_tags(piece, inside)
            rows += in_rows
            if in_piece != refs:  # a cell without a reference goes in its row: the row's number counts
                numbers = _ROW_NUMBER.findall(piece)
                if numbers:
                    max_row = max(max_row, max(map(int, numbers)))
            max_row = max(max_row, rows)
            far = in_piece == refs and in_piece > 0 and not exact and _far(len(str(max_row))).search(piece) is not None
            widest = _widest(piece, in_piece, refs, max_row, exact or (far and _TWO_LETTERS.search(piece) is not None))
            cell_rows = _cell_rows(piece, in_piece, refs, max_row, exact or far)
            bounded = bounded or widest < 0 or cell_rows < 0
            max_col = max(max_col, abs(widest))
            max_row = max(max_row, cell_rows)
            reach = max(reach, max_row, -cell_rows)
            if b"<f" in piece and len(formulas) < 5:
                formulas += [f"{c.decode()}{r.decode()}" for c, r in _FORMULA_NO_VALUE.findall(piece)[:5]]
            if b't="e"' in piece and len(errors) < 5:
                errors += [f"{c.decode()}{r.decode()}" for c, r in _ERROR_CELL.findall(piece)[:5]]
            if max_row > MAX_ROWS:
                raise refuse(f"工作表“{sheet}”超过每张表 {MAX_ROWS:,} 行的上限（至少用到第 {max_row:,} 行）；"
                             "请删除表格下方的多余内容，或按月份、部门拆分成几个工作簿再导入")
            if max_col > MAX_COLUMNS:
                raise refuse(f"工作表“{sheet}”用到了第 {cells.column_letter(max_col - 1)} 列，"
                             f"超过 {MAX_COLUMNS} 列的上限；请删除表格右侧多余的列后再导入")
            if bounded and (reach > MAX_ROWS or reach * max(max_col, 1) > MAX_CELLS):
                return scan_sheet(zf, info, sheet, refuse, exact=True)  # an earlier bound, now too loose
            if cells_seen + in_piece > MAX_CELLS or max_row * max(max_col, 1) > MAX_CELLS:
                raise refuse(f"工作表“{sheet}”的数据区域过大（{max_row:,} 行 × {max_col} 列），"
                             "请删除表格下方和右侧的多余内容后再导入")
            cells_seen += in_piece
            if not block:
                break
    if errors:
        raise refuse(f"工作表“{sheet}”的单元格 {'、'.join(errors[:5])} 是公式错误值（如 #N/A、#DIV/0!），"
                     "读取时会变成空白；请在 Excel 或 WPS 中改正或清除这些单元格（或删除这张表）后再导入")
    if formulas:
        raise refuse(f"工作表“{sheet}”的单元格 {'、'.join(formulas[:5])} 是公式，但文件中没有保存计算结果"
                     "（常见于由其他程序生成的表格）；请用 Excel 或 WPS 打开并保存一次后再导入")


def _exact_tags(piece: bytes, lo: int, hi: int) -> tuple[int, int, int]:
    """(rows, cells, cells written `<c r="…`) between `lo` and `hi`, each tag told by its full name."""
    return (piece.count(b"<row ", lo, hi) + piece.count(b"<row>", lo, hi),
            piece.count(b"<c ", lo, hi) + piece.count(b"<c>", lo, hi), piece.count(b'<c r="', lo, hi))


def _count_tags(piece: bytes, inside: bool) -> tuple[int, int, int, bool]:
    """(rows, cells, cells written `<c r="…`, still inside <sheetData> at the end) of a piece.

    Within <sheetData> the only tags that start `<row` are rows and the only ones that start `<c`
    are cells, unless an inline string's formatting (`<color>`, `<charset>`) or a cell written
    without its reference first is there: then, and only then, the tags are told apart by name.
    Outside it (<cols>, <conditionalFormatting>, <colBreaks> …) they always are. Three passes
    over the sheet's XML instead of five, a sixth of the check's time on a county merge."""
    lo = 0 if inside else piece.find(b"<sheetData")
    if lo < 0:  # no sheet data in this piece (or names with a prefix): every tag told by name
        return (*_exact_tags(piece, 0, len(piece)), False)
    end = piece.rfind(b"</sheetData", lo)  # near the end: found at once
    hi = len(piece) if end < 0 else end
    rows, cells_in, refs = piece.count(b"<row", lo, hi), piece.count(b"<c", lo, hi), piece.count(b'<c r="', lo, hi)
    if cells_in != refs:
        rows, cells_in, refs = _exact_tags(piece, lo, hi)
    for a, b in ((0, lo), (hi, len(piece))):
        if b > a:
            more = _exact_tags(piece, a, b)
            rows, cells_in, refs = rows + more[0], cells_in + more[1], refs + more[2]
    return rows, cells_in, refs, end < 0


def _widest(piece: bytes, cells_in_piece: int, refs: int, max_row: int, exact: bool) -> int:
    """The highest column a piece of sheet XML uses (1-based), or -26, an upper bound that
    decides the same: when every cell is written `<c r="…"` and none names a column past Z, no
    column check can fail for columns within A–Z on a sheet this short, so the bound stands in
    for finding each cell's letters (a county merge's 340 sheets spent a fifth of the reader's
    own time on that). `scan_sheet` starts again with `exact` when the sheet grows too tall."""
    if not exact and cells_in_piece == refs and max_row * 26 <= MAX_CELLS:
        return -26 if cells_in_piece else 0  # `scan_sheet` searched for a column past Z
    widest = 0
    found = _CELL_COLUMN.findall(piece)
    if found:
        widest = max(_column_number(s) for s in set(found))
    if cells_in_piece > len(found):  # cells without a reference sit one after another
        widest = max(widest, max(seg.count(b"<c ") + seg.count(b"<c>") for seg in piece.split(b"<row")))
    return widest


def _cell_rows(piece: bytes, cells_in_piece: int, refs: int, max_row: int, exact: bool) -> int:
    """The highest row a cell's own reference names when that is past `max_row` (else 0), or a
    negative bound: when every cell is written `<c r="…"` and none names a row with more digits
    than `max_row` has (`scan_sheet`'s search), the cells stay within rows 1 to 9…9 of that many
    digits, which no limit refuses on a sheet this short (up to 99,999 rows, 26 columns).
    Otherwise one search for a reference past `max_row`, and only if one is there, every one read."""
    if not cells_in_piece:
        return 0
    digits = len(str(max_row))
    bound = 10 ** digits - 1
    if not exact and cells_in_piece == refs and bound <= MAX_ROWS and bound * 26 <= MAX_CELLS:
        return -bound
    if _below(max_row, cells_in_piece != refs).search(piece) is None:
        return 0
    return max(map(int, _CELL_ROW.findall(piece)), default=0)


def _column_number(letters: bytes) -> int:
    number = 0
    for ch in letters:
        number = number * 26 + (ch - 64)
    return number
