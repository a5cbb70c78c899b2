"""Each user opens on the period he last chose (#17 item 10), not the current month at each login."""

from __future__ import annotations

from desktop.services import accounts
from desktop.ui.app import remember_period
from desktop.ui.context import AppContext
from desktop.ui.prefs import keep_period


def _login(db, username: str) -> AppContext:
    with db.transaction() as s:
        return AppContext(db, accounts.login(s, username, f"{username}123"))


def test_the_last_period_is_remembered_per_user(qapp, demo_db) -> None:
    first = _login(demo_db, "neiqin")
    remember_period(first)
    first.set_period("2026-01")
    again = _login(demo_db, "neiqin")
    remember_period(again)
    assert again.period_code == "2026-01"
    other = _login(demo_db, "suozhang")
    default = other.period_code
    remember_period(other)
    assert other.period_code == default  # another user keeps his own
    keep_period(demo_db.path, "minjing", "不是周期")  # a damaged setting is ignored
    broken = _login(demo_db, "minjing")
    before = broken.period_code
    remember_period(broken)
    assert broken.period_code == before
