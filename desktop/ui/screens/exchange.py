"""数据交换: export a period's workbook (for the county bureau, or another PC), import bureau
workbooks through the wizard (dry run, preview, all or nothing), and the county merge tool.
Every long step runs in a worker with a progress dialog and 取消."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from PySide6.QtWidgets import (
    QFileDialog,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desktop.services import queries
from desktop.services.exchange import export, merge
from desktop.services.exchange.report import Cancelled as ExchangeCancelled
from desktop.services.periods import parse_period
from desktop.ui.context import AppContext
from desktop.ui.dialogs.import_wizard import ImportWizard, exchange_callbacks
from desktop.ui.dialogs.printing import ask_save_path, show_failure
from desktop.ui.screens.period_bar import PeriodScope
from desktop.ui.workers import Cancelled, Progress, Task, run_with_progress

XLSX = "Excel 工作簿 (*.xlsx)"


class ExchangeScreen(QWidget):
    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.task: Task | None = None
        self.wizard: ImportWizard | None = None
        layout = QVBoxLayout(self)
        ctx.period_changed.connect(lambda _code: self.refresh())

        box = QGroupBox("导出工作簿")
        inner = QVBoxLayout(box)
        inner.addWidget(self._note("把一个考核周期的人员、细则、积分明细、汇总、奖励和签核导出为 .xlsx："
                                   "交县局汇总，或在另一台电脑上导入。重复导入不会重复计分。"))
        row = QHBoxLayout()
        self.period_label = QLabel()
        self.period_label.setObjectName("exportPeriod")
        row.addWidget(self.period_label)
        row.addWidget(PeriodScope(ctx))
        row.addSpacing(12)
        self.export_button = self._button(row, "exportButton", "导出…", self.export)
        row.addStretch(1)
        inner.addLayout(row)
        layout.addWidget(box)

        box = QGroupBox("导入工作簿")
        inner = QVBoxLayout(box)
        inner.addWidget(self._note("县局下发的人员名册、考核细则、上级加减分通报，或另一台电脑导出的工作簿。"
                                   "先试导入检查，列出每个有问题的单元格；有问题时不写入任何数据。"))
        row = QHBoxLayout()
        self.import_button = self._button(row, "importButton", "导入…", self.open_wizard)
        self.import_button.setEnabled(ctx.can("import"))
        row.addStretch(1)
        inner.addLayout(row)
        layout.addWidget(box)

        box = QGroupBox("县局工具：合并各单位导出的工作簿")
        inner = QVBoxLayout(box)
        inner.addWidget(self._note("选择同一考核周期的多个单位导出工作簿，生成县局汇总表"
                                   "（按考核序列跨单位排名、等次分布、单位合计）。"))
        row = QHBoxLayout()
        self.merge_button = self._button(row, "mergeButton", "选择工作簿并合并…", self.merge)
        row.addStretch(1)
        inner.addLayout(row)
        layout.addWidget(box)

        layout.addWidget(QLabel("操作记录"))
        self.log = QPlainTextEdit()
        self.log.setObjectName("exchangeLog")
        self.log.setReadOnly(True)
        self.log.setPlaceholderText("导出、导入和合并的结果记在这里（本次运行期间）")
        layout.addWidget(self.log, 1)

    def _note(self, text: str) -> QLabel:
        label = QLabel(text)
        label.setWordWrap(True)
        label.setStyleSheet("color:#555;")
        return label

    def _button(self, row: QHBoxLayout, name: str, text: str, slot: Any) -> QPushButton:
        button = QPushButton(text)
        button.setObjectName(name)
        button.clicked.connect(lambda _c=False: slot())
        row.addWidget(button)
        return button

    def refresh(self) -> None:
        code = self.ctx.period_code
        state = self.ctx.read(lambda s: queries.period_state(s, code))
        self.period_label.setText(f"考核周期：<b>{parse_period(code).label}</b>（{state.label}）  ")

    def note(self, text: str) -> None:
        self.log.appendPlainText(f"[{dt.datetime.now():%H:%M:%S}] {text}")

    def _failed(self, what: str) -> Any:
        def failed(exc: BaseException) -> None:
            self.task = None
            if isinstance(exc, Cancelled | ExchangeCancelled):
                self.note(f"{what}已取消，没有写入任何数据")
            else:
                self.note(f"{what}未完成：{exc}")
                show_failure(self.ctx, self, exc, what)
        return failed

    # -- actions -------------------------------------------------------------------------------
    def export(self) -> None:
        code = self.ctx.period_code
        path = ask_save_path(self, f"积分考核-{code}.xlsx", title="导出工作簿", filters=XLSX, suffix=".xlsx")
        if path is None:
            return
        db = self.ctx.db

        def job(progress: Progress) -> export.ExportResult:
            report, cancel = exchange_callbacks(progress)
            with db.session() as session:
                return export.export_period(session, code, path, progress=report, cancel=cancel)

        def done(result: object) -> None:
            self.task = None
            assert isinstance(result, export.ExportResult)
            counts = "，".join(f"{name} {n} 行" for name, n in result.counts.items())
            self.note(f"已导出 {result.period} 到 {result.path}（{counts}）")
            self.ctx.show_info(self, f"已导出：{result.path}", "导出工作簿")

        self.task = run_with_progress(self, "导出工作簿", job, done, self._failed("导出"), label="正在导出…")

    def open_wizard(self) -> None:
        self.wizard = ImportWizard(self.ctx, self)
        self.wizard.finished_import.connect(lambda report: self.note(report.text(limit=50)))
        self.wizard.exec()

    def merge(self) -> None:
        files, _ = QFileDialog.getOpenFileNames(self, "选择各单位导出的工作簿", "", XLSX)
        if not files:
            return
        out = ask_save_path(self, "县局汇总.xlsx", title="保存汇总工作簿", filters=XLSX, suffix=".xlsx")
        if out is None:
            return
        paths = [Path(f) for f in files]

        def job(progress: Progress) -> merge.MergeResult:
            report, cancel = exchange_callbacks(progress)
            return merge.merge_county(paths, out, progress=report, cancel=cancel)

        def done(result: object) -> None:
            self.task = None
            assert isinstance(result, merge.MergeResult)
            self.note(f"已合并 {len(result.stations)} 个单位（{result.people} 人）到 {result.path}")
            for warning in result.warnings:
                self.note(f"注意：{warning}")
            self.ctx.show_info(self, f"已生成：{result.path}", "合并完成")

        self.task = run_with_progress(self, "合并工作簿", job, done, self._failed("合并"), label="正在合并…")
