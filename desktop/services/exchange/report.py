"""What an import found (every problem with its place in the workbook), and progress reporting.

A problem names the sheet, the row number as the spreadsheet shows it, the column letter and
header, the value and a Chinese reason, so a clerk can find the cell at once. Notices are
things worth knowing that do not stop the import (extra columns ignored, a totals row skipped).

Long imports, exports and merges take an optional ``progress(done, total)`` callback (called
from the worker thread; the GUI turns it into a signal) and ``cancel()`` returning True once
the user pressed 取消; both are optional so the command line and tests can ignore them.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from desktop.services.errors import JifenError

MAX_VALUE_TEXT = 60


@dataclass(frozen=True)
class Problem:
    sheet: str
    row: int | None  # 1-based, as the spreadsheet shows it; None for the whole sheet or workbook
    column: str = ""  # column letter, "" when the problem is about the row or the sheet
    header: str = ""
    value: str = ""
    reason: str = ""

    def place(self) -> str:
        parts = [f"工作表“{self.sheet}”"] if self.sheet else []
        if self.row is not None:
            parts.append(f"第 {self.row} 行")
        if self.column:
            parts.append(f"{self.column} 列" + (f"（{self.header}）" if self.header else ""))
        return " ".join(parts) or "工作簿"

    def text(self) -> str:
        value = self.value if len(self.value) <= MAX_VALUE_TEXT else self.value[:MAX_VALUE_TEXT] + "…"
        shown = f"，值“{value}”" if self.value else ""
        return f"{self.place()}{shown}：{self.reason}"


@dataclass
class Counts:
    """Rows of one sheet (or one kind of record) by what the import does with them."""

    new: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0

    def add(self, outcome: str, n: int = 1) -> None:
        setattr(self, outcome, getattr(self, outcome) + n)

    def text(self) -> str:
        return f"新增 {self.new}，更新 {self.updated}，不变 {self.unchanged}，有问题 {self.rejected}"


@dataclass
class ImportReport:
    path: Path
    dry_run: bool = False
    problems: list[Problem] = field(default_factory=list)
    notices: list[Problem] = field(default_factory=list)
    counts: dict[str, Counts] = field(default_factory=dict)  # label (e.g. "人员") → counts
    sheets: dict[str, str] = field(default_factory=dict)  # sheet name → what it was read as
    imported: bool = False
    restored: bool = False  # a whole station was rebuilt into an empty database
    station: str = ""
    period: str = ""
    # What the import made of a row that the sheet does not say in so many words (the item a bureau
    # row is booked to, the component inferred for a catalogue line): sheet → row → label → text.
    # The wizard shows these as extra columns beside the sheet's own cells, for the clerk to confirm.
    derived: dict[str, dict[int, dict[str, str]]] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.problems

    def problem(self, sheet: str, row: int | None, reason: str, *, column: str = "", header: str = "",
                value: str = "") -> None:
        self.problems.append(Problem(sheet, row, column, header, value, reason))

    def notice(self, sheet: str, row: int | None, reason: str, *, column: str = "", header: str = "",
               value: str = "") -> None:
        self.notices.append(Problem(sheet, row, column, header, value, reason))

    def derive(self, sheet: str, row: int, label: str, text: str) -> None:
        """Record what the import made of one row (`label`, e.g. “入账项目”), for the preview."""
        self.derived.setdefault(sheet, {}).setdefault(row, {})[label] = text

    def derived_labels(self, sheet: str) -> list[str]:
        """The labels recorded for a sheet, in the order they first appear."""
        seen: dict[str, None] = {}
        for values in self.derived.get(sheet, {}).values():
            seen.update(dict.fromkeys(values))
        return list(seen)

    def count(self, label: str) -> Counts:
        return self.counts.setdefault(label, Counts())

    def cell_problems(self) -> dict[tuple[str, int, str], list[str]]:
        """(sheet, row, column letter) → reasons; for marking bad cells in a preview table."""
        marks: dict[tuple[str, int, str], list[str]] = defaultdict(list)
        for p in self.problems:
            if p.row is not None:
                marks[(p.sheet, p.row, p.column)].append(p.reason)
        return dict(marks)

    def rejected_rows(self) -> dict[str, set[int]]:
        rows: dict[str, set[int]] = defaultdict(set)
        for p in self.problems:
            if p.row is not None:
                rows[p.sheet].add(p.row)
        return dict(rows)

    def summary(self) -> str:
        if self.imported:
            head = "已恢复到空数据库" if self.restored else "已导入"
            if not any(c.new or c.updated or c.unchanged or c.rejected for c in self.counts.values()):
                head += "：表格中没有数据行（只有表头），没有可导入的内容"
            elif not any(c.new or c.updated for c in self.counts.values()):
                head += "：没有新增或变动的数据（此前已导入过）"
        elif self.dry_run:
            head = "试导入（未写入任何数据）" + ("：可以导入" if self.ok else f"：发现 {len(self.problems)} 个问题，不能导入")
        else:
            head = f"未导入：发现 {len(self.problems)} 个问题，没有写入任何数据"
        return head

    def text(self, limit: int = 200) -> str:
        """The report as lines for the command line or a text box."""
        lines = [f"工作簿：{self.path.name}"]
        if self.station or self.period:
            lines.append(f"单位：{self.station}  考核周期：{self.period}".strip())
        lines.append(self.summary())
        for sheet, kind in self.sheets.items():
            lines.append(f"  工作表“{sheet}”：{kind}")
        for label, counts in self.counts.items():
            lines.append(f"  {label}：{counts.text()}")
        if self.problems:
            lines.append("问题：")
            lines += self._grouped_lines(limit)
        if self.derived:
            lines.append("导入时的判断（请核对）：")
            shown = 0
            for sheet, rows in self.derived.items():
                for number, made in rows.items():
                    if shown < limit:
                        said = "；".join(f"{label}：{text}" for label, text in made.items())
                        lines.append(f"  工作表“{sheet}”第 {number} 行 → {said}")
                    shown += 1
            if shown > limit:
                lines.append(f"  ……另有 {shown - limit} 行未列出")
        if self.notices:
            lines.append("提示：")
            lines += [f"  {p.text()}" for p in self.notices[:limit]]
            if len(self.notices) > limit:
                lines.append(f"  ……另有 {len(self.notices) - limit} 条提示未列出")
        return "\n".join(lines)


    def groups(self) -> list[list[Problem]]:
        """Problems of one kind together: same sheet, column and reason (707 rows naming 25 unknown
        departments are one group, not 707 lines), in the order each kind first appears."""
        found: dict[tuple[str, str, str], list[Problem]] = {}
        for p in self.problems:
            found.setdefault((p.sheet, p.column, p.reason), []).append(p)
        return list(found.values())

    def _grouped_lines(self, limit: int) -> list[str]:
        lines: list[str] = []
        groups = self.groups()
        for at, group in enumerate(groups):
            if len(lines) >= limit:
                lines.append(f"  ……另有 {sum(len(g) for g in groups[at:])} 个问题未列出")
                break
            if len(group) <= GROUP_AT:
                lines += [f"  {p.text()}" for p in group]
                continue
            first = group[0]
            values = list(dict.fromkeys(p.value for p in group if p.value))
            rows = [str(p.row) for p in group if p.row is not None]
            shown = "、".join(f"“{v}”" for v in values[:EXAMPLES]) + ("等" if len(values) > EXAMPLES else "")
            where = Problem(first.sheet, None, first.column, first.header).place()
            lines.append(f"  {where}：{first.reason}（共 {len(group)} 行"
                         + (f"，{len(values)} 个不同的值：{shown}" if values else "") + "；第 "
                         + "、".join(rows[:EXAMPLES * 2]) + (" 等行）" if len(rows) > EXAMPLES * 2 else " 行）"))
        return lines


GROUP_AT = 3  # more problems of one kind than this are printed as one line with counts and examples
EXAMPLES = 5


class ImportRejected(JifenError):
    """The workbook has problems; nothing was written. `report` lists every problem."""

    def __init__(self, report: ImportReport) -> None:
        super().__init__(f"工作簿“{report.path.name}”有 {len(report.problems)} 个问题，没有导入任何数据")
        self.report = report


class Cancelled(JifenError):
    """The user cancelled a long import or export; nothing was written."""

    def __init__(self) -> None:
        super().__init__("已取消，没有写入任何数据")


ProgressFn = Callable[[int, int], None]
CancelFn = Callable[[], bool]


class Progress:
    """Counts work units and reports at most every `step` units, checking for cancellation."""

    def __init__(self, progress: ProgressFn | None = None, cancel: CancelFn | None = None,
                 total: int = 0, step: int = 2000) -> None:
        self._progress = progress
        self._cancel = cancel
        self.total = total
        self.done = 0
        self._step = step
        self._next = step

    def grow(self, units: int) -> None:
        """More work became known (e.g. a sheet's row count after reading it)."""
        self.total += units
        self._report()

    def tick(self, units: int = 1) -> None:
        self.done += units
        if self.done >= self._next:
            self._next = self.done + self._step
            self._report()

    def check(self) -> None:
        """Raise `Cancelled` if the user asked to stop."""
        if self._cancel is not None and self._cancel():
            raise Cancelled()

    def finish(self) -> None:
        self.done = self.total = max(self.total, self.done, 1)
        if self._progress is not None:
            self._progress(self.done, self.total)

    def _report(self) -> None:
        self.check()
        if self._progress is not None:
            self._progress(min(self.done, self.total), max(self.total, 1))
