"""County merge (`jifen county merge A.xlsx B.xlsx … -o county.xlsx`): no station database needed.

A county clerk merges the stations' exports of one period into a county workbook: everyone
ranked within their 考核序列 across stations (total, then fewer deductions, then higher base;
true ties share a rank), each station's grade distribution, and station totals; and, for each
scheme the stations' score sheets show (基层基础, 执法办案 …), its units or officers ranked
across stations within class or sequence (`merge_units`). Mixed periods and a station sent
twice are refused with a message naming the files.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

from desktop.exporters.xlsx.writer import Column, Sheet, write_workbook
from desktop.services import gc_pause
from desktop.services.errors import ValidationError
from desktop.services.exchange import merge_units, score_sheets
from desktop.services.exchange.about import About, check_digest, parse_about
from desktop.services.exchange.reader import read_workbook
from desktop.services.exchange.report import CancelFn, ImportReport, Progress, ProgressFn
from desktop.services.exchange.sheet_prefetch import OpenedBook, Prefetcher
from desktop.services.grade_engine import Policy, PolicyError
from desktop.services.periods import parse_period
from desktop.services.points import to_decimal
from desktop.services.scoring import COMPONENT_KEYS

NO_SEQUENCE = "（未分序列）"
RANK_RULE = "同一考核序列内按总分从高到低排名；总分相同时扣分（部门扣分＋上级减分）少者在前，仍相同则基础工作积分高者在前，完全相同的名次并列。不参与排名的人员（如一把手）列在序列末尾。"


@dataclass
class StationBook:
    path: Path
    about: About
    rows: list[dict[str, Any]]
    entries: int
    intact: bool  # the data digest still matches the export
    scores: list[score_sheets.ScoreTable] = field(default_factory=list)  # one per scheme (format 2 on)

    @property
    def label(self) -> str:
        return f"{self.about.station_code} {self.about.station_name}"


@dataclass
class MergeResult:
    path: Path
    period: str
    stations: list[str] = field(default_factory=list)
    people: int = 0
    warnings: list[str] = field(default_factory=list)


# The sheets whose rows the merge uses; the others (积分明细 above all, 36,000 rows in a county)
# it only counts and checks against the digest, so they are read as columns, with no row dicts.
ROWS_READ = frozenset({"summary", "schemes", "scores"})


def load_station(path: Path, progress: Progress, opened: OpenedBook | None = None) -> StationBook:
    """Read one station's export; anything that is not a readable jifen export is refused.
    `opened`: the workbook from the merge's `Prefetcher`."""
    report = ImportReport(path)
    book = read_workbook(path, report, progress, opened=opened, rows_for=ROWS_READ)
    about = parse_about(book.about, report) if book.about is not None else None
    if about is None:
        raise ValidationError(f"“{path.name}”不是本程序导出的工作簿（缺少“说明”表），不能用于县局合并")
    summary = [t for t in book.of("summary") if t.sheet == "积分汇总"] or book.of("summary")
    if not summary:
        raise ValidationError(f"“{path.name}”中没有“积分汇总”表")
    if report.problems:
        first = report.problems[0]
        raise ValidationError(f"“{path.name}”有 {len(report.problems)} 处无法读取，例如：{first.text()}")
    entries = next((t for t in book.of("entries")), None)
    intact = check_digest(book, about, report)
    rows = [r.values for r in summary[0].rows if r.values.get("badge")]
    scores = score_sheets.read_all(book, merge_units.schemes_of(book))
    return StationBook(path, about, rows, entries.row_total() if entries else 0, intact, scores)


def check_compatible(books: Sequence[StationBook]) -> None:
    periods: dict[str, list[str]] = defaultdict(list)
    stations: dict[str, list[str]] = defaultdict(list)
    for b in books:
        periods[b.about.period_code].append(b.path.name)
        stations[b.about.station_code].append(b.path.name)
    if len(periods) > 1:
        parts = "；".join(f"{parse_period(code).label}：{'、'.join(names)}" for code, names in periods.items())
        raise ValidationError(f"工作簿的考核周期不一致（{parts}），县局合并只能合并同一考核周期的工作簿")
    for code, names in stations.items():
        if len(names) > 1:
            name = next(b.about.station_name for b in books if b.about.station_code == code)
            raise ValidationError(f"单位“{name}”（代码 {code}）出现了 {len(names)} 次：{'、'.join(names)}；"
                                  "每个单位只能合并一份工作簿")


def _sort_key(row: dict[str, Any]) -> tuple[int, int, int]:
    deductions = (row.get("dept_deduction") or 0) + (row.get("higher_deduction") or 0)
    return (-(row.get("total") or 0), deductions, -(row.get("base") or 0))


def rank_sequences(books: Sequence[StationBook]) -> list[dict[str, Any]]:
    """Everyone of every station, ranked within their sequence; excluded people last, unranked."""
    groups: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for b in books:
        for row in b.rows:
            groups[row.get("sequence") or NO_SEQUENCE].append(row | {"_station": b})
    out: list[dict[str, Any]] = []
    for sequence in sorted(groups, key=lambda s: (s == NO_SEQUENCE, s)):
        ranked = sorted((r for r in groups[sequence] if not r.get("excluded_reason")), key=_sort_key)
        position, last = 0, None
        for index, row in enumerate(ranked, start=1):
            key = _sort_key(row)
            if key != last:
                position, last = index, key
            out.append(row | {"_sequence": sequence, "_rank": position})
        excluded = [r for r in groups[sequence] if r.get("excluded_reason")]
        out += [r | {"_sequence": sequence, "_rank": None} for r in sorted(excluded, key=_sort_key)]
    return out


def _average(values: list[int]) -> Decimal | None:
    if not values:
        return None
    return (Decimal(sum(values)) / len(values) / 10).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def _points(tenths: int | None) -> Decimal | None:
    return None if tenths is None else to_decimal(tenths)


def ranking_sheet(ranked: list[dict[str, Any]], title: str) -> Sheet:
    columns = [Column("考核序列", "text", 12), Column("序列排名", "int", 8), Column("单位代码", "text", 12),
               Column("单位名称", "text", 16), Column("警号", "text", 10), Column("姓名", "text", 10),
               Column("身份", "text", 6), Column("部门", "text", 14)]
    columns += [Column(h, "points", 9) for h in ("基础工作积分", "部门加分", "部门扣分", "上级加分", "上级减分")]
    columns += [Column("总分", "points", 9), Column("本单位等次", "text", 9), Column("不参与排名原因", "text", 16)]
    rows = [[r["_sequence"], r["_rank"], r["_station"].about.station_code, r["_station"].about.station_name,
             r["badge"], r.get("name"), r.get("identity"), r.get("department"),
             *(_points(r.get(k) or 0) for k in COMPONENT_KEYS), _points(r.get("total") or 0), r.get("grade"),
             r.get("excluded_reason")] for r in ranked]
    return Sheet("序列排名", columns, rows, title=title)


def distribution_sheet(books: Sequence[StationBook], title: str) -> Sheet:
    grades: list[str] = []
    for b in books:  # best grade first, as each station's policy lists them
        try:
            grades += [g for g in Policy.from_json(b.about.policy_json).codes() if g not in grades]
        except PolicyError:
            pass
    for b in books:
        for row in b.rows:
            if row.get("grade") and row["grade"] not in grades:
                grades.append(row["grade"])
    columns = [Column("单位代码", "text", 12), Column("单位名称", "text", 16), Column("人数", "int", 7)]
    columns += [Column(f"{g}（人）", "int", 8) for g in grades]
    columns += [Column("未评等次", "int", 9)] + [Column(f"{g}占比", "text", 8) for g in grades]
    rows = []
    for b in books:
        counts = Counter(row.get("grade") for row in b.rows)
        graded = sum(counts[g] for g in grades)
        shares = [f"{Decimal(counts[g] * 100) / graded:.1f}%" if graded else "" for g in grades]
        rows.append([b.about.station_code, b.about.station_name, len(b.rows), *(counts[g] for g in grades),
                     counts[None], *shares])
    return Sheet("等次分布", columns, rows, title=title)


def totals_sheet(books: Sequence[StationBook], title: str) -> Sheet:
    columns = [Column("单位代码", "text", 12), Column("单位名称", "text", 16), Column("上级单位", "text", 16),
               Column("周期状态", "text", 9), Column("等次政策", "text", 10), Column("人数", "int", 7),
               Column("参与排名", "int", 9), Column("总积分合计", "points", 11), Column("平均分", "points", 9),
               Column("最高分", "points", 9), Column("最低分", "points", 9), Column("积分记录", "int", 9),
               Column("数据校验", "text", 10)]
    rows = []
    for b in books:
        totals = [r.get("total") or 0 for r in b.rows if not r.get("excluded_reason")]
        rows.append([b.about.station_code, b.about.station_name, b.about.county_bureau,
                     b.about.period_state.label, b.about.policy_code, len(b.rows), len(totals),
                     _points(sum(totals)), _average(totals), _points(max(totals)) if totals else None,
                     _points(min(totals)) if totals else None, b.entries, "一致" if b.intact else "被修改过"])
    return Sheet("单位汇总", columns, rows, title=title)


@gc_pause.pausing
def merge_county(paths: Sequence[str | Path], out: str | Path, *, progress: ProgressFn | None = None,
                 cancel: CancelFn | None = None) -> MergeResult:
    """Merge stations' exports of one period into a county workbook at `out`."""
    files = [Path(p) for p in paths]
    target = Path(out)
    if not files:
        raise ValidationError("请至少给出一个单位的导出工作簿")
    if target.suffix.lower() != ".xlsx":
        raise ValidationError(f"输出文件“{target.name}”应以 .xlsx 结尾")
    if any(f.resolve() == target.resolve() for f in files):
        raise ValidationError("输出文件不能是输入的工作簿之一")
    tracker = Progress(progress, cancel)
    # The next station's workbook is checked and parsed in the background while this one's
    # cells are read (`sheet_prefetch`); the stations still come, and are refused, in order.
    with Prefetcher(files) as prefetch:
        books = [load_station(f, tracker, opened) for f, opened in zip(files, prefetch.books(), strict=True)]
    check_compatible(books)
    books.sort(key=lambda b: b.about.station_code)
    period = books[0].about.period_code
    label = parse_period(period).label
    result = MergeResult(target, period, [b.label for b in books], sum(len(b.rows) for b in books))
    result.warnings = [f"“{b.path.name}”（{b.label}）导出后被修改过，数据校验不符" for b in books if not b.intact]
    ranked = rank_sequences(books)
    about = [("考核周期", period), ("周期名称", label), ("生成时间", dt.datetime.now().replace(microsecond=0)),
             ("合并单位数", len(books)), ("人数", result.people), ("排名规则", RANK_RULE)]
    about += [(f"单位 {i}", f"{b.label}（{b.path.name}，{b.about.period_state.label}）")
              for i, b in enumerate(books, start=1)]
    title = f"{label} 县局积分考核汇总"
    units = merge_units.unit_sheets(books, title, result.warnings)
    if units:
        about.append(("单位排名规则", merge_units.RANK_RULE))
    about += [("注意", w) for w in result.warnings]
    sheets = [Sheet("说明", [Column("项目", "text", 14), Column("内容", "text", 90)], about, title=title,
                    landscape=False, filter=False),
              ranking_sheet(ranked, f"{title}：序列排名"), distribution_sheet(books, f"{title}：等次分布"),
              totals_sheet(books, f"{title}：单位汇总"), *units]
    write_workbook(target, sheets)
    tracker.finish()
    return result
