"""The import wizard's preview: what a dry run found, laid over the workbook's own cells.

Each sheet is shown as the spreadsheet shows it (row numbers and column letters), with bad
cells in red and the Chinese reason as the tooltip, and rows that would be rejected shaded.
Read in the worker thread right after the dry run (plain data, no Qt).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from desktop.services.exchange.cells import column_letter, is_blank, value_text
from desktop.services.exchange.reader import open_sheets, sheet_rows
from desktop.services.exchange.report import ImportReport
from desktop.ui.screens.rows_model import Cell, num

MAX_PREVIEW_ROWS = 2000
BAD_FG, BAD_BG, ROW_BG = "#b00020", "#f8c9cf", "#fdecee"


@dataclass
class SheetPreview:
    name: str
    kind: str  # what the sheet was read as (e.g. 上级加减分（表头在第 2 行）)
    rows: list[list[str]]  # from A1, trailing blank rows and columns trimmed
    marks: dict[tuple[int, str], list[str]] = field(default_factory=dict)  # (row number, letter) → reasons
    rejected: set[int] = field(default_factory=set)  # spreadsheet row numbers
    truncated: bool = False
    # What the import made of each row (the item a row is booked to …): labels, and row → label → text.
    derived_labels: list[str] = field(default_factory=list)
    derived: dict[int, dict[str, str]] = field(default_factory=dict)

    @property
    def width(self) -> int:
        return max((len(r) for r in self.rows), default=0)

    def headers(self) -> list[str]:
        return [column_letter(i) for i in range(self.width)] + [f"→ {label}" for label in self.derived_labels]

    def cells(self, index: int) -> list[Cell]:
        """Row `index` (0-based) as table cells, bad ones red with their reasons."""
        number = index + 1
        values = self.rows[index] + [""] * (self.width - len(self.rows[index]))
        whole_row = self.marks.get((number, ""), [])
        out = []
        for col, text in enumerate(values):
            reasons = self.marks.get((number, column_letter(col)), [])
            if reasons:
                out.append(Cell(text or "（空）", tip="\n".join(reasons), fg=BAD_FG, bg=BAD_BG, bold=True))
            elif number in self.rejected:
                out.append(Cell(text, tip="\n".join(whole_row) or "本行有问题", bg=ROW_BG))
            else:
                out.append(Cell(text))
        made = self.derived.get(number, {})
        for label in self.derived_labels:
            text = made.get(label, "")
            out.append(Cell(text, tip=f"导入时{label}：{text}" if text else "", fg="#0b5394", bold=bool(text)))
        return out


@dataclass
class Preview:
    report: ImportReport
    sheets: list[SheetPreview]

    def count_rows(self) -> tuple[list[str], list[list[Cell]]]:
        headers = ["类别", "新增", "更新", "不变", "有问题"]
        rows = []
        for label, c in self.report.counts.items():
            rows.append([Cell(label), num(str(c.new), c.new), num(str(c.updated), c.updated),
                         num(str(c.unchanged), c.unchanged),
                         num(str(c.rejected), c.rejected, fg=BAD_FG if c.rejected else None, bold=bool(c.rejected))])
        return headers, rows

    def problem_rows(self) -> tuple[list[str], list[list[Cell]], list[tuple[str, int | None, str]]]:
        """Problems and notices as table rows, and where each points (sheet, row, column letter)."""
        headers = ["", "工作表", "行", "列", "值", "原因"]
        rows, places = [], []
        for kind, items in (("问题", self.report.problems), ("提示", self.report.notices)):
            for p in items:
                rows.append([Cell(kind, fg=BAD_FG if kind == "问题" else "#8a5a00", bold=True), Cell(p.sheet),
                             num("" if p.row is None else str(p.row), p.row),
                             Cell(p.column + (f"（{p.header}）" if p.header else "")), Cell(p.value, tip=p.value),
                             Cell(p.reason, tip=p.reason)])
                places.append((p.sheet, p.row, p.column))
        return headers, rows, places


def _trim(rows: list[list[object]]) -> list[list[str]]:
    texts = [[value_text(v) if not is_blank(v) else "" for v in row] for row in rows]
    while texts and not any(texts[-1]):
        texts.pop()
    width = max((max((i + 1 for i, t in enumerate(r) if t), default=0) for r in texts), default=0)
    return [r[:width] for r in texts]


def read_preview(path: Path, report: ImportReport) -> Preview:
    """The recognised sheets (and any sheet a problem points at), marked with the report."""
    marks = report.cell_problems()
    rejected = report.rejected_rows()
    wanted = set(report.sheets) | {p.sheet for p in report.problems if p.sheet}
    book = open_sheets(path)
    try:
        sheets = []
        for name in book.sheet_names:
            if name not in wanted:
                continue
            rows = _trim(sheet_rows(book, name))
            sheet = SheetPreview(name, report.sheets.get(name, ""), rows[:MAX_PREVIEW_ROWS],
                                 truncated=len(rows) > MAX_PREVIEW_ROWS)
            sheet.marks = {(row, col): reasons for (s, row, col), reasons in marks.items() if s == name}
            sheet.rejected = rejected.get(name, set())
            sheet.derived_labels = report.derived_labels(name)
            sheet.derived = report.derived.get(name, {})
            sheets.append(sheet)
    finally:
        book.close()
    return Preview(report, sheets)
