"""文件 → 修改本人密码: any signed-in user changes his own password by giving the old one.

The same service as `jifen user passwd NAME --user NAME` (`accounts.change_own_password`): a
wrong old password counts toward the lock-out as at login, and the new one must meet the same
rules as any password. A refusal is shown in the dialog, which stays open to try again.
"""

from __future__ import annotations

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QFormLayout, QLabel, QLineEdit, QVBoxLayout, QWidget

from desktop.services import accounts
from desktop.services.errors import JifenError
from desktop.ui.context import AppContext


class ChangePasswordDialog(QDialog):
    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setObjectName("changePasswordDialog")
        self.setWindowTitle("修改本人密码")
        self.setMinimumWidth(400)
        layout = QVBoxLayout(self)
        form = QFormLayout()
        form.addRow("用户", QLabel(ctx.actor.display_name))
        self.old, self.new, self.again = QLineEdit(), QLineEdit(), QLineEdit()
        for edit, name, hint in ((self.old, "oldPassword", "现在的登录密码"), (self.new, "newPassword", "新密码"),
                                 (self.again, "repeatPassword", "再输入一遍新密码")):
            edit.setObjectName(name)
            edit.setEchoMode(QLineEdit.EchoMode.Password)
            edit.setPlaceholderText(hint)
        form.addRow("原密码", self.old)
        form.addRow("新密码", self.new)
        form.addRow("确认新密码", self.again)
        layout.addLayout(form)
        self.error = QLabel("")
        self.error.setObjectName("passwordError")
        self.error.setStyleSheet("color: #b00020;")
        self.error.setWordWrap(True)
        self.error.hide()
        layout.addWidget(self.error)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.ok_button = buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok_button.setText("修改密码")
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setText("取消")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.old.setFocus()

    def _refuse(self, message: str) -> None:
        self.error.setText(message)
        self.error.show()

    def accept(self) -> None:
        if not self.old.text() or not self.new.text():
            return self._refuse("请输入原密码和新密码。")
        if self.new.text() != self.again.text():
            self.again.clear()
            return self._refuse("两次输入的新密码不一致，请重新输入。")
        try:
            with self.ctx.db.transaction() as session:
                accounts.change_own_password(session, self.ctx.actor, self.old.text(), self.new.text())
        except JifenError as exc:
            self.old.clear()
            return self._refuse(str(exc))
        super().accept()
