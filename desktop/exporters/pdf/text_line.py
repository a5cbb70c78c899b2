"""A line of text, drawn as a one-line Paragraph of the same style would be, when it fits.

A Paragraph parses its text as markup, splits it into fragments and breaks it into lines each
time it is laid out (KeepTogether lays its contents out more than once): for the 政绩档案's thirty
headings and month titles that was a sixth of a file. A `TextLine` measures its text once and,
where the width it is given takes it, draws it with one `drawString`, the baseline where the
Paragraph puts it (reportlab's `paraFontSizeHeightOffset`: one leading high, the baseline a font
size below its top) and aligned as it aligns; where it does not fit, it is that Paragraph.
"""

from __future__ import annotations

from reportlab.lib.enums import TA_CENTER, TA_RIGHT
from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import Flowable, Paragraph

from desktop.exporters.pdf.layout import esc

NBSP = "\u00a0"  # what a Paragraph's &nbsp; draws: a space it does not collapse (layout.PLAIN_GAP is six)


class TextLine(Flowable):
    """`text` is plain (not markup); spaces a Paragraph would collapse make it one from the start."""

    def __init__(self, text: str, style: ParagraphStyle) -> None:
        super().__init__()
        self.text, self.style = text, style
        plain = "\n" not in text and "  " not in text and text == text.strip()
        self.text_width = stringWidth(text, style.fontName, style.fontSize) if plain else None
        self.width, self.height = 0.0, style.leading
        self._para: Paragraph | None = None

    def _fits(self, avail_width: float) -> bool:
        room = avail_width - self.style.leftIndent - self.style.rightIndent
        return self.text_width is not None and self.text_width <= room

    def _paragraph(self) -> Paragraph:
        if self._para is None:
            self._para = Paragraph(esc(self.text).replace(NBSP, "&nbsp;"), self.style)
        return self._para

    def wrap(self, avail_width: float, avail_height: float) -> tuple[float, float]:
        if not self._fits(avail_width):
            self.width, self.height = self._paragraph().wrap(avail_width, avail_height)
            return self.width, self.height
        self._para = None
        self.width, self.height = avail_width, self.style.leading
        return self.width, self.height

    def split(self, avail_width: float, avail_height: float) -> list[Flowable]:
        return [] if self._fits(avail_width) else self._paragraph().split(avail_width, avail_height)

    def draw(self) -> None:
        if self._para is not None:
            self._para.drawOn(self.canv, 0, 0)
            return
        st = self.style
        x = st.leftIndent
        if st.alignment == TA_CENTER:
            x = (self.width - self.text_width) / 2
        elif st.alignment == TA_RIGHT:
            x = self.width - st.rightIndent - self.text_width
        self.canv.setFont(st.fontName, st.fontSize)
        self.canv.setFillColor(st.textColor)
        self.canv.drawString(x, self.height - st.fontSize, self.text)
