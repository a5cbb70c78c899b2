"""审核: the reviewer's queue of his people's self-reports (通过, 调整, 退回), their month
(confirmation, points, the reviewer's level and remark) and their alerts.

Only the reviewer's own people are listed (`self_report.pending_for`, `reviewers`); the
services check again on every write, so a button is a courtesy, not the protection. The
people tab scores the period in a worker thread (a county's roster takes a moment).
"""

from __future__ import annotations

import datetime as dt
import tempfile
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSplitter,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy.orm import Session

from desktop.models.periods import Period
from desktop.services import periods, ratings, review, self_report
from desktop.services.actor import Actor
from desktop.services.text import local_text
from desktop.ui.context import AppContext
from desktop.ui.dialogs.adjust_report import AdjustDialog
from desktop.ui.dialogs.printing import open_file, show_failure
from desktop.ui.dialogs.reason import ask_reason
from desktop.ui.screens.lazy import RefreshWhenShown
from desktop.ui.screens.review_queue_data import (
    PeopleData,
    QueueReport,
    evidence_file,
    my_people,
    people,
    people_alerts,
    queue,
)
from desktop.ui.screens.review_queue_people import PeopleTab
from desktop.ui.screens.rows_model import KEY_ROLE, Cell, num, table_view
from desktop.ui.workers import Progress, Task, run_with_progress

QUEUE_HEADERS = ["警号", "姓名", "日期", "项目", "数量", "自报分", "附件", "说明"]
TOPICS = ("reports", "entries", "people", "period", "catalogue", "station")


class ReviewQueueScreen(RefreshWhenShown, QWidget):
    people_loaded = Signal()  # the people tab's worker finished (tests wait on it)

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.reports: list[QueueReport] = []
        self._task: Task | None = None
        self._people_stale = True
        self._again = False
        self.header = QLabel(self)
        self.header.setObjectName("queueHeader")
        self.status = QLabel(self)
        self.status.setObjectName("queueStatus")
        top = QHBoxLayout()
        top.addWidget(self.header, 1)
        top.addWidget(self.status)
        self.tabs = QTabWidget(self)
        self.tabs.addTab(self._queue_tab(), "待审核自报")
        self.people_tab = PeopleTab(self)
        self.tabs.addTab(self.people_tab, "本月人员")
        self.tabs.currentChanged.connect(self._tab_changed)
        self.people_tab.level.activated.connect(self._level_chosen)
        self.people_tab.remark_button.clicked.connect(self.remark)
        self.people_tab.excuse_button.clicked.connect(self.excuse)
        alerts_box = QGroupBox("预警", self)
        self.alerts_box = alerts_box
        self.alerts = QListWidget(alerts_box)
        self.alerts.setObjectName("alertList")
        self.alerts.setFixedHeight(self.alerts.fontMetrics().height() * 3 + 16)
        QVBoxLayout(alerts_box).addWidget(self.alerts)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.tabs, 1)
        layout.addWidget(alerts_box)
        ctx.data_changed.connect(self._on_data)
        ctx.period_changed.connect(lambda _code: self._refresh_if_shown())

    def _queue_tab(self) -> QWidget:
        page = QWidget(self)
        self.approve_button = QPushButton("通过(&A)", page)
        self.approve_button.setObjectName("approveButton")
        self.approve_button.setToolTip("所选自报属实，通过后按考核细则计分（可多选）")
        self.adjust_button = QPushButton("调整(&J)…", page)
        self.adjust_button.setObjectName("adjustButton")
        self.adjust_button.setToolTip("改动数量或分值后通过，须写明理由")
        self.reject_button = QPushButton("退回(&R)…", page)
        self.reject_button.setObjectName("rejectButton")
        self.reject_button.setToolTip("不予计分并退回民警，须写明理由")
        self.queue_count = QLabel(page)
        bar = QHBoxLayout()
        for button in (self.approve_button, self.adjust_button, self.reject_button):
            bar.addWidget(button)
        bar.addStretch(1)
        bar.addWidget(self.queue_count)
        self.table, self.model = table_view("queueTable", QUEUE_HEADERS, page, striped=True)
        detail = QGroupBox("自报详情", page)
        self.detail = QLabel("选择一条自报查看详情", detail)
        self.detail.setObjectName("queueDetail")
        self.detail.setWordWrap(True)
        self.detail.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.files = QListWidget(detail)
        self.files.setObjectName("evidenceList")
        self.files.setToolTip("双击打开证明材料")
        self.open_button = QPushButton("打开证明材料", detail)
        inner = QVBoxLayout(detail)
        inner.addWidget(self.detail)
        inner.addWidget(QLabel("证明材料", detail))
        inner.addWidget(self.files, 1)
        inner.addWidget(self.open_button)
        split = QSplitter(Qt.Orientation.Horizontal, page)
        split.setChildrenCollapsible(False)
        split.addWidget(self.table)
        split.addWidget(detail)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 1)
        split.setSizes([800, 280])
        layout = QVBoxLayout(page)
        layout.addLayout(bar)
        layout.addWidget(split, 1)
        self.table.selectionModel().selectionChanged.connect(self._selection_changed)
        self.approve_button.clicked.connect(self.approve)
        self.adjust_button.clicked.connect(self.adjust)
        self.reject_button.clicked.connect(self.reject)
        self.files.itemDoubleClicked.connect(lambda _item: self.open_evidence())
        self.open_button.clicked.connect(self.open_evidence)
        return page

    # -- loading -------------------------------------------------------------------------------
    def refresh(self) -> None:
        self._stale = False
        actor, today = self.ctx.actor, dt.date.today()
        mine = self.ctx.read(lambda s: [p.name for p in my_people(s, actor, today)])
        self.header.setText(f"审核人：{actor.display_name}　　本人审核 {len(mine)} 人"
                            + (f"：{'、'.join(mine[:8])}{' 等' if len(mine) > 8 else ''}" if mine else ""))
        self.load_queue()
        found = self.ctx.read(lambda s: people_alerts(s, actor, today))
        self.alerts.clear()
        for a in found:
            self.alerts.addItem(QListWidgetItem(f"{a.name}（{a.badge}）：{a.text}"))
        if not found:
            self.alerts.addItem("本人审核的人员暂无预警")
        self.alerts_box.setTitle(f"预警（{len(found)}）")
        self._people_stale = True
        if self.tabs.currentWidget() is self.people_tab:
            self.load_people()

    def load_queue(self) -> None:
        keep = self.table.currentIndex().row()
        self.reports = self.ctx.read(lambda s: queue(s, self.ctx.actor))
        self.model.set_rows([_queue_cells(r) for r in self.reports], [r.id for r in self.reports])
        self.tabs.setTabText(0, f"待审核自报（{len(self.reports)}）")
        self.queue_count.setText(f"待审核 {len(self.reports)} 条" if self.reports else "没有待审核的自报")
        if self.reports:  # the next one is ready for the reviewer's next decision
            self.table.selectRow(min(max(keep, 0), len(self.reports) - 1))
        self._selection_changed()

    def load_people(self) -> None:
        """Score the period in a worker; a request while one runs is served when it ends."""
        if self._task is not None:
            self._again = True
            return
        self._people_stale = False
        code, actor, db = self.ctx.period_code, self.ctx.actor, self.ctx.db

        def job(_progress: Progress) -> PeopleData:
            with db.session() as session:
                return people(session, actor, code)

        def done(result: object) -> None:
            self._forget_task()
            assert isinstance(result, PeopleData)
            self.people_tab.show_data(result)
            self._after_people()

        def failed(exc: BaseException) -> None:
            self._forget_task()
            show_failure(self.ctx, self, exc, "计算本期积分")
            self._after_people()

        self._task = run_with_progress(self, "审核", job, done, failed, label="正在计算本期积分…")

    def _forget_task(self) -> None:
        """The finished task and its (hidden) progress dialog go: one is made per load."""
        if self._task is not None:
            self._task.dialog.deleteLater()
            self._task.deleteLater()
        self._task = None

    def _after_people(self) -> None:
        if self._again:
            self._again = False
            self.load_people()
        else:
            self.people_loaded.emit()

    def _tab_changed(self, _index: int) -> None:
        if self.tabs.currentWidget() is self.people_tab and self._people_stale:
            self.load_people()

    def _on_data(self, topic: str) -> None:
        if topic in TOPICS:
            self._refresh_if_shown()

    # -- the queue -----------------------------------------------------------------------------
    def selected(self) -> list[QueueReport]:
        ids = [int(i.data(KEY_ROLE)) for i in self.table.selectionModel().selectedRows()]
        return [r for r in self.reports if r.id in ids]

    def _selection_changed(self, *_args: object) -> None:
        chosen = self.selected()
        self.approve_button.setEnabled(bool(chosen))
        self.reject_button.setEnabled(bool(chosen))
        self.adjust_button.setEnabled(len(chosen) == 1)
        self.files.clear()
        if len(chosen) != 1:
            self.detail.setText(f"已选 {len(chosen)} 条" if chosen else "选择一条自报查看详情")
            self.open_button.setEnabled(False)
            return
        r = chosen[0]
        self.detail.setText(f"{r.name}（{r.badge}，{r.department}）\n{r.day.isoformat()}　{r.item}\n"
                            f"数量 {r.quantity}{r.unit}，自报 {r.claimed} 分\n"
                            f"说明：{r.note or '无'}\n报送于 {local_text(r.reported_at)}")
        for evidence_id, name in r.evidence:
            item = QListWidgetItem(name)
            item.setData(Qt.ItemDataRole.UserRole, evidence_id)
            self.files.addItem(item)
        if r.evidence:
            self.files.setCurrentRow(0)
        self.open_button.setEnabled(bool(r.evidence))

    def _decide(self, reports: list[QueueReport], decision: str, topic: str, **kw: object) -> bool:
        ids = [r.id for r in reports]

        def write(session: Session, actor: Actor) -> int:
            return len([self_report.decide(session, actor, i, decision, **kw) for i in ids])  # type: ignore[arg-type]

        done = self.ctx.write(self, write, topic=topic, title="未审核")
        if done:
            verb = {"approve": "通过", "adjust": "调整后通过", "reject": "退回"}[decision]
            self.status.setText(f"已{verb} {done} 条自报")
        return bool(done)

    def approve(self) -> None:
        chosen = self.selected()
        if chosen:
            self._decide(chosen, "approve", "entries")

    def adjust(self) -> None:
        chosen = self.selected()
        if len(chosen) != 1:
            return
        r = chosen[0]
        dialog = AdjustDialog(self, f"{r.name} {r.day.isoformat()}“{r.item}”：自报数量 {r.quantity}{r.unit}，"
                              f"{r.claimed} 分。调整后按新的数量和分值计分，理由会显示给民警。",
                              quantity=r.quantity, unit=r.unit, points_tenths=r.points_tenths,
                              min_tenths=r.min_tenths, max_tenths=r.max_tenths)
        if dialog.exec() == AdjustDialog.DialogCode.Accepted:
            self._decide(chosen, "adjust", "entries", reason=dialog.reason(), quantity=dialog.new_quantity(),
                         points_tenths=dialog.new_points())

    def reject(self) -> None:
        chosen = self.selected()
        if not chosen:
            return
        what = f"{chosen[0].name}的“{chosen[0].item}”" if len(chosen) == 1 else f"所选 {len(chosen)} 条自报"
        dialog = ask_reason(self, "退回自报", f"退回{what}，不予计分。退回理由会显示给民警。", ok_text="退回",
                            placeholder="例如：当日轮休，未参加夜查")
        if dialog:
            self._decide(chosen, "reject", "reports", reason=dialog.reason())

    def open_evidence(self) -> None:
        item = self.files.currentItem()
        if item is None:
            return
        name, data = self.ctx.read(lambda s: evidence_file(s, int(item.data(Qt.ItemDataRole.UserRole))))
        if not name:
            return
        path = Path(tempfile.mkdtemp(prefix="jifen-evidence-")) / name
        path.write_bytes(data)
        if not open_file(path):
            self.ctx.show_error(self, f"无法打开“{name}”，请检查本机是否装有查看此类文件的程序。")

    # -- the people tab ------------------------------------------------------------------------
    def _write_period(self, fn: Callable[[Session, Actor, Period], object]) -> bool:
        """One write on the period's row (made on first use); False when the service refused."""
        code = self.ctx.period_code

        def write(session: Session, actor: Actor) -> bool:
            fn(session, actor, periods.get_or_create(session, code))
            return True

        return bool(self.ctx.write(self, write, topic="period"))

    def _level_chosen(self, _index: int) -> None:
        tab, line = self.people_tab, self.people_tab.selected()
        code = tab.level.currentData()
        if line is None or tab.data is None or not code or code == line.level:
            tab.show_level(line)
            return
        reason = ""
        if code != line.engine_grade:
            data = tab.data
            dialog = ask_reason(self, "评定等次", f"{line.name}本月总分 {line.total}，按积分建议为"
                                f"“{data.label_of(line.engine_grade)}”。评定为“{data.label_of(code)}”与建议不同，"
                                "须写明理由（记入审计记录）。", ok_text="评定",
                                placeholder="例如：本月两次受到群众书面表扬")
            if dialog is None:
                tab.show_level(line)
                return
            reason = dialog.reason()
        if not self._write_period(lambda s, a, p: ratings.rate(s, a, p, line.person_id, code, reason=reason)):
            tab.show_level(line)

    def remark(self) -> None:
        line = self.people_tab.selected()
        if line is None or self.people_tab.data is None:
            return
        dialog = ask_reason(self, "月度评语", f"{line.name}{self.people_tab.data.label}的评语，将印入本人的政绩档案。",
                            text_label="评语", text=line.remark, ok_text="保存",
                            placeholder="例如：工作积极主动，办案质量较高")
        if dialog:
            text = dialog.reason()
            self._write_period(lambda s, a, p: ratings.rate(s, a, p, line.person_id, "", remark=text))

    def excuse(self) -> None:
        line = self.people_tab.selected()
        if line is None:
            return
        dialog = ask_reason(self, "登记未确认原因", f"{line.name}本月积分未确认的原因（请假、出差 …），"
                            "登记后本月可以签字。", ok_text="登记", placeholder="例如：12月10日至25日病假")
        if dialog:
            text = dialog.reason()
            self._write_period(lambda s, a, p: review.excuse(s, a, p, line.person_id, text))


def _queue_cells(r: QueueReport) -> list[Cell]:
    files = "、".join(name for _id, name in r.evidence)
    return [
        Cell(r.badge), Cell(r.name), Cell(r.day.isoformat(), r.day.toordinal()), Cell(r.item, tip=r.item),
        num(str(r.quantity), r.quantity), num(r.claimed, float(r.claimed)),
        num(str(len(r.evidence)) if r.evidence else "", len(r.evidence), tip=files),
        Cell(r.note, tip=r.note),
    ]
