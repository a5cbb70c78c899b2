"""Award certificates (荣誉证书), A4 landscape, one page per award; a batch is one PDF.

Drawn directly on the canvas (a certificate is a composed page, not flowing text): a red
double border, the title, the citation, the photo when there is one, the issuer and date,
and a dashed circle marking where the seal goes.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from pathlib import Path

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Flowable, Paragraph

from desktop.exporters.pdf.data import CertificateData
from desktop.exporters.pdf.fonts import register_font
from desktop.exporters.pdf.layout import build_pdf, esc, one_after_another
from desktop.services.errors import ValidationError
from desktop.services.text import cn_date

PAGE = landscape(A4)
RED = colors.HexColor("#B3191F")
GOLD = colors.HexColor("#C8A04A")
PHOTO_W, PHOTO_H = 34 * mm, 45 * mm  # a 2-inch portrait is 35 x 49 mm


def _photo_reader(data: bytes | None) -> ImageReader | None:
    if not data:
        return None
    try:
        reader = ImageReader(io.BytesIO(data))
        reader.getSize()
    except Exception:  # an unreadable photo leaves the certificate without one, never fails it
        return None
    return reader


class CertificatePage(Flowable):
    """One certificate filling the page; drawn in page coordinates."""

    def __init__(self, data: CertificateData, font: str) -> None:
        super().__init__()
        self.data = data
        self.font = font

    def wrap(self, avail_width: float, avail_height: float) -> tuple[float, float]:
        return avail_width, avail_height - 1  # fill the frame without overflowing it

    def drawOn(self, canvas: Canvas, x: float, y: float, _sW: float = 0) -> None:
        """Ignore the frame position: a certificate is laid out in page coordinates."""
        self.canv = canvas
        canvas.saveState()
        self._border()
        self._title()
        left = self._photo()
        self._citation(left)
        self._issuer()
        self._number()
        canvas.restoreState()
        del self.canv

    def _border(self) -> None:
        c = self.canv
        w, h = PAGE
        c.setStrokeColor(RED)
        c.setLineWidth(4)
        c.rect(12 * mm, 12 * mm, w - 24 * mm, h - 24 * mm)
        c.setStrokeColor(GOLD)
        c.setLineWidth(1)
        c.rect(16 * mm, 16 * mm, w - 32 * mm, h - 32 * mm)

    def _title(self) -> None:
        c = self.canv
        w, h = PAGE
        c.setFillColor(RED)
        c.setFont(self.font, 44)
        c.drawCentredString(w / 2, h - 52 * mm, "荣 誉 证 书")

    def _photo(self) -> float:
        """Draw the photo (if any) on the left; return where the text column starts."""
        reader = _photo_reader(self.data.photo)
        if reader is None:
            return 45 * mm
        c = self.canv
        iw, ih = reader.getSize()
        scale = min(PHOTO_W / iw, PHOTO_H / ih)
        dw, dh = iw * scale, ih * scale
        x, y = 40 * mm, PAGE[1] - 75 * mm - PHOTO_H
        c.drawImage(reader, x + (PHOTO_W - dw) / 2, y + (PHOTO_H - dh) / 2, dw, dh, mask="auto")
        c.setStrokeColor(GOLD)
        c.setLineWidth(1)
        c.rect(x - 1.5 * mm, y - 1.5 * mm, PHOTO_W + 3 * mm, PHOTO_H + 3 * mm)
        return x + PHOTO_W + 14 * mm

    def _citation(self, left: float) -> None:
        c = self.canv
        d = self.data
        w, h = PAGE
        right = w - 45 * mm
        c.setFillColor(colors.black)
        c.setFont(self.font, 22)
        salutation = f"{d.department}　{d.name} 同志：" if d.department else f"{d.name} 同志："
        c.drawString(left, h - 80 * mm, salutation)
        body = ParagraphStyle("cert", fontName=self.font, fontSize=18, leading=30, wordWrap="CJK",
                              firstLineIndent=36)
        # Short enough for one line beside the photo: reportlab does not keep "，" off a line start.
        text = f"在{esc(d.period_label)}积分制考核中成绩突出，被评为"
        para = Paragraph(text, body)
        _, ph = para.wrapOn(c, right - left, 60 * mm)
        para.drawOn(c, left, h - 88 * mm - ph)
        title_y = h - 88 * mm - ph - 20 * mm
        c.setFillColor(RED)
        c.setFont(self.font, 36)
        c.drawCentredString((left + right) / 2, title_y, f"“{d.title}”")
        c.setFillColor(colors.black)
        c.setFont(self.font, 18)
        c.drawString(left + 36, title_y - 17 * mm, "特发此证，以资鼓励。")

    def _issuer(self) -> None:
        c = self.canv
        w, _ = PAGE
        center_x, base_y = w - 80 * mm, 42 * mm
        c.setFillColor(colors.black)
        c.setFont(self.font, 18)
        c.drawCentredString(center_x, base_y + 10 * mm, self.data.issuer)
        c.setFont(self.font, 16)
        c.drawCentredString(center_x, base_y, cn_date(self.data.issued_on))
        c.setStrokeColor(colors.HexColor("#999999"))
        c.setLineWidth(0.8)
        c.setDash(4, 3)
        c.circle(center_x, base_y + 6 * mm, 25 * mm)  # a 50 mm circle: room for a standard 42 mm seal
        c.setDash()
        c.setFillColor(colors.HexColor("#999999"))
        c.setFont(self.font, 10)
        c.drawCentredString(center_x, base_y + 24 * mm, "盖章处")

    def _number(self) -> None:
        c = self.canv
        c.setFillColor(colors.HexColor("#555555"))
        c.setFont(self.font, 9)
        c.drawString(24 * mm, 22 * mm, f"证书编号：{self.data.number}")


def render_certificates(certificates: Sequence[CertificateData], path: str | Path, *, font: str = "") -> Path:
    """Write all certificates (one page each) into one PDF."""
    if not certificates:
        raise ValidationError("没有可打印的奖励证书")
    name = register_font(font)
    story = one_after_another([CertificatePage(cert, name)] for cert in certificates)
    first = certificates[0]
    return build_pdf(path, story, font=name, pagesize=PAGE, title=f"{first.station} {first.period_label} 荣誉证书",
                     author=first.station, margin=0, numbered=False)
