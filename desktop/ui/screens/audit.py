"""审计与备份 (chief and administrator): the tamper-evident audit trail with its 校验, and the
backups with 立即备份 and 恢复 (`desktop.ui.screens.backups`).

The trail is read page by page (`desktop.ui.models.audit`); 校验 walks the whole hash chain
in a worker and compares its newest events with the newest backups, as `jifen audit verify` does.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QPushButton,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from desktop.services import audit, backup, seal_verify
from desktop.services.audit import ChainReport
from desktop.services.seal_verify import RowReport
from desktop.ui.context import AppContext
from desktop.ui.models.audit import AuditModel, action_label
from desktop.ui.screens.backups import BackupsPage
from desktop.ui.workers import Cancelled, Progress, Task, run_with_progress

OK_STYLE = "color:#1b6e20;"
BAD_STYLE = "color:#b3261e; font-weight:bold;"
# How far 校验 pages back to show the first broken event in the table.
SEEK_LIMIT = 20000


@dataclass(frozen=True)
class ChainCheck:
    report: ChainReport
    mismatches: list[str]  # newest events that differ from the newest backups
    has_backups: bool  # whether there was a backup to compare with
    rows: RowReport | None = None  # every row that decides a grade, against its seal


class AuditPage(QWidget):
    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.task: Task | None = None
        self.last_check: ChainCheck | None = None
        self.model = AuditModel(ctx, self)

        self.action_filter = QComboBox(self)
        self.action_filter.setObjectName("auditAction")
        self.action_filter.setMinimumWidth(160)
        self.action_filter.activated.connect(lambda _i: self._reload())
        self.count_label = QLabel(self)
        self.verify_button = QPushButton("校验", self)
        self.verify_button.setObjectName("verifyButton")
        self.verify_button.setToolTip("逐条校验审计记录的哈希链，并与最近的备份比对，报告第一处被改动的记录")
        self.verify_button.clicked.connect(lambda _c=False: self.verify())
        top = QHBoxLayout()
        top.addWidget(QLabel("操作", self))
        top.addWidget(self.action_filter)
        top.addSpacing(12)
        top.addWidget(self.count_label)
        top.addStretch(1)
        top.addWidget(self.verify_button)

        self.result = QLabel("每次写入都追加一条审计记录，记录之间以哈希值前后相连；改动、删除或调换任何一条，"
                             "校验都会发现。", self)
        self.result.setObjectName("verifyResult")
        self.result.setWordWrap(True)

        self.view = QTableView(self)
        self.view.setObjectName("auditTable")
        self.view.setModel(self.model)
        self.view.verticalHeader().hide()
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.view.setAlternatingRowColors(True)
        self.view.setWordWrap(False)
        header = self.view.horizontalHeader()
        header.setStretchLastSection(True)
        for column, width in enumerate((64, 150, 140, 120, 170)):
            header.resizeSection(column, width)
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)

        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.result)
        layout.addWidget(self.view, 1)

    # -- the table -----------------------------------------------------------------------
    def refresh(self) -> None:
        current = self.action_filter.currentData()
        actor = self.ctx.actor
        kinds = self.ctx.read(lambda s: audit.actions(s, actor))
        self.action_filter.clear()
        self.action_filter.addItem("全部操作", None)
        for kind in sorted(kinds, key=action_label):
            self.action_filter.addItem(action_label(kind), kind)
        self.action_filter.setCurrentIndex(max(0, self.action_filter.findData(current)))
        self._reload()

    def _reload(self) -> None:
        self.model.reload(self.action_filter.currentData())
        self.count_label.setText(f"共 {self.model.total:,} 条（最新的在前，向下滚动读取更早的记录）")

    def select_event(self, event_id: int) -> bool:
        """Show an event in the table, reading older pages as far as SEEK_LIMIT rows."""
        while True:
            for row in range(self.model.rowCount()):
                event = self.model.event_at(row)
                if event is not None and event.id == event_id:
                    self.view.selectRow(row)
                    self.view.scrollTo(self.model.index(row, 0), QAbstractItemView.ScrollHint.PositionAtCenter)
                    return True
            if not self.model.canFetchMore() or self.model.rowCount() >= SEEK_LIMIT:
                return False
            self.model.fetchMore()

    # -- 校验 -----------------------------------------------------------------------------
    def verify(self) -> None:
        if self.task is not None:
            return
        self.verify_button.setEnabled(False)
        self.result.setStyleSheet("")
        self.result.setText("正在逐条校验审计记录…")
        self.task = run_with_progress(self, "校验审计记录", self.check_chain, self.show_check, self._failed,
                                      label="正在逐条校验审计记录的哈希链…")

    def check_chain(self, _progress: Progress | None = None) -> ChainCheck:
        """The whole chain, then the newest backups (runs in the worker: reads only)."""
        report = self.ctx.read(audit.verify)
        path = self.ctx.db.path
        if not report.ok or path is None:
            return ChainCheck(report, [], False)
        rows = self.ctx.read(seal_verify.verify_rows)
        return ChainCheck(report, backup.check_against_backups(path), bool(backup.list_backups(path)), rows)

    def show_check(self, result: object) -> None:
        self.task = None
        self.verify_button.setEnabled(True)
        assert isinstance(result, ChainCheck)
        self.last_check = result
        report = result.report
        if not report.ok:
            text = (f"审计记录被改动：从第 {report.broken_at} 条起哈希链断裂——{report.reason}。"
                    f"此前的 {report.checked:,} 条校验通过。请从备份中找出改动前的数据库，并追查改动人。")
            self.result.setStyleSheet(BAD_STYLE)
            self.result.setText(text)
            if report.broken_at is not None and self.action_filter.currentData() is None:
                self.select_event(report.broken_at)
            QMessageBox.warning(self, "审计记录被改动", text)
            return
        rows = result.rows
        if rows is not None and not rows.ok:
            problems = rows.seal_problems + [f.line() for f in rows.findings]
            shown = "；".join(problems[:8]) + (f"……共 {len(problems)} 处" if len(problems) > 8 else "")
            text = ("哈希链逐条相符，但数据行在本程序之外被改动：" + shown if rows.sealed else
                    "数据行尚未封存，无法核对") + "。请从备份中找出改动前的数据库，并追查改动人。"
            self.result.setStyleSheet(BAD_STYLE)
            self.result.setText(text)
            QMessageBox.warning(self, "数据被改动", text)
            return
        if result.mismatches:
            text = ("哈希链逐条相符，但与最近的备份比对不符：" + "；".join(result.mismatches)
                    + "。请从备份中找出改动前的数据库，并追查改动人。")
            self.result.setStyleSheet(BAD_STYLE)
            self.result.setText(text)
            QMessageBox.warning(self, "审计记录被改动", text)
            return
        compared = ("，与最近的备份比对也一致" if result.has_backups else
                    "（数据库在服务器上，本机没有备份可供比对）" if self.ctx.db.is_server else "（还没有备份可供比对）")
        self.result.setStyleSheet(OK_STYLE)
        checked = f"，{rows.rows_checked:,} 行数据与封存一致" if rows is not None else ""
        self.result.setText(f"校验通过：共 {report.checked:,} 条审计记录，哈希链逐条相符{checked}{compared}。")

    def _failed(self, exc: BaseException) -> None:
        self.task = None
        self.verify_button.setEnabled(True)
        self.result.setStyleSheet("")
        if isinstance(exc, Cancelled):
            self.result.setText("校验已取消")
            return
        self.result.setText(f"校验未完成：{exc}")
        self.ctx.show_error(self, f"校验未完成：{exc}")


class AuditScreen(QWidget):
    """审计记录 for whoever may read the trail, 备份与恢复 for whoever may back up."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.tabs = QTabWidget(self)
        self.audit = AuditPage(ctx) if ctx.can("audit.read") else None
        self.backups = BackupsPage(ctx) if ctx.can("backup") else None
        if self.audit is not None:
            self.tabs.addTab(self.audit, "审计记录")
        if self.backups is not None:
            self.tabs.addTab(self.backups, "备份与恢复")
        layout = QVBoxLayout(self)
        layout.addWidget(self.tabs)
        self.tabs.currentChanged.connect(lambda _i: self.refresh())

    def show_backups(self) -> None:
        if self.backups is not None:
            self.tabs.setCurrentWidget(self.backups)

    def refresh(self) -> None:
        page = self.tabs.currentWidget()
        refresh = getattr(page, "refresh", None)
        if refresh is not None:
            refresh()
