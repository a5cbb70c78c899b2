"""Shared typesetting for printed documents: styles, page footer, signatures, QR code.

Every document is built with reportlab platypus on A4 in the one registered CJK font.
The footer "第 x 页 共 y 页" needs the page count before it is drawn, so pages are kept
and drawn in a second pass (the usual NumberedCanvas pattern); a `SheetStart` marker
restarts the numbering, so a batch of sheets in one PDF numbers each sheet on its own.
"""

from __future__ import annotations

import io
import os
import tempfile
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import qrcode
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_LEFT
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Flowable, Image, PageBreak, Paragraph, SimpleDocTemplate, Table, TableStyle

from desktop.exporters.pdf.data import Signer, Verification
from desktop.services.errors import ValidationError
from desktop.services.text import cn_date

HEADER_GREY = colors.HexColor("#E6E6E6")
TOTAL_GREY = colors.HexColor("#F2F2F2")  # a total row (全年合计, 全年)
WATERMARK_RED = colors.HexColor("#C00000")
BLANK_DATE = "日期：＿＿＿＿年＿＿月＿＿日"
GAP = "&nbsp;" * 6  # Paragraph collapses ordinary (and ideographic) spaces
PLAIN_GAP = "\u00a0" * 6  # the same gap in plain text (a TextLine, a RuledTable cell)
CELL_SIZE = 9  # the font size of a table cell (`make_styles`' default cell_size, `grid_style`'s size)
CELL_PADDING = 3  # `grid_style`'s left and right padding


@dataclass(frozen=True)
class Styles:
    """Paragraph styles in the CJK font; `wordWrap="CJK"` lets Chinese break between any two characters."""

    font: str
    title: ParagraphStyle
    subtitle: ParagraphStyle
    body: ParagraphStyle
    small: ParagraphStyle
    cell: ParagraphStyle
    cell_center: ParagraphStyle


def make_styles(font: str, *, cell_size: float = CELL_SIZE) -> Styles:
    def style(name: str, size: float, align: int = TA_LEFT, leading: float | None = None) -> ParagraphStyle:
        return ParagraphStyle(name, fontName=font, fontSize=size, leading=leading or size * 1.35,
                              alignment=align, wordWrap="CJK")

    return Styles(
        font=font,
        title=style("title", 18, TA_CENTER, 26),
        subtitle=style("subtitle", 11, TA_CENTER),
        body=style("body", 10.5, leading=15),
        small=style("small", 8.5),
        cell=style("cell", cell_size, leading=cell_size * 1.25),
        cell_center=style("cell_center", cell_size, TA_CENTER, cell_size * 1.25),
    )


def esc(text: object) -> str:
    """Text for a Paragraph: reportlab parses a small XML subset, so escape &, < and >."""
    return str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def grid_style(font: str, size: float = 9, header_rows: int = 1) -> list[tuple[Any, ...]]:
    """A plain ruled table with a grey header, centred: the look of a paper form."""
    style: list[tuple[Any, ...]] = [
        ("FONTNAME", (0, 0), (-1, -1), font),
        ("FONTSIZE", (0, 0), (-1, -1), size),
        ("LEADING", (0, 0), (-1, -1), size * 1.25),
        ("GRID", (0, 0), (-1, -1), 0.5, colors.black),
        ("BOX", (0, 0), (-1, -1), 1, colors.black),
        ("ALIGN", (0, 0), (-1, -1), "CENTER"),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("TOPPADDING", (0, 0), (-1, -1), 2.5),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 2.5),
        ("LEFTPADDING", (0, 0), (-1, -1), CELL_PADDING),
        ("RIGHTPADDING", (0, 0), (-1, -1), CELL_PADDING),
    ]
    if header_rows:
        style.append(("BACKGROUND", (0, 0), (-1, header_rows - 1), HEADER_GREY))
    return style


class SheetStart(Flowable):
    """Zero-size marker: the page it lands on starts a new sheet (numbering restarts at 1)."""

    def __init__(self, footer_left: str = "") -> None:
        super().__init__()
        self.footer_left = footer_left

    def wrap(self, _avail_width: float, _avail_height: float) -> tuple[float, float]:
        return 0, 0

    def draw(self) -> None:
        start = getattr(self.canv, "start_sheet", None)
        if start is not None:
            start(self.footer_left)


def numbered_canvas(font: str, footer_left: str, footer_right: str, watermark: str = "") -> type[Canvas]:
    """A canvas class drawing "第 x 页 共 y 页" (per sheet) once all pages are known, and, when
    given, a `watermark` across every page (a draft must not pass for a signed sheet)."""

    class NumberedCanvas(Canvas):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            # The doc template passes initialFontName=None; without this every page starts in Helvetica.
            kwargs["initialFontName"] = kwargs.get("initialFontName") or font
            super().__init__(*args, **kwargs)
            self._kept: list[tuple[dict[str, Any], int, str]] = []
            self._sheet = 0
            self._sheet_left = footer_left

        def start_sheet(self, left: str) -> None:
            self._sheet += 1
            self._sheet_left = left or footer_left

        def showPage(self) -> None:
            self._kept.append((dict(self.__dict__), self._sheet, self._sheet_left))
            self._startPage()

        def save(self) -> None:
            totals = Counter(sheet for _, sheet, _ in self._kept)
            seen: defaultdict[int, int] = defaultdict(int)
            for state, sheet, left in list(self._kept):
                self.__dict__.update(state)
                seen[sheet] += 1
                self._footer(seen[sheet], totals[sheet], left)
                if watermark:
                    self._watermark()
                Canvas.showPage(self)
            Canvas.save(self)

        def _footer(self, page: int, pages: int, left: str) -> None:
            width, _ = self._pagesize
            self.saveState()
            self.setFont(font, 9)
            self.setFillColor(colors.black)
            y = 8 * mm
            self.drawCentredString(width / 2, y, f"第 {page} 页 共 {pages} 页")
            if left:
                self.drawString(12 * mm, y, left)
            if footer_right:
                self.drawRightString(width - 12 * mm, y, footer_right)
            self.restoreState()

        def _watermark(self) -> None:
            # Drawn over the page, translucent: the text below stays readable, and no cell
            # background or image can hide the mark.
            width, height = self._pagesize
            size = min(width, height) / max(6, len(watermark))  # fits the page along the slant
            self.saveState()
            self.setFont(font, size)
            self.setFillColor(WATERMARK_RED)
            self.setFillAlpha(0.16)
            self.translate(width / 2, height / 2)
            self.rotate(30)
            self.drawCentredString(0, -size / 3, watermark)
            self.restoreState()

    return NumberedCanvas


def one_after_another(parts: Iterable[list[Flowable]]) -> list[Flowable]:
    """The flowables of several sheets (or certificates) in one story, each from a new page."""
    story: list[Flowable] = []
    for part in parts:
        if story:
            story.append(PageBreak())
        story += part
    return story


def build_pdf(path: str | Path, story: list[Flowable], *, font: str, pagesize: tuple[float, float],
              title: str, author: str = "", footer_left: str = "", footer_right: str = "",
              margin: float = 12 * mm, numbered: bool = True, keywords: str = "", watermark: str = "") -> Path:
    """Lay out `story` and write the PDF atomically (a failed build leaves no half-written file).
    `watermark` (numbered documents only) is printed across every page, e.g. 草稿（未提交签核）."""
    target = Path(path)
    if not target.parent.is_dir():
        raise ValidationError(f"保存位置“{target.parent}”不存在，请先建立文件夹或另选位置")
    fd, tmp_name = tempfile.mkstemp(suffix=".pdf", dir=target.parent)
    os.close(fd)
    try:
        footer_space = 6 * mm if numbered else 0
        doc = SimpleDocTemplate(tmp_name, pagesize=pagesize, leftMargin=margin, rightMargin=margin,
                                topMargin=margin, bottomMargin=margin + footer_space, title=title,
                                author=author, creator="jifen 积分考核台账", subject=title, keywords=keywords)
        maker = numbered_canvas(font, footer_left, footer_right, watermark) if numbered else _plain_canvas(font)
        doc.build(story, canvasmaker=maker)
        os.replace(tmp_name, target)
    finally:
        if os.path.exists(tmp_name):
            os.unlink(tmp_name)
    return target


def chain_footer(code: str) -> str:
    return f"审计链 {code}　　" if code else ""


def chain_keywords(code: str) -> str:
    from desktop.services.chain_head import PDF_KEYWORD

    return f"{PDF_KEYWORD}{code}" if code else ""


def _plain_canvas(font: str) -> type[Canvas]:
    class PlainCanvas(Canvas):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            kwargs["initialFontName"] = kwargs.get("initialFontName") or font
            super().__init__(*args, **kwargs)

    return PlainCanvas


def picture(data: bytes | None, max_width: float, max_height: float) -> Image | None:
    """A photo or signature scaled to fit the box, keeping its proportions; None if unreadable."""
    if not data:
        return None
    try:
        width, height = ImageReader(io.BytesIO(data)).getSize()
    except Exception:  # a damaged image must never stop a sheet from printing
        return None
    scale = min(max_width / width, max_height / height)
    return Image(io.BytesIO(data), width=width * scale, height=height * scale)


class QrCode(Flowable):
    """A QR code drawn as vector squares (sharp at any print resolution)."""

    def __init__(self, text: str, size: float) -> None:
        super().__init__()
        qr = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=0)
        qr.add_data(text)
        qr.make(fit=True)
        self.matrix: list[list[bool]] = qr.get_matrix()
        self.size = size

    def wrap(self, _avail_width: float, _avail_height: float) -> tuple[float, float]:
        return self.size, self.size

    def draw(self) -> None:
        n = len(self.matrix)
        cell = self.size / n
        self.canv.setFillColor(colors.black)
        for r, row in enumerate(self.matrix):
            c = 0
            while c < n:  # one rectangle per horizontal run of dark modules
                if not row[c]:
                    c += 1
                    continue
                start = c
                while c < n and row[c]:
                    c += 1
                self.canv.rect(start * cell, self.size - (r + 1) * cell, (c - start) * cell, cell,
                               stroke=0, fill=1)


def signature_block(signers: Sequence[Signer], st: Styles, width: float) -> Table:
    """One column per step: title, the signer (name and image once signed), the date."""
    count = max(1, len(signers))
    col = width / count
    titles, names, dates = [], [], []
    for s in signers:
        titles.append(Paragraph(esc(s.step_title), st.cell_center))
        if s.name:
            # Names such as "蔡海（所长）" already carry the title; don't add the role twice.
            label = f"{s.name}（{s.role_label}）" if s.role_label and "（" not in s.name else s.name
            image = picture(s.signature_png, col - 10 * mm, 12 * mm)
            names.append([image, Paragraph(esc(label), st.cell_center)] if image else
                         Paragraph(f"签字：{esc(label)}", st.cell_center))
        else:
            names.append(Paragraph("签字：＿＿＿＿＿＿＿＿", st.cell_center))
        dates.append(Paragraph(f"日期：{cn_date(s.signed_on)}" if s.signed_on else BLANK_DATE, st.cell_center))
    table = Table([titles, names, dates], colWidths=[col] * count, rowHeights=[None, 17 * mm, None])
    table.setStyle(TableStyle([
        ("FONTNAME", (0, 0), (-1, -1), st.font),  # tables set a font per cell, Helvetica by default
        ("BOX", (0, 0), (-1, -1), 0.8, colors.black),
        ("INNERGRID", (0, 0), (-1, -1), 0.4, colors.black),
        ("BACKGROUND", (0, 0), (-1, 0), HEADER_GREY),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("ALIGN", (0, 0), (-1, -1), "CENTER"),
    ]))
    return table


def verification_block(v: Verification, st: Styles, width: float) -> Table:
    """QR code and short code: lets anyone check a paper sheet against the database."""
    digest = f"{v.digest[:32]}<br/>{v.digest[32:]}"
    text = [
        Paragraph(f"核验码：<font size=12>{esc(v.code)}</font>", ParagraphStyle("code", parent=st.body,
                                                                             wordWrap=None)),
        Paragraph(f"数据摘要（SHA-256）：<br/><font size=7.5>{digest}</font>", st.small),
        Paragraph("核验方法：在积分考核台账程序中选“文件 → 核验纸质表”，输入核验码或扫描二维码得到的内容；"
                  "程序按数据库重新计算本表数据并比对，如有改动将指明人员和数值。", st.small),
    ]
    table = Table([[QrCode(v.qr_text, 26 * mm), text]], colWidths=[30 * mm, width - 30 * mm])
    table.setStyle(TableStyle([
        ("FONTNAME", (0, 0), (-1, -1), st.font),
        ("BOX", (0, 0), (-1, -1), 0.6, colors.grey),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("LEFTPADDING", (0, 0), (-1, -1), 4),
    ]))
    return table
