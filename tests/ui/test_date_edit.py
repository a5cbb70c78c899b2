"""Dates typed the way clerks type them (issue #17 item 6)."""

from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtCore import QDate, Qt
from PySide6.QtTest import QTest

from desktop.ui.widgets.date_edit import DateEdit, parse_typed

AROUND = dt.date(2026, 9, 1)


def type_text(widget, text: str) -> None:
    """Key presses carrying each character, as a keyboard or an input method sends them
    (QTest.keyClicks only knows ASCII keys)."""
    for ch in text:
        key = Qt.Key(ord(ch.upper())) if ch.isascii() and ch.isalnum() else Qt.Key.Key_unknown
        QTest.sendKeyEvent(QTest.KeyAction.Click, widget, key, ch, Qt.KeyboardModifier.NoModifier)


@pytest.mark.parametrize(("text", "day"), [
    ("2026-9-15", dt.date(2026, 9, 15)), ("2026.9.15", dt.date(2026, 9, 15)), ("2026/09/15", dt.date(2026, 9, 15)),
    ("2026年9月15日", dt.date(2026, 9, 15)), ("20260915", dt.date(2026, 9, 15)), ("9月15日", dt.date(2026, 9, 15)),
    ("9.15", dt.date(2026, 9, 15)), ("0915", dt.date(2026, 9, 15)), ("15", dt.date(2026, 9, 15)),
    ("１０月３日", dt.date(2026, 10, 3)), ("2026-2-30", None), ("明天", None), ("13月1日", None),
])
def test_forms_clerks_type(text: str, day: dt.date | None) -> None:
    assert parse_typed(text, AROUND) == day


@pytest.mark.parametrize("typed", ["2026-9-15", "2026.9.15", "9月15日", "0915"])
def test_typing_into_the_field(qtbot, typed: str) -> None:
    edit = DateEdit(QDate(2026, 9, 1))
    qtbot.addWidget(edit)
    edit.show()
    edit.setFocus()
    edit.lineEdit().selectAll()
    type_text(edit, typed)
    qtbot.keyClick(edit, Qt.Key.Key_Return)
    assert edit.date() == QDate(2026, 9, 15) and edit.text() == "2026-09-15"


def test_an_unreadable_entry_keeps_the_last_good_date(qtbot) -> None:
    edit = DateEdit(QDate(2026, 9, 1))
    qtbot.addWidget(edit)
    edit.show()
    edit.lineEdit().selectAll()
    type_text(edit, "2026-2-30")
    qtbot.keyClick(edit, Qt.Key.Key_Return)
    edit.clearFocus()
    assert edit.date() == QDate(2026, 9, 1)
