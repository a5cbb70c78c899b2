"""The signer re-enters the password before a signature on the month's sheet (三级审核)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)


class SignDialog(QDialog):
    """Shows what is being signed and by whom; accepts only with a non-empty password.

    The password is checked by the service (`signoff.sign`), never here.
    """

    def __init__(self, parent: QWidget | None, *, period_label: str, step_title: str, signer: str,
                 summary: str, checks: list[str] | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("signDialog")
        self.setWindowTitle(f"签字：{step_title}")
        self.setMinimumWidth(520)
        layout = QVBoxLayout(self)
        head = QLabel(f"<b>{period_label}</b> 积分考核结果 —— {step_title}")
        layout.addWidget(head)
        info = QLabel(summary)
        info.setWordWrap(True)
        layout.addWidget(info)
        # The lock checklist (`sign_checklist`): each fact needs the signer's tick before signing.
        self.checks: list[QCheckBox] = []
        if checks:
            box = QLabel("签字前请逐项核对（每项都需勾选）：")
            box.setStyleSheet("color: #8a5a00; font-weight: bold;")
            layout.addWidget(box)
            for text in checks:
                # A check box does not wrap its text: the box, and the line as a wrapped label beside
                # it (a click on the label ticks it too); the full text is also the box's tool tip.
                row = QHBoxLayout()
                check = QCheckBox()
                check.setObjectName("signCheck")
                check.setToolTip(text)
                label = QLabel(text)
                label.setWordWrap(True)
                label.setStyleSheet("color: #8a5a00;")
                label.mousePressEvent = lambda _e, c=check: c.toggle()  # type: ignore[method-assign]
                row.addWidget(check, 0, Qt.AlignmentFlag.AlignTop)
                row.addWidget(label, 1)
                layout.addLayout(row)
                self.checks.append(check)
        form = QFormLayout()
        form.addRow("签字人", QLabel(signer))
        self.password = QLineEdit()
        self.password.setObjectName("passwordEdit")
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password.setPlaceholderText("请再次输入本人登录密码")
        form.addRow("登录密码", self.password)
        layout.addLayout(form)
        note = QLabel("签字后将记录签字人、时间和本期积分数据的校验码；最后一级签字后本期锁定。")
        note.setWordWrap(True)
        note.setStyleSheet("color: #555;")
        layout.addWidget(note)
        self.error = QLabel("")
        self.error.setObjectName("signError")
        self.error.setStyleSheet("color: #b00020;")
        self.error.hide()
        layout.addWidget(self.error)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.ok_button = buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok_button.setText("确认签字")
        self.ok_button.setObjectName("okButton")
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setText("取消")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.password.setFocus()

    def password_text(self) -> str:
        return self.password.text()

    def accept(self) -> None:
        unchecked = [c for c in self.checks if not c.isChecked()]
        if unchecked:
            self.error.setText(f"还有 {len(unchecked)} 项未核对：请逐项看过并勾选后再签字。")
            self.error.show()
            unchecked[0].setFocus()
            return
        if not self.password.text():
            self.error.setText("请输入登录密码后再签字。")
            self.error.show()
            return
        super().accept()
