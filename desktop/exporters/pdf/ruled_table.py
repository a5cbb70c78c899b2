"""A long ruled table of plain text, drawn straight onto the canvas: the grade sheets' score table.

reportlab's Table lays out and draws every cell on its own (a text object, a style lookup, a
height pass): for a county's 2,000 people that was 0.5 s of the 0.75 s a batch of grade sheets
took. This flowable looks the same as `layout.grid_style` (grey header, 0.5 pt grid in a 1 pt
box, 9 pt text centred in 3 pt / 2.5 pt padding, rows as tall as their text) and behaves like
`LongTable(repeatRows=1)` in a story (splits between rows, header on every page), but writes a
whole page of cells as one text object and its rules as one path.

A cell wider than its column wraps onto more lines, by character as Chinese is written
(and at spaces where there are any); explicit line breaks are kept.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from reportlab.lib import colors
from reportlab.pdfbase.pdfmetrics import getFont
from reportlab.platypus import Flowable

from desktop.exporters.pdf.layout import HEADER_GREY

PAD_X, PAD_Y = 3.0, 2.5  # as grid_style
GRID, BOX = 0.5, 1.0


@dataclass(frozen=True)
class RuledColumn:
    width: float
    align: str = "CENTER"  # CENTER or LEFT
    shade: colors.Color | None = None  # background of the column's body cells


Line = tuple[str, float]  # a line of a cell and its width


def wrap_text(text: str, font: str, size: float, width: float) -> list[Line]:
    """`text` as lines no wider than `width`, each with its width: by character (Chinese),
    preferring a space."""
    measure = getFont(font).stringWidth  # the font once, not looked up for every character
    lines: list[Line] = []
    for part in text.split("\n"):
        whole = measure(part, size)
        if whole <= width:
            lines.append((part, whole))
            continue
        line, used = "", 0.0
        for ch in part:
            w = measure(ch, size)
            if line and used + w > width:
                if ch == " ":  # the line ends at a space: break there, the space goes
                    lines.append((line, used))
                    line, used = "", 0.0
                    continue
                cut = line.rfind(" ")
                if 0 < cut < len(line) - 1:  # carry the unfinished word to the next line
                    lines.append((line[:cut], measure(line[:cut], size)))
                    line = line[cut + 1:]
                    used = measure(line, size)
                else:
                    lines.append((line, used))
                    line, used = "", 0.0
            line += ch
            used += w
        lines.append((line, used))
    return lines


class RuledTable(Flowable):
    def __init__(self, header: Sequence[str], rows: Sequence[Sequence[str]], columns: Sequence[RuledColumn],
                 font: str, size: float = 9) -> None:
        super().__init__()
        self.hAlign = "CENTER"  # as a Table: a table as wide as the page's text overhangs its padding evenly
        self.columns = list(columns)
        self.font, self.size, self.leading = font, size, size * 1.25
        # Every cell is wrapped and measured once, here; the parts a page break makes share the result.
        # 2,000 rows repeat the same few grades, points and ranks: each column measures a text once.
        known: list[dict[str, list[Line]]] = [{} for _ in self.columns]
        room = [col.width - 2 * PAD_X for col in self.columns]
        laid = []
        for cells in [header, *rows]:
            if len(cells) != len(self.columns):
                raise ValueError(f"表格的一行有 {len(cells)} 格，应为 {len(self.columns)} 格")
            row = []
            for i, text in enumerate(cells):
                found = known[i].get(text)
                if found is None:
                    found = known[i][text] = wrap_text(text, font, size, room[i])
                row.append(found)
            laid.append(row)
        self._set_rows(laid)

    def _set_rows(self, laid: list[list[list[Line]]]) -> None:
        self._lines = laid  # header first
        self._heights = [max(len(c) for c in cells) * self.leading + 2 * PAD_Y for cells in laid]
        self.rows = laid[1:]
        self.width = sum(c.width for c in self.columns)
        self.height = sum(self._heights)

    def _part(self, body: list[list[list[Line]]]) -> RuledTable:
        part = object.__new__(type(self))
        Flowable.__init__(part)
        part.hAlign = self.hAlign
        part.columns, part.font, part.size, part.leading = self.columns, self.font, self.size, self.leading
        part._set_rows([self._lines[0], *body])
        return part

    def wrap(self, avail_width: float, avail_height: float) -> tuple[float, float]:
        return self.width, self.height

    def split(self, avail_width: float, avail_height: float) -> list[Flowable]:
        used, fit = self._heights[0], 0
        for height in self._heights[1:]:
            if used + height > avail_height:
                break
            used += height
            fit += 1
        if fit == 0 or fit == len(self.rows):
            return []  # not even one row under the header here (or all of it fits): no split
        return [self._part(self.rows[:fit]), self._part(self.rows[fit:])]

    def draw(self) -> None:
        canv = self.canv
        xs = [0.0]
        for col in self.columns:
            xs.append(xs[-1] + col.width)
        tops = [self.height]
        for height in self._heights:
            tops.append(tops[-1] - height)
        canv.saveState()
        # backgrounds: the header, then shaded columns below it
        canv.setFillColor(HEADER_GREY)
        canv.rect(0, tops[1], self.width, self._heights[0], stroke=0, fill=1)
        for i, col in enumerate(self.columns):
            if col.shade is not None and self.rows:
                canv.setFillColor(col.shade)
                canv.rect(xs[i], 0, col.width, tops[1], stroke=0, fill=1)
        # text: one text object for the whole table
        text = canv.beginText()
        text.setFont(self.font, self.size, self.leading)
        text.setFillColor(colors.black)
        for r, cells in enumerate(self._lines):
            top, height = tops[r], self._heights[r]
            for c, lines in enumerate(cells):
                col = self.columns[c]
                # reportlab's vertical centring of string cells (Table._drawCell, MIDDLE)
                y = top - height + (PAD_Y + height - PAD_Y + len(lines) * self.leading) / 2 - self.size
                for line, width in lines:
                    if line:
                        if col.align == "LEFT" and r > 0:  # a header is centred over any column
                            x = xs[c] + PAD_X
                        else:
                            x = xs[c] + (col.width - width) / 2
                        text.setTextOrigin(x, y)
                        text.textLine(line)  # unlike textOut, does not measure the text to move on
                    y -= self.leading
        canv.drawText(text)
        # rules: the grid, then the heavier box
        canv.setStrokeColor(colors.black)
        canv.setLineWidth(GRID)
        path = canv.beginPath()
        for y in tops[1:-1]:
            path.moveTo(0, y)
            path.lineTo(self.width, y)
        for x in xs[1:-1]:
            path.moveTo(x, 0)
            path.lineTo(x, self.height)
        canv.drawPath(path, stroke=1, fill=0)
        canv.setLineWidth(BOX)
        canv.rect(0, 0, self.width, self.height, stroke=1, fill=0)
        canv.restoreState()
