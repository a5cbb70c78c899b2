"""Login: user name and password; wrong tries are counted and the account locks after five.

The message stays in the dialog (no pop-up): a clerk sees at once how many tries are left.
The window comes up before the database is open (see `opening`): this module needs only Qt
until 登录 is pressed.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desktop.services.demo_people import STATION as DEMO_STATION
from desktop.services.demo_people import USERS as DEMO_USERS
from desktop.ui.opening import DatabaseOpening
from desktop.ui.prefs import settings

if TYPE_CHECKING:
    from desktop.models.db import Database
    from desktop.services.actor import Actor
    from desktop.ui.dialogs.server_connect import Connected

WAITING = "正在打开数据库，请稍候…"
ERROR_COLOUR, NOTE_COLOUR = "#b3261e", "#555"
LINK_STYLE = "QPushButton { border: none; color: #1a5fb4; text-decoration: underline; padding: 2px 0; }"


class LoginDialog(QDialog):
    def __init__(self, source: Database | DatabaseOpening, parent: QWidget | None = None, *,
                 where: str | None = None) -> None:
        """`where`: the server address (as `stores.shown` prints it) when the database is on one."""
        super().__init__(parent)
        self.opening = source if isinstance(source, DatabaseOpening) else DatabaseOpening.of(source)
        self.opening.failed.connect(self._open_failed)
        self.actor: Actor | None = None
        self.server: Connected | None = None  # chosen with 连接局服务器…: the program goes there
        name, code = self.opening.station
        self.setWindowTitle(f"登录 — {name}")
        title = QLabel(f"<h2>{name}</h2>积分考核台账", self)
        title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.username = QLineEdit(self)
        self.password = QLineEdit(self)
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.message = QLabel(self)
        self.message.setWordWrap(True)
        self.message.setStyleSheet(f"color: {ERROR_COLOUR}")
        self.buttons = QDialogButtonBox(self)
        self.login_button = self.buttons.addButton("登录", QDialogButtonBox.ButtonRole.AcceptRole)
        self.buttons.addButton("退出", QDialogButtonBox.ButtonRole.RejectRole)
        self.login_button.setDefault(True)
        form = QFormLayout()
        form.addRow("用户名", self.username)
        form.addRow("密码", self.password)
        layout = QVBoxLayout(self)
        layout.addWidget(title)
        layout.addLayout(form)
        layout.addWidget(self.message)
        if code == DEMO_STATION["code"]:
            hint = "　".join(f"{u}/{p}（{r.label}）" for u, _d, r, p, _pos in DEMO_USERS)
            demo = QLabel(f"演示单位账户：{hint}", self)
            demo.setWordWrap(True)
            demo.setStyleSheet("color: #555")
            layout.addWidget(demo)
        self.server_button: QPushButton | None = None
        if where:
            place = QLabel(f"数据库服务器：{where}", self)
            place.setObjectName("loginServer")
            place.setWordWrap(True)
            place.setStyleSheet(f"color: {NOTE_COLOUR}")
            layout.addWidget(place)
        else:  # on a file: the way to the bureau's server instead
            self.server_button = QPushButton("连接局服务器…", self)
            self.server_button.setObjectName("connectServer")
            self.server_button.setAutoDefault(False)  # Enter still means 登录
            self.server_button.setStyleSheet(LINK_STYLE)
            self.server_button.setToolTip("不用本机的数据文件，改为连接县局的数据库服务器")
            self.server_button.clicked.connect(lambda _c=False: self.connect_server())
            row = QHBoxLayout()
            row.addWidget(self.server_button)
            row.addStretch(1)
            layout.addLayout(row)
        layout.addWidget(self.buttons)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self.setMinimumWidth(380)
        last = settings().value("login/username", "")
        self.username.setText(str(last or ""))
        (self.password if last else self.username).setFocus()

    @property
    def db(self) -> Database | None:
        return self.opening.db

    def connect_server(self) -> None:
        """连接局服务器…: once connected, this window closes and the program works on the server."""
        from desktop.ui.dialogs.server_connect import ServerConnectDialog

        dialog = ServerConnectDialog(self)
        if dialog.exec() == QDialog.DialogCode.Accepted and dialog.connected is not None:
            self.server = dialog.connected
            self.done(QDialog.DialogCode.Rejected)

    def _open_failed(self, _exc: object) -> None:
        """The database could not be opened (damaged, …): the program says why once this closes."""
        self.done(QDialog.DialogCode.Rejected)

    def accept(self) -> None:
        username, password = self.username.text().strip(), self.password.text()
        if not username:
            self.message.setText("请输入用户名")
            self.username.setFocus()
            return
        if not self.opening.done:  # pressed before the database is open: wait for it, painted
            self.message.setStyleSheet(f"color: {NOTE_COLOUR}")  # a note, not an error
            self.message.setText(WAITING)
            self.login_button.setEnabled(False)
            self.opening.wait()
            self.login_button.setEnabled(True)
            self.message.clear()
            self.message.setStyleSheet(f"color: {ERROR_COLOUR}")
        db = self.opening.db
        if db is None:  # failed: `_open_failed` has closed the window
            self.done(QDialog.DialogCode.Rejected)
            return
        from desktop.services import visit
        from desktop.services.errors import JifenError

        try:  # a station's account, or on a server's station a bureau office's (reading only)
            self.actor = visit.login(db, username, password)
        except JifenError as exc:
            self.message.setText(str(exc))
            self.password.clear()
            self.password.setFocus()
            return
        settings().setValue("login/username", username)
        super().accept()
