"""Small building blocks for dialogs: a form dialog that stays open when the service refuses,
an optional date, and a department/enum combo."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QVBoxLayout,
    QWidget,
)

from desktop.ui.widgets.entry_list import pydate, qdate


class FormDialog(QDialog):
    """A form with 确定/取消. `submit()` runs on 确定: True closes, False keeps the dialog open
    (the service's message was shown, the clerk corrects the field and tries again)."""

    def __init__(self, title: str, parent: QWidget | None = None,
                 submit: Callable[[], bool] | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.submit = submit
        self.form = QFormLayout()
        self.form.setLabelAlignment(Qt.AlignmentFlag.AlignRight)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText("确定")
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText("取消")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(self.form)
        layout.addWidget(self.buttons)

    def accept(self) -> None:
        if self.submit is None or self.submit():
            super().accept()


class OptionalDate(QWidget):
    """A date that may be left empty (e.g. 离岗日期 of someone still on the roster)."""

    def __init__(self, label: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.check = QCheckBox(label, self)
        self.edit = QDateEdit(qdate(dt.date.today()), self)
        self.edit.setCalendarPopup(True)
        self.edit.setDisplayFormat("yyyy-MM-dd")
        self.edit.setEnabled(False)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.check)
        layout.addWidget(self.edit, 1)
        self.check.toggled.connect(self.edit.setEnabled)

    def value(self) -> dt.date | None:
        return pydate(self.edit.date()) if self.check.isChecked() else None

    def set_value(self, day: dt.date | None) -> None:
        self.check.setChecked(day is not None)
        if day is not None:
            self.edit.setDate(qdate(day))


def combo(pairs: list[tuple[object, str]], current: object = None) -> QComboBox:
    """A combo of (value, label) pairs with `current` selected. Qt hands enum values back as
    plain strings, so callers convert `currentData()` back to their enum."""
    box = QComboBox()
    for value, label in pairs:
        box.addItem(label, value)
    index = box.findData(current) if current is not None else -1
    if index >= 0:
        box.setCurrentIndex(index)
    return box
