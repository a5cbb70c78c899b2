"""A small bar chart drawn with QPainter (QtCharts is not part of PySide6-Essentials).

Used by the performance file for the month-by-month totals of a year: one bar per month,
the value above it, an optional note (the month's grade) inside the bar's foot, and an
optional comparison line (e.g. the department's average).
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable

from PySide6.QtCore import QPointF, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFont, QPainter, QPaintEvent, QPen
from PySide6.QtWidgets import QSizePolicy, QWidget

BAR = QColor("#1e88e5")
BAR_NEGATIVE = QColor("#c62828")
LINE = QColor("#ef6c00")
GRID = QColor("#e0e0e0")
TEXT = QColor("#333333")
MUTED = QColor("#888888")


def nice_step(span: float, ticks: int = 5) -> float:
    """A round grid step (1, 2, 2.5 or 5 × 10ⁿ) giving about `ticks` lines over `span`."""
    if span <= 0:
        return 1.0
    raw = span / ticks
    power = 10 ** math.floor(math.log10(raw))
    for factor in (1, 2, 2.5, 5, 10):
        if raw <= factor * power:
            return factor * power
    return 10 * power


def _fmt(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".") if value != int(value) else str(int(value))


class BarChart(QWidget):
    """Bars for `values` (None = no data: no bar, a dash), labelled by `labels`."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("barChart")
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setMinimumHeight(180)
        self.labels: list[str] = []
        self.values: list[float | None] = []
        self.notes: list[str] = []
        self.line: list[float | None] = []
        self.line_label = ""
        self.title = ""

    def set_series(self, labels: list[str], values: list[float | None], *, notes: list[str] | None = None,
                   line: list[float | None] | None = None, line_label: str = "", title: str = "") -> None:
        if len(labels) != len(values):
            raise ValueError("labels 与 values 的个数必须相同")
        self.labels, self.values = list(labels), list(values)
        self.notes = list(notes or [])
        self.line = list(line or [])
        self.line_label, self.title = line_label, title
        self.update()

    def sizeHint(self) -> QSize:
        return QSize(640, 260)

    # -- geometry --------------------------------------------------------------------------
    def _range(self) -> tuple[float, float, float]:
        data = [v for v in (*self.values, *self.line) if v is not None]
        low, high = min([0.0, *data]), max([0.0, *data])
        step = nice_step(high - low or 10)
        return math.floor(low / step) * step, math.ceil(high / step) * step or step, step

    def paintEvent(self, _event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.fillRect(self.rect(), self.palette().base())
        metrics = painter.fontMetrics()
        line_h = metrics.height()
        top = 8 + (line_h + 6 if self.title or self.line_label else 0)
        low, high, step = self._range()
        left = 12 + max(metrics.horizontalAdvance(_fmt(v)) for v in (low, high))
        plot = QRectF(left, top + line_h, self.width() - left - 12, self.height() - top - 2 * line_h - 14)
        if plot.width() < 40 or plot.height() < 40:
            painter.end()
            return
        self._draw_header(painter, line_h)

        def y_of(value: float) -> float:
            return plot.bottom() - (value - low) / (high - low) * plot.height()

        value = low
        while value <= high + step / 1000:
            y = y_of(value)
            painter.setPen(QPen(GRID if value else MUTED, 1))
            painter.drawLine(QPointF(plot.left(), y), QPointF(plot.right(), y))
            painter.setPen(MUTED)
            painter.drawText(QRectF(0, y - line_h / 2, left - 6, line_h),
                             Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter, _fmt(value))
            value += step
        count = max(1, len(self.values))
        slot = plot.width() / count
        bar_w = min(slot * 0.6, 56)
        for i, (label, v) in enumerate(zip(self.labels, self.values, strict=True)):
            cx = plot.left() + slot * (i + 0.5)
            painter.setPen(TEXT)
            painter.drawText(QRectF(cx - slot / 2, plot.bottom() + 4, slot, line_h),
                             Qt.AlignmentFlag.AlignCenter, label)
            if v is None:
                painter.setPen(MUTED)
                painter.drawText(QRectF(cx - slot / 2, y_of(0) - line_h - 2, slot, line_h),
                                 Qt.AlignmentFlag.AlignCenter, "—")
                continue
            y0, y1 = y_of(0), y_of(v)
            bar = QRectF(cx - bar_w / 2, min(y0, y1), bar_w, max(1.0, abs(y1 - y0)))
            painter.fillRect(bar, BAR if v >= 0 else BAR_NEGATIVE)
            above = QRectF(cx - slot / 2, bar.top() - line_h - 2, slot, line_h)
            painter.setPen(TEXT)
            painter.drawText(above, Qt.AlignmentFlag.AlignCenter, _fmt(v))
            note = self.notes[i] if i < len(self.notes) else ""
            if note and bar.height() > line_h + 4:
                # At the foot of the bar, where a comparison line rarely passes.
                painter.setPen(QColor("white"))
                painter.drawText(QRectF(bar.left(), bar.bottom() - line_h - 3, bar.width(), line_h),
                                 Qt.AlignmentFlag.AlignCenter, note)
        self._draw_line(painter, plot, slot, y_of)
        painter.end()

    def _draw_header(self, painter: QPainter, line_h: int) -> None:
        if self.title:
            font = QFont(painter.font())
            font.setBold(True)
            painter.save()
            painter.setFont(font)
            painter.setPen(TEXT)
            painter.drawText(QRectF(12, 6, self.width() / 2, line_h + 4), Qt.AlignmentFlag.AlignLeft, self.title)
            painter.restore()
        if self.line_label and any(v is not None for v in self.line):
            width = painter.fontMetrics().horizontalAdvance(self.line_label)
            x = self.width() - width - 12
            painter.setPen(QPen(LINE, 2))
            painter.drawLine(QPointF(x - 26, 6 + line_h / 2 + 2), QPointF(x - 6, 6 + line_h / 2 + 2))
            painter.setPen(TEXT)
            painter.drawText(QRectF(x, 6, width + 4, line_h + 4), Qt.AlignmentFlag.AlignLeft, self.line_label)

    def _draw_line(self, painter: QPainter, plot: QRectF, slot: float, y_of: Callable[[float], float]) -> None:
        points = [QPointF(plot.left() + slot * (i + 0.5), y_of(v))
                  for i, v in enumerate(self.line) if v is not None]
        if len(points) < 1:
            return
        painter.setPen(QPen(LINE, 2))
        for a, b in itertools.pairwise(points):
            painter.drawLine(a, b)
        painter.setBrush(LINE)
        for p in points:
            painter.drawEllipse(p, 3, 3)
