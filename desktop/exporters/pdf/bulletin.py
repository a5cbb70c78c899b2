"""通报: a scheme's monthly / quarterly / yearly ranking told in words, on A4 portrait, in the
layout of an official notice (red issuer header and rule, centred title, salutation, numbered
sections, issuer and date at the foot), with the ranking table attached on its own pages.

The words come from `bulletin_text`; this module only sets them. A bulletin of a period not yet
signed to the end carries the same draft mark as the ranking sheet.
"""

from __future__ import annotations

from pathlib import Path

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import getFont
from reportlab.platypus import Flowable, HRFlowable, KeepTogether, PageBreak, Paragraph, Spacer

from desktop.exporters.pdf.bulletin_text import BulletinData
from desktop.exporters.pdf.fonts import register_font
from desktop.exporters.pdf.layout import (
    SheetStart,
    Styles,
    build_pdf,
    chain_footer,
    chain_keywords,
    esc,
    make_styles,
)
from desktop.exporters.pdf.scheme_sheet import mark_paragraph, ranking_tables, verification
from desktop.services.text import cn_date

PAGE = A4
MARGIN = 18 * mm
WIDTH = PAGE[0] - 2 * MARGIN
RED = colors.HexColor("#C00000")
# Chinese line-breaking rules (禁则): reportlab's CJK wrap knows only some of them, and breaks
# "（24.5分）" after its opening bracket; a bulletin is prose read aloud at a meeting.
NO_START = set("，。、；：！？）》」』】〕”’％…,.;:!?)]%")
NO_END = set("（《「『【〔“‘([")


def _word(ch: str) -> bool:
    return ch.isascii() and (ch.isalnum() or ch in ".-+/")


def prose_lines(text: str, font: str, size: float, width: float, indent: float = 0) -> list[str]:
    """`text` broken into lines no wider than `width` (the first `indent` narrower): no line
    starts with closing punctuation or ends with an opening one, and no number is split."""
    measure = getFont(font).stringWidth
    out: list[str] = []
    pos, room = 0, width - indent
    while pos < len(text):
        end, used = pos, 0.0
        while end < len(text) and used + measure(text[end], size) <= room:
            used += measure(text[end], size)
            end += 1
        if end >= len(text):
            out.append(text[pos:])
            break

        def bad(cut: int) -> bool:
            return (_word(text[cut]) and _word(text[cut - 1])) or text[cut] in NO_START or text[cut - 1] in NO_END

        cut = max(end, pos + 1)
        while cut > pos + 1 and bad(cut):
            cut -= 1
        if bad(cut):  # nowhere to break by the rules (a very long number): break where it fills
            cut = max(end, pos + 1)
        out.append(text[pos:cut])
        pos, room = cut, width
    return out


class Prose(Flowable):
    """A paragraph set line by line with `prose_lines`, then drawn as a reportlab Paragraph."""

    def __init__(self, text: str, style: ParagraphStyle) -> None:
        super().__init__()
        self.text, self.style = text, style
        self._para: Paragraph | None = None
        self._for_width = -1.0

    def _paragraph(self, avail_width: float) -> Paragraph:
        if self._para is None or self._for_width != avail_width:
            room = avail_width - self.style.leftIndent - self.style.rightIndent - 0.5  # rounding slack
            lines = prose_lines(self.text, self.style.fontName, self.style.fontSize, room, self.style.firstLineIndent)
            self._para = Paragraph("<br/>".join(esc(line) for line in lines), self.style)
            self._for_width = avail_width
        return self._para

    def wrap(self, avail_width: float, avail_height: float) -> tuple[float, float]:
        return self._paragraph(avail_width).wrap(avail_width, avail_height)

    def split(self, avail_width: float, avail_height: float) -> list[Flowable]:
        return self._paragraph(avail_width).split(avail_width, avail_height)

    def getSpaceBefore(self) -> float:
        return self.style.spaceBefore

    def getSpaceAfter(self) -> float:
        return self.style.spaceAfter

    def draw(self) -> None:
        assert self._para is not None  # wrapped before drawn, as every flowable
        self._para.drawOn(self.canv, 0, 0)


def _styles(st: Styles) -> dict[str, ParagraphStyle]:
    body = ParagraphStyle("bulletin", parent=st.body, fontSize=12, leading=21, firstLineIndent=24)
    return {
        "issuer": ParagraphStyle("issuer", parent=st.title, fontSize=22, leading=30, textColor=RED),
        "title": ParagraphStyle("btitle", parent=st.title, fontSize=16, leading=24),
        "plain": ParagraphStyle("plain", parent=body, firstLineIndent=0),
        "body": body,
        "heading": ParagraphStyle("heading", parent=body, spaceBefore=2, keepWithNext=True),
        "right": ParagraphStyle("right", parent=body, alignment=TA_RIGHT, firstLineIndent=0),
        "attach": ParagraphStyle("attach", parent=st.title, fontSize=14, leading=20, alignment=TA_CENTER),
    }


def bulletin_story(data: BulletinData, st: Styles) -> list[Flowable]:
    s = _styles(st)
    story: list[Flowable] = [
        SheetStart(f"{data.sheet.scheme_name} · {data.sheet.period_label} 通报"),
        Paragraph(esc(data.issuer), s["issuer"]),
        Spacer(1, 1.5 * mm),
        HRFlowable(width="100%", thickness=1.6, color=RED, spaceBefore=0, spaceAfter=5 * mm),
        Paragraph(esc(data.title), s["title"]),
        *mark_paragraph(data.sheet, st),
        Spacer(1, 4 * mm),
        Paragraph(esc(data.salutation), s["plain"]),
        Prose(data.opening, s["body"]),
    ]
    body: list[Flowable] = []
    for section in data.sections:
        body.append(Paragraph(esc(section.heading), s["heading"]))
        body += [Prose(text, s["body"]) for text in section.paragraphs]
    # The issuer and date (where the seal goes) never stand alone on a page: they keep the
    # last paragraph and the attachment line with them.
    foot: list[Flowable] = [body.pop(), Spacer(1, 3 * mm), Prose(data.closing, s["body"]), Spacer(1, 6 * mm),
                            Paragraph(esc(data.issuer), s["right"]), Paragraph(cn_date(data.issued_on), s["right"])]
    story += [*body, KeepTogether(foot)]
    story += [
        PageBreak(),
        Paragraph("附件", s["plain"]),
        Spacer(1, 2 * mm),
        Paragraph(esc(data.closing.removeprefix("附件：")), s["attach"]),
        Spacer(1, 3 * mm),
        *ranking_tables(data.sheet, st, WIDTH, compact=True),
        Spacer(1, 3 * mm),
        KeepTogether(verification(data.sheet, st)),  # the same rows, the same code as the ranking sheet
    ]
    return story


def render_bulletin(data: BulletinData, path: str | Path, *, font: str = "") -> Path:
    """Write the 通报 with its attached ranking table (A4 portrait)."""
    st = make_styles(register_font(font))
    sheet = data.sheet
    return build_pdf(path, bulletin_story(data, st), font=st.font, pagesize=PAGE, title=data.title,
                     author=data.issuer, footer_right=chain_footer(sheet.chain) + f"打印日期：{cn_date(sheet.printed_on)}",
                     margin=MARGIN, keywords=chain_keywords(sheet.chain), watermark=sheet.mark)
