"""The benchmark's Qt children: the program start, a bare Qt start, and the entries list.

Every import is inside the functions, so the bare-Qt baseline imports PySide6 and nothing of
the program. Window layout (QSettings) goes to the child's temporary folder, never the user's.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from desktop.bench.measure import (
    MB,
    Timer,
    child_main,
    current_rss,
    first_window,
    peak_rss,
    ready,
    report,
    reset_peak,
)

Params = dict[str, Any]
TAIL_ROWS = 60  # rows a view shows at the end of the list


def _settings_here() -> None:
    """QSettings("jifen", "jifen") in the child's own folder. (On Windows the registry is read;
    nothing is written, as no window is closed.)"""
    from PySide6.QtCore import QSettings

    folder = os.environ.get("JIFEN_BENCH_SETTINGS")
    if folder:  # the parent also points XDG_CONFIG_HOME there; this covers other Unix-likes
        for fmt in (QSettings.Format.NativeFormat, QSettings.Format.IniFormat):
            QSettings.setPath(fmt, QSettings.Scope.UserScope, folder)


def _until(done: Callable[[], bool], limit_ms: int = 30000) -> None:
    """Run the event loop (idle while it waits) until `done()`, looking every 2 ms."""
    from PySide6.QtCore import QEventLoop, QTimer

    if done():
        return
    loop = QEventLoop()
    poll = QTimer(interval=2)
    poll.timeout.connect(lambda: loop.quit() if done() else None)
    QTimer.singleShot(limit_ms, loop.quit)
    poll.start()
    loop.exec()
    poll.stop()


def start_case(p: Params) -> None:
    """What `jifen` does up to the main window (`ui.app.run`): the login window comes up while the
    database opens in a worker; FIRST is printed when it is shown. The user is taken to type
    faster than the database opens, and the password check is left out: the user's row is read
    instead (scrypt is deliberately slow and not what this measures).

    `after_login_seconds` runs from that moment (the password accepted) to the main window
    painted with its first screen; READY is printed then. The first screen's slower parts are
    read afterwards in a worker: `first_screen_loaded_seconds` (from the same moment) says when
    they are in too."""
    from PySide6.QtCore import QEvent, QObject

    from desktop.ui.app import make_app, needs_setup, remember_period
    from desktop.ui.login import LoginDialog
    from desktop.ui.opening import DatabaseOpening, peek_station

    app = make_app()
    _settings_here()
    path = Path(p["db"])
    if needs_setup(path):
        raise SystemExit(f"{path} has no station")
    station = peek_station(path)
    assert station is not None
    opening = DatabaseOpening.start(path, station)
    login = LoginDialog(opening)
    login.show()
    app.processEvents()
    first_window()
    opening.wait()
    if opening.db is None:
        raise SystemExit(f"{path}: {opening.error}")
    from sqlalchemy import select

    from desktop.models.accounts import User
    from desktop.services.actor import Actor
    from desktop.ui.context import AppContext
    from desktop.ui.main_window import MainWindow

    with opening.db.session() as session:
        actor = Actor.of(session.scalars(select(User).where(User.username == p["username"])).one())
    login.hide()
    painted: list[bool] = []

    class FirstPaint(QObject):
        def eventFilter(self, _watched: QObject, event: QEvent) -> bool:
            if event.type() == QEvent.Type.Paint:
                painted.append(True)
            return False

    watcher = FirstPaint()
    accepted = time.perf_counter()
    ctx = AppContext(opening.db, actor)
    remember_period(ctx)
    window = MainWindow(ctx)
    screen = window.stack.currentWidget()
    # The screen's Paint event comes in the middle of the window's first frame, which is painted
    # to its end before the event loop looks at anything else.
    screen.installEventFilter(watcher)
    window.show()
    app.processEvents()
    _until(lambda: bool(painted))
    shown = time.perf_counter() - accepted
    ready()
    _until(lambda: not getattr(screen, "loading", False))
    loaded = time.perf_counter() - accepted
    report(None, title=window.windowTitle(), after_login_seconds=round(shown, 4),
           first_screen_loaded_seconds=round(loaded, 4), first_screen=type(screen).__name__)


def start_base(_p: Params) -> None:
    from PySide6.QtWidgets import QApplication, QMainWindow

    app = QApplication(sys.argv[:1])
    window = QMainWindow()
    window.resize(1280, 800)
    window.show()
    app.processEvents()
    ready()
    report(None)


def entries_case(p: Params) -> None:
    """Open the entries list on every entry (no filter) and scroll to its end, as a view would."""
    from PySide6.QtCore import QModelIndex, Qt
    from PySide6.QtWidgets import QApplication
    from sqlalchemy import select

    from desktop.models.accounts import User
    from desktop.models.db import open_database
    from desktop.services.actor import Actor
    from desktop.services.queries import EntryFilter
    from desktop.ui.context import AppContext
    from desktop.ui.models.entries import EntriesModel

    app = QApplication(sys.argv[:1])
    db = open_database(Path(p["db"]))
    with db.session() as session:
        actor = Actor.of(session.scalars(select(User).where(User.username == p["username"])).one())
    ctx = AppContext(db, actor)
    ctx.read(lambda s: s.connection())  # the pool's first connection is not the list's cost
    root = QModelIndex()
    before = current_rss()
    peak_reset = reset_peak()
    with Timer() as t:
        model = EntriesModel(ctx)
        model.set_filter(EntryFilter())
        while model.canFetchMore(root):
            model.fetchMore(root)
        rows = model.rowCount()
        texts = 0
        for row in range(max(0, rows - TAIL_ROWS), rows):
            for column in range(model.columnCount()):
                if model.data(model.index(row, column), Qt.ItemDataRole.DisplayRole) is not None:
                    texts += 1
    after, peak = current_rss(), peak_rss()
    report(t.seconds, rows=rows, texts=texts, growth_mb=round((after - before) / MB, 1),
           peak_growth_mb=round((peak - before) / MB, 1) if peak_reset else None)
    del app


WORK = {("start", "case"): start_case, ("start", "base"): start_base, ("entries", "case"): entries_case}


def main(argv: list[str]) -> int:
    return child_main(WORK, argv)


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
