"""The six-aspect part of the 政绩档案 PDF (科尔沁: 政治表现、遵纪守法、工作成绩、考勤考核、生活作风、
奖励惩处): the months' levels and remarks, 半年排名 and 年终总评, the aspects over the year, the
year's 奖励惩处 records, and month by month every fact under its aspect.

`aspect_story(data, st, width)` gives the flowables; `performance_file.render_performance_file`
appends them after the summary. Repeated entries of one item (按时到岗 every day) print as one
line with their count and dates, so a month stays readable; each entry with a note or an evidence
file keeps its own line.
"""

from __future__ import annotations

from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, KeepTogether, Spacer

from desktop.exporters.pdf.data import AspectBlock, AspectItem, MonthAspects, PerformanceFileData, RankLine
from desktop.exporters.pdf.layout import CELL_SIZE, PLAIN_GAP, TOTAL_GREY, Styles
from desktop.exporters.pdf.ruled_table import RuledColumn, RuledTable, Stack
from desktop.exporters.pdf.text_line import TextLine
from desktop.services.points import fmt

FIRST_SECTION = 5  # 一 to 四 are the summary's
ASPECT_GREY = colors.HexColor("#F7F7F7")


def _signed(points: int | None) -> str:
    if points is None:
        return ""
    return ("+" if points > 0 else "") + fmt(points)


def _numeral(n: int) -> str:
    return "一二三四五六七八九十"[n - 1] if 1 <= n <= 10 else str(n)


def _heading(n: int, text: str, st: Styles) -> TextLine:
    return TextLine(f"{_numeral(n)}、{text}", st.body)


def _columns(widths: list[float], width: float, left: tuple[int, ...] = ()) -> list[RuledColumn]:
    """These widths and the rest of `width` last; the `left` columns' body cells aligned left."""
    widths = [*widths, width - sum(widths)]
    return [RuledColumn(w, "LEFT" if n in left else "CENTER") for n, w in enumerate(widths)]


def _levels(data: PerformanceFileData, st: Styles, width: float) -> RuledTable:
    rows: list[list[str]] = []
    for m in data.aspect_months:
        if not m.level and not m.remark:
            rows.append([m.label, "—", m.state or "无记录", "", "", ""])
            continue
        how = "审核人评定" if m.rated else "按积分得出" if m.level else ""
        rows.append([m.label, m.level or "—", how, m.suggested or ("同评定" if m.rated else ""), m.reviewer,
                     m.remark or "—"])
    columns = _columns([16 * mm, 16 * mm, 24 * mm, 18 * mm, 22 * mm], width, left=(4, 5))
    return RuledTable(["月份", "等次", "评定方式", "积分建议", "审核人", "审核评语"], rows, columns, st.font,
                      st.cell.fontSize)


def _note(text: str) -> Stack:
    """A left-aligned note in table-cell type (9 pt, as the cells of the other tables) in a 9.5 pt table."""
    return Stack(((text, CELL_SIZE),), "LEFT", CELL_SIZE * 1.25)


def _rank_row(line: RankLine) -> list[str | Stack]:
    if not line.has_data:
        return [line.label, "—", "—", "—", line.state, ""]
    rank = f"{line.rank}/{line.of}" if line.rank else "—"
    return [line.label, fmt(line.total), rank, line.grade or "—", line.state, _note(line.note)]


def _ranks(data: PerformanceFileData, st: Styles, width: float) -> RuledTable:
    rows = [_rank_row(line) for line in data.halves]
    shades = {}
    if data.year_review is not None:
        shades[len(rows)] = TOTAL_GREY
        rows.append(_rank_row(data.year_review))
    columns = _columns([24 * mm, 22 * mm, 22 * mm, 20 * mm, 20 * mm], width)
    return RuledTable(["周期", "总分", "部门排名", "等次", "状态", "说明"], rows, columns, st.font, 9.5, shades=shades)


def _others(records: list[AspectItem]) -> str:
    counts: dict[str, int] = {}
    for r in records:
        counts[r.kind_label] = counts.get(r.kind_label, 0) + 1
    return "、".join(f"{label} {n} 项" for label, n in counts.items())


def _year_blocks(data: PerformanceFileData) -> list[AspectBlock]:
    blocks = {a: AspectBlock(a) for a in data.aspect_names}
    for m in data.aspect_months:
        for block in m.aspects:
            blocks.setdefault(block.aspect, AspectBlock(block.aspect)).items.extend(
                i for i in block.items if i.kind == "entry")
    return list(blocks.values())


def _summary(data: PerformanceFileData, st: Styles, width: float) -> RuledTable:
    rows: list[list[str | Stack]] = []
    rewards_aspect = data.aspect_names[-1] if data.aspect_names else ""
    for block in _year_blocks(data):
        others = _others(data.rewards) if block.aspect == rewards_aspect else ""
        rows.append([block.aspect, f"{block.entries} 条", fmt(block.plus), fmt(block.minus),
                     _signed(block.plus - block.minus) or "0.0", _note(others)])
    columns = _columns([24 * mm, 22 * mm, 20 * mm, 20 * mm, 20 * mm], width)
    return RuledTable(["方面", "积分记录", "加分", "扣分", "合计", "其他事项"], rows, columns, st.font, 9.5)


def _rewards(data: PerformanceFileData, st: Styles, width: float) -> Flowable:
    if not data.rewards:
        return TextLine("本年度无奖励、投诉属实、试岗及锁定后查实的记录。", st.body)
    rows = [[r.when, r.kind_label, r.what, _signed(r.points), r.note] for r in data.rewards]
    columns = _columns([30 * mm, 22 * mm, 48 * mm, 16 * mm], width, left=(0, 2, 4))
    return RuledTable(["时间", "类别", "事项", "分值", "说明"], rows, columns, st.font, st.cell.fontSize)


def _grouped(items: list[AspectItem]) -> list[AspectItem]:
    """Entries of one item without a note or evidence, in one line: "按时到岗（20 次）", 2–21日."""
    groups: list[list[AspectItem]] = []
    where: dict[tuple[str, int | None], int] = {}
    for item in items:
        if item.kind == "entry" and not item.note and not item.evidence:
            key = (item.what, item.points)
            if key in where:
                groups[where[key]].append(item)
                continue
            where[key] = len(groups)
        groups.append([item])
    out: list[AspectItem] = []
    for members in groups:
        item = members[0]
        if len(members) == 1:
            out.append(item)
            continue
        first, last = item.when, members[-1].when
        when = first if first == last else f"{first.removesuffix('日')}–{last}"
        out.append(AspectItem(when, f"{item.what}（{len(members)} 次）", sum(m.points or 0 for m in members),
                              kind="entry", day=item.day, category=item.category))
    return out


def _detail(item: AspectItem) -> str:
    parts = [item.note] if item.note else []
    if item.evidence:
        parts.append("证明材料：" + "、".join(item.evidence))
    return "；".join(parts)


def _month_table(m: MonthAspects, st: Styles, width: float) -> RuledTable:
    """A month's facts under their aspects: each aspect's name (and its net points, smaller) spans
    its facts' rows."""
    rows: list[list[str | Stack]] = []
    spans: list[tuple[int, int, int]] = []
    for block in m.aspects:
        first = len(rows)
        parts: tuple[tuple[str, float | None], ...] = ((block.aspect, None),)
        if block.entries:
            parts += ((f"{_signed(block.plus - block.minus) or '0.0'} 分", 7.5),)
        name = Stack(parts)
        if not block.items:
            rows.append([name, Stack((("—", None),), "CENTER"), "本月无记录", "", ""])
        for n, item in enumerate(_grouped(block.items)):
            rows.append([name if n == 0 else "", item.when, item.what, _signed(item.points), _detail(item)])
        spans.append((0, first, len(rows) - 1))
    columns = _columns([20 * mm, 17 * mm, 58 * mm, 15 * mm], width, left=(1, 2, 4))
    columns[0] = RuledColumn(columns[0].width, shade=ASPECT_GREY)
    return RuledTable(["方面", "日期", "事项", "分值", "说明及证明材料"], rows, columns, st.font, st.cell.fontSize,
                      spans=spans)


def _month_title(m: MonthAspects) -> str:
    state = "无积分记录" if m.state == "无记录" else m.state
    parts = [f"{m.label}（{state}）" if state else m.label, f"等次：{m.level or '—'}"]
    if m.rated:
        parts.append("审核人评定" + (f"（积分建议：{m.suggested}）" if m.suggested else ""))
    if m.reviewer:
        parts.append(f"审核人：{m.reviewer}")
    return PLAIN_GAP.join(parts)


def _months(data: PerformanceFileData, st: Styles, width: float, heading: list[Flowable]) -> list[Flowable]:
    """The months with facts, the section's heading kept with the first of them."""
    out: list[Flowable] = []
    quiet = []
    for m in data.aspect_months:
        if not (m.has_facts or m.remark):
            quiet.append(f"{m.label}（{m.state or '无记录'}）")
            continue
        part: list[Flowable] = [TextLine(_month_title(m), st.body)]
        if m.remark:
            part.append(TextLine(f"审核评语：{m.remark}", st.body))
        part += [Spacer(1, 1 * mm), _month_table(m, st, width), Spacer(1, 3 * mm)]
        out.append(KeepTogether(heading + part if not out else part))
    if not out:
        out += heading
    if quiet:
        out.append(TextLine("以下月份无政绩记录：" + "、".join(quiet), st.small))
    return out


def aspect_story(data: PerformanceFileData, st: Styles, width: float) -> list[Flowable]:
    """五 to 九 of the file: levels and remarks, ranks, aspects, 奖励惩处, the months by aspect."""
    if not data.aspect_months:
        return []
    n = FIRST_SECTION
    gap = Spacer(1, 1.5 * mm)
    story: list[Flowable] = [
        Spacer(1, 3 * mm),
        KeepTogether([_heading(n, "月度等次与审核评语", st), gap, _levels(data, st, width)]), Spacer(1, 3 * mm),
        KeepTogether([_heading(n + 1, "半年排名与年终总评", st), gap, _ranks(data, st, width)]), Spacer(1, 3 * mm),
        KeepTogether([_heading(n + 2, "政绩档案六个方面（全年）", st), gap, _summary(data, st, width)]),
        Spacer(1, 3 * mm),
        KeepTogether([_heading(n + 3, "奖励惩处（全年）", st), gap, _rewards(data, st, width)]), Spacer(1, 3 * mm),
    ]
    heading = [_heading(n + 4, "逐月政绩（" + "、".join(data.aspect_names) + "）", st), gap]
    return story + _months(data, st, width, heading)
