"""The daily self-report form: one row per daily item, filled with the keyboard.

Space ticks the current row, digits type its quantity (and tick it), Delete clears the tick,
typing on the 说明 column writes the note. Items already reported that day show their status
and cannot be ticked again until the report is sent back or withdrawn.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush, QColor, QKeyEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QSpinBox,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableView,
    QWidget,
)

from desktop.services.ledger import MAX_QUANTITY
from desktop.services.self_report import ReportInput
from desktop.ui.screens.self_report_data import STATUS_COLORS, DailyLine

HEADERS = ("项目", "分值", "数量", "说明", "状态")
ITEM, POINTS, QTY, NOTE, STATUS = range(len(HEADERS))
Index = QModelIndex | QPersistentModelIndex
TICKED = "#fff3c4"  # ticked, not yet submitted (the duty sheet's "unsaved" yellow)


@dataclass
class _Row:
    line: DailyLine
    checked: bool = False
    quantity: int = 1
    note: str = ""


class DailyFormModel(QAbstractTableModel):
    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.rows: list[_Row] = []

    def load(self, lines: list[DailyLine]) -> None:
        self.beginResetModel()
        self.rows = [_Row(line) for line in lines]
        self.endResetModel()

    # -- Qt model --------------------------------------------------------------------------
    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(HEADERS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return HEADERS[section]
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        flags = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        if not index.isValid() or not self.rows[index.row()].line.open:
            return flags
        if index.column() == ITEM:
            flags |= Qt.ItemFlag.ItemIsUserCheckable
        elif index.column() in (QTY, NOTE):
            flags |= Qt.ItemFlag.ItemIsEditable
        return flags

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        row, column = self.rows[index.row()], index.column()
        line, item = row.line, row.line.item
        if role == Qt.ItemDataRole.DisplayRole:
            return {ITEM: item.name, POINTS: item.points_text,
                    QTY: str(row.quantity) if line.open else "", NOTE: row.note if line.open else "",
                    STATUS: line.status_label}[column]
        if role == Qt.ItemDataRole.EditRole:
            return row.quantity if column == QTY else row.note if column == NOTE else None
        if role == Qt.ItemDataRole.CheckStateRole and column == ITEM and line.open:
            return Qt.CheckState.Checked if row.checked else Qt.CheckState.Unchecked
        if role == Qt.ItemDataRole.ForegroundRole:
            if column == STATUS and line.status:
                return QBrush(QColor(STATUS_COLORS.get(line.status, "#333333")))
            if not line.open:
                return QBrush(QColor("#888888"))
        if role == Qt.ItemDataRole.BackgroundRole and row.checked:
            return QBrush(QColor(TICKED))
        if role == Qt.ItemDataRole.TextAlignmentRole and column == QTY:
            return int(Qt.AlignmentFlag.AlignCenter)
        if role == Qt.ItemDataRole.ToolTipRole:
            tip = f"{item.code} {item.name}：{item.points_text}"
            if not line.open:
                tip += f"\n当天已自报（{line.status_label}），不能重复自报"
            elif line.status:
                tip += f"\n上次自报{line.status_label}，可以重新自报"
            return tip
        return None

    def setData(self, index: Index, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:
        if not index.isValid() or not self.rows[index.row()].line.open:
            return False
        row, column = self.rows[index.row()], index.column()
        if role == Qt.ItemDataRole.CheckStateRole and column == ITEM:
            row.checked = Qt.CheckState(value) == Qt.CheckState.Checked
        elif role == Qt.ItemDataRole.EditRole and column == QTY:
            row.quantity = max(1, min(MAX_QUANTITY, int(value)))
            row.checked = True  # a count typed in means the item is reported
        elif role == Qt.ItemDataRole.EditRole and column == NOTE:
            row.note = str(value).strip()
            row.checked = row.checked or bool(row.note)
        else:
            return False
        self.dataChanged.emit(self.index(index.row(), 0), self.index(index.row(), len(HEADERS) - 1))
        return True

    # -- the form --------------------------------------------------------------------------
    def toggle(self, row: int) -> None:
        if 0 <= row < len(self.rows) and self.rows[row].line.open:
            state = Qt.CheckState.Unchecked if self.rows[row].checked else Qt.CheckState.Checked
            self.setData(self.index(row, ITEM), state.value, Qt.ItemDataRole.CheckStateRole)

    def set_quantity(self, row: int, quantity: int) -> None:
        self.setData(self.index(row, QTY), quantity)

    def checked_rows(self) -> list[_Row]:
        return [r for r in self.rows if r.checked and r.line.open]

    def dirty(self) -> bool:
        return bool(self.checked_rows())

    def inputs(self, day: dt.date) -> list[ReportInput]:
        return [ReportInput(r.line.item.code, day, quantity=r.quantity, note=r.note) for r in self.checked_rows()]


class QuantityDelegate(QStyledItemDelegate):
    """A spin box of the ledger's own bounds for the 数量 column."""

    def createEditor(self, parent: QWidget, option: QStyleOptionViewItem, index: Index) -> QWidget:
        if index.column() != QTY:
            return super().createEditor(parent, option, index)
        editor = QSpinBox(parent)
        editor.setRange(1, MAX_QUANTITY)
        editor.setFrame(False)
        editor.setAlignment(Qt.AlignmentFlag.AlignCenter)
        return editor


class DailyTable(QTableView):
    """The form's keys: Space ticks the row, digits type its quantity, Delete clears the tick."""

    def __init__(self, model: DailyFormModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.form = model
        self.setModel(model)
        self.setItemDelegate(QuantityDelegate(self))
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setEditTriggers(QAbstractItemView.EditTrigger.DoubleClicked | QAbstractItemView.EditTrigger.EditKeyPressed
                             | QAbstractItemView.EditTrigger.AnyKeyPressed)
        self.setTabKeyNavigation(False)  # Tab leaves the form for the 提交 button
        self.verticalHeader().hide()
        self.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 10)
        header = self.horizontalHeader()
        header.setSectionResizeMode(ITEM, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(POINTS, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(QTY, QHeaderView.ResizeMode.Fixed)
        header.resizeSection(QTY, self.fontMetrics().horizontalAdvance("数量") + 28)
        header.setSectionResizeMode(NOTE, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(STATUS, QHeaderView.ResizeMode.ResizeToContents)
        self._digits = ""  # digits typed on the current row so far: "1", "12"
        self._digits_row = -1

    def keyPressEvent(self, event: QKeyEvent) -> None:
        current = self.currentIndex()
        row = current.row() if current.isValid() else -1
        key, text = event.key(), event.text()
        on_note = current.isValid() and current.column() == NOTE
        if key == Qt.Key.Key_Space and row >= 0 and not on_note:
            self.form.toggle(row)
            self._digits = ""
            return
        if text.isdigit() and row >= 0 and not on_note and event.modifiers() in (
                Qt.KeyboardModifier.NoModifier, Qt.KeyboardModifier.KeypadModifier):
            self._digits = (self._digits if self._digits_row == row else "") + text
            self._digits_row = row
            if int(self._digits) >= 1:
                self.form.set_quantity(row, int(self._digits))
            return
        self._digits = ""
        if key in (Qt.Key.Key_Delete, Qt.Key.Key_Backspace) and row >= 0 and not on_note:
            if self.form.rows[row].checked:
                self.form.toggle(row)
            return
        super().keyPressEvent(event)

    def start_on(self, row: int) -> None:
        """Put the cursor on a row (the first one that can still be reported, after a load)."""
        if 0 <= row < self.form.rowCount():
            self.setCurrentIndex(self.form.index(row, ITEM))
