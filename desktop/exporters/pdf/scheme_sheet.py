"""积分排名表: a non-person scheme's subjects for one period, grouped as they are ranked
(一类/二类/三类警务室, 执法办案 sequences, or all together), with the scheme's own sign-off.

A4 portrait while the columns leave the remarks room to be read; landscape when a scheme has
more components. Until the last step of the chain has signed, the state is printed under the
title and across every page (草稿（未提交签核） / 签核中): a draft must never pass for a signed
sheet on a notice board or in a file.
"""

from __future__ import annotations

from pathlib import Path

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import CondPageBreak, Flowable, KeepTogether, Paragraph, Spacer, Table, TableStyle

from desktop.exporters.pdf.fonts import register_font
from desktop.exporters.pdf.layout import (
    GAP,
    QrCode,
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
from desktop.exporters.pdf.scheme_data import RankGroup, RankLine, SchemeSheetData
from desktop.services.text import cn_date

MARGIN = 12 * mm
NOTE_MIN = 40 * mm  # narrower than this, the remarks wrap into a column of stubs: go landscape
TOTAL_SHADE = colors.HexColor("#F5F5F5")
MARK_RED = colors.HexColor("#C00000")
# Width (mm) of each component column and of 总分.
VALUE = 16
VERIFY_WIDTH = 150 * mm


def columns(data: SchemeSheetData, width: float, *, compact: bool = False) -> list[tuple[str, float]]:
    """Headers and widths; 说明 takes what is left. `compact` (the 通报's attachment) drops the code."""
    cols: list[tuple[str, float]] = [("排名", 10)]
    if not compact:
        cols.append((data.code_header, 16 if data.code_header == "警号" else 15))
    cols.append(("名称" if data.code_header == "代码" else "姓名", 30))
    if data.group_header:
        cols.append((data.group_header, 22 if data.group_header == "序列" else 13))
    cols += [(label, VALUE) for label in data.components]
    cols.append(("总分", VALUE))
    if data.show_pending:
        cols.append(("待审核", 15))
    cols.append(("等次", 12))
    used = sum(w for _, w in cols) * mm
    return [(h, w * mm) for h, w in cols] + [("说明", max(width - used, 20 * mm))]


def page_of(data: SchemeSheetData) -> tuple[float, float]:
    room = A4[0] - 2 * MARGIN - sum(w for h, w in columns(data, A4[0] - 2 * MARGIN) if h != "说明")
    return A4 if room >= NOTE_MIN else landscape(A4)


def _cells(line: RankLine, data: SchemeSheetData, compact: bool) -> list[str]:
    cells = [line.rank]
    if not compact:
        cells.append(line.code)
    cells.append(line.name)
    if data.group_header:
        cells.append(line.group)
    cells += list(line.values)
    cells.append(line.total)
    if data.show_pending:
        cells.append(line.pending)
    return [*cells, line.grade, line.note]


def _group_heading(group: RankGroup, data: SchemeSheetData, st: Styles) -> list[Flowable]:
    """The group's title, never alone at the foot of a page. Not `keepWithNext`: that keeps the
    title and the whole table together, and sends a long table to a new page, leaving a gap."""
    style = ParagraphStyle("group", parent=st.body, spaceBefore=2 * mm, spaceAfter=1.2 * mm)
    return [CondPageBreak(28 * mm), Paragraph(f"{esc(group.title)}（{len(group.lines)}{data.measure}）", style)]


def ranking_tables(data: SchemeSheetData, st: Styles, width: float, *, compact: bool = False) -> list[Flowable]:
    """One ruled table per ranking group (header repeated on every page a table runs onto)."""
    cols = columns(data, width, compact=compact)
    headers = [h for h, _ in cols]
    if not data.lines:
        table = Table([headers, [f"本期没有参加考核的{data.subject_label}"] + [""] * (len(cols) - 1)],
                      colWidths=[w for _, w in cols])
        table.setStyle(TableStyle([*grid_style(st.font, 9), ("SPAN", (0, 1), (-1, 1))]))
        return [table]
    ruled = [RuledColumn(w, "LEFT" if h in ("说明", "名称", "姓名") else "CENTER",
                         TOTAL_SHADE if h == "总分" else None) for h, w in cols]
    story: list[Flowable] = []
    for group in data.groups:
        if group.title:
            story += _group_heading(group, data, st)
        story.append(RuledTable(headers, [_cells(line, data, compact) for line in group.lines], ruled, st.font, 9))
        story.append(Spacer(1, 2 * mm))
    return story


def mark_paragraph(data: SchemeSheetData, st: Styles) -> list[Flowable]:
    """The state, large and red under the title, while the chain is not complete."""
    if not data.mark:
        return []
    signed = sum(1 for s in data.signers if s.name)
    text = data.mark if data.state == "open" else f"{data.mark}（已签 {signed} 步，共 {len(data.signers)} 步）"
    style = ParagraphStyle("mark", parent=st.subtitle, fontSize=13, leading=18, textColor=MARK_RED,
                           alignment=TA_CENTER)
    return [Spacer(1, 1 * mm), Paragraph(f"【{esc(text)}】", style)]


def _changed(data: SchemeSheetData, st: Styles) -> list[Flowable]:
    if not data.changed:
        return []
    style = ParagraphStyle("changed", parent=st.body, textColor=MARK_RED)
    return [Spacer(1, 1 * mm), Paragraph("注意：提交签核后本期积分有变动，本表为提交签核时固定的结果，"
                                         "须重新提交签核后再签字。", style)]


def verification(data: SchemeSheetData, st: Styles) -> list[Flowable]:
    """QR code and short code, as on the grade sheet; the words say what this check can tell
    (whether the rows still are the printed ones), not more."""
    v = data.verification
    if v is None:
        return []
    when = "（本表未提交签核，此后积分有变动即核验不通过）" if data.state == "open" else ""
    text = [
        Paragraph(f"核验码：<font size=12>{esc(v.code)}</font>", ParagraphStyle("code", parent=st.body, wordWrap=None)),
        Paragraph(f"数据摘要（SHA-256）：<br/><font size=7.5>{v.digest[:32]}<br/>{v.digest[32:]}</font>", st.small),
        Paragraph("核验方法：在积分考核台账程序中选“文件 → 核验纸质表”，输入核验码或扫描二维码得到的内容；程序按数据库重新"
                  f"计算本期各{esc(data.subject_label)}的积分、排名和等次并比对{when}。", st.small),
    ]
    table = Table([[QrCode(v.qr_text, 24 * mm), text]], colWidths=[28 * mm, VERIFY_WIDTH - 28 * mm], hAlign="LEFT")
    table.setStyle(TableStyle([
        ("FONTNAME", (0, 0), (-1, -1), st.font),
        ("BOX", (0, 0), (-1, -1), 0.6, colors.grey),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("LEFTPADDING", (0, 0), (-1, -1), 4),
    ]))
    return [table]


def _closing(data: SchemeSheetData, st: Styles, width: float) -> list[Flowable]:
    return [*verification(data, st), Spacer(1, 3 * mm), Paragraph("审核签字", st.body), Spacer(1, 1.5 * mm),
            signature_block(data.signers, st, width)]


def sheet_story(data: SchemeSheetData, st: Styles, width: float) -> list[Flowable]:
    rank = {"class": "同类别内排名", "sequence": "同序列内排名"}.get(data.rank_within, "全体排名")
    info = GAP.join([f"考核周期：{esc(data.period_label)}（{esc(data.period_range)}）", f"状态：{esc(data.state_label)}",
                     f"制表日期：{cn_date(data.printed_on)}"])
    rule = GAP.join([f"考核对象：{esc(data.subject_label)}，共 {len(data.lines)} {data.measure}，{rank}",
                     f"计分：{esc(data.formula)}"] + ([f"复核单位：{esc(data.reviewer)}"] if data.reviewer else []))
    return [
        SheetStart(f"{data.scheme_name} · {data.period_label} 积分排名表"),
        Paragraph(esc(data.title), st.title),
        *mark_paragraph(data, st),
        Spacer(1, 2 * mm),
        Paragraph(info, st.body),
        Paragraph(rule, st.body),
        *_changed(data, st),
        Spacer(1, 2 * mm),
        *ranking_tables(data, st, width),
        *([Paragraph(f"待审核：{esc(data.reviewer or '复核单位')}尚未审核的案件积分，不计入总分。", st.small)]
          if data.show_pending else []),
        Spacer(1, 3 * mm),
        KeepTogether(_closing(data, st, width)),
    ]


def render_scheme_sheet(data: SchemeSheetData, path: str | Path, *, font: str = "") -> Path:
    """Write the 积分排名表 of one scheme and period (A4, landscape when the columns need it)."""
    st = make_styles(register_font(font))
    page = page_of(data)
    width = page[0] - 2 * MARGIN
    # The chain head on every page and in the keywords, as on the grade sheet: the code on the
    # paper shows later whether the audit trail was rewritten since it was printed.
    return build_pdf(path, sheet_story(data, st, width), font=st.font, pagesize=page, title=data.title,
                     author=data.station, footer_right=chain_footer(data.chain) + f"打印日期：{cn_date(data.printed_on)}",
                     margin=MARGIN, keywords=chain_keywords(data.chain), watermark=data.mark)
