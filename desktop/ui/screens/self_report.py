"""自报: an officer reports his own work; his reviewer approves, adjusts or sends it back.

The daily form ticks the day's base items (到岗, 值班, 夜查 …) with the keyboard and submits
them at once (Ctrl+S); the 政绩档案 part reports one item of the month's work with its
evidence; 我的自报 lists the month's reports with each decision and its reason. Nothing
reported counts until the reviewer approves it (the service writes the entry then).
"""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut, QShowEvent
from PySide6.QtWidgets import (
    QApplication,
    QDoubleSpinBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QSpinBox,
    QSplitter,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy.orm import Session

from desktop.services import self_report
from desktop.services.actor import Actor
from desktop.services.ledger import MAX_QUANTITY, Evidence
from desktop.services.periods import parse_period
from desktop.services.self_report import ReportInput
from desktop.ui.context import AppContext
from desktop.ui.screens.lazy import RefreshWhenShown
from desktop.ui.screens.rows_model import KEY_ROLE, Cell, num, table_view
from desktop.ui.screens.self_report_data import (
    STATUS_COLORS,
    Item,
    MyReport,
    daily_lines,
    items,
    my_reports,
    who,
)
from desktop.ui.screens.self_report_form import DailyFormModel, DailyTable
from desktop.ui.widgets.date_edit import DateEdit
from desktop.ui.widgets.entry_list import pydate, qdate
from desktop.ui.widgets.evidence import EvidencePicker
from desktop.ui.widgets.pickers import Choice, ItemPicker

HELP = ("↑↓ 选择项目，空格勾选/取消，数字键填数量，在“说明”列直接输入备注，Ctrl+S 提交。"
        "自报经审核人通过后才计分。")
MINE_HEADERS = ["日期", "项目", "数量", "分值", "状态", "审核意见", "审核人", "说明"]
# Topics after which what this screen shows may have changed (a decision writes an entry).
TOPICS = ("reports", "entries", "catalogue", "people", "period")


class SelfReportScreen(RefreshWhenShown, QWidget):
    submitted = Signal(int)  # how many reports a submit stored (tests wait on it)

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.person_id = ctx.actor.person_id
        self.monthly_items: dict[str, Item] = {}
        self.reports: list[MyReport] = []
        self.who_label = QLabel(self)
        self.who_label.setObjectName("reviewerLabel")
        self.who_label.setTextFormat(Qt.TextFormat.RichText)
        self.state = QLabel(self)
        self.state.setObjectName("selfReportState")
        top = QHBoxLayout()
        top.addWidget(self.who_label)
        top.addStretch(1)
        top.addWidget(self.state)

        forms = QWidget(self)
        row = QHBoxLayout(forms)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self._daily_box(), 3)
        row.addWidget(self._monthly_box(), 2)
        split = QSplitter(Qt.Orientation.Vertical, self)
        split.setChildrenCollapsible(False)
        split.addWidget(forms)
        split.addWidget(self._mine_box())
        split.setStretchFactor(0, 0)
        split.setStretchFactor(1, 1)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(split, 1)

        self._day = self.day()
        submit = QShortcut(QKeySequence("Ctrl+S"), self)
        submit.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        submit.activated.connect(self._ctrl_s)
        ctx.data_changed.connect(self._on_data)
        ctx.period_changed.connect(self._on_period)

    # -- building --------------------------------------------------------------------------
    def _daily_box(self) -> QGroupBox:
        box = QGroupBox("每日自报", self)
        self.date = DateEdit(qdate(dt.date.today()), box)
        self.date.setObjectName("dailyDate")
        self.date.setCalendarPopup(True)
        self.date.setDisplayFormat("yyyy-MM-dd dddd")
        self.date.setMaximumDate(qdate(dt.date.today()))  # the future cannot be reported
        self.prev_button = QPushButton("◀ 前一天", box)
        self.next_button = QPushButton("后一天 ▶", box)
        self.form = DailyFormModel(self)
        self.table = DailyTable(self.form, box)
        self.table.setObjectName("dailyTable")
        self.submit_button = QPushButton("提交（Ctrl+S）", box)
        self.submit_button.setObjectName("dailySubmit")
        help_label = QLabel(HELP, box)
        help_label.setWordWrap(True)
        help_label.setStyleSheet("color: #555")
        bar = QHBoxLayout()
        bar.addWidget(QLabel("日期"))
        bar.addWidget(self.date)
        bar.addWidget(self.prev_button)
        bar.addWidget(self.next_button)
        bar.addStretch(1)
        bar.addWidget(self.submit_button)
        layout = QVBoxLayout(box)
        layout.addLayout(bar)
        layout.addWidget(self.table, 1)
        layout.addWidget(help_label)
        self.date.dateChanged.connect(self._date_changed)
        self.prev_button.clicked.connect(lambda: self.date.setDate(self.date.date().addDays(-1)))
        self.next_button.clicked.connect(lambda: self.date.setDate(self.date.date().addDays(1)))
        self.submit_button.clicked.connect(self.submit_daily)
        self.form.dataChanged.connect(self._update_state)
        self.form.modelReset.connect(self._update_state)
        return box

    def _monthly_box(self) -> QGroupBox:
        self.monthly_box = box = QGroupBox("政绩档案（办案、服务群众等）", self)
        self.item = ItemPicker(box)
        self.item.search.list.setMinimumWidth(200)
        self.m_date = DateEdit(qdate(dt.date.today()), box)
        self.m_date.setObjectName("monthlyDate")
        self.m_date.setCalendarPopup(True)
        self.m_date.setDisplayFormat("yyyy-MM-dd")
        self.m_date.setMaximumDate(qdate(dt.date.today()))
        self.quantity = QSpinBox(box)
        self.quantity.setObjectName("monthlyQuantity")
        self.quantity.setRange(1, MAX_QUANTITY)
        self.points = QDoubleSpinBox(box)
        self.points.setObjectName("monthlyPoints")
        self.points.setDecimals(1)
        self.points.setSingleStep(0.5)
        self.points.setEnabled(False)
        self.points.setToolTip("区间赋分项目按实际情况在区间内自报分值，其他项目分值按考核细则固定")
        self.note = QLineEdit(box)
        self.note.setObjectName("monthlyNote")
        self.note.setPlaceholderText("简要说明，如案件编号、群众姓名")
        self.note.setMaxLength(1000)
        self.evidence = EvidencePicker(box)
        self.evidence_hint = QLabel(box)
        self.evidence_hint.setStyleSheet("color: #b00020")
        self.m_submit = QPushButton("提交", box)
        self.m_submit.setObjectName("monthlySubmit")
        numbers = QHBoxLayout()
        numbers.addWidget(self.m_date)
        numbers.addWidget(QLabel("数量"))
        numbers.addWidget(self.quantity)
        numbers.addWidget(QLabel("分值"))
        numbers.addWidget(self.points)
        numbers.addStretch(1)
        form = QFormLayout(box)
        form.addRow("项目", self.item)
        form.addRow("日期", numbers)
        form.addRow("说明", self.note)
        form.addRow("证明材料", self.evidence)
        buttons = QHBoxLayout()
        buttons.addWidget(self.evidence_hint, 1)
        buttons.addWidget(self.m_submit)
        form.addRow(buttons)
        self.item.chosen.connect(self._item_chosen)
        self.m_submit.clicked.connect(self.submit_monthly)
        return box

    def _mine_box(self) -> QGroupBox:
        self.mine_box = box = QGroupBox("我的自报", self)
        self.mine, self.mine_model = table_view("myReports", MINE_HEADERS, box, single_selection=True, striped=True)
        self.withdraw_button = QPushButton("撤回", box)
        self.withdraw_button.setObjectName("withdrawButton")
        self.withdraw_button.setToolTip("撤回一条还在等待审核的自报（撤回后可以重新自报）")
        self.withdraw_button.setEnabled(False)
        self.mine_count = QLabel(box)
        bar = QHBoxLayout()
        bar.addWidget(self.mine_count, 1)
        bar.addWidget(self.withdraw_button)
        layout = QVBoxLayout(box)
        layout.addWidget(self.mine, 1)
        layout.addLayout(bar)
        self.mine.selectionModel().selectionChanged.connect(self._mine_selected)
        self.withdraw_button.clicked.connect(self.withdraw)
        return box

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self.table.setFocus()  # arrows, Space and digits work at once

    def day(self) -> dt.date:
        return pydate(self.date.date())

    def set_day(self, day: dt.date) -> None:
        self.date.setDate(qdate(day))

    # -- loading ---------------------------------------------------------------------------
    def refresh(self) -> None:
        self._stale = False
        if self.person_id is None:
            self.who_label.setText("本账号没有对应的在册人员，不能自报；请管理员在用户设置中关联本人。")
            return
        pid = self.person_id
        me, reviewer = self.ctx.read(lambda s: who(s, pid))
        self.who_label.setText(f"本人：{me}　　审核人：<b>{reviewer}</b>")
        if not self.form.dirty():  # never throw away ticks not yet submitted
            self.load_day()
        self.load_monthly_items()
        self.load_mine()

    def load_day(self) -> None:
        day, pid = self.day(), self.person_id
        self._day = day
        if pid is None:
            return
        self.form.load(self.ctx.read(lambda s: daily_lines(s, pid, day)))
        first = next((i for i, r in enumerate(self.form.rows) if r.line.open), 0)
        self.table.start_on(first)

    def load_monthly_items(self) -> None:
        day = pydate(self.m_date.date())
        found = self.ctx.read(lambda s: items(s, day, "monthly"))
        self.monthly_items = {i.code: i for i in found}
        self.item.set_items([Choice.of(i.code, i.label, i.code, i.name, exact=i.code) for i in found])

    def load_mine(self) -> None:
        if self.person_id is None:
            return
        spec, pid = parse_period(self.ctx.period_code), self.person_id
        self.reports = self.ctx.read(lambda s: my_reports(s, pid, spec.start, spec.end))
        self.mine_box.setTitle(f"我的自报（{spec.label}）")
        self.mine_model.set_rows([_mine_cells(r) for r in self.reports], [r.id for r in self.reports])
        pending = sum(r.pending for r in self.reports)
        self.mine_count.setText(f"共 {len(self.reports)} 条，待审核 {pending} 条")
        self._mine_selected()

    def _on_data(self, topic: str) -> None:
        if topic in TOPICS:
            self._refresh_if_shown()

    def _on_period(self, _code: str) -> None:
        self._refresh_if_shown()

    def _date_changed(self) -> None:
        if self.day() == self._day:
            return
        if self.form.dirty():
            answer = QMessageBox.question(self, "自报", f"{self._day.isoformat()} 勾选的项目还没有提交，放弃吗？")
            if answer != QMessageBox.StandardButton.Yes:
                self.date.blockSignals(True)
                self.date.setDate(qdate(self._day))
                self.date.blockSignals(False)
                return
        self.load_day()

    def _update_state(self) -> None:
        ticked = self.form.checked_rows()
        self.state.setText(f"已勾选 {len(ticked)} 项，未提交" if ticked else "")

    def _item_chosen(self, code: str | None) -> None:
        info = self.monthly_items.get(code) if code else None
        ranged = info is not None and info.is_range
        self.points.setEnabled(ranged)
        if info is not None and info.is_range:
            low, high = (info.min_tenths or 0) / 10, (info.max_tenths or 0) / 10
            self.points.setRange(low, high)
            self.points.setValue(low)
        else:
            self.points.setRange(0, 0)
        needed = info is not None and info.evidence_required
        self.evidence_hint.setText("本项目须附证明材料" if needed else "")
        if info is not None:
            self.quantity.setFocus()
            self.quantity.selectAll()

    def _mine_selected(self, *_args: object) -> None:
        report = self.selected_report()
        self.withdraw_button.setEnabled(report is not None and report.pending)

    def selected_report(self) -> MyReport | None:
        rows = self.mine.selectionModel().selectedRows()
        if not rows:
            return None
        report_id = rows[0].data(KEY_ROLE)
        return next((r for r in self.reports if r.id == report_id), None)

    # -- actions ---------------------------------------------------------------------------
    def _ctrl_s(self) -> None:
        focus = QApplication.focusWidget()
        if focus is not None and self.monthly_box.isAncestorOf(focus):
            self.submit_monthly()
        else:
            self.submit_daily()

    def submit_daily(self) -> None:
        if self.table.state() == DailyTable.State.EditingState:  # a note or count still in its editor
            self.table.setFocus()  # commits the editor
        day, inputs = self.day(), self.form.inputs(self.day())
        stored = self.ctx.write(self, lambda s, a: len(self_report.submit(s, a, inputs)), topic="reports",
                                title="未提交")
        if stored:
            self.load_day()
            self.state.setText(f"已提交 {day.isoformat()} 的 {stored} 项，等待审核")
            self.submitted.emit(stored)

    def submit_monthly(self) -> None:
        code = self.item.code()
        if code is None:
            self.ctx.show_error(self, "请先选择要自报的项目（输入编号、名称或拼音首字母后回车）", "未提交")
            return
        info = self.monthly_items[code]
        points = round(self.points.value() * 10) if info.is_range else None
        day, quantity, note, paths = pydate(self.m_date.date()), self.quantity.value(), self.note.text(), \
            self.evidence.paths()

        def write(session: Session, actor: Actor) -> int:
            evidence = [Evidence.from_path(p) for p in paths]  # a missing file is refused like any other error
            data = ReportInput(code, day, quantity=quantity, points_tenths=points, note=note, evidence=evidence)
            return len(self_report.submit(session, actor, [data]))

        stored = self.ctx.write(self, write, topic="reports", title="未提交")
        if stored:
            self.item.clear()
            self.quantity.setValue(1)
            self.note.clear()
            self.evidence.clear()
            self.state.setText(f"已提交“{info.name}”，等待审核")
            self.submitted.emit(stored)

    def withdraw(self) -> None:
        report = self.selected_report()
        if report is None or not report.pending:
            return
        answer = QMessageBox.question(self, "撤回自报", f"撤回 {report.day.isoformat()} 的“{report.item}”吗？")
        if answer == QMessageBox.StandardButton.Yes:
            self.ctx.write(self, lambda s, a: self_report.withdraw(s, a, report.id).id, topic="reports")


def _mine_cells(r: MyReport) -> list[Cell]:
    color = STATUS_COLORS.get(r.status)
    note = r.note + (f"（附件：{'、'.join(r.evidence)}）" if r.evidence else "")
    return [
        Cell(r.day.isoformat(), r.day.toordinal()),
        Cell(r.item, tip=r.item),
        num(str(r.quantity), r.quantity),
        num(r.points, float(r.points) if r.points else None),
        Cell(r.status_label, fg=color, bold=r.status == "pending"),
        Cell(r.reason, tip=r.reason),
        Cell(r.decided_by),
        Cell(note, tip=note),
    ]

