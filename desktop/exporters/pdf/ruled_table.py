"""A long ruled table of plain text, drawn straight onto the canvas: the grade sheets' score table.

reportlab's Table lays out and draws every cell on its own (a text object, a style lookup, a
height pass): for a county's 2,000 people that was 0.5 s of the 0.75 s a batch of grade sheets
took. This flowable looks the same as `layout.grid_style` (grey header, 0.5 pt grid in a 1 pt
box, 9 pt text centred in 3 pt / 2.5 pt padding, rows as tall as their text) and behaves like
`LongTable(repeatRows=1)` in a story (splits between rows, header on every page), but writes a
whole page of cells as one text object and its rules as one path.

A cell wider than its column wraps onto more lines, by character as Chinese is written
(and at spaces where there are any); explicit line breaks are kept. A cell may instead be a
`Stack` (lines in several sizes, or its own alignment), a column's cell may span several rows
(the 政绩档案's aspect beside its facts), and a row may be shaded (a total line).
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
# A cell laid out: its (text, width, size, leading) lines, its own alignment or None, their height.
Laid = tuple[tuple[tuple[str, float, float, float], ...], str | None, float]
_LAID: dict[tuple[str, float, float, str], Laid] = {}  # (font, size, room, text) → laid: shared by all tables
_LAID_MOST = 100_000  # texts kept; a county's year of files repeats a few thousand (items, dates, points)


@dataclass(frozen=True)
class Stack:
    """A cell of its own: `parts` are (text, size) paragraphs stacked in it, a size of None being the
    table's (an aspect's name with its points in smaller type under it); `align` overrides the
    column's (a centred "—" in a left-aligned column); `leading`, the table's unless given, is
    every line's (as a Paragraph's style gives all its lines one leading)."""

    parts: tuple[tuple[str, float | None], ...]
    align: str | None = None
    leading: float | None = None


Span = tuple[int, int, int]  # a cell spanning rows: (column, first body row, last body row), 0-based


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


def _laid(text: str, font: str, size: float, room: float) -> Laid:
    """A plain cell laid out, or the same text laid out before in the same font, size and room."""
    key = (font, size, room, text)
    found = _LAID.get(key)
    if found is None:
        if len(_LAID) >= _LAID_MOST:
            _LAID.clear()
        lines = tuple((t, w, size, size * 1.25) for t, w in wrap_text(text, font, size, room))
        found = _LAID[key] = (lines, None, size * 1.25 * len(lines))
    return found


class RuledTable(Flowable):
    def __init__(self, header: Sequence[str], rows: Sequence[Sequence[str | Stack]], columns: Sequence[RuledColumn],
                 font: str, size: float = 9, *, spans: Sequence[Span] = (),
                 shades: dict[int, colors.Color] | None = None) -> None:
        """`spans`: the first body row's cell of each is drawn over all its rows (the others' cells in
        that column are ignored); `shades`: body row → its background, over any column's shade."""
        super().__init__()
        self.hAlign = "CENTER"  # as a Table: a table as wide as the page's text overhangs its padding evenly
        self.columns = list(columns)
        self.font, self.size, self.leading = font, size, size * 1.25
        # Every cell is wrapped and measured once, here; the parts a page break makes share the result.
        # 2,000 rows repeat the same few grades, points and ranks, a year of files the same items and
        # dates: a text is measured once for a column of its width (`_laid`).
        room = [col.width - 2 * PAD_X for col in self.columns]
        laid = []
        for cells in [header, *rows]:
            if len(cells) != len(self.columns):
                raise ValueError(f"表格的一行有 {len(cells)} 格，应为 {len(self.columns)} 格")
            row = []
            for i, cell in enumerate(cells):
                if isinstance(cell, Stack):
                    row.append(self._stack(cell, room[i]))
                    continue
                row.append(_laid(cell, font, size, room[i]))
            laid.append(row)
        shade = [None] + [(shades or {}).get(n) for n in range(len(rows))]
        self._set_rows(laid, [(c, a + 1, b + 1) for c, a, b in spans if b > a], shade)

    def _stack(self, cell: Stack, room: float) -> Laid:
        lines, leading = [], cell.leading or self.leading
        for text, size in cell.parts:
            size = size or self.size
            lines += [(t, w, size, leading) for t, w in wrap_text(text, self.font, size, room)]
        return tuple(lines), cell.align, leading * len(lines)

    def _set_rows(self, laid: list[list[Laid]], spans: list[Span], shade: list[colors.Color | None]) -> None:
        """Rows (header first), spans and shades in those rows' numbering; a spanned cell's height goes
        to its last row where its rows together are not tall enough for it."""
        self._lines, self._spans, self._shade = laid, spans, shade
        if spans:
            covered = {(r, c) for c, a, b in spans for r in range(a, b + 1)}
            self._heights = [max((cell[2] for c, cell in enumerate(cells) if (r, c) not in covered),
                                 default=self.leading) + 2 * PAD_Y for r, cells in enumerate(laid)]
        else:
            self._heights = [max(cell[2] for cell in cells) + 2 * PAD_Y for cells in laid]
        for c, a, b in spans:
            need = laid[a][c][2] + 2 * PAD_Y - sum(self._heights[a:b + 1])
            if need > 0:
                self._heights[b] += need
        self.rows = laid[1:]
        self.width = sum(c.width for c in self.columns)
        self.height = sum(self._heights)

    def _part(self, first: int, end: int) -> RuledTable:
        """The header and body rows [first, end); a span cut by the break keeps its cell on both sides."""
        part = object.__new__(type(self))
        Flowable.__init__(part)
        part.hAlign = self.hAlign
        part.columns, part.font, part.size, part.leading = self.columns, self.font, self.size, self.leading
        lo, hi = first + 1, end  # the same rows in the whole table's numbering (header 0)
        laid = [self._lines[0], *self._lines[lo:hi + 1]]
        spans = []
        for c, a, b in self._spans:
            if b < lo or a > hi:
                continue
            if a < lo:  # carried over from the page before: its cell again, on the first row here
                laid[1] = [*laid[1][:c], self._lines[a][c], *laid[1][c + 1:]]
            a2, b2 = max(a, lo) - first, min(b, hi) - first
            if b2 > a2:
                spans.append((c, a2, b2))
        part._set_rows(laid, spans, [None, *self._shade[lo:hi + 1]])
        return part

    def wrap(self, avail_width: float, avail_height: float) -> tuple[float, float]:
        return self.width, self.height

    def split(self, avail_width: float, avail_height: float) -> list[Flowable]:
        inside = {r for _, a, b in self._spans for r in range(a, b)}  # a break after row r would cut a span
        used, fit, clean = self._heights[0], 0, 0
        for r, height in enumerate(self._heights[1:], start=1):
            if used + height > avail_height:
                break
            used += height
            fit = r
            if r not in inside:
                clean = r
        fit = clean or fit  # a span taller than the room left is cut rather than not printed at all
        if fit == 0 or fit == len(self.rows):
            return []  # not even one row under the header here (or all of it fits): no split
        return [self._part(0, fit), self._part(fit, len(self.rows))]

    def draw(self) -> None:
        canv = self.canv
        xs = [0.0]
        for col in self.columns:
            xs.append(xs[-1] + col.width)
        tops = [self.height]
        for height in self._heights:
            tops.append(tops[-1] - height)
        span_at = {(a, c): b for c, a, b in self._spans}
        covered = {(r, c) for c, a, b in self._spans for r in range(a + 1, b + 1)}
        canv.saveState()
        # backgrounds: the header, then shaded columns below it, then shaded rows
        canv.setFillColor(HEADER_GREY)
        canv.rect(0, tops[1], self.width, self._heights[0], stroke=0, fill=1)
        for i, col in enumerate(self.columns):
            if col.shade is not None and self.rows:
                canv.setFillColor(col.shade)
                canv.rect(xs[i], 0, col.width, tops[1], stroke=0, fill=1)
        for r, shade in enumerate(self._shade):
            if shade is not None:
                canv.setFillColor(shade)
                canv.rect(0, tops[r + 1], self.width, self._heights[r], stroke=0, fill=1)
        # text: one text object for the whole table
        text = canv.beginText()
        size = self.size
        text.setFont(self.font, size, self.leading)
        text.setFillColor(colors.black)
        for r, cells in enumerate(self._lines):
            for c, (lines, own, tall) in enumerate(cells):
                if covered and (r, c) in covered:
                    continue
                col = self.columns[c]
                align = own or (col.align if r > 0 else "CENTER")  # a header is centred over any column
                top, bottom = tops[r], tops[span_at.get((r, c), r) + 1 if span_at else r + 1]
                # reportlab's vertical centring of string cells (Table._drawCell, MIDDLE)
                y = bottom + (top - bottom + tall) / 2 - lines[0][2]
                for line, width, line_size, leading in lines:
                    if line:
                        if line_size != size:
                            size = line_size
                            text.setFont(self.font, size)
                        x = xs[c] + PAD_X if align == "LEFT" else xs[c] + (col.width - width) / 2
                        text.setTextOrigin(x, y)
                        text.textLine(line)  # unlike textOut, does not measure the text to move on
                    y -= leading
        canv.drawText(text)
        # rules: the grid (not across a spanned cell), then the heavier box
        canv.setStrokeColor(colors.black)
        canv.setLineWidth(GRID)
        path = canv.beginPath()
        cut: dict[int, list[int]] = {}  # row boundary below row r → columns a span carries across it
        for c, a, b in self._spans:
            for r in range(a, b):
                cut.setdefault(r, []).append(c)
        for r, y in enumerate(tops[1:-1]):
            x0 = 0.0
            for c in sorted(cut.get(r, ())):
                if xs[c] > x0:
                    path.moveTo(x0, y)
                    path.lineTo(xs[c], y)
                x0 = xs[c + 1]
            if x0 < self.width:
                path.moveTo(x0, y)
                path.lineTo(self.width, y)
        for x in xs[1:-1]:
            path.moveTo(x, 0)
            path.lineTo(x, self.height)
        canv.drawPath(path, stroke=1, fill=0)
        canv.setLineWidth(BOX)
        canv.rect(0, 0, self.width, self.height, stroke=1, fill=0)
        canv.restoreState()
