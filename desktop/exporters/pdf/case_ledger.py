"""案件台账: every case of a period (执法办案), one row each — its number, type, officers, the points
as recorded and as counted after 法制大队's review, and the review itself (待审核 / 已确认 /
已调整 with the reason and the reviewer). A4 landscape: the review column carries the reasons.

"Every case traceable": a row's points are the sum of the case's entries, signed by their
component (a 质效分 deduction on the case lowers it); a reversed entry counts nothing and says so.
"""

from __future__ import annotations

from pathlib import Path

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, KeepTogether, Paragraph, Spacer, Table, TableStyle

from desktop.exporters.pdf.data import Signer
from desktop.exporters.pdf.fonts import register_font
from desktop.exporters.pdf.layout import (
    GAP,
    SheetStart,
    Styles,
    build_pdf,
    chain_footer,
    chain_keywords,
    esc,
    grid_style,
    make_styles,
    signature_block,
)
from desktop.exporters.pdf.ruled_table import RuledColumn, RuledTable
from desktop.exporters.pdf.scheme_data import CaseLedgerData, CaseRow
from desktop.services.text import cn_date

PAGE = landscape(A4)
MARGIN = 12 * mm
WIDTH = PAGE[0] - 2 * MARGIN
SHADE = colors.HexColor("#F5F5F5")
# (header, mm, align); 审核状态 takes what is left.
COLUMNS = [("序号", 11, "CENTER"), ("案件编号", 32, "CENTER"), ("案件类型", 20, "CENTER"),
           ("办案人员", 42, "LEFT"), ("录入分", 17, "CENTER"), ("计入分", 17, "CENTER")]


def _columns() -> list[RuledColumn]:
    used = sum(w for _, w, _ in COLUMNS) * mm
    cols = [RuledColumn(w * mm, align, SHADE if h == "计入分" else None) for h, w, align in COLUMNS]
    return [*cols, RuledColumn(WIDTH - used, "LEFT")]


def _headers() -> list[str]:
    return [h for h, _, _ in COLUMNS] + ["审核状态（调整理由、审核人）"]


def _cells(row: CaseRow) -> list[str]:
    return [str(row.seq), row.case_no, row.case_type, row.people, row.recorded, row.counted, row.status]


def _table(data: CaseLedgerData, st: Styles) -> Flowable:
    headers = _headers()
    if not data.rows:
        where = f"{data.unit}" if data.unit else ""
        table = Table([headers, [f"{where}本期没有案件记录"] + [""] * (len(headers) - 1)],
                      colWidths=[c.width for c in _columns()])
        table.setStyle(TableStyle([*grid_style(st.font, 9), ("SPAN", (0, 1), (-1, 1))]))
        return table
    pending = f"待审核 {data.pending} 条" if data.pending else "均已审核"
    total = ["", "合计", f"{len(data.rows)} 件", "", data.recorded_total, data.counted_total, pending]
    return RuledTable(headers, [*(_cells(r) for r in data.rows), total], _columns(), st.font, 9)


def _summary(data: CaseLedgerData) -> str:
    parts = [f"共 {len(data.rows)} 件案件、{data.entries} 条案件积分记录：已确认 {data.confirmed} 条，"
             f"已调整 {data.adjusted} 条，待审核 {data.pending} 条"]
    if data.reversed:
        parts.append(f"已作废 {data.reversed} 条")
    return "，".join(parts) + (f"。录入分合计 {data.recorded_total}，审核后计入 {data.counted_total}；"
                              "待审核的积分不计入总分，质效分扣分按负数计。")


def ledger_story(data: CaseLedgerData, st: Styles) -> list[Flowable]:
    # Two lines, so a long unit name never breaks a date in two.
    info = [f"考核周期：{esc(data.period_label)}（{esc(data.period_range)}）", f"办案单位：{esc(data.unit or '全部')}"]
    more = [f"复核单位：{esc(data.reviewer or '—')}", f"签核状态：{esc(data.state_label)}",
            f"制表日期：{cn_date(data.printed_on)}"]
    signers = [Signer("制表"), Signer(f"{data.reviewer}审核" if data.reviewer else "审核")]
    boxes = signature_block(signers, st, WIDTH * 0.6)
    boxes.hAlign = "LEFT"  # two boxes under a wide table: at the left, where the eye ends a row
    return [
        SheetStart(f"{data.scheme_name} · {data.period_label} 案件台账"),
        Paragraph(esc(data.title), st.title),
        Spacer(1, 2 * mm),
        Paragraph(GAP.join(info), st.body),
        Paragraph(GAP.join(more), st.body),
        Spacer(1, 3 * mm),
        _table(data, st),
        Spacer(1, 2 * mm),
        Paragraph(esc(_summary(data)), st.small),
        Spacer(1, 4 * mm),
        KeepTogether([Paragraph("审核签字", st.body), Spacer(1, 1.5 * mm), boxes]),
    ]


def render_case_ledger(data: CaseLedgerData, path: str | Path, *, font: str = "") -> Path:
    """Write the 案件台账 of one period (A4 landscape)."""
    st = make_styles(register_font(font))
    return build_pdf(path, ledger_story(data, st), font=st.font, pagesize=PAGE, title=data.title,
                     author=data.station, footer_right=chain_footer(data.chain) + f"打印日期：{cn_date(data.printed_on)}",
                     margin=MARGIN, keywords=chain_keywords(data.chain))
