"""等次评定表: one department's people, components, total, rank, grade; A4 landscape.

A batch (all departments of a period) is one PDF with each department on its own pages,
numbered on its own, each with its own signature lines and verification block.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import Flowable, KeepTogether, Paragraph, Spacer, Table, TableStyle

from desktop.exporters.pdf.data import GradeRow, GradeSheetData
from desktop.exporters.pdf.fonts import register_font
from desktop.exporters.pdf.layout import (
    PLAIN_GAP,
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
    verification_block,
)
from desktop.exporters.pdf.ruled_table import RuledColumn, RuledTable
from desktop.exporters.pdf.text_line import TextLine
from desktop.services.errors import ValidationError
from desktop.services.points import fmt
from desktop.services.text import cn_date

PAGE = landscape(A4)
MARGIN = 12 * mm
WIDTH = PAGE[0] - 2 * MARGIN
# Column headers and widths (mm); the remarks column takes what is left.
COLUMNS = [("序号", 11), ("警号", 22), ("姓名", 22), ("身份", 13), ("基础分", 19), ("部门加分", 19),
           ("部门扣分", 19), ("上级加分", 19), ("上级减分", 19), ("总分", 19), ("排名", 12), ("等次", 19)]
START_COLUMN = ("起始分", 16)
VERIFY_WIDTH = 118 * mm
TOTAL_SHADE = colors.HexColor("#F5F5F5")


def title_of(data: GradeSheetData) -> str:
    return f"{data.station} {data.period_label} 民警积分考核等次评定表"


def _columns(data: GradeSheetData) -> list[tuple[str, float]]:
    cols = list(COLUMNS)
    if data.show_start:
        cols.insert(4, START_COLUMN)
    used = sum(w for _, w in cols) * mm
    return [(h, w * mm) for h, w in cols] + [("备注", WIDTH - used)]


def _row_cells(row: GradeRow, data: GradeSheetData) -> list[str]:
    points = [row.base, row.dept_bonus, row.dept_deduction, row.higher_bonus, row.higher_deduction]
    cells = [str(row.seq), row.badge, row.name, row.identity]
    if data.show_start:
        cells.append(fmt(row.start))
    cells += [fmt(p) for p in points]
    cells += [fmt(row.total), "" if row.rank is None else str(row.rank), row.grade, row.remarks]
    return cells


def _score_table(data: GradeSheetData, st: Styles) -> Flowable:
    """The people's rows as a `RuledTable` (drawn straight onto the canvas: a county's 2,000 rows
    in a fraction of what reportlab's Table takes); the total column shaded, remarks left-aligned."""
    cols = _columns(data)
    headers = [h for h, _ in cols]
    if not data.rows:
        table = Table([headers, ["本部门本期没有参加考核的人员"] + [""] * (len(cols) - 1)],
                      colWidths=[w for _, w in cols])
        table.setStyle(TableStyle([*grid_style(st.font, 9), ("SPAN", (0, 1), (-1, 1))]))
        return table
    columns = [RuledColumn(w, "LEFT" if h == "备注" else "CENTER", TOTAL_SHADE if h == "总分" else None)
               for h, w in cols]
    return RuledTable(headers, [_row_cells(r, data) for r in data.rows], columns, st.font, 9)


def _distribution(data: GradeSheetData, st: Styles, width: float) -> list[Flowable]:
    if not data.distribution:
        return []
    header = ["等次"] + [q.label for q in data.distribution]
    counts = ["本部门人数"] + [str(q.count) for q in data.distribution]
    first = 24 * mm
    rest = min(40 * mm, (width - first) / len(data.distribution))
    # A rule that fits its cell is plain text; a Paragraph is laid out again each time the
    # closing block is measured (twenty departments, several times each).
    rules = ["比例/分数要求"] + [q.rule if stringWidth(q.rule, st.font, 9) <= rest - 6 else
                               Paragraph(esc(q.rule), st.cell_center) for q in data.distribution]
    table = Table([header, counts, rules], colWidths=[first] + [rest] * len(data.distribution), hAlign="LEFT")
    table.setStyle(TableStyle(grid_style(st.font, 9)))
    parts: list[Flowable] = [Paragraph(f"等次分布（{esc(data.policy_name)}）", st.body), Spacer(1, 1.5 * mm), table]
    if data.distribution_note:
        parts += [Spacer(1, 1 * mm), Paragraph(esc(data.distribution_note), st.small)]
    return parts


def _closing(data: GradeSheetData, st: Styles) -> list[Flowable]:
    """Distribution beside the verification block, then the signature lines: kept on one page."""
    if data.verification is None:
        top: Flowable = Table([[_distribution(data, st, WIDTH)]], colWidths=[WIDTH])
    else:
        right = VERIFY_WIDTH
        top = Table([[_distribution(data, st, WIDTH - right - 6 * mm),
                      verification_block(data.verification, st, right)]],
                    colWidths=[WIDTH - right, right])
    top.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), ("LEFTPADDING", (0, 0), (-1, -1), 0),
                             ("RIGHTPADDING", (0, 0), (-1, -1), 0), ("FONTNAME", (0, 0), (-1, -1), st.font)]))
    parts = [top, Spacer(1, 4 * mm), TextLine("审核签字", st.body), Spacer(1, 1.5 * mm),
             signature_block(data.signers, st, WIDTH)]
    if data.revoked:  # the record keeps who had signed before a reopening, and why it was undone
        parts += [Spacer(1, 2 * mm), *(TextLine(line, st.small) for line in data.revoked)]
    return parts


def sheet_story(data: GradeSheetData, st: Styles) -> list[Flowable]:
    """The flowables of one department's sheet."""
    info = PLAIN_GAP.join([f"部门：{data.department}", f"考核周期：{data.period_label}（{data.period_range}）",
                        f"状态：{data.state_label}", f"制表日期：{cn_date(data.printed_on)}"])
    return [
        SheetStart(f"{data.department} · {data.period_label} 等次评定表"),
        TextLine(title_of(data), st.title),
        Spacer(1, 2 * mm),
        TextLine(info, st.body),
        Spacer(1, 3 * mm),
        _score_table(data, st),
        *_notes(data, st),
        Spacer(1, 4 * mm),
        KeepTogether(_closing(data, st)),
    ]


def _notes(data: GradeSheetData, st: Styles) -> list[Flowable]:
    """The reasons the remarks column points at (注1 …), and quota breaches, under the table."""
    if not data.notes:
        return []
    return [Spacer(1, 2 * mm), TextLine("等次说明", st.body), *(TextLine(line, st.small) for line in data.notes)]


def render_grade_sheets(sheets: Sequence[GradeSheetData], path: str | Path, *, font: str = "") -> Path:
    """Write one or more department sheets into one PDF (landscape A4)."""
    if not sheets:
        raise ValidationError("没有可打印的等次评定表")
    st = make_styles(register_font(font))
    story = one_after_another(sheet_story(data, st) for data in sheets)
    first = sheets[0]
    # The chain head on every page and in the file's keywords: `jifen audit verify --against`
    # the code (typed from paper) or the file shows whether the trail was rewritten since.
    return build_pdf(path, story, font=st.font, pagesize=PAGE, title=title_of(first), author=first.station,
                     footer_right=chain_footer(first.chain) + f"打印日期：{cn_date(first.printed_on)}",
                     margin=MARGIN, keywords=chain_keywords(first.chain))
