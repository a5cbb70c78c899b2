"""Plain text, drawn as a Paragraph of the same style would draw it, without being a Paragraph.

A Paragraph parses its text as markup, splits it into fragments and breaks it into lines each
time it is laid out (KeepTogether lays its contents out more than once): for the 政绩档案's thirty
headings and month titles that was a sixth of a file, and the grade sheets' 等次说明 (a thousand
notes in a county's batch) were most of theirs. A `TextLine` measures its text once. Where the
width it is given takes it, it draws it with one `drawString`, the baseline where the Paragraph
puts it (reportlab's `paraFontSizeHeightOffset`: one leading high, the baseline a font size below
its top) and aligned as it aligns. Where it does not fit, it breaks it with the very function a
one-fragment CJK Paragraph breaks with (`textsplit.wordSplit`'s `dumbSplit`), draws a line per leading, and
splits at a page end by the Paragraph's rule (no orphan: at least two lines stay). Text a
Paragraph would treat differently (line breaks, runs of spaces, justified styles) is that Paragraph.
"""

from __future__ import annotations

from reportlab.lib.enums import TA_CENTER, TA_JUSTIFY, TA_RIGHT
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.textsplit import dumbSplit
from reportlab.pdfbase.pdfmetrics import getFont, stringWidth
from reportlab.platypus import Flowable, Paragraph

from desktop.exporters.pdf.layout import esc

NBSP = "\u00a0"  # what a Paragraph's &nbsp; draws: a space it does not collapse (layout.PLAIN_GAP is six)

_WIDTHS: dict[tuple[str, float], dict[str, float]] = {}  # (font, size) → character → width


def char_widths(text: str, font: str, size: float) -> list[float]:
    """What `textsplit.getCharWidths` gives (each character's `stringWidth`), each character
    measured once per font and size: a batch of notes repeats a few hundred characters."""
    known = _WIDTHS.setdefault((font, size), {})
    missing = set(text).difference(known)
    if missing:
        measure = getFont(font).stringWidth
        known.update((ch, measure(ch, size)) for ch in missing)
    return [known[ch] for ch in text]


class TextLine(Flowable):
    """`text` is plain (not markup); spaces a Paragraph would collapse make it one from the start."""

    def __init__(self, text: str, style: ParagraphStyle, lines: list[tuple[float, str]] | None = None) -> None:
        super().__init__()
        self.text, self.style = text, style
        plain = ("\n" not in text and "  " not in text and text == text.strip() and style.wordWrap == "CJK"
                 and style.alignment != TA_JUSTIFY and not style.firstLineIndent and not style.endDots)
        self.text_width = stringWidth(text, style.fontName, style.fontSize) if plain else None
        self.width, self.height = 0.0, style.leading
        self._para: Paragraph | None = None
        # (room left, text) per line, as wordSplit gives them; one line is `text` itself
        self._lines = lines
        self._broken_for: float | None = None

    def _room(self, avail_width: float) -> float:
        return avail_width - self.style.leftIndent - self.style.rightIndent

    def _paragraph(self) -> Paragraph:
        if self._para is None:
            self._para = Paragraph(esc(self.text).replace(NBSP, "&nbsp;"), self.style)
        return self._para

    def _break(self, avail_width: float) -> list[tuple[float, str]]:
        """The lines for this width: once per width, since KeepTogether and the frame ask again."""
        room = self._room(avail_width)
        if self._lines is None or self._broken_for != room:
            st = self.style
            if self.text_width is not None and self.text_width <= room:
                self._lines = [(room - self.text_width, self.text)]
            else:
                # textsplit.wordSplit, which a one-fragment CJK Paragraph calls, with the widths cached
                widths = char_widths(self.text, st.fontName, st.fontSize)
                self._lines = [(space, line) for space, line in dumbSplit(self.text, widths, [room])]
            self._broken_for = room
        return self._lines

    def wrap(self, avail_width: float, avail_height: float) -> tuple[float, float]:
        if self.text_width is None:
            self.width, self.height = self._paragraph().wrap(avail_width, avail_height)
            return self.width, self.height
        self.width = avail_width
        self.height = self.style.leading * len(self._break(avail_width))
        return self.width, self.height

    def split(self, avail_width: float, avail_height: float) -> list[Flowable]:
        if self.text_width is None:
            return self._paragraph().split(avail_width, avail_height)
        lines = self._break(avail_width)
        fit = int(avail_height / float(self.style.leading))
        if fit <= 1:  # reportlab's Paragraph: no orphan; the whole text goes on
            return []
        if len(lines) <= fit:
            return [self]
        head, tail = lines[:fit], lines[fit:]
        return [self._part(head, avail_width), self._part(tail, avail_width)]

    def _part(self, lines: list[tuple[float, str]], avail_width: float) -> TextLine:
        part = TextLine("".join(text for _, text in lines), self.style, lines)
        part._broken_for = self._room(avail_width)
        return part

    def draw(self) -> None:
        if self.text_width is None:  # laid out as its Paragraph by `wrap`
            self._paragraph().drawOn(self.canv, 0, 0)
            return
        st = self.style
        canv = self.canv
        canv.setFont(st.fontName, st.fontSize)
        canv.setFillColor(st.textColor)
        y = self.height - st.fontSize
        for space, line in self._lines or [(0.0, self.text)]:
            x = st.leftIndent
            if st.alignment == TA_CENTER:
                x += space / 2
            elif st.alignment == TA_RIGHT:
                x += space
            canv.drawString(x, y, line)
            y -= st.leading
