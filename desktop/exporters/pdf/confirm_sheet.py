"""月积分核查确认单: every entry of one person's month, the totals, and signature lines.

Portrait A4. Reversals are printed, not hidden: the original is marked 已作废 and the
reversing entry 作废, so the officer sees exactly what was recorded and corrected.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.platypus import (
    Flowable,
    KeepTogether,
    LongTable,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)

from desktop.exporters.pdf.data import ConfirmSheetData, LedgerLine
from desktop.exporters.pdf.fonts import register_font
from desktop.exporters.pdf.layout import (
    GAP,
    TOTAL_GREY,
    SheetStart,
    Styles,
    build_pdf,
    chain_footer,
    chain_keywords,
    esc,
    grid_style,
    make_styles,
    one_after_another,
    signature_block,
)
from desktop.services.errors import ValidationError
from desktop.services.points import fmt
from desktop.services.text import cn_date

PAGE = A4
MARGIN = 14 * mm
WIDTH = PAGE[0] - 2 * MARGIN
COLUMNS = [("日期", 16), ("类别", 22), ("项目", 52), ("数量", 12), ("分值", 13), ("说明", 0), ("记录人", 16)]


def signed(tenths: int) -> str:
    """An effect on the total, always with its sign: +2.0, -1.5, 0.0."""
    return f"+{fmt(tenths)}" if tenths > 0 else fmt(tenths)


def title_of(data: ConfirmSheetData) -> str:
    return f"{data.station} {data.period_label} {data.title}"


def _line_cells(line: LedgerLine, st: Styles) -> list[object]:
    note = esc(line.note)
    if line.status:
        note = f"<font color='#B00000'>［{esc(line.status)}］</font>{note}"
    return [f"{line.day.month}月{line.day.day}日", Paragraph(esc(line.category), st.cell_center),
            Paragraph(esc(line.item), st.cell), f"{line.quantity}{line.unit}",
            signed(line.points), Paragraph(note, st.cell), Paragraph(esc(line.recorder), st.cell_center)]


def _entries_table(data: ConfirmSheetData, st: Styles) -> LongTable:
    used = sum(w for _, w in COLUMNS) * mm
    widths = [w * mm if w else WIDTH - used for _, w in COLUMNS]
    rows: list[list[object]] = [[h for h, _ in COLUMNS]]
    rows += [_line_cells(line, st) for line in data.lines]
    if not data.lines:
        rows.append(["本期没有积分记录"] + [""] * (len(COLUMNS) - 1))
    table = LongTable(rows, colWidths=widths, repeatRows=1)
    style = grid_style(st.font, 8.5)
    for i, line in enumerate(data.lines, start=1):
        if line.status:
            style.append(("TEXTCOLOR", (0, i), (4, i), colors.HexColor("#777777")))
    if not data.lines:
        style.append(("SPAN", (0, 1), (-1, 1)))
    table.setStyle(TableStyle(style))
    return table


def _totals_table(data: ConfirmSheetData, st: Styles) -> Table:
    header = ["积分组成", "记录合计", "计入总分", "说明"]
    rows: list[list[object]] = [header]
    for c in data.components:
        note = "超出月度上限的部分不计分" if c.recorded != c.counted else ""
        rows.append([c.label, fmt(c.recorded), signed(c.sign * c.counted), Paragraph(note, st.cell)])
    if data.start:
        rows.append(["起始分", "", signed(data.start), ""])
    standing = ([f"部门排名：第 {data.rank} 名"] if data.rank else []) + ([f"等次：{data.grade}"] if data.grade else [])
    rows.append(["总分", "", fmt(data.total), Paragraph(GAP.join(standing), st.cell)])
    table = Table(rows, colWidths=[36 * mm, 26 * mm, 26 * mm, WIDTH - 88 * mm])
    style = grid_style(st.font, 9)
    style += [("BACKGROUND", (0, -1), (-1, -1), TOTAL_GREY), ("FONTSIZE", (2, -1), (2, -1), 11)]
    table.setStyle(TableStyle(style))
    return table


def sheet_story(data: ConfirmSheetData, st: Styles) -> list[Flowable]:
    parts = [f"姓名：{esc(data.name)}", f"警号：{esc(data.badge)}", f"身份：{esc(data.identity)}",
             f"部门：{esc(data.department)}"] + ([f"职务：{esc(data.position)}"] if data.position else [])
    info = GAP.join(parts)
    story: list[Flowable] = [
        SheetStart(f"{data.name}（{data.badge}）· {data.period_label} 积分核查确认单"),
        Paragraph(esc(title_of(data)), st.title),
        Spacer(1, 2 * mm),
        Paragraph(info, st.body),
        Spacer(1, 3 * mm),
        Paragraph("一、积分记录", st.body),
        Spacer(1, 1.5 * mm),
        _entries_table(data, st),
        Spacer(1, 4 * mm),
    ]
    closing: list[Flowable] = [Paragraph("二、积分汇总", st.body), Spacer(1, 1.5 * mm), _totals_table(data, st),
                               Spacer(1, 4 * mm)]
    statement = "本人已核对上述积分记录，确认无误。如有异议，请在下方写明异议内容并签字。"
    closing += [Paragraph("三、核查确认", st.body), Spacer(1, 1.5 * mm), Paragraph(statement, st.body)]
    if data.confirmation:
        closing += [Spacer(1, 1 * mm), Paragraph(esc(data.confirmation), st.small)]
    closing += [Spacer(1, 2 * mm), Paragraph("异议内容：" + "＿" * 38, st.body), Spacer(1, 4 * mm),
                signature_block(data.signers, st, WIDTH)]
    story.append(KeepTogether(closing))
    return story


def render_confirm_sheets(sheets: Sequence[ConfirmSheetData], path: str | Path, *, font: str = "") -> Path:
    """Write one or more people's confirmation sheets into one PDF (portrait A4)."""
    if not sheets:
        raise ValidationError("没有可打印的积分核查确认单")
    st = make_styles(register_font(font))
    story = one_after_another(sheet_story(data, st) for data in sheets)
    first = sheets[0]
    # The chain head on every page and in the file's keywords: `jifen audit verify --against`
    # the code (typed from paper) or the file shows whether the trail was rewritten since.
    return build_pdf(path, story, font=st.font, pagesize=PAGE, title=title_of(first), author=first.station,
                     footer_right=chain_footer(first.chain) + f"打印日期：{cn_date(first.printed_on)}",
                     margin=MARGIN, keywords=chain_keywords(first.chain))
