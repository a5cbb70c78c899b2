"""连接局服务器: the address of the bureau's PostgreSQL server, a station's code and the database
password. 连接 tries them in a worker thread and, when the server answers, opens the database
there too, so the login window that follows works at once; a refusal is said in the dialog.

The address and the code are remembered for next time (`desktop.ui.prefs`); the password never
is: it goes into the open engine and nowhere else (see `desktop.models.db.make_engine`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCompleter,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from desktop.models import stores
from desktop.services.errors import JifenError
from desktop.ui import prefs
from desktop.ui.workers import load_later

if TYPE_CHECKING:
    from desktop.models.db import Database

ERROR_COLOUR, NOTE_COLOUR = "#b3261e", "#555"
CONNECTING = "正在连接服务器，请稍候…"
# libpq waits for an unreachable host as long as the system lets TCP wait (minutes): a clerk
# who mistyped the address should hear so within seconds. Added only where the address lacks one.
CONNECT_TIMEOUT = "10"


class ConnectFailed(JifenError):
    """The server did not answer, refused the login, or has no such database or station."""


@dataclass
class Connected:
    """An open database on a server, and what the windows show of it."""

    db: Database
    target: str  # the address with `station=` and no password: what is shown and remembered
    station: tuple[str, str]  # (name, code) of the station whose data it is

    @property
    def shown(self) -> str:
        return stores.shown(self.target)


def split_address(text: str) -> tuple[str, str, str]:
    """(address without password or `station=`, station code, password written into it).

    A password typed into the address is used for this connection, never remembered; a code in
    `?station=` goes to the code field, so the same address is not remembered twice."""
    text = text.strip()
    if not stores.is_server(text):
        return text, "", ""
    try:
        url = make_url(text.replace("postgres://", "postgresql://", 1))
    except ArgumentError:
        return text, "", ""
    password = url.password
    code = stores.station_of(text) or ""
    # URL.set takes None as "leave it": _replace really drops the password.
    bare = url._replace(password=None).difference_update_query([stores.STATION_PARAM])
    return bare.render_as_string(hide_password=False), code, str(password or "")


def _split_target(target: str) -> tuple[str, str, str]:
    """(target without its password, station code, the password it carried)."""
    bare, code, password = split_address(target)
    return (stores.with_station(bare, code or None) if stores.is_server(bare) else bare), code, password


def target_of(address: str, code: str) -> str:
    """The address naming station `code` (empty: the bureau's own data); a ValueError in
    Chinese when it is not a server address."""
    if not address:
        raise ValueError("请填写服务器地址，写作 postgresql://用户名@服务器/数据库名")
    if not stores.is_server(address):
        raise ValueError(f"“{address}”不是服务器地址：应以 postgresql:// 开头，写作 postgresql://用户名@服务器/数据库名")
    stores.server_url(address)  # raises the Chinese ValueError for a malformed one
    return stores.with_station(address, code or None)


def _with_timeout(target: str) -> str:
    url = make_url(target)
    if "connect_timeout" in url.query:
        return target
    return url.update_query_dict({"connect_timeout": CONNECT_TIMEOUT}).render_as_string(hide_password=False)


def _with_password(target: str, password: str) -> str:
    """The address carrying the password, for `stores.reachable`, which takes none of its own.
    Held only in this call's memory."""
    if not password:
        return target
    return make_url(target).set(password=password).render_as_string(hide_password=False)


def connect(target: str, password: str = "") -> Connected:
    """Reach the server, open (and if need be migrate) the database, read its station.

    Runs in a worker thread. No password: libpq takes it from PGPASSWORD or the pgpass file."""
    from sqlalchemy.exc import OperationalError

    from desktop.models.db import open_database
    from desktop.services import roster

    target, _code, typed = _split_target(target)
    password = password or typed
    timed = _with_timeout(target)
    reason = stores.reachable(_with_password(timed, password))
    if reason:
        raise ConnectFailed(reason)
    try:
        db = open_database(timed, password=password or None)
    except OperationalError as exc:  # the server went away between the two, or a migration failed
        detail = str(getattr(exc, "orig", exc)).strip().splitlines()
        raise ConnectFailed(f"打开服务器上的数据库时出错：{detail[-1] if detail else exc}") from exc
    try:
        with db.session() as session:
            if not roster.has_station(session):
                code = stores.station_of(target)
                where = f"单位代码“{code}”" if code else "局机关本级"
                raise ConnectFailed(f"服务器数据库中{where}还没有单位数据：请先用 jifen server push 把派出所的数据库"
                                    "推送上来，或请管理员在服务器上建立单位（见 docs/server.md）")
            station = roster.get_station(session)
            name, station_code = station.name, station.code
    except BaseException:
        db.dispose()
        raise
    # The main window's modules and its first reads, while still in the worker (as `opening`
    # does for a file): after the password only the window itself is built.
    import desktop.ui.main_window  # noqa: F401
    from desktop.ui import warm

    warm.preload_first_screen()
    warm.warm_up(db)
    return Connected(db, target, (name, station_code))


def failure_text(exc: BaseException) -> str:
    """What the dialog says about a failed connection: our own Chinese reasons as they are."""
    if isinstance(exc, (JifenError, ValueError)):
        return str(exc)
    lines = str(exc).strip().splitlines()
    return f"连接服务器时出错：{lines[-1] if lines else type(exc).__name__}"


class ServerConnectDialog(QDialog):
    """Address, station code and password; `connected` holds the open database once accepted."""

    def __init__(self, parent: QWidget | None = None, *, address: str = "", station: str | None = None,
                 reason: str = "") -> None:
        super().__init__(parent)
        self.setWindowTitle("连接局服务器")
        self.connected: Connected | None = None
        self.connecting = False
        self._abandoned = False
        remembered, remembered_code = prefs.last_server()
        bare, code_in_address, password = split_address(address or remembered)
        if station is None:
            station = code_in_address or (remembered_code if not address else "")

        intro = QLabel("县局把各所的数据放在同一台 PostgreSQL 数据库服务器上时，在这里连接。"
                       "地址由局里的数据库管理员提供。", self)
        intro.setWordWrap(True)
        self.address = QLineEdit(bare, self)
        self.address.setObjectName("serverAddress")
        self.address.setPlaceholderText("postgresql://用户名@服务器/数据库名")
        recent = prefs.recent_servers()
        if recent:
            self.address.setCompleter(QCompleter(recent, self.address))
        self.station = QLineEdit(station, self)
        self.station.setObjectName("serverStation")
        self.station.setPlaceholderText("不填为局机关本级")
        self.password = QLineEdit(password, self)
        self.password.setObjectName("serverPassword")
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password.setPlaceholderText("服务器要求时填写")
        hint = QLabel("密码只用于这次连接，程序不会保存；管理员也可以把它放在 PGPASSWORD 环境变量或 pgpass 文件中，"
                      "这里就不必填写。", self)
        hint.setWordWrap(True)
        hint.setStyleSheet(f"color: {NOTE_COLOUR}")
        self.message = QLabel(self)
        self.message.setObjectName("serverMessage")
        self.message.setWordWrap(True)
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.buttons = QDialogButtonBox(self)
        self.connect_button = self.buttons.addButton("连接", QDialogButtonBox.ButtonRole.AcceptRole)
        self.cancel_button = self.buttons.addButton("取消", QDialogButtonBox.ButtonRole.RejectRole)
        self.connect_button.setDefault(True)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)

        form = QFormLayout()
        form.addRow("服务器地址", self.address)
        form.addRow("单位代码", self.station)
        form.addRow("数据库密码", self.password)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(hint)
        layout.addWidget(self.message)
        layout.addWidget(self.buttons)
        self.setMinimumWidth(520)
        if reason:
            self._say(reason)
        # The field the user most likely has to fill: the address, else the password.
        (self.password if bare else self.address).setFocus()

    def _say(self, text: str, *, error: bool = True) -> None:
        self.message.setStyleSheet(f"color: {ERROR_COLOUR if error else NOTE_COLOUR}")
        self.message.setText(text)

    def _set_busy(self, busy: bool) -> None:
        self.connecting = busy
        for widget in (self.address, self.station, self.password, self.connect_button):
            widget.setEnabled(not busy)

    def accept(self) -> None:
        """连接: check the fields here, reach the server in a worker; the dialog stays responsive."""
        if self.connecting:
            return
        bare, code_in_address, typed = split_address(self.address.text())
        code = self.station.text().strip() or code_in_address
        password = self.password.text() or typed
        try:
            target = target_of(bare, code)
        except ValueError as exc:
            self._say(str(exc))
            self.address.setFocus()
            return
        self._set_busy(True)
        self._say(CONNECTING, error=False)
        self._abandoned = False
        load_later(self, lambda: connect(target, password),
                   lambda result: self._connected(result, bare, code), self._failed)

    def _connected(self, result: Connected, address: str, code: str) -> None:
        if self._abandoned:  # 取消 was pressed while connecting: nobody wants this database
            result.db.dispose()
            return
        self._set_busy(False)
        prefs.keep_server(address, code)
        self.connected = result
        self.message.clear()
        super().accept()

    def _failed(self, exc: BaseException) -> None:
        if self._abandoned:
            return
        self._set_busy(False)
        self._say(failure_text(exc))
        self.address.setFocus()

    def reject(self) -> None:
        self._abandoned = self.connecting
        self.connecting = False
        super().reject()
