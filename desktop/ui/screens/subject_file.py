"""一单位一档: one unit's (or, for 执法办案, one officer's) file on a scheme — who it is, its
year month by month (a bar chart of totals with the rank under each month), and its entries."""

from __future__ import annotations

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QFormLayout, QLabel, QVBoxLayout, QWidget

from desktop.ui.charts import BarChart
from desktop.ui.context import AppContext
from desktop.ui.screens.rows_model import table_view
from desktop.ui.screens.schemes_data import ENTRY_HEADERS, subject_file


class SubjectFileDialog(QDialog):
    def __init__(self, parent: QWidget | None, ctx: AppContext, scheme_code: str, subject_code: str) -> None:
        super().__init__(parent)
        self.setObjectName("subjectFileDialog")
        period = ctx.period_code
        data = ctx.read(lambda s: subject_file(s, scheme_code, subject_code, period))
        self.data = data
        self.setWindowTitle(data.title)
        self.resize(900, 640)
        layout = QVBoxLayout(self)
        title = QLabel(f"<b>{data.title}</b>")
        layout.addWidget(title)
        facts = QFormLayout()
        for label, value in data.facts:
            text = QLabel(value)
            text.setWordWrap(True)
            facts.addRow(label, text)
        layout.addLayout(facts)
        self.chart = BarChart()
        self.chart.set_series(data.months, data.totals, notes=data.ranks, title="各月总分与排名")
        layout.addWidget(self.chart, 1)
        count = QLabel(f"本年记录 {len(data.entries)} 条（新的在前）")
        layout.addWidget(count)
        self.view, self.model = table_view("subjectEntries", ENTRY_HEADERS, self, striped=True)
        self.model.set_rows(data.entries)
        layout.addWidget(self.view, 1)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.button(QDialogButtonBox.StandardButton.Close).setText("关闭")
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
