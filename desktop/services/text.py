"""Chinese formatting of dates for messages and documents."""

from __future__ import annotations

import datetime as dt


def cn_date(day: dt.date) -> str:
    """2026-03-05 -> '2026年3月5日' (the form used on official documents)."""
    return f"{day.year}年{day.month}月{day.day}日"


def cn_month(day: dt.date) -> str:
    """2026-03-05 -> '2026年3月'."""
    return f"{day.year}年{day.month}月"


def local_text(moment: dt.datetime) -> str:
    """A stored (naive UTC) time as the station reads it: '2026年3月5日 14:05'."""
    local = moment.replace(tzinfo=dt.UTC).astimezone()
    return f"{cn_date(local.date())} {local:%H:%M}"
