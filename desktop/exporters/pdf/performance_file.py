"""政绩档案 summary: one person over one year — identity, months, trend, grades, awards, sanctions;
then the six aspects month by month, levels and remarks, 半年排名 and 年终总评 (file_aspects.py).

Portrait A4. The tables are `RuledTable`s and the trend a `TrendChart`, both drawn straight onto the
canvas: a county prints 2,000 of these files at once, and reportlab's Table and graphics took most of
the time each file took.
"""

from __future__ import annotations

from pathlib import Path

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, KeepTogether, Paragraph, Spacer, Table, TableStyle

from desktop.exporters.pdf.data import EventLine, PerformanceFileData
from desktop.exporters.pdf.file_aspects import aspect_story
from desktop.exporters.pdf.fonts import register_font
from desktop.exporters.pdf.layout import (
    TOTAL_GREY,
    Styles,
    build_pdf,
    esc,
    grid_style,
    make_styles,
    picture,
)
from desktop.exporters.pdf.ruled_table import RuledColumn, RuledTable
from desktop.exporters.pdf.text_line import TextLine
from desktop.exporters.pdf.trend_chart import TrendChart
from desktop.services.points import fmt
from desktop.services.text import cn_date

PAGE = A4
MARGIN = 14 * mm
WIDTH = PAGE[0] - 2 * MARGIN
BAR = colors.HexColor("#3F6FB5")


def title_of(data: PerformanceFileData) -> str:
    return f"{data.station} 政绩档案（{data.year}年度）"


def _identity(data: PerformanceFileData, st: Styles) -> Table:
    pairs = [("姓名", data.name), ("警号", data.badge), ("身份", data.identity), ("职务", data.position or "—"),
             ("部门", data.department), ("考核序列", data.sequence or "—")]
    photo = picture(data.photo, 25 * mm, 31 * mm)
    rows: list[list[object]] = []
    for i in range(0, len(pairs), 2):
        (k1, v1), (k2, v2) = pairs[i], pairs[i + 1]
        rows.append([k1, Paragraph(esc(v1), st.cell), k2, Paragraph(esc(v2), st.cell), ""])
    rows[0][4] = photo or Paragraph("（无照片）", st.cell_center)
    key_w, photo_w = 22 * mm, 34 * mm
    value_w = (WIDTH - 2 * key_w - photo_w) / 2
    table = Table(rows, colWidths=[key_w, value_w, key_w, value_w, photo_w], rowHeights=[11 * mm] * len(rows))
    style = grid_style(st.font, 10, header_rows=0)
    style += [("SPAN", (4, 0), (4, -1)), ("BACKGROUND", (0, 0), (0, -1), "#EFEFEF"),
              ("BACKGROUND", (2, 0), (2, -1), "#EFEFEF")]
    table.setStyle(TableStyle(style))
    return table


def _months(data: PerformanceFileData, st: Styles) -> RuledTable:
    rows: list[list[str]] = []
    for m in data.months:
        if not m.has_data:
            rows.append([m.label, "—", "—", "—", "—", "—", "—", m.state or "无记录"])
            continue
        rows.append([m.label, fmt(m.base), fmt(m.bonus), fmt(m.deduction), fmt(m.total),
                     "" if m.rank is None else str(m.rank), m.grade, m.state])
    rows.append(["全年合计", "", "", "", fmt(data.year_total), "", data.year_grade, ""])
    columns = [RuledColumn(24 * mm)] + [RuledColumn((WIDTH - 24 * mm) / 7)] * 7
    return RuledTable(["月份", "基础分", "加分", "扣分", "总分", "部门排名", "等次", "状态"], rows, columns,
                      st.font, 9.5, shades={len(rows) - 1: TOTAL_GREY})


def _chart(data: PerformanceFileData, font: str) -> TrendChart:
    return TrendChart(WIDTH, 52 * mm, [m.total / 10 if m.has_data else None for m in data.months],  # drawing only
                      [m.label.replace(f"{data.year}年", "") for m in data.months], font, "月度总分走势（分）", BAR)


def _events(events: list[EventLine], headers: tuple[str, str, str], st: Styles, empty: str) -> Flowable:
    if not events:
        return TextLine(empty, st.body)
    columns = [RuledColumn(32 * mm), RuledColumn(60 * mm, "LEFT"), RuledColumn(WIDTH - 92 * mm, "LEFT")]
    return RuledTable(list(headers), [[e.when, e.what, e.detail] for e in events], columns, st.font, st.cell.fontSize)


def render_performance_file(data: PerformanceFileData, path: str | Path, *, font: str = "") -> Path:
    """Write one person's yearly performance-file summary."""
    st = make_styles(register_font(font))
    counts = "，".join(f"{label} {n} 次" for label, n in data.grade_counts if n) or "本年度尚无等次评定"
    if data.year_grade:
        counts += f"；年度等次：{data.year_grade}"
    story: list[Flowable] = [
        TextLine(title_of(data), st.title), Spacer(1, 4 * mm),
        _identity(data, st), Spacer(1, 4 * mm),
        TextLine("一、月度积分", st.body), Spacer(1, 1.5 * mm), _months(data, st), Spacer(1, 3 * mm),
        _chart(data, st.font), Spacer(1, 3 * mm),
        KeepTogether([TextLine("二、等次情况", st.body), Spacer(1, 1.5 * mm), TextLine(counts, st.body)]),
        Spacer(1, 3 * mm),
        KeepTogether([TextLine("三、奖励情况", st.body), Spacer(1, 1.5 * mm),
                      _events(data.awards, ("时间", "奖励", "说明"), st, "本年度无奖励记录。")]),
        Spacer(1, 3 * mm),
        KeepTogether([TextLine("四、一票否决及惩处", st.body), Spacer(1, 1.5 * mm),
                      _events(data.sanctions, ("日期", "事项", "说明"), st, "本年度无一票否决及惩处记录。")]),
    ]
    story += aspect_story(data, st, WIDTH)
    return build_pdf(path, story, font=st.font, pagesize=PAGE, title=title_of(data), author=data.station,
                     footer_left=f"{data.name}（{data.badge}）政绩档案", margin=MARGIN,
                     footer_right=f"打印日期：{cn_date(data.printed_on)}")
