"""奖励 → 试岗与投诉: the probations on record, the complaint register and late findings.

It sits with the awards because both decide what a year is worth: a probation caps the
year's grade and keeps the person out of 评优 suggestions, a complaint found true is the
deduction behind a lower grade. Registering a probation is the chief's (grade.override);
complaints are registered and verified by whoever records entries (entry.write). Officers
do not see the page: a complaint register names complainants.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QTableWidget,
    QVBoxLayout,
    QWidget,
)

from desktop.ui.context import AppContext
from desktop.ui.widgets.late_findings import LateFindingsBox
from desktop.ui.widgets.oversight_dialogs import (
    COMPLAINT_HEADERS,
    PROBATION_HEADERS,
    ComplaintLine,
    complaint_lines,
    probation_rows,
    register_complaint,
    register_probation,
    verify_complaint,
)
from desktop.ui.widgets.settings_pages import fill, table


def may_see(ctx: AppContext) -> bool:
    return ctx.can("entry.write") or ctx.can("grade.override")


def _tips(view: QTableWidget, columns: tuple[int, ...]) -> None:
    """Long texts (说明, 内容, 核实情况) are cut to their column: the whole text on hover."""
    for row in range(view.rowCount()):
        for column in columns:
            item = view.item(row, column)
            if item is not None and item.text():
                item.setToolTip(item.text())


class OversightPage(QWidget):
    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.lines: list[ComplaintLine] = []
        self.probations = table(PROBATION_HEADERS, [80, 80, 110, 90, 90, 60, 120, 220])
        self.complaints = table(COMPLAINT_HEADERS, [44, 90, 100, 120, 80, 220, 70, 180, 120])
        for view in (self.probations, self.complaints):
            view.setWordWrap(False)
            view.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.complaints.itemSelectionChanged.connect(self._update)
        self.complaints.doubleClicked.connect(lambda _i: self.verify() if self.verify_button.isVisible() else None)
        self.pending_only = QCheckBox("只看待核实")
        self.pending_only.toggled.connect(lambda _on: self._show_complaints())
        self.probation_button = QPushButton("登记试岗…")
        self.probation_button.setVisible(ctx.can("grade.override"))
        self.probation_button.clicked.connect(self.add_probation)
        self.complaint_button = QPushButton("登记投诉…")
        self.verify_button = QPushButton("核实…")
        for button in (self.complaint_button, self.verify_button):
            button.setVisible(ctx.can("entry.write"))
        self.complaint_button.clicked.connect(self.add_complaint)
        self.verify_button.clicked.connect(self.verify)
        self.count = QLabel()

        layout = QVBoxLayout(self)
        box = QGroupBox("试岗")
        inner = QVBoxLayout(box)
        inner.addWidget(self.probations, 1)
        row = QHBoxLayout()
        row.addWidget(QLabel("试岗期所在年度的等次最高为等次政策规定的等次（默认比最高等次低一级），且不推荐评优。"
                             "由所长登记。"), 1)
        row.addWidget(self.probation_button)
        inner.addLayout(row)
        layout.addWidget(box, 2)
        box = QGroupBox("投诉登记（群众评议、来信来访、督察发现）")
        inner = QVBoxLayout(box)
        inner.addWidget(self.complaints, 1)
        row = QHBoxLayout()
        row.addWidget(self.count)
        row.addWidget(self.pending_only)
        row.addStretch(1)
        row.addWidget(QLabel("属实的投诉关联为它记录的扣分，个人档案中两者同时可见。"))
        row.addWidget(self.complaint_button)
        row.addWidget(self.verify_button)
        inner.addLayout(row)
        layout.addWidget(box, 3)
        self.late = LateFindingsBox(ctx, self)
        layout.addWidget(self.late, 2)

    def refresh(self) -> None:
        self.late.refresh()
        fill(self.probations, self.ctx.read(probation_rows))
        _tips(self.probations, (7,))
        self.lines = self.ctx.read(complaint_lines)
        self._show_complaints()

    def shown_lines(self) -> list[ComplaintLine]:
        if self.pending_only.isChecked():
            return [line for line in self.lines if line.outcome == "pending"]
        return list(self.lines)

    def _show_complaints(self) -> None:
        shown = self.shown_lines()
        fill(self.complaints, [line.cells for line in shown])
        _tips(self.complaints, (4, 5, 7, 8, 9))
        pending = sum(1 for line in self.lines if line.outcome == "pending")
        self.count.setText(f"共 {len(self.lines)} 件，待核实 {pending} 件")
        self._update()

    def selected(self) -> ComplaintLine | None:
        shown, row = self.shown_lines(), self.complaints.currentRow()
        return shown[row] if 0 <= row < len(shown) and self.complaints.selectedItems() else None

    def select_complaint(self, complaint_id: int) -> None:
        for row, line in enumerate(self.shown_lines()):
            if line.id == complaint_id:
                self.complaints.selectRow(row)

    def _update(self) -> None:
        self.verify_button.setEnabled(self.selected() is not None)

    def add_probation(self) -> None:
        if register_probation(self.ctx, self):
            self.refresh()

    def add_complaint(self) -> None:
        made = register_complaint(self.ctx, self)
        if made is not None:
            self.refresh()
            self.select_complaint(made)

    def verify(self) -> None:
        line = self.selected()
        if line is None:
            self.ctx.show_info(self, "请先选择一件投诉。")
            return
        if verify_complaint(self.ctx, self, line):
            self.refresh()
            self.select_complaint(line.id)
