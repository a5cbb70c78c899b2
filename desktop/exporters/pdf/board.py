"""公示栏: the period's ranking by department in large type, for the notice board.

Everyone may see everyone's points; that transparency is the point of the scheme, so the
sheet states the publication period and whom to approach with an objection.
"""

from __future__ import annotations

from pathlib import Path

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, LongTable, Paragraph, Spacer, TableStyle

from desktop.exporters.pdf.data import BoardData, BoardSection
from desktop.exporters.pdf.fonts import register_font
from desktop.exporters.pdf.layout import build_pdf, esc, grid_style, make_styles
from desktop.services.errors import ValidationError
from desktop.services.points import fmt
from desktop.services.text import cn_date

PAGE = A4
MARGIN = 14 * mm
WIDTH = PAGE[0] - 2 * MARGIN
TYPE_SIZE = 13  # large enough to read from a step back
COLUMNS = [("名次", 16), ("姓名", 30), ("警号", 28), ("身份", 18), ("总分", 24), ("等次", 22), ("备注", 0)]
MEDALS = {1: "#FCE8B2", 2: "#EDEDED", 3: "#F6DCC8"}


def title_of(data: BoardData) -> str:
    return f"{data.station} {data.period_label} 积分排名公示"


def _section(section: BoardSection, font: str, note_style: ParagraphStyle) -> list[Flowable]:
    heading = ParagraphStyle("dept", fontName=font, fontSize=16, leading=22, keepWithNext=True,
                             spaceBefore=4 * mm, spaceAfter=2 * mm)
    ranked = sum(1 for r in section.rows if r.rank is not None)
    used = sum(w for _, w in COLUMNS) * mm
    widths = [w * mm if w else WIDTH - used for _, w in COLUMNS]
    rows: list[list[object]] = [[h for h, _ in COLUMNS]]
    for r in section.rows:
        rows.append(["" if r.rank is None else str(r.rank), r.name, r.badge, r.identity, fmt(r.total), r.grade,
                     Paragraph(esc(r.remark), note_style)])
    table = LongTable(rows, colWidths=widths, repeatRows=1)
    style = grid_style(font, TYPE_SIZE)
    style += [("TOPPADDING", (0, 0), (-1, -1), 4), ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
              ("FONTSIZE", (4, 1), (4, -1), TYPE_SIZE + 1)]
    for i, r in enumerate(section.rows, start=1):
        if r.rank in MEDALS:
            style.append(("BACKGROUND", (0, i), (-1, i), colors.HexColor(MEDALS[r.rank])))
    table.setStyle(TableStyle(style))
    head = f"{esc(section.department)}　<font size=11>（参加排名 {ranked} 人）</font>"
    return [Paragraph(head, heading), table]


def render_board(data: BoardData, path: str | Path, *, font: str = "") -> Path:
    """Write the ranking board of one period (portrait A4, large type)."""
    if not data.sections:
        raise ValidationError(f"{data.period_label}没有可公示的积分结果")
    st = make_styles(register_font(font))
    note_style = ParagraphStyle("note", fontName=st.font, fontSize=9.5, leading=12, wordWrap="CJK")
    title = ParagraphStyle("board_title", parent=st.title, fontSize=24, leading=32)
    intro = (f"根据本所积分制考核办法，现将{esc(data.period_label)}全体人员积分、排名及等次"
             f"（{esc(data.policy_name)}）予以公示。公示期内如有异议，请向所部或内勤反映。")
    story: list[Flowable] = [Paragraph(esc(title_of(data)), title), Spacer(1, 3 * mm),
                             Paragraph(intro, ParagraphStyle("intro", parent=st.body, fontSize=12, leading=18)),
                             Paragraph(f"数据状态：{esc(data.state_label)}", st.small)]
    for section in data.sections:
        story += _section(section, st.font, note_style)
    if data.notes:  # equal totals that got different ranks or grades: say why, on the notice board too
        story += [Spacer(1, 4 * mm), Paragraph("并列说明", st.body),
                  *(Paragraph(esc(line), note_style) for line in data.notes)]
    closing = ParagraphStyle("closing", parent=st.body, fontSize=12, leading=20, alignment=TA_CENTER)
    story += [Spacer(1, 8 * mm),
              Paragraph("公示时间：＿＿＿＿年＿＿月＿＿日 至 ＿＿＿＿年＿＿月＿＿日", closing),
              Paragraph(f"{esc(data.station)}　　{cn_date(data.printed_on)}", closing)]
    return build_pdf(path, story, font=st.font, pagesize=PAGE, title=title_of(data), author=data.station,
                     footer_left=f"{data.period_label} 积分排名公示", margin=MARGIN,
                     footer_right=f"打印日期：{cn_date(data.printed_on)}")
