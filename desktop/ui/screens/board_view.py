"""The ranking board drawn in large type (readable from three metres), one department per
page; a department longer than the screen continues on the next page. Under the table, the
department's footnotes say why equal totals got different ranks or grades."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QRect, QRectF, Qt, Signal
from PySide6.QtGui import QColor, QFont, QFontMetrics, QKeyEvent, QPainter, QPaintEvent, QResizeEvent
from PySide6.QtWidgets import QSizePolicy, QWidget

from desktop.exporters.pdf.data import BoardData, BoardRow
from desktop.services.points import fmt

HEAD_BG = QColor("#0d3b66")
STRIPE = QColor("#f1f5fa")
MEDALS = {1: QColor("#fce8b2"), 2: QColor("#ececec"), 3: QColor("#f6dcc8")}
GRADE_COLORS = {0: QColor("#1b5e20"), -1: QColor("#b71c1c")}  # best grade, worst grade
COLUMNS = (("名次", 0.11), ("姓名", 0.25), ("身份", 0.14), ("总分", 0.17), ("等次", 0.13), ("备注", 0.20))
MIN_BODY_PX = 28


@dataclass(frozen=True)
class Page:
    department: str
    rows: list[BoardRow]
    part: int  # 1-based part of the department
    parts: int


def body_px(width: int) -> int:
    """Row text size: at least 28 px (three metres), growing with the screen."""
    return max(MIN_BODY_PX, width // 40)


class BoardView(QWidget):
    """Paints the current page; Left/Right, PageUp/PageDown and Space turn pages."""

    page_changed = Signal(int, int)  # index, count

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("boardView")
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.data: BoardData | None = None
        self.pages: list[Page] = []
        self.index = 0
        self.grades: list[str] = []  # labels best first, to colour the best and the worst
        self.notes: dict[str, list[str]] = {}  # department → footnotes (board_notes)

    # -- data and pages ------------------------------------------------------------------------
    def set_data(self, data: BoardData | None, grades: list[str], notes: dict[str, list[str]] | None = None) -> None:
        self.data, self.grades, self.notes = data, grades, notes or {}
        self._paginate()

    def notes_for(self, page: Page) -> list[str]:
        return self.notes.get(page.department, [])

    def note_font(self) -> QFont:
        font = QFont(self.font())
        font.setPixelSize(max(16, body_px(self.width()) * 2 // 3))
        return font

    def _note_rect(self, text: str) -> QRect:
        pad = body_px(self.width()) // 2
        metrics = QFontMetrics(self.note_font())
        return metrics.boundingRect(QRect(0, 0, self.width() - 2 * pad, 100_000),
                                    int(Qt.TextFlag.TextWordWrap.value), text)

    def notes_height(self, notes: list[str]) -> int:
        """Pixels the footnotes take under the table (none: 0)."""
        if not notes:
            return 0
        return body_px(self.width()) // 2 + sum(self._note_rect(n).height() + 4 for n in notes)

    def fonts(self) -> tuple[QFont, QFont, QFont]:
        """Title, department heading and row fonts, sized from the width."""
        body = QFont(self.font())
        body.setPixelSize(body_px(self.width()))
        title = QFont(body)
        title.setPixelSize(int(body.pixelSize() * 1.25))
        title.setBold(True)
        heading = QFont(body)
        heading.setBold(True)
        return title, heading, body

    def row_height(self) -> int:
        return int(body_px(self.width()) * 1.7)

    def rows_per_page(self, notes: list[str] | None = None) -> int:
        header = self.row_height() * 3  # title band, department band, column headers
        return max(3, (self.height() - header - 8 - self.notes_height(notes or [])) // self.row_height())

    def _paginate(self) -> None:
        pages: list[Page] = []
        for section in self.data.sections if self.data else []:
            per = self.rows_per_page(self.notes.get(section.department))
            chunks = [section.rows[i:i + per] for i in range(0, len(section.rows), per)] or [[]]
            pages += [Page(section.department, chunk, n, len(chunks)) for n, chunk in enumerate(chunks, start=1)]
        current = self.pages[self.index].department if self.pages and self.index < len(self.pages) else None
        self.pages = pages
        self.index = next((i for i, p in enumerate(pages) if p.department == current), 0)
        self.page_changed.emit(self.index, len(self.pages))
        self.update()

    def go(self, step: int) -> None:
        if self.pages:
            self.index = (self.index + step) % len(self.pages)
            self.page_changed.emit(self.index, len(self.pages))
            self.update()

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._paginate()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        steps = {Qt.Key.Key_Right: 1, Qt.Key.Key_PageDown: 1, Qt.Key.Key_Space: 1, Qt.Key.Key_Down: 1,
                 Qt.Key.Key_Left: -1, Qt.Key.Key_PageUp: -1, Qt.Key.Key_Up: -1}
        step = steps.get(event.key())
        if step is not None:
            self.go(step)
        else:
            super().keyPressEvent(event)

    # -- painting ------------------------------------------------------------------------------
    def paintEvent(self, _event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.fillRect(self.rect(), QColor("white"))
        title_font, heading_font, body_font = self.fonts()
        rh, w = self.row_height(), self.width()
        pad = body_px(w) // 2
        painter.fillRect(QRectF(0, 0, w, rh), HEAD_BG)
        painter.setPen(QColor("white"))
        painter.setFont(title_font)
        title = f"{self.data.station}　{self.data.period_label}积分排名公示" if self.data else "积分排名公示"
        painter.drawText(QRectF(pad, 0, w - 2 * pad, rh), Qt.AlignmentFlag.AlignVCenter, title)
        if not self.pages:
            painter.setPen(QColor("#666"))
            painter.setFont(body_font)
            painter.drawText(QRectF(0, rh, w, self.height() - rh), Qt.AlignmentFlag.AlignCenter, "本期暂无积分")
            painter.end()
            return
        page = self.pages[self.index]
        painter.setFont(body_font)
        state = f"{self.data.state_label}　第 {self.index + 1}/{len(self.pages)} 页" if self.data else ""
        painter.drawText(QRectF(pad, 0, w - 2 * pad, rh), Qt.AlignmentFlag.AlignVCenter
                         | Qt.AlignmentFlag.AlignRight, state)
        painter.setPen(HEAD_BG)
        painter.setFont(heading_font)
        part = f"（续 {page.part}/{page.parts}）" if page.parts > 1 else ""
        painter.drawText(QRectF(pad, rh, w - 2 * pad, rh), Qt.AlignmentFlag.AlignVCenter, page.department + part)
        painter.fillRect(QRectF(0, 2 * rh - 3, w, 3), HEAD_BG)
        self._draw_table(painter, page, 2 * rh, body_font, heading_font)
        self._draw_notes(painter, self.notes_for(page), 2 * rh + rh * (len(page.rows) + 1))
        painter.end()

    def _draw_notes(self, painter: QPainter, notes: list[str], top: int) -> None:
        if not notes:
            return
        pad = body_px(self.width()) // 2
        painter.fillRect(QRectF(pad, top + pad // 4, self.width() - 2 * pad, 1), QColor("#999"))
        painter.setFont(self.note_font())
        painter.setPen(QColor("#444"))
        y = top + pad // 2
        for note in notes:
            rect = self._note_rect(note)
            painter.drawText(QRectF(pad, y, self.width() - 2 * pad, rect.height()),
                             int(Qt.TextFlag.TextWordWrap.value | Qt.AlignmentFlag.AlignLeft.value), note)
            y += rect.height() + 4

    def _draw_table(self, painter: QPainter, page: Page, top: int, body: QFont, heading: QFont) -> None:
        rh, w = self.row_height(), self.width()
        pad = body_px(w) // 2
        edges, x = [], float(pad)
        for _title, share in COLUMNS:
            edges.append((x, (w - 2 * pad) * share))
            x += (w - 2 * pad) * share
        aligns = [Qt.AlignmentFlag.AlignCenter, Qt.AlignmentFlag.AlignLeft, Qt.AlignmentFlag.AlignLeft,
                  Qt.AlignmentFlag.AlignRight, Qt.AlignmentFlag.AlignCenter, Qt.AlignmentFlag.AlignLeft]
        painter.setFont(heading)
        painter.setPen(QColor("#444"))
        for (title, _s), (left, width), align in zip(COLUMNS, edges, aligns, strict=True):
            painter.drawText(QRectF(left + 6, top, width - 12, rh), align | Qt.AlignmentFlag.AlignVCenter, title)
        small = QFont(body)
        small.setPixelSize(max(16, body.pixelSize() * 2 // 3))
        for i, row in enumerate(page.rows):
            y = top + rh * (i + 1)
            band = MEDALS.get(row.rank or 0) or (STRIPE if i % 2 else None)
            if band is not None:
                painter.fillRect(QRectF(0, y, w, rh), band)
            cells = ["" if row.rank is None else str(row.rank), row.name, row.identity, fmt(row.total),
                     row.grade or "—", row.remark]
            for col, (text, (left, width), align) in enumerate(zip(cells, edges, aligns, strict=True)):
                painter.setFont(small if col == 5 else body)
                painter.setPen(self._grade_color(row.grade) if col == 4 else QColor("#111"))
                rect = QRectF(left + 6, y, width - 12, rh)
                flags = align | Qt.AlignmentFlag.AlignVCenter
                painter.drawText(rect, flags, painter.fontMetrics().elidedText(
                    text, Qt.TextElideMode.ElideRight, int(rect.width())))

    def _grade_color(self, grade: str) -> QColor:
        if self.grades and grade == self.grades[0]:
            return GRADE_COLORS[0]
        if self.grades and grade == self.grades[-1]:
            return GRADE_COLORS[-1]
        return QColor("#111")
