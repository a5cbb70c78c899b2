"""Ask for a reason (and optionally a choice such as a grade) before a recorded change."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)


class ReasonDialog(QDialog):
    """A text box for the reason; OK is refused with a visible message while it is empty.

    With `choices` (code, label) a combo box is shown above the reason, e.g. the grade a
    chief overrides to. `choice()` and `reason()` give the answers after `exec()`.
    """

    def __init__(self, parent: QWidget | None, title: str, prompt: str, *,
                 choice_label: str = "", choices: list[tuple[str, str]] | None = None,
                 current: str | None = None, required: bool = True, ok_text: str = "确定",
                 placeholder: str = "请写明理由，将记入审计记录", text_label: str = "",
                 text: str = "") -> None:
        super().__init__(parent)
        self.setObjectName("reasonDialog")
        self.setWindowTitle(title)
        self.setMinimumWidth(460)
        self._required = required
        self._what = text_label or "理由"
        layout = QVBoxLayout(self)
        intro = QLabel(prompt)
        intro.setWordWrap(True)
        layout.addWidget(intro)
        form = QFormLayout()
        self.combo = QComboBox()
        self.combo.setObjectName("choiceCombo")
        for code, label in choices or []:
            self.combo.addItem(label, code)
        if current is not None:
            index = self.combo.findData(current)
            if index >= 0:
                self.combo.setCurrentIndex(index)
        if choices:
            form.addRow(choice_label or "选择", self.combo)
        else:
            self.combo.hide()
        self.text = QPlainTextEdit()
        self.text.setObjectName("reasonEdit")
        self.text.setPlaceholderText(placeholder)
        self.text.setTabChangesFocus(True)
        self.text.setPlainText(text)  # the earlier answer, to be edited (a month's remark)
        self.text.setFixedHeight(110)
        form.addRow(text_label or ("理由" if required else "说明"), self.text)
        layout.addLayout(form)
        self.error = QLabel("")
        self.error.setObjectName("reasonError")
        self.error.setStyleSheet("color: #b00020;")
        self.error.hide()
        layout.addWidget(self.error)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.ok_button = buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok_button.setText(ok_text)
        self.ok_button.setObjectName("okButton")
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setText("取消")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.text.setFocus(Qt.FocusReason.OtherFocusReason)

    def reason(self) -> str:
        return self.text.toPlainText().strip()

    def choice(self) -> str | None:
        data = self.combo.currentData()
        return None if data is None else str(data)

    def accept(self) -> None:
        if self._required and not self.reason():
            self.error.setText(f"必须填写{self._what}，否则不能保存。")
            self.error.show()
            self.text.setFocus(Qt.FocusReason.OtherFocusReason)
            return
        super().accept()


def ask_reason(parent: QWidget | None, title: str, prompt: str, **kwargs: object) -> ReasonDialog | None:
    """Show a ReasonDialog; the dialog when accepted, None when cancelled."""
    dialog = ReasonDialog(parent, title, prompt, **kwargs)  # type: ignore[arg-type]
    return dialog if dialog.exec() == QDialog.DialogCode.Accepted else None
