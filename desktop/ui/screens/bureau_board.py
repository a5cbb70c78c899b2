"""全局公示栏: every station on the bureau's server ranked together for a period (issue #19).

For the bureau's offices (政工室, 考核办, 纪检督察, admin) in a window on the bureau's own schema.
The board reads each station's schema, a second or more on a county's server, so it is read in
a worker while the screen says so; the table can be narrowed to one station and one 考核序列,
and what is shown is exported to Excel (in a worker too). The ranking rule is printed below the
table, as on the paper board, because a rank without its rule invites complaints.
"""

from __future__ import annotations

import traceback
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QProgressBar, QPushButton, QVBoxLayout, QWidget

from desktop.services.bureau_board import BOARD_RULE
from desktop.services.errors import JifenError
from desktop.ui.context import AppContext
from desktop.ui.dialogs.printing import ask_save_path, show_failure
from desktop.ui.screens import bureau_board_data as data
from desktop.ui.screens.lazy import RefreshWhenShown
from desktop.ui.screens.period_bar import PeriodScope
from desktop.ui.screens.rows_model import KEY_ROLE, table_view
from desktop.ui.workers import Progress, Task, load_later, run_with_progress

XLSX = "Excel 工作簿 (*.xlsx)"
LOADING = "正在汇总各单位的成绩…"


class BureauBoardScreen(RefreshWhenShown, QWidget):
    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.loaded: data.Loaded | None = None
        self.shown: list[dict[str, Any]] = []  # the filtered rows, keyed by position in the table
        self.loading = False
        self.task: Task | None = None
        self._loads = 0  # a load finishing after a newer one started is dropped
        layout = QVBoxLayout(self)

        bar = QHBoxLayout()
        bar.addWidget(PeriodScope(ctx))
        bar.addSpacing(12)
        bar.addWidget(QLabel("单位"))
        self.station = self._combo("bureauStationCombo", 200)
        bar.addWidget(self.station)
        bar.addWidget(QLabel("考核序列"))
        self.sequence = self._combo("bureauSequenceCombo", 120)
        bar.addWidget(self.sequence)
        bar.addStretch(1)
        self.busy = QProgressBar()
        self.busy.setObjectName("bureauBusy")
        self.busy.setRange(0, 0)  # the board has no steps to count: a moving bar while it is read
        self.busy.setMaximumWidth(120)
        self.busy.setTextVisible(False)
        self.busy.hide()
        bar.addWidget(self.busy)
        self.export_button = QPushButton("导出 Excel…")
        self.export_button.setObjectName("bureauExportButton")
        self.export_button.setToolTip("把表中当前显示的人员（按当前的筛选和排序）导出为 .xlsx")
        self.export_button.clicked.connect(lambda _c=False: self.export())
        bar.addWidget(self.export_button)
        layout.addLayout(bar)

        self.summary = QLabel()
        self.summary.setObjectName("bureauSummary")
        self.summary.setWordWrap(True)
        self.summary.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.summary)
        self.table, self.model = table_view("bureauBoardTable", data.HEADERS, self, striped=True)
        layout.addWidget(self.table, 1)
        self.rule = QLabel("排名规则：" + BOARD_RULE)
        self.rule.setObjectName("bureauRule")
        self.rule.setWordWrap(True)
        self.rule.setStyleSheet("color:#555;")
        layout.addWidget(self.rule)
        self._set_choices([], [])
        ctx.period_changed.connect(lambda _code: self._refresh_if_shown())

    def _combo(self, name: str, width: int) -> QComboBox:
        combo = QComboBox()
        combo.setObjectName(name)
        combo.setMinimumWidth(width)
        combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        combo.activated.connect(lambda _i: self.apply_filter())
        return combo

    # -- loading -------------------------------------------------------------------------------
    def refresh(self) -> None:
        self._stale = False
        self._loads += 1
        load, ctx, code = self._loads, self.ctx, self.ctx.period_code
        self._set_busy(True)
        load_later(self, lambda: data.load(ctx.db, ctx.actor, code),
                   lambda result: self._loaded(load, result), lambda exc: self._failed(load, exc))

    def _set_busy(self, busy: bool) -> None:
        self.loading = busy
        self.busy.setVisible(busy)
        self.export_button.setEnabled(not busy and bool(self.shown))
        if busy:
            self.summary.setStyleSheet("")
            self.summary.setText(LOADING)

    def _loaded(self, load: int, result: data.Loaded) -> None:
        if load != self._loads:
            return
        self.loaded = result
        self._set_choices([(s.code, s.label) for s in result.stations], data.sequences(result.rows))
        self._set_busy(False)
        self.apply_filter()

    def _failed(self, load: int, exc: BaseException) -> None:
        if load != self._loads:
            return
        if not isinstance(exc, JifenError):  # a refusal is said in Chinese; anything else is a fault
            traceback.print_exception(exc)
        self.loaded, self.shown = None, []
        self.model.set_rows([])
        self._set_busy(False)
        message = str(exc) if isinstance(exc, JifenError) else f"读取全局公示栏时出错：{exc}"
        self.ctx.last_error = message
        self.summary.setStyleSheet("color:#b71c1c;")
        self.summary.setText(message)

    def _set_choices(self, stations: list[tuple[str, str]], sequences: list[str]) -> None:
        """Refill both filters, keeping what was chosen when the new board still has it."""
        for combo, everything, items in ((self.station, "全部单位", stations),
                                         (self.sequence, "全部序列", [(s, s) for s in sequences])):
            keep = combo.currentData()
            combo.clear()
            combo.addItem(everything, data.ALL)
            for value, text in items:
                combo.addItem(text, value)
            combo.setCurrentIndex(max(0, combo.findData(keep)))

    # -- filtering -----------------------------------------------------------------------------
    def choose(self, station: str = data.ALL, sequence: str = data.ALL) -> None:
        """Set both filters (a station's code, a sequence's name; ALL for every one)."""
        self.station.setCurrentIndex(max(0, self.station.findData(station)))
        self.sequence.setCurrentIndex(max(0, self.sequence.findData(sequence)))
        self.apply_filter()

    def apply_filter(self) -> None:
        if self.loaded is None:
            return
        self.shown = data.filtered(self.loaded.rows, self.station.currentData() or data.ALL,
                                   self.sequence.currentData() or data.ALL)
        self.model.set_rows([data.cells(r) for r in self.shown])
        self.summary.setStyleSheet("")
        self.summary.setText(data.summary(self.loaded, len(self.shown)))
        self.export_button.setEnabled(bool(self.shown) and not self.loading)

    def filters_text(self) -> str:
        return f"{self.station.currentText()}，{self.sequence.currentText()}"

    def rows_in_view(self) -> list[dict[str, Any]]:
        """The shown rows in the table's order (a header the user clicked sorts the export too)."""
        proxy = self.table.model()
        return [self.shown[proxy.index(r, 0).data(KEY_ROLE)] for r in range(proxy.rowCount())]

    # -- export --------------------------------------------------------------------------------
    def export(self) -> None:
        loaded = self.loaded
        if loaded is None or not self.shown or self.task is not None:
            return
        path = ask_save_path(self, f"全局公示栏-{loaded.period}.xlsx", title="导出 Excel", filters=XLSX,
                             suffix=".xlsx")
        if path is None:
            return
        rows, filters = self.rows_in_view(), self.filters_text()

        def job(progress: Progress) -> Path:
            progress(0, 0)
            return data.write(path, loaded, rows, filters)

        def done(result: object) -> None:
            self.task = None
            self.ctx.show_info(self, f"已导出 {len(rows)} 人：{result}", "导出 Excel")

        def failed(exc: BaseException) -> None:
            self.task = None
            show_failure(self.ctx, self, exc, "导出 Excel")

        self.task = run_with_progress(self, "导出 Excel", job, done, failed, label="正在导出…")
