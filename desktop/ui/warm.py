"""What the wait at the login window is used for, besides opening the database (`opening`).

The user types his password for a few seconds; the main window needs its modules and its first
screen's, and SQLAlchemy compiles each statement the first time it runs. All of that is done
here, in the opening's worker, so that after the password only the window itself is built:
at county scale about 0.2 s less between 登录 and the main window.
"""

from __future__ import annotations

import datetime as dt
import importlib
import sys
from typing import TYPE_CHECKING

from desktop.services import queries, roster
from desktop.services.periods import month_of
from desktop.ui.prefs import settings
from desktop.ui.screens import SCREENS, ScreenSpec

if TYPE_CHECKING:
    from desktop.models.db import Database


def likely_first_screen() -> ScreenSpec:
    """The screen the main window will most likely open on: the one shown last, else 考核日记
    (the window itself decides: an officer's 自报 comes first, a screen may not be his)."""
    last = settings().value("main/screen", "")
    return next((s for s in SCREENS if s.key == last), SCREENS[0])


def preload_first_screen() -> None:
    """Import that screen's module now: 考核日记's form and list take 0.1 s to import."""
    try:
        importlib.import_module(f"desktop.ui.screens.{likely_first_screen().module}")
    except Exception:  # the window shows a note for it when it is opened (MainWindow.screen)
        pass


def warm_up(db: Database) -> None:
    """Run once what the main window and its first screen read as they open (a screen's module
    may define `warm(db)` for its part). The first run compiles the statements and brings the
    month's index pages into memory. Only a speed-up: whatever goes wrong here is left for the
    window to report when it runs the same reads."""
    code = month_of(dt.date.today()).code  # the period the window shows unless one is remembered
    try:
        with db.session() as session:
            roster.get_station(session)
            queries.data_span(session)
            queries.first_catalogue_day(session)
            queries.period_state(session, code)
        module = sys.modules.get(f"desktop.ui.screens.{likely_first_screen().module}")
        warm = getattr(module, "warm", None)
        if callable(warm):
            warm(db)
    except Exception:  # see above
        pass
