"""The reviewer's 调整: a new quantity (and, for a range item, new points) with the reason.

The officer sees the reason beside his report, so it is required; so is a real change
(the same figures are simply an approval). Both are checked here, visibly, before the
service checks them again.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFormLayout,
    QLabel,
    QPlainTextEdit,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from desktop.services.ledger import MAX_QUANTITY
from desktop.services.points import fmt


class AdjustDialog(QDialog):
    def __init__(self, parent: QWidget | None, summary: str, *, quantity: int, unit: str = "",
                 points_tenths: int | None = None, min_tenths: int | None = None,
                 max_tenths: int | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("adjustDialog")
        self.setWindowTitle("调整自报")
        self.setMinimumWidth(460)
        self._quantity0, self._points0 = quantity, points_tenths
        self._ranged = min_tenths is not None and max_tenths is not None
        layout = QVBoxLayout(self)
        intro = QLabel(summary)
        intro.setWordWrap(True)
        layout.addWidget(intro)
        form = QFormLayout()
        self.quantity = QSpinBox()
        self.quantity.setObjectName("adjustQuantity")
        self.quantity.setRange(1, MAX_QUANTITY)
        self.quantity.setValue(quantity)
        self.quantity.setSuffix(f" {unit}" if unit else "")
        form.addRow("数量", self.quantity)
        self.points = QDoubleSpinBox()
        self.points.setObjectName("adjustPoints")
        self.points.setDecimals(1)
        self.points.setSingleStep(0.5)
        if self._ranged:
            assert min_tenths is not None and max_tenths is not None
            self.points.setRange(min_tenths / 10, max_tenths / 10)
            self.points.setValue((points_tenths if points_tenths is not None else min_tenths) / 10)
            self.points.setToolTip(f"区间赋分：{fmt(min_tenths)} 至 {fmt(max_tenths)} 分")
            form.addRow("每次分值", self.points)
        else:
            self.points.hide()  # fixed items: the catalogue's points, only the quantity can change
        self.text = QPlainTextEdit()
        self.text.setObjectName("reasonEdit")
        self.text.setPlaceholderText("调整理由，民警会看到，例如：只巡查了一夜")
        self.text.setTabChangesFocus(True)
        self.text.setFixedHeight(90)
        form.addRow("理由", self.text)
        layout.addLayout(form)
        self.error = QLabel("")
        self.error.setObjectName("reasonError")
        self.error.setStyleSheet("color: #b00020;")
        self.error.hide()
        layout.addWidget(self.error)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.ok_button = buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok_button.setText("调整后通过")
        self.ok_button.setObjectName("okButton")
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setText("取消")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.quantity.setFocus(Qt.FocusReason.OtherFocusReason)
        self.quantity.selectAll()

    def reason(self) -> str:
        return self.text.toPlainText().strip()

    def new_quantity(self) -> int | None:
        """The new quantity, None when unchanged (the service keeps the report's)."""
        value = self.quantity.value()
        return None if value == self._quantity0 else value

    def new_points(self) -> int | None:
        if not self._ranged:
            return None
        value = round(self.points.value() * 10)
        return None if value == self._points0 else value

    def _refuse(self, text: str) -> None:
        self.error.setText(text)
        self.error.show()

    def accept(self) -> None:
        if self.new_quantity() is None and self.new_points() is None:
            self._refuse("数量和分值都没有改变；如属实请直接点“通过”。")
            self.quantity.setFocus(Qt.FocusReason.OtherFocusReason)
            return
        if not self.reason():
            self._refuse("必须填写调整理由，民警会看到。")
            self.text.setFocus(Qt.FocusReason.OtherFocusReason)
            return
        super().accept()
