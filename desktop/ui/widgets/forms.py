"""Small building blocks for dialogs: a form dialog that stays open when the service refuses,
an optional date, a department/enum combo, and a person combo one can type a name or badge into."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QVBoxLayout,
    QWidget,
)

from desktop.ui.widgets.date_edit import DateEdit
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
        self.edit = DateEdit(qdate(dt.date.today()), self)
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


def people_combo(choices: list[tuple[str, str]], none_label: str | None, current: str | None,
                 enabled: bool = True) -> QComboBox:
    """People as (badge, label) pairs, the badge as data. Editable, so typing part of a name or a
    badge filters the list (pinyin pickers are for mass entry; one person here is found by name).
    `none_label` (data None) comes first: choosing it clears."""
    box = QComboBox()
    box.setEditable(True)
    box.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
    box.completer().setFilterMode(Qt.MatchFlag.MatchContains)
    box.completer().setCompletionMode(box.completer().CompletionMode.PopupCompletion)
    if none_label is not None:
        box.addItem(none_label, None)
    for badge, label in choices:
        box.addItem(label, badge)
    box.setCurrentIndex(max(0, box.findData(current)) if current is not None else 0)
    box.setEnabled(enabled)
    return box


def picked_badge(box: QComboBox) -> str | None:
    """The chosen person's badge; text that names no item is taken as a typed badge, so the
    service's own message (没有警号…) explains a typo."""
    text = box.currentText().strip()
    index = box.findText(text)
    if index >= 0:
        return box.itemData(index)
    return text or None
