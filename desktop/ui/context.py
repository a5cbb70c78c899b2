"""What every screen needs: the database, the logged-in user, and one way to call services.

Screens never open a session themselves: reads go through `ctx.read(fn)` and writes through
`ctx.write(parent, fn)`, which runs the service in one transaction, shows a clear Chinese
message when the service refuses, and tells the other screens what changed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import TypeVar

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QMessageBox, QWidget
from sqlalchemy.orm import Session

from desktop.models import stores
from desktop.models.db import Database
from desktop.services.actor import Actor, can
from desktop.services.errors import JifenError
from desktop.ui.prefs import settings  # noqa: F401  (re-exported: screens import it from here)

T = TypeVar("T")

# Topics for `data_changed`: screens refresh what they show when their topic changes.
TOPICS = ("entries", "people", "catalogue", "period", "awards", "station", "users", "reports")


class AppContext(QObject):
    data_changed = Signal(str)
    period_changed = Signal(str)  # the period code the user is working on
    # A checked backup file to restore: the main window closes and the program, holding the
    # writer lock, swaps the database while no screen can read it, then asks for a login again.
    restore_requested = Signal(object)
    # A scheme's period to review and sign on the 积分制 screen (asked from 月度考核's chooser).
    scheme_requested = Signal(str)

    def __init__(self, db: Database, actor: Actor, parent: QObject | None = None, *,
                 address: str | None = None) -> None:
        super().__init__(parent)
        self.db = db
        self.actor = actor
        # The server's address as `stores.shown` prints it (no password), when the database is
        # on one: the title and status bar name it, and the screens made for a file say why not.
        self.address = address
        self.last_error: str = ""  # the last message shown, for tests and the status bar
        today = dt.date.today()
        self._period = f"{today.year}-{today.month:02d}"

    # -- periods -------------------------------------------------------------------------
    @property
    def period_code(self) -> str:
        return self._period

    def set_period(self, code: str) -> None:
        if code != self._period:
            self._period = code
            self.period_changed.emit(code)

    @property
    def on_bureau_schema(self) -> bool:
        """On a bureau server in the bureau's own schema (局机关本级: an address without
        `station=`), where the bureau's offices read every station's results."""
        return self.db.is_server and bool(self.address) and stores.station_of(self.address or "") is None

    # -- permissions ---------------------------------------------------------------------
    def can(self, action: str) -> bool:
        return can(self.actor, action)

    # -- calling services ----------------------------------------------------------------
    def read(self, fn: Callable[[Session], T]) -> T:
        with self.db.session() as session:
            return fn(session)

    def write(self, parent: QWidget | None, fn: Callable[[Session, Actor], T], *,
              topic: str | None = None, title: str = "无法完成") -> T | None:
        """Run a service write in one transaction; on refusal show why and change nothing."""
        try:
            with self.db.transaction() as session:
                result = fn(session, self.actor)
        except JifenError as exc:
            self.show_error(parent, str(exc), title)
            return None
        if topic:
            self.data_changed.emit(topic)
        return result

    def show_error(self, parent: QWidget | None, message: str, title: str = "无法完成") -> None:
        self.last_error = message
        QMessageBox.warning(parent, title, message)

    def show_info(self, parent: QWidget | None, message: str, title: str = "提示") -> None:
        QMessageBox.information(parent, title, message)
