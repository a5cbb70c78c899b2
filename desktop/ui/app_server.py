"""The desktop program on a database server: `jifen --db postgresql://…`, or 连接局服务器 in the
login window or the first-run wizard.

Login, main window and 切换用户 work as on a station's file; what only a file has is left out.
There is no file lock: the server's transactions and its advisory writer lock keep concurrent
writers apart (`desktop.models.db.serialise_writer`). There is no automatic backup on close and
no restore: the server's administrator backs it up with pg_dump, and the export workbook can
rebuild a station anywhere (docs/server.md), so 备份与恢复 says so instead of offering buttons.
"""

from __future__ import annotations

import re
import sys
import traceback
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtWidgets import QApplication, QDialog, QWidget

from desktop.ui import prefs
from desktop.ui.login import LoginDialog
from desktop.ui.opening import DatabaseOpening
from desktop.ui.workers import run_blocking

if TYPE_CHECKING:
    from desktop.ui.dialogs.server_connect import Connected

# Only Qt and light modules above: `run` asks `address_of` at every start, and a start on a file
# shows its login window before SQLAlchemy is loaded (the dialog's module loads it).
# A server address's scheme, as `desktop.models.stores.SERVER_SCHEMES` has them, followed by the
# slashes: `jifen gui --db postgresql://…` hands `run` a Path (desktop/cli), and a Path folds the
# `//` after the scheme into one `/` (on Windows into a `\`): "postgresql:/kaohe@10.1.2.3/jifen".
_SCHEME = re.compile(r"^(postgres(?:ql)?(?:\+psycopg)?):/+(?=[^/])", re.IGNORECASE)


def address_of(target: str | Path) -> str | None:
    """The server address `target` names, or None when it is a file."""
    text = str(target).replace("\\", "/") if isinstance(target, Path) else str(target)
    if not _SCHEME.match(text):
        return None
    return _SCHEME.sub(r"\1://", text, count=1) if isinstance(target, Path) else text


def ask(parent: QWidget | None = None, *, address: str = "", reason: str = "") -> Connected | None:
    """The 连接局服务器 dialog; the open database once it connected, None when cancelled."""
    from desktop.ui.dialogs.server_connect import ServerConnectDialog

    dialog = ServerConnectDialog(parent, address=address, reason=reason)
    if dialog.exec() != QDialog.DialogCode.Accepted:
        return None
    return dialog.connected


def connect_first(target: str) -> Connected | None:
    """Connect to `target` without asking: a password from PGPASSWORD or the pgpass file does.
    When that fails the dialog opens on the address, saying why, for a password or a correction."""
    from desktop.services.errors import JifenError
    from desktop.ui.dialogs.server_connect import CONNECTING, connect, failure_text, split_address

    try:
        connected = run_blocking(None, "连接局服务器", lambda _p: connect(target), label=CONNECTING)
    except Exception as exc:  # every failure ends in the dialog; an unexpected one is printed too
        if not isinstance(exc, (JifenError, ValueError)):
            traceback.print_exception(exc, file=sys.stderr)
        return ask(address=target, reason=failure_text(exc))
    bare, code, _password = split_address(target)
    prefs.keep_server(bare, code)
    return connected


def start(app: QApplication, target: str) -> int:
    """`run` on a server address: connect, then the sessions. 0 when the user cancelled."""
    connected = connect_first(target)
    return 0 if connected is None else sessions(app, connected)


def sessions(app: QApplication, connected: Connected) -> int:
    """Login and main window, again after 切换用户, until the user quits; the database is
    closed at the end."""
    from desktop.ui.app import remember_period
    from desktop.ui.context import AppContext
    from desktop.ui.main_window import MainWindow

    db, code = connected.db, 0
    opening = DatabaseOpening(None, connected.station, db)
    try:
        while True:
            login = LoginDialog(opening, where=connected.shown)
            if login.exec() != QDialog.DialogCode.Accepted or login.actor is None:
                return code
            ctx = AppContext(db, login.actor, address=connected.shown)
            remember_period(ctx)
            window = MainWindow(ctx)
            window.show()
            code = app.exec()
            switching = window.switch_requested
            window.deleteLater()
            if not switching:
                return code
            opening = DatabaseOpening.of(db)  # the station's name may have been changed meanwhile
    finally:
        db.dispose()
