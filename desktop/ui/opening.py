"""Opening the database while the login window is already on screen.

Loading SQLAlchemy, the models and the screens, checking the file (`PRAGMA quick_check` reads
all of it: 0.3 s for a county's 165 MB, seconds on a slow disk) and checking its migration
took most of the start, and the user saw nothing meanwhile (0.85 s for a county database). Now the login window comes up
first (it needs only Qt and this module) and the database opens in a worker thread while the
user types; pressing 登录 before that is done waits for it, with a message.

A damaged database is still found before anyone logs in: the failure closes the login window
and the program offers the newest backup, as before.
"""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Signal

from desktop.ui import gc_guard
from desktop.ui.workers import Background

if TYPE_CHECKING:
    from desktop.models.db import Database


def peek_station(path: Path) -> tuple[str, str] | None:
    """The station's (name, code), read with the standard library's sqlite3 only.

    None when the file has no station yet (no tables, or a first run that was cancelled).
    Raises `sqlite3.Error` when the file cannot be read this way (damaged, not a database,
    locked): the caller then opens it the careful way, which says what is wrong.
    """
    conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    try:
        row = conn.execute("SELECT name, code FROM stations ORDER BY id LIMIT 1").fetchone()
    except sqlite3.OperationalError as exc:
        if "no such table" in str(exc):
            return None
        raise
    finally:
        conn.close()
    return (str(row[0]), str(row[1])) if row else None


def _open(path: Path) -> Database:
    """Check the file and load the program's modules side by side, then open the database.

    SQLite's quick_check runs in a thread of its own: it reads the file without holding
    Python's lock, so on two cores it costs nothing next to loading SQLAlchemy, the models
    and the screens, which only Python can do.
    """
    from desktop.services import integrity

    problems: list[str] = []
    checker = threading.Thread(target=lambda: problems.extend(integrity.quick_check(path)),
                               name="jifen-quick-check", daemon=True)
    checker.start()
    try:
        # The main window's modules too, and its first screen's, loaded now rather than after
        # the password was typed.
        import desktop.ui.main_window  # noqa: F401
        from desktop.models.db import open_database
        from desktop.ui import warm

        warm.preload_first_screen()
    finally:
        checker.join()
    if problems:
        raise integrity.DatabaseDamaged(integrity.damaged_message(path, problems))
    db = open_database(path, checked=True)
    warm.warm_up(db)  # the first screen's first reads, while the user is still typing
    return db


class DatabaseOpening(QObject):
    """The database being opened (or already open) for a login window.

    `ready` fires once with the `Database`, `failed` once with the exception; `db` and `error`
    hold them afterwards. `wait()` returns when either has happened.
    """

    ready = Signal(object)
    failed = Signal(object)

    def __init__(self, path: Path | None, station: tuple[str, str], db: Database | None = None,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.path = path
        self.station = station
        self.db: Database | None = db
        self.error: BaseException | None = None
        self._job: Background | None = None

    @classmethod
    def start(cls, path: Path, station: tuple[str, str]) -> DatabaseOpening:
        opening = cls(path, station)
        job = opening._job = Background(lambda: _open(path), opening)
        job.settled.connect(opening._settled)
        job.start()
        return opening

    @classmethod
    def of(cls, db: Database) -> DatabaseOpening:
        """An already open database (切换用户, tests)."""
        from desktop.services import roster

        with db.session() as session:
            station = roster.get_station(session)
            name, code = station.name, station.code
        return cls(None, (name, code), db)

    @property
    def done(self) -> bool:
        return self._job is None or self._job.done

    def wait(self) -> None:
        if self._job is not None:
            self._job.wait()
            self._settled()  # in case the queued signal has not been delivered yet

    def _settled(self, *_: Any) -> None:
        job = self._job
        if job is None or not job.done or self.db is not None or self.error is not None:
            return
        if job.error is not None:
            self.error = job.error
            self.failed.emit(job.error)
        else:
            self.db = job.result
            gc_guard.keep_what_is_loaded()
            self.ready.emit(job.result)
