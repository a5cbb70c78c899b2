"""Tolerant reading of workbooks with python-calamine (about ten times faster than openpyxl).

Each sheet is recognised by its name or by its header, which may sit anywhere in the first
20 rows under title rows and may span two rows (a merged group title above sub-headers;
calamine gives a merged cell's value only in its top-left cell). Blank rows, totals and
notes under the table are skipped; columns that are not part of the format are reported and
ignored. Cells are parsed by column type, and every bad cell becomes a `Problem`.
"""

from __future__ import annotations

import calendar
import datetime as dt
import functools
import operator
import re
from collections.abc import Collection
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from python_calamine import CalamineError, CalamineWorkbook

from desktop.services import gc_pause
from desktop.services.exchange import guard, sheet_prefetch
from desktop.services.exchange.cells import (
    PARSERS,
    CellError,
    MonthDay,
    column_letter,
    is_blank,
    parse_date,
    parse_datetime,
    parse_uuid,
    value_text,
)
from desktop.services.exchange.digest_lines import canonical_uuids as _canonical_uuids
from desktop.services.exchange.guard import is_ods
from desktop.services.exchange.headers import (
    IGNORED_HEADERS,
    SYNONYMS,
    classify,
    diagnose,
    header_again,
    never_header,
)
from desktop.services.exchange.ods_merges import ods_merges
from desktop.services.exchange.report import ImportReport, Progress
from desktop.services.exchange.schema import (
    ABOUT_NAME,
    FORMAT_ID,
    SheetKind,
    header_key,
)

FOOTER_WORDS = ("合计", "总计", "小计", "共计", "备注", "注:", "注：", "说明:", "说明：", "填表人", "制表",
                "审核人", "负责人", "签字", "签名", "领导签字", "统计人")
FOOTER_KEYS = tuple(header_key(w) for w in FOOTER_WORDS)
KEY_FIELDS = {"departments": ("name",), "roster": ("badge",), "catalogue": ("name",), "entries": ("uuid",),
              "adjustments": ("badge", "name"), "summary": ("badge",), "awards": ("badge",),
              "signoffs": ("seq",), "confirmations": ("badge",), "units": ("code",), "unit_members": ("unit",),
              "schemes": ("code",), "case_reviews": ("entry_uuid",), "scores": ("code",)}
@dataclass
class Row:
    number: int  # as the spreadsheet shows it
    values: dict[str, Any]
    ok: bool = True
    cells: list[Any] = field(default_factory=list)  # the raw cells, for a preview table
    # The title of the block the row sits in (“一、治安中队” on a row of its own above it), or None.
    section: str | None = None


@dataclass
class Table:
    """One recognised sheet: which column holds which field, and its parsed rows."""

    sheet: str
    kind: SheetKind
    header_row: int  # spreadsheet number of the (last) header row
    columns: dict[str, int]  # field key → 0-based column
    headers: dict[str, str]  # field key → header as written in the sheet
    rows: list[Row] = field(default_factory=list)
    above: list[str] = field(default_factory=list)  # title rows above the header, as text
    extra: dict[int, str] = field(default_factory=dict)  # 0-based column → header of a column not in the format
    year: int | None = None  # for dates written without one (11月5日): from the title, else the current year
    year_noted: bool = False  # the notice that a year was assumed is given once per table
    # A table read without its rows (`read_workbook(rows_for=…)`, e.g. a county merge's 积分明细,
    # which it only counts and digests): `rows` stays empty, and each field's parsed values are
    # here in the order of the sheet. Its problems are in the report, with no row to mark.
    values: dict[str, list[Any]] | None = None
    _total: int = 0  # data rows, when read without them

    def row_total(self) -> int:
        """How many data rows the table has, whether read as rows or as `values`."""
        return len(self.rows) if self.values is None else self._total

    def has(self, key: str) -> bool:
        return key in self.columns

    def where(self, key: str) -> tuple[str, str]:
        """(column letter, header) of a field, for problem reports."""
        if key not in self.columns:
            return "", self.kind.field(key).header
        return column_letter(self.columns[key]), self.headers[key]


@dataclass
class Workbook:
    path: Path
    about: dict[str, Any] | None  # the 说明 sheet of a jifen export, else None
    tables: list[Table]

    def of(self, kind: str) -> list[Table]:
        return [t for t in self.tables if t.kind.key == kind]


def open_sheets(path: Path) -> CalamineWorkbook:
    """`path` checked by the guard and opened, for a caller that reads a sheet or two itself."""
    return sheet_prefetch.open_book(path)


def sheet_rows(book: CalamineWorkbook | None, name: str, sheet: Any = None) -> list[list[Any]]:
    """All rows from A1, so list positions are spreadsheet positions (`sheet`: already parsed).

    A merged cell's value is only in its top-left cell; `find_header` relies on exactly that
    for two-row headers (a group title above, sub-headers below, vertical merges blank below).
    """
    with sheet_prefetch.calamine_errors(f"工作表“{name}”无法读取"):
        sheet = sheet if sheet is not None else book.get_sheet_by_name(name)  # type: ignore[union-attr]
        guard.check_grid(name, sheet.end)
        return sheet.to_python(skip_empty_area=False)


def sheet_merges(book: CalamineWorkbook | None, name: str,
                 ods: dict[str, list[tuple[tuple[int, int], tuple[int, int]]]] | None = None,
                 sheet: Any = None) -> list[tuple[tuple[int, int], tuple[int, int]]]:
    """The sheet's merged ranges ((first row, first col), (last row, last col)), 0-based. calamine
    gives them for .xlsx and .xls; for .ods they come from `ods_merges` (passed in as `ods`)."""
    if ods is not None:
        return ods.get(name, [])
    try:
        sheet = sheet if sheet is not None else book.get_sheet_by_name(name)  # type: ignore[union-attr]
        return list(sheet.merged_cell_ranges or [])
    except (CalamineError, AttributeError, TypeError):
        return []


def fill_merged(rows: list[list[Any]], merges: list[tuple[tuple[int, int], tuple[int, int]]], below: int) -> int:
    """Write a vertically merged data cell's value into every row it covers; returns how many.

    A department or a date written once for several people is meant for each of them, but the
    file holds it only in the merge's top cell. Only merges that start below the header (row
    index `below`) are filled: the header relies on blank cells under a group title."""
    filled = 0
    covered: dict[int, int] = {}  # column → the last row a merge there has covered
    # Taken top to bottom, a merge that overlaps one above it in its column is skipped: Excel
    # never writes overlapping merges, and a crafted file of 10,000 copies of one tall merge
    # would otherwise walk its rows 10,000 times.
    for (r1, c1), (r2, _c2) in sorted(merges):
        if r1 <= below or r2 <= r1 or r1 >= len(rows) or c1 >= len(rows[r1]) or r1 <= covered.get(c1, -1):
            continue
        covered[c1] = r2
        value = rows[r1][c1]
        if is_blank(value):
            continue
        for r in range(r1 + 1, min(r2, len(rows) - 1) + 1):
            row = rows[r]
            if c1 < len(row) and is_blank(row[c1]):
                row[c1] = value
                filled += 1
    return filled


def read_about(rows: list[list[Any]]) -> dict[str, Any] | None:
    """The key/value pairs of a jifen 说明 sheet, or None when the sheet is not ours."""
    pairs = {value_text(r[0]).strip(): (r[1] if len(r) > 1 else "") for r in rows if r and not is_blank(r[0])}
    return pairs if value_text(pairs.get("格式标识", "")).strip() == FORMAT_ID else None


def read_table(sheet: str, rows: list[list[Any]], kind: SheetKind, first: int, last: int,
               columns: dict[int, str], report: ImportReport, progress: Progress,
               merges: list[tuple[tuple[int, int], tuple[int, int]]] | None = None, *,
               as_rows: bool = True) -> list[Table]:
    """The sheet's table, or its tables when the header comes again with other columns (several
    blocks in one sheet). A header repeated as it was (printed on every page) is skipped; a row
    holding nothing but a title (“二、社区中队”) starts a section its rows carry (`Row.section`).
    `as_rows=False`: each table's parsed values by field (`Table.values`), no `Row`s."""
    if merges and (filled := fill_merged(rows, merges, last)):
        report.notice(sheet, None, f"合并单元格中的内容已填入它所覆盖的每一行（共 {filled} 格），如部门、日期只写了一次")
    above = [" ".join(value_text(v) for v in row if not is_blank(v)) for row in rows[:first]]
    table = _start_table(sheet, rows, kind, first, last, columns, above, report, as_rows)
    tables = [table]
    specs = [(key, col, _cell_parser(key, PARSERS[kind.field(key).kind])) for col, key in columns.items()]
    keys = [table.columns[k] for k in KEY_FIELDS[kind.key] if k in table.columns]
    footer_at: int | None = None
    # A numbered title right above the header (“一、治安中队”) is the first block's section.
    section = next((t for t in reversed(above) if t.strip()), None) if above and _NUMBERED.match(above[-1]) else None
    repeated = 0
    wide = {r1 for (r1, c1), (r2, c2) in merges or () if r1 == r2 and c2 - c1 >= 2}  # rows merged across
    # Data rows wait here and are parsed a column at a time (`_parse_rows`) before anything else
    # is reported, so problems and notices come in the order of the sheet.
    waiting: list[tuple[int, list[Any], str | None]] = []

    def parse_waiting() -> None:
        if waiting:
            table.rows += _parse_rows(table, waiting, specs, report)
            waiting.clear()

    start = _uuid_keyed_run(rows, last + 1, keys, wide)
    if start > last + 1:  # every row below the header told at once as a data row
        waiting += [(index + 1, rows[index], section) for index in range(last + 1, start)]
        progress.tick(start - last - 1)
    for index in range(start, len(rows)):
        cells = rows[index]
        progress.tick()
        if footer_at is None and keys and index not in wide and _plain_key_row(cells, keys):
            waiting.append((index + 1, cells, section))  # what the checks below would find, told at once
            continue
        again = header_again(cells, kind, keys)
        if again is not None:
            footer_at = None
            if again == columns:
                repeated += 1
                continue
            parse_waiting()
            columns = again  # a new block with its own columns: a table of its own
            table = _start_table(sheet, rows, kind, index, index, columns, [section or ""], report, as_rows)
            table.year = tables[0].year
            tables.append(table)
            specs = [(key, col, _cell_parser(key, PARSERS[kind.field(key).kind])) for col, key in columns.items()]
            keys = [table.columns[k] for k in KEY_FIELDS[kind.key] if k in table.columns]
            continue
        if (title := _section_title(cells, keys, columns, index in wide)) is not None and not _is_footer(cells, keys):
            section = title
            footer_at = None  # a new block may follow the totals row of the one before
            continue
        if all(c >= len(cells) or is_blank(cells[c]) for _, c, _ in specs):
            continue
        if footer_at is None and _is_footer(cells, keys):
            parse_waiting()
            footer_at = index + 1
            report.notice(sheet, footer_at, "表格下方的合计、备注或签字行，已跳过")
            continue
        if footer_at is not None:
            if keys and all(c < len(cells) and not is_blank(cells[c]) for c in keys):
                parse_waiting()
                report.problem(sheet, index + 1, f"第 {footer_at} 行的合计或备注之后仍有数据，请把数据移到合计行之上")
            continue
        waiting.append((index + 1, cells, section))
    parse_waiting()
    if repeated:
        report.notice(sheet, None, f"表头在表中重复出现 {repeated} 次（如每页都打印表头），重复的表头行已跳过")
    for t in tables:
        if not t.row_total():
            report.notice(sheet, t.header_row, "表头下面没有数据行：这张表是空的，没有可导入的内容")
    return tables


def _start_table(sheet: str, rows: list[list[Any]], kind: SheetKind, first: int, last: int, columns: dict[int, str],
                 above: list[str], report: ImportReport, as_rows: bool = True) -> Table:
    headers = {key: value_text(rows[last][c] if not is_blank(rows[last][c]) else rows[first][c]).strip()
               for c, key in columns.items()}
    table = Table(sheet, kind, last + 1, {k: c for c, k in columns.items()}, headers, above=above,
                  values=None if as_rows else {key: [] for key in columns.values()})
    table.year = year_above(table)
    _report_extra_columns(table, rows, first, last, columns, report)
    return table


def _plain_key_row(cells: list[Any], keys: list[int]) -> bool:
    """A data row told at a glance: every key cell holds a plain ASCII text longer than any header
    name (an entry's UUID). Such a row is no header again, no section title (its one text is in a
    key column, not numbered, not merged across), not blank and no footer (a footer word starts
    with a Chinese character), so `read_table`'s checks row by row would all pass it."""
    width = len(cells)
    for c in keys:
        if c >= width:
            return False
        cell = cells[c]
        if cell.__class__ is not str or not never_header(cell) or not cell[0].isalnum() or _NUMBERED.match(cell):
            return False
    return True


def _uuid_keyed_run(rows: list[list[Any]], first: int, keys: list[int], wide: set[int]) -> int:
    """Where the row-by-row checks begin: `len(rows)` when every row from `first` on has one key
    cell, a UUID in canonical form (an export's entries, 36,000 rows in a county merge), else
    `first`. Such rows are what `_plain_key_row` passes (a canonical UUID is plain ASCII longer
    than any header name, starts with a hex digit, has no 、 or bracket to number it), told
    with one regular expression over the column instead of a Python call per row."""
    if len(keys) != 1 or first >= len(rows) or any(i >= first for i in wide):
        return first
    (col,) = keys
    below = rows[first:]
    if min(map(len, below)) <= col:
        return first
    column = list(map(operator.itemgetter(col), below))
    if not _canonical_uuids(column) or None in column or not _plain_key_row(below[0], keys):
        return first
    return len(rows)


_NUMBERED = re.compile(r"^\s*([一二三四五六七八九十]+[、.．]|[（(][一二三四五六七八九十\d]+[)）]|\d+[、.．](?!\d))")


def _section_title(cells: list[Any], keys: list[int], columns: dict[int, str], merged_across: bool) -> str | None:
    """The text of a row that holds only a title (“二、社区中队”), or None.

    One text cell, and the row is merged across the table, or the text is numbered like a
    heading, or it stands in a column that is no field (序号). A lone value in a field column
    (a name with the rest left blank) is a data row, reported as such, never dropped as a title."""
    found: tuple[int, Any] | None = None
    for c, v in enumerate(cells):  # stops at the second filled cell: where every data row stops
        if v is None or v == "" or (isinstance(v, str) and not v.strip()):
            continue
        if found is not None:
            return None
        found = (c, v)
    if found is None or not isinstance(found[1], str):
        return None
    col, text = found[0], found[1].strip()
    if len(text) < 2 or (col in keys and not (merged_across or _NUMBERED.match(text))):
        return None
    if merged_across or _NUMBERED.match(text) or col not in columns:
        return text
    return None


def year_above(table: Table) -> int | None:
    """The year the title rows name (“2026年11月上级加减分”, “2026年度”), or None."""
    for text in table.above:
        if m := re.search(r"(20\d{2})\s*年", text):
            return int(m[1])
    return None


def resolve_month_day(table: Table, value: MonthDay, today: dt.date | None = None) -> tuple[dt.date | None, str]:
    """A date written without its year, with the title's year, else the current one (the year
    before when the day would lie more than a month ahead: December's list typed in January)."""
    today = today or dt.date.today()
    year = table.year
    if year is None:
        year = today.year
        try:
            if dt.date(year, value.month, value.day) > today + dt.timedelta(days=31):
                year -= 1
        except ValueError:
            pass
    try:
        return dt.date(year, value.month, value.day), ""
    except ValueError:
        return None, f"{year}年{value.month}月没有{value.day}日"


CellParse = tuple[Any, str | None, bool]  # (value, problem or None, the problem is "too long")


def _cell_parser(key: str, parser: Any) -> Any:
    """Parse one column's cells: the value, or the problem (too long, or the parser's reason).

    Remembered per distinct cell value (and its type, so 1, 1.0 and True stay apart): names,
    departments, items, dates and points repeat on every row, and parsing each cell afresh was
    half the time of importing a 100,000-row workbook.
    """
    def parse(raw: Any) -> CellParse:
        if raw is None or raw == "":
            return None, None, False
        if raw.__class__ is str and (too_long := guard.too_long(key, parser, raw)) is not None:
            return None, too_long, True
        try:
            return parser(raw), None, False
        except CellError as exc:
            return None, str(exc), False

    cached = functools.lru_cache(maxsize=1 << 16, typed=True)(parse)
    cached.uncached = parse  # type: ignore[attr-defined]  # for a cell value that cannot be hashed
    cached.parser = parser  # type: ignore[attr-defined]  # which one, for a column's quick answer
    return cached


_FIRST, _SECOND = operator.itemgetter(0), operator.itemgetter(1)
_TEXT_OR_BLANK = {str, type(None)}
_DATETIME_OR_BLANK = {dt.datetime, type(None)}
_MICROSECOND = operator.attrgetter("microsecond")


def _parse_column(parse: Any, raw: list[Any]) -> tuple[list[Any], list[CellParse] | None]:
    """A column's values, and each cell's whole answer when some cell needs a look of its own (a
    problem, or a date without its year), else None."""
    if parse.parser is parse_uuid and _canonical_uuids(raw):
        # Every UUID differs, so the cache only misses; a column of canonical ones (every export's)
        # is its own parse, told by one regular expression.
        return raw, None
    types = set(map(type, raw))
    if parse.parser is parse_datetime and types <= _DATETIME_OR_BLANK and (
            set(map(_MICROSECOND, filter(None, raw))) <= {0}):
        # Date-time cells to the second (every 录入时间 differs, so the cache only misses) are
        # their own parse: `parse_datetime` gives such a cell back as it is.
        return raw, None
    if types <= _TEXT_OR_BLANK:
        # Text only, so no 1 / 1.0 / True to keep apart: each distinct value parsed once and looked
        # up in a plain dict, cheaper than the typed cache's key for every cell.
        parsed = {value: parse(value) for value in dict.fromkeys(raw)}
        if all(p[1] is None and p[0].__class__ is not MonthDay for p in parsed.values()):
            values = {value: p[0] for value, p in parsed.items()}
            return list(map(values.__getitem__, raw)), None
        whole = list(map(parsed.__getitem__, raw))
    else:
        try:
            whole = list(map(parse, raw))
        except TypeError:  # an unhashable cell value: that column parsed without the cache
            whole = list(map(parse.uncached, raw))
    return list(map(_FIRST, whole)), whole


def _parse_rows(table: Table, found: list[tuple[int, list[Any], str | None]], specs: list[tuple[str, int, Any]],
                report: ImportReport) -> list[Row]:
    """Rows (spreadsheet number, cells, section) parsed a column at a time: the cached parser is
    mapped over a column in C, and only the cells with a problem or a date without its year
    (rare) are looked at one by one, in the order of the sheet. A county merge reads 47,000 rows."""
    values_by_column: list[list[Any]] = []
    special: list[tuple[int, int]] = []  # (row position, spec position) of the cells to look at
    parsed_by_column: list[list[CellParse] | None] = []
    grid = list(map(_SECOND, found))
    narrowest = min(map(len, grid), default=0)
    for j, (_key, col, parse) in enumerate(specs):
        raw = list(map(operator.itemgetter(col), grid)) if col < narrowest else [
            cells[col] if col < len(cells) else None for cells in grid]
        values, parsed = _parse_column(parse, raw)
        if parsed is not None:
            if set(map(_SECOND, parsed)) != {None}:
                special += [(i, j) for i, p in enumerate(parsed) if p[1] is not None]
            if MonthDay in set(map(type, values)):
                special += [(i, j) for i, v in enumerate(values) if v.__class__ is MonthDay and parsed[i][1] is None]
        values_by_column.append(values)
        parsed_by_column.append(parsed)
    keys = [key for key, _col, _parse in specs]
    as_rows = table.values is None
    if not as_rows:  # no rows wanted: the columns as they are
        rows: list[Row] = []
    else:
        by_row = zip(*values_by_column, strict=True) if specs else (() for _ in found)
        rows = [Row(number, dict(zip(keys, values, strict=True)), True, cells, section)
                for (number, cells, section), values in zip(found, by_row, strict=True)]
    for i, j in sorted(special):
        key, col, _parse = specs[j]
        value, problem, too_long = parsed_by_column[j][i]  # type: ignore[index]  # set for every special cell
        number, cells, _section = found[i]
        if value.__class__ is MonthDay:
            value, why = resolve_month_day(table, value)
            if why:
                problem = why
            else:
                _note_assumed_year(table, report)
            if as_rows:
                rows[i].values[key] = value
            else:
                values_by_column[j][i] = value
        if problem is not None:
            if as_rows:
                rows[i].ok = False
            raw = cells[col]
            report.problem(table.sheet, number, problem, column=column_letter(col), header=table.headers[key],
                           value=raw if too_long else value_text(raw))
    if not as_rows:
        for key, values in zip(keys, values_by_column, strict=True):
            table.values[key] += values
        table._total += len(found)
    return rows


def _note_assumed_year(table: Table, report: ImportReport) -> None:
    if table.year_noted:
        return
    table.year_noted = True
    where = "标题中的年份" if year_above(table) is not None else "当前年份（标题中没有写年份）"
    report.notice(table.sheet, None, f"有的日期没有写年份（如“11月5日”），已按{where}计算；如不对，请写成完整日期")


def _is_footer(cells: list[Any], key_cols: list[int]) -> bool:
    """A totals or notes row: its key cells are blank (or hold the note) and some cell starts a note."""
    for c in key_cols:
        if c < len(cells):
            cell = cells[c]
            if cell != "" and cell is not None and not _footer_text(cell):
                return False
    return any(_footer_text(cell) for cell in cells)


def _footer_text(cell: Any) -> bool:
    if not isinstance(cell, str):
        return False
    first = cell.lstrip()[:1]
    if first.isascii() and first.isalnum():  # every footer word starts with a Chinese character
        return False  # (a quick answer for the UUIDs, badges and codes of every data row)
    return header_key(cell[:8]).startswith(FOOTER_KEYS)


def _report_extra_columns(table: Table, rows: list[list[Any]], first: int, last: int, columns: dict[int, str],
                          report: ImportReport) -> None:
    width = max(len(rows[first]), len(rows[last]))
    for col in range(width):
        if col in columns:
            continue
        texts = [rows[r][col] for r in range(first, last + 1) if col < len(rows[r]) and not is_blank(rows[r][col])]
        if not texts or any(header_key(value_text(t)) in IGNORED_HEADERS for t in texts):
            continue
        header = "／".join(dict.fromkeys(value_text(t).strip() for t in texts))
        table.extra[col] = value_text(texts[-1]).strip()
        if table.kind.key == "scores":  # a score sheet's components are its scheme's own columns
            continue
        dup = SYNONYMS[table.kind.key].get(header_key(value_text(texts[-1])))
        if dup is not None and dup in table.columns:
            letter, other = table.where(dup)
            report.notice(table.sheet, last + 1, f"与 {letter} 列“{other}”是同一项，本列已忽略",
                          column=column_letter(col), header=header)
        else:
            report.notice(table.sheet, last + 1, "这一列不在导入格式中，已忽略", column=column_letter(col),
                          header=header)


def effective_date_above(table: Table) -> Any:
    """A date written in the title rows ('自2026年4月1日起施行'), for catalogues without a date column."""
    for text in table.above:
        for m in re.finditer(r"\d{4}\s*[年./-]\s*\d{1,2}\s*[月./-]\s*\d{1,2}\s*日?", text):
            try:
                return parse_date(m.group(0))
            except CellError:
                continue
    return None


def month_end_above(table: Table) -> Any:
    """The last day of a month named in the title rows ('2026年3月上级加减分'), or None."""
    for text in table.above:
        if m := re.search(r"(\d{4})\s*年\s*(\d{1,2})\s*月", text):
            year, month = int(m[1]), int(m[2])
            if 1 <= month <= 12:
                return dt.date(year, month, calendar.monthrange(year, month)[1])
    return None


@gc_pause.pausing
def read_workbook(path: Path, report: ImportReport, progress: Progress, *, include_hidden: bool = False,
                  opened: sheet_prefetch.OpenedBook | None = None,
                  rows_for: Collection[str] | None = None) -> Workbook:
    """Read every sheet; recognised ones become tables, the others are reported and skipped.
    A hidden sheet is reported and left out unless `include_hidden` (a clerk hides what is not
    meant to go, such as last year's list or a lookup table). `opened`: the book from a
    `sheet_prefetch.Prefetcher` the caller runs over several files (it must have been made with
    the same `include_hidden`); otherwise one is run here, so calamine parses the next sheet
    while this one's cells are read. `rows_for`: the kinds (`SheetKind.key`) whose tables are
    read as `Row`s; the others only as their columns (`Table.values`). None: every kind as rows."""
    if opened is None:
        with sheet_prefetch.Prefetcher([path], include_hidden=include_hidden) as prefetch:
            book = next(prefetch.books())
            return _read_opened(book, report, progress, include_hidden, rows_for)
    return _read_opened(opened, report, progress, include_hidden, rows_for)


def _read_opened(book: sheet_prefetch.OpenedBook, report: ImportReport, progress: Progress,
                 include_hidden: bool, rows_for: Collection[str] | None = None) -> Workbook:
    path = book.path
    about: dict[str, Any] | None = None
    tables: list[Table] = []
    ods = ods_merges(path) if is_ods(path) else None
    grid = 0  # cells of all the sheets' grids so far: each sheet's limit alone lets 2,000 sheets through
    for name in book.names:
        progress.check()
        if name in book.hidden and not include_hidden:
            report.notice(name, None, "这是隐藏的工作表，没有导入；如确要导入，请在 Excel 或 WPS 中取消隐藏，"
                          "或导入时选择“包括隐藏的工作表”（命令行 --include-hidden）")
            continue
        sheet = book.sheet(name)
        grid = guard.check_workbook_grid(path, grid, sheet.end)
        rows = sheet_rows(None, name, sheet)
        progress.grow(len(rows))
        if header_key(name) == header_key(ABOUT_NAME) and (found := read_about(rows)) is not None:
            about = found
            report.sheets[name] = "说明（本程序导出的工作簿）"
            continue
        kind = classify(name, rows)
        if kind is None:
            if any(any(not is_blank(c) for c in row) for row in rows):
                report.notice(name, None, diagnose(rows))
            continue
        sheet_kind, first, last, columns = kind
        report.sheets[name] = f"{sheet_kind.name}（表头在第 {first + 1}" + (
            f"–{last + 1} 行）" if last != first else " 行）")
        found_tables = read_table(name, rows, sheet_kind, first, last, columns, report, progress,
                                  sheet_merges(None, name, ods, sheet),
                                  as_rows=rows_for is None or sheet_kind.key in rows_for)
        if len(found_tables) > 1:
            report.sheets[name] += f"，共 {len(found_tables)} 段表格"
        tables += found_tables
    return Workbook(path, about, tables)
