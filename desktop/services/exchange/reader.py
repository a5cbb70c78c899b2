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
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from python_calamine import CalamineError, CalamineWorkbook

from desktop.services.errors import NotFound, ValidationError
from desktop.services.exchange import guard
from desktop.services.exchange.cells import (
    PARSERS,
    CellError,
    column_letter,
    is_blank,
    parse_date,
    value_text,
)
from desktop.services.exchange.report import ImportReport, Progress
from desktop.services.exchange.schema import (
    ABOUT_NAME,
    FORMAT_ID,
    READ_KINDS,
    SheetKind,
    header_key,
    synonyms_of,
)

HEADER_SCAN_ROWS = 20
FOOTER_WORDS = ("合计", "总计", "小计", "共计", "备注", "注:", "注：", "说明:", "说明：", "填表人", "制表",
                "审核人", "负责人", "签字", "签名", "领导签字", "统计人")
FOOTER_KEYS = tuple(header_key(w) for w in FOOTER_WORDS)
IGNORED_HEADERS = frozenset(header_key(h) for h in ("序号", "序", "No", "No.", "行号"))
KEY_FIELDS = {"departments": ("name",), "roster": ("badge",), "catalogue": ("name",), "entries": ("uuid",),
              "adjustments": ("badge", "name"), "summary": ("badge",), "awards": ("badge",),
              "signoffs": ("seq",), "confirmations": ("badge",), "units": ("code",), "unit_members": ("unit",),
              "schemes": ("code",), "case_reviews": ("entry_uuid",), "scores": ("code",)}
_SYNONYMS = {kind.key: synonyms_of(kind) for kind in READ_KINDS}
# How close a header is to a field's own name: the export's header 0, then synonyms in order.
_RANKS = {kind.key: {header_key(name): rank for f in kind.fields for rank, name in enumerate((f.header, *f.synonyms))}
          for kind in READ_KINDS}


@dataclass
class Row:
    number: int  # as the spreadsheet shows it
    values: dict[str, Any]
    ok: bool = True
    cells: list[Any] = field(default_factory=list)  # the raw cells, for a preview table


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
    if not path.is_file():
        raise NotFound(f"找不到文件“{path}”")
    guard.check_workbook(path)  # zip bombs, huge or far-flung sheets, encrypted files: refused first
    try:
        return CalamineWorkbook.from_path(str(path))
    except (CalamineError, OSError, ValueError) as exc:
        raise ValidationError(f"“{path.name}”不是能读取的 Excel 工作簿（.xlsx）：{exc}") from exc


def sheet_rows(book: CalamineWorkbook, name: str) -> list[list[Any]]:
    """All rows from A1, so list positions are spreadsheet positions.

    A merged cell's value is only in its top-left cell; `find_header` relies on exactly that
    for two-row headers (a group title above, sub-headers below, vertical merges blank below).
    """
    try:
        sheet = book.get_sheet_by_name(name)
        guard.check_grid(name, sheet.end)
        return sheet.to_python(skip_empty_area=False)
    except CalamineError as exc:
        raise ValidationError(f"工作表“{name}”无法读取：{exc}") from exc


def _match_row(cells: list[Any], kind: str) -> dict[int, str]:
    """Column → field for one row. When two columns name one field, the closer name wins
    (“部门” over “单位” for the department, wherever the columns stand)."""
    synonyms, ranks = _SYNONYMS[kind], _RANKS[kind]
    best: dict[str, tuple[int, int]] = {}  # field → (rank of the name, column)
    for col, cell in enumerate(cells):
        if isinstance(cell, str) and cell.strip():
            name = header_key(cell)
            key = synonyms.get(name)
            if key is not None:
                rank = ranks[name]
                if key not in best or rank < best[key][0]:
                    best[key] = (rank, col)
    return {col: key for key, (_, col) in sorted(best.items(), key=lambda kv: kv[1][1])}


def find_header(rows: list[list[Any]], kind: SheetKind) -> tuple[int, int, dict[int, str]] | None:
    """(first header row, last header row, column → field) with the most fields, or None."""
    best: tuple[int, int, dict[int, str]] | None = None
    for r in range(min(HEADER_SCAN_ROWS, len(rows))):
        found = _match_row(rows[r], kind.key)
        if not found:
            continue
        last = r
        if r + 1 < len(rows):
            below = _match_row(rows[r + 1], kind.key)
            fresh = {c: k for c, k in below.items() if c not in found and k not in found.values()}
            data_under_header = any(c < len(rows[r + 1]) and not is_blank(rows[r + 1][c]) for c in found)
            if fresh and not data_under_header:
                found = found | fresh
                last = r + 1
        if not any(sig <= set(found.values()) for sig in kind.signatures):
            continue
        if best is None or len(found) > len(best[2]):
            best = (r, last, found)
    return best


def classify(name: str, rows: list[list[Any]]) -> tuple[SheetKind, int, int, dict[int, str]] | None:
    """The sheet's kind: an exact export sheet name wins, then the header with most known fields."""
    candidates = []
    folded = header_key(name)
    for order, kind in enumerate(READ_KINDS):
        found = find_header(rows, kind)
        if found is None:
            continue
        by_name = 2 if folded == header_key(kind.name) else (
            1 if any(header_key(n) in folded for n in kind.sheet_names) else 0)
        candidates.append(((by_name == 2, len(found[2]), by_name, -order), kind, found))
    if not candidates:
        return None
    _, kind, (first, last, columns) = max(candidates, key=lambda c: c[0])
    return kind, first, last, columns


def read_about(rows: list[list[Any]]) -> dict[str, Any] | None:
    """The key/value pairs of a jifen 说明 sheet, or None when the sheet is not ours."""
    pairs = {value_text(r[0]).strip(): (r[1] if len(r) > 1 else "") for r in rows if r and not is_blank(r[0])}
    return pairs if value_text(pairs.get("格式标识", "")).strip() == FORMAT_ID else None


def read_table(sheet: str, rows: list[list[Any]], kind: SheetKind, first: int, last: int,
               columns: dict[int, str], report: ImportReport, progress: Progress) -> Table:
    headers = {key: value_text(rows[last][c] if not is_blank(rows[last][c]) else rows[first][c]).strip()
               for c, key in columns.items()}
    table = Table(sheet, kind, last + 1, {k: c for c, k in columns.items()}, headers,
                  above=[" ".join(value_text(v) for v in row if not is_blank(v)) for row in rows[:first]])
    _report_extra_columns(table, rows, first, last, columns, report)
    specs = [(key, col, _cell_parser(key, PARSERS[kind.field(key).kind])) for col, key in columns.items()]
    keys = [table.columns[k] for k in KEY_FIELDS[kind.key] if k in table.columns]
    footer_at: int | None = None
    for index in range(last + 1, len(rows)):
        cells = rows[index]
        progress.tick()
        if all(c >= len(cells) or is_blank(cells[c]) for _, c, _ in specs):
            continue
        if footer_at is None and _is_footer(cells, keys):
            footer_at = index + 1
            report.notice(sheet, footer_at, "表格下方的合计、备注或签字行，已跳过")
            continue
        if footer_at is not None:
            if keys and all(c < len(cells) and not is_blank(cells[c]) for c in keys):
                report.problem(sheet, index + 1, f"第 {footer_at} 行的合计或备注之后仍有数据，请把数据移到合计行之上")
            continue
        table.rows.append(_parse_row(table, index + 1, cells, specs, report))
    return table


CellParse = tuple[Any, str | None, bool]  # (value, problem or None, the problem is "too long")


def _cell_parser(key: str, parser: Any) -> Any:
    """Parse one column's cells: the value, or the problem (too long, or the parser's reason).

    Remembered per distinct cell value (and its type, so 1, 1.0 and True stay apart): names,
    departments, items, dates and points repeat on every row, and parsing each cell afresh was
    half the time of importing a 100,000-row workbook.
    """
    def parse(raw: Any) -> CellParse:
        if raw.__class__ is str and (too_long := guard.too_long(key, parser, raw)) is not None:
            return None, too_long, True
        try:
            return parser(raw), None, False
        except CellError as exc:
            return None, str(exc), False

    cached = functools.lru_cache(maxsize=1 << 16, typed=True)(parse)
    cached.uncached = parse  # type: ignore[attr-defined]  # for a cell value that cannot be hashed
    return cached


def _parse_row(table: Table, number: int, cells: list[Any], specs: list[tuple[str, int, Any]],
               report: ImportReport) -> Row:
    values: dict[str, Any] = {}
    ok = True
    width = len(cells)
    for key, col, parse in specs:
        raw = cells[col] if col < width else None
        if raw is None or raw == "":
            values[key] = None
            continue
        try:
            value, problem, too_long = parse(raw)
        except TypeError:  # an unhashable cell value: parsed without the cache
            value, problem, too_long = parse.uncached(raw)
        values[key] = value
        if problem is not None:
            ok = False
            report.problem(table.sheet, number, problem, column=column_letter(col), header=table.headers[key],
                           value=raw if too_long else value_text(raw))
    return Row(number, values, ok, cells)


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
        dup = _SYNONYMS[table.kind.key].get(header_key(value_text(texts[-1])))
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


def read_workbook(path: Path, report: ImportReport, progress: Progress) -> Workbook:
    """Read every sheet; recognised ones become tables, the others are reported and skipped."""
    book = open_sheets(path)
    about: dict[str, Any] | None = None
    tables: list[Table] = []
    for name in book.sheet_names:
        progress.check()
        rows = sheet_rows(book, name)
        progress.grow(len(rows))
        if header_key(name) == header_key(ABOUT_NAME) and (found := read_about(rows)) is not None:
            about = found
            report.sheets[name] = "说明（本程序导出的工作簿）"
            continue
        kind = classify(name, rows)
        if kind is None:
            if any(any(not is_blank(c) for c in row) for row in rows):
                report.notice(name, None, "没有认出这张表的表头（如 警号、姓名、日期、分值），已跳过")
            continue
        sheet_kind, first, last, columns = kind
        report.sheets[name] = f"{sheet_kind.name}（表头在第 {first + 1}" + (
            f"–{last + 1} 行）" if last != first else " 行）")
        tables.append(read_table(name, rows, sheet_kind, first, last, columns, report, progress))
    book.close()
    return Workbook(path, about, tables)
