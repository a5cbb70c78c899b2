"""文件 → 核验纸质表: type (or scan) the code printed on a grade sheet or a scheme's ranking sheet,
and the program says whether the paper matches the database, and if not, who and what differs.

The same check as `jifen verify`; the printed sheets name this menu, not a command."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desktop.services.errors import JifenError
from desktop.ui.context import AppContext


def verify_lines(session: object, text: str) -> list[str]:
    from desktop.exporters.pdf import scheme_verify
    from desktop.services import documents

    report = (scheme_verify.verify_scheme_code(session, text) if scheme_verify.is_scheme_code(text)  # type: ignore[arg-type]
              else documents.verify_code(session, text))  # type: ignore[arg-type]
    return report.lines()


class VerifySheetDialog(QDialog):
    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setObjectName("verifySheet")
        self.setWindowTitle("核验纸质表")
        self.resize(640, 360)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("输入纸质等次评定表或积分排名表上的核验码（如 JF-2026-03-D01-3FA9-C2B1-D0E4），"
                                "或扫描二维码得到的内容："))
        row = QHBoxLayout()
        self.code = QLineEdit()
        self.code.setObjectName("verifyCode")
        self.code.returnPressed.connect(self.check)
        row.addWidget(self.code, 1)
        self.check_button = QPushButton("核验")
        self.check_button.setObjectName("verifyButton")
        self.check_button.clicked.connect(self.check)
        row.addWidget(self.check_button)
        layout.addLayout(row)
        self.result = QPlainTextEdit()
        self.result.setObjectName("verifyResult")
        self.result.setReadOnly(True)
        layout.addWidget(self.result, 1)

    def check(self) -> None:
        text = self.code.text().strip()
        if not text:
            self.result.setPlainText("请先输入核验码。")
            return
        try:
            lines = self.ctx.read(lambda s: verify_lines(s, text))
        except JifenError as exc:
            lines = [str(exc)]
        self.result.setPlainText("\n".join(lines))
