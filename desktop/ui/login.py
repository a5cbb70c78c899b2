"""Login: user name and password; wrong tries are counted and the account locks after five.

The message stays in the dialog (no pop-up): a clerk sees at once how many tries are left.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QFormLayout, QLabel, QLineEdit, QVBoxLayout, QWidget

from desktop.models.db import Database
from desktop.services import accounts, roster
from desktop.services.actor import Actor
from desktop.services.demo import STATION as DEMO_STATION
from desktop.services.demo_people import USERS as DEMO_USERS
from desktop.services.errors import JifenError
from desktop.ui.context import settings


class LoginDialog(QDialog):
    def __init__(self, db: Database, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.db = db
        self.actor: Actor | None = None
        with db.session() as session:
            station = roster.get_station(session)
            name, code = station.name, station.code
        self.setWindowTitle(f"登录 — {name}")
        title = QLabel(f"<h2>{name}</h2>积分考核台账", self)
        title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.username = QLineEdit(self)
        self.password = QLineEdit(self)
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.message = QLabel(self)
        self.message.setWordWrap(True)
        self.message.setStyleSheet("color: #b3261e")
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
        layout.addWidget(self.buttons)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self.setMinimumWidth(380)
        last = settings().value("login/username", "")
        self.username.setText(str(last or ""))
        (self.password if last else self.username).setFocus()

    def accept(self) -> None:
        username, password = self.username.text().strip(), self.password.text()
        if not username:
            self.message.setText("请输入用户名")
            self.username.setFocus()
            return
        try:
            with self.db.transaction() as session:
                self.actor = accounts.login(session, username, password)
        except JifenError as exc:
            self.message.setText(str(exc))
            self.password.clear()
            self.password.setFocus()
            return
        settings().setValue("login/username", username)
        super().accept()
