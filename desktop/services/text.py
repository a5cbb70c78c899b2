"""Chinese formatting of dates for messages and documents."""

from __future__ import annotations

import datetime as dt


def cn_date(day: dt.date) -> str:
    """2026-03-05 -> '2026年3月5日' (the form used on official documents)."""
    return f"{day.year}年{day.month}月{day.day}日"


def cn_month(day: dt.date) -> str:
    """2026-03-05 -> '2026年3月'."""
    return f"{day.year}年{day.month}月"
