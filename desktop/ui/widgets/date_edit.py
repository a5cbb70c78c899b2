"""A date field that takes dates as clerks type them: 2026-9-15, 2026.9.15, 2026/9/15, 2026年9月15日,
20260915, 9月15日, 9.15, 0915 (month and day in this field's year), or 15 (a day of its month).

QDateEdit only takes its display format, section by section, so a clerk typing “9月15日” or
“0915” got nothing. This one validates the whole text with `parse_typed` and shows the result
as yyyy-MM-dd; the calendar pop-up and the arrow keys work as before.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata

from PySide6.QtCore import QDate, QDateTime, QTime
from PySide6.QtGui import QValidator
from PySide6.QtWidgets import QDateEdit, QWidget

_FULL = re.compile(r"^(\d{4})\s*[-./年]\s*(\d{1,2})\s*[-./月]\s*(\d{1,2})\s*[日号]?$")
_COMPACT = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
_MONTH_DAY = re.compile(r"^(\d{1,2})\s*[-./月]\s*(\d{1,2})\s*[日号]?$")
_MMDD = re.compile(r"^(\d{2})(\d{2})$")
_DAY = re.compile(r"^(\d{1,2})\s*[日号]?$")
_WEEKDAY = re.compile(r"\s*(星期|周)[一二三四五六日天]$")
# What may still become a date while it is being typed (digits, separators, 年月日).
_PARTIAL = re.compile(r"^[\d\s\-./年月日号]*$")


def parse_typed(text: str, around: dt.date) -> dt.date | None:
    """The date `text` means, taking a missing year (and month) from `around`; None if none."""
    raw = _WEEKDAY.sub("", unicodedata.normalize("NFKC", text).strip())  # the duty sheet shows “星期二”
    try:
        if m := _FULL.match(raw) or _COMPACT.match(raw):
            return dt.date(int(m[1]), int(m[2]), int(m[3]))
        if m := _MONTH_DAY.match(raw) or _MMDD.match(raw):
            return dt.date(around.year, int(m[1]), int(m[2]))
        if m := _DAY.match(raw):
            return dt.date(around.year, around.month, int(m[1]))
    except ValueError:
        return None
    return None


class DateEdit(QDateEdit):
    """yyyy-MM-dd on screen, any of the forms above when typed, a calendar on the arrow."""

    def __init__(self, date: QDate | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setDisplayFormat("yyyy-MM-dd")
        self.setCalendarPopup(True)
        # The date changes when the clerk presses Enter or leaves the field, not at every key:
        # “2026-2-3” on the way to “2026-2-30” must not become the date.
        self.setKeyboardTracking(False)
        if date is not None:
            self.setDate(date)
        self.setToolTip("可输入 2026-9-15、2026.9.15、2026年9月15日、9月15日、0915 等")

    def _around(self) -> dt.date:
        d = self.date()
        return dt.date(d.year(), d.month(), d.day())

    def validate(self, text: str, pos: int) -> object:  # type: ignore[override]
        day = parse_typed(text, self._around())
        if day is not None and self.minimumDate() <= QDate(day.year, day.month, day.day) <= self.maximumDate():
            return QValidator.State.Acceptable, text, pos
        if _PARTIAL.match(_WEEKDAY.sub("", unicodedata.normalize("NFKC", text))):
            return QValidator.State.Intermediate, text, pos
        return QValidator.State.Invalid, text, pos

    def fixup(self, text: str) -> str:  # type: ignore[override]
        return text  # an unreadable entry goes back to the last good date (QAbstractSpinBox does that)

    def dateTimeFromText(self, text: str) -> QDateTime:  # type: ignore[override]
        day = parse_typed(text, self._around())
        if day is None:
            return self.dateTime()
        return QDateTime(QDate(day.year, day.month, day.day), QTime(0, 0))
