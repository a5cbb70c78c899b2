"""月度考核: the period's scores with grades and flags; confirm, dispute, resolve, override,
sign along the chain, send back, unlock. Buttons follow the user's role and the period's state;
the services refuse anyway, so a disabled button is a courtesy, not the protection."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QItemSelectionModel, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy.orm import Session

from desktop.models.enums import ConfirmStatus, PeriodState, Role
from desktop.services import periods, review, scheme_registry, scoring, sign_checklist, signoff
from desktop.services.actor import Actor
from desktop.services.points import fmt
from desktop.services.scoring import ScoreRow
from desktop.ui.context import AppContext
from desktop.ui.dialogs.printing import show_failure
from desktop.ui.dialogs.reason import ask_reason
from desktop.ui.dialogs.sign import SignDialog
from desktop.ui.screens import review_confirm
from desktop.ui.screens.lazy import RefreshWhenShown
from desktop.ui.screens.period_bar import PeriodScope
from desktop.ui.screens.review_confirm import UndoBar
from desktop.ui.screens.review_data import ReviewData, load
from desktop.ui.screens.review_parts import DEPT_COLUMN, SCORE_HEADERS, SidePanel, WhyPanel, score_cells
from desktop.ui.screens.review_print import ReviewPrintButton
from desktop.ui.screens.rows_model import KEY_ROLE, RowProxy, RowsModel
from desktop.ui.workers import Progress, Task, run_with_progress

STATE_COLORS = {PeriodState.OPEN.value: "#1565c0", PeriodState.REVIEW.value: "#8a5a00",
                PeriodState.LOCKED.value: "#2e7d32"}


class ReviewScreen(RefreshWhenShown, QWidget):
    computed = Signal()  # a background recompute finished (tests wait on it)

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.data: ReviewData | None = None
        self._task: Task | None = None
        self._stale = True
        self._own_emit = False
        self.buttons: dict[str, QPushButton] = {}
        layout = QVBoxLayout(self)
        layout.addLayout(self._top_bar())
        layout.addLayout(self._action_bar())
        self.undo_bar = UndoBar(self)
        layout.addWidget(self.undo_bar)
        split = QSplitter(Qt.Orientation.Horizontal)
        self.model = RowsModel(SCORE_HEADERS, self)
        self.proxy = RowProxy(self)
        self.proxy.setSourceModel(self.model)
        self.table = QTableView()
        self.table.setObjectName("scoreTable")
        self.table.setModel(self.proxy)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        # Several rows (Shift/Ctrl-click, Ctrl+A) for 登记确认 of a pile of paper slips; the
        # one-person actions and the panels follow the current row.
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(-1, Qt.SortOrder.AscendingOrder)
        self.table.verticalHeader().hide()
        self._size_columns()
        self.table.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 10)
        self.table.selectionModel().selectionChanged.connect(self._selection_changed)
        left = QSplitter(Qt.Orientation.Vertical)
        left.setChildrenCollapsible(False)
        left.addWidget(self.table)
        self.why = WhyPanel()
        left.addWidget(self.why)
        left.setStretchFactor(0, 1)
        left.setStretchFactor(1, 0)
        split.addWidget(left)
        self.panel = SidePanel()
        split.addWidget(self.panel)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 1)
        split.setSizes([960, 300])
        layout.addWidget(split, 1)
        ctx.period_changed.connect(self._on_period)
        ctx.data_changed.connect(self._on_data)

    # -- layout --------------------------------------------------------------------------------
    def _top_bar(self) -> QHBoxLayout:
        bar = QHBoxLayout()
        # 月度考核 is the person scheme's; another scheme's month is reviewed and signed on the
        # 积分制 screen, which this chooser opens (shown when the station runs other schemes).
        self.scheme_combo = QComboBox()
        self.scheme_combo.setObjectName("reviewSchemeCombo")
        self.scheme_combo.setToolTip("其他积分制在“积分制”页面按各自的签核流程审核签字")
        self.scheme_combo.activated.connect(self._scheme_chosen)
        bar.addWidget(self.scheme_combo)
        self.scope = PeriodScope(self.ctx)
        bar.addWidget(self.scope)
        bar.addSpacing(12)
        bar.addWidget(QLabel("部门"))
        self.dept_combo = QComboBox()
        self.dept_combo.setObjectName("deptCombo")
        self.dept_combo.setMinimumContentsLength(8)
        self.dept_combo.currentIndexChanged.connect(self._filter_changed)
        bar.addWidget(self.dept_combo)
        self.state_label = QLabel()
        self.state_label.setObjectName("stateLabel")
        bar.addWidget(self.state_label, 1)
        self.print_button = ReviewPrintButton(self)
        bar.addWidget(self.print_button)
        return bar

    def _load_schemes(self) -> None:
        found = self.ctx.read(lambda s: [(x.code, x.name) for x in scheme_registry.active(s)])
        self.scheme_combo.blockSignals(True)
        self.scheme_combo.clear()
        for code, name in found:
            self.scheme_combo.addItem(name, code)
        self.scheme_combo.setCurrentIndex(0)  # the person scheme, always first
        self.scheme_combo.blockSignals(False)
        self.scheme_combo.setVisible(len(found) > 1)

    def _scheme_chosen(self, index: int) -> None:
        code = self.scheme_combo.itemData(index)
        if code and code != "person":
            self.scheme_combo.setCurrentIndex(0)
            self.ctx.scheme_requested.emit(code)

    def _action_bar(self) -> QHBoxLayout:
        bar = QHBoxLayout()
        specs: list[tuple[str, str, str, Callable[[], None]]] = [
            ("compute", "计算/刷新", "按当前记录重新计算本期积分、排名和等次", self.compute),
            ("submit", "提交审核", "录入结束，交民警确认、领导审核", self.submit),
            ("back", "退回修改", "退回内勤修改积分记录（需填写理由）", self.send_back),
            ("confirm", "确认", "民警确认本人月积分；内勤登记纸质确认单（可选多人：Shift/Ctrl 点选或 Ctrl+A）", self.confirm),
            ("dispute", "提出异议", "对本月积分提出异议（需说明理由）", self.dispute),
            ("resolve", "处理异议", "所长处理异议并填写处理意见", self.resolve),
            ("override", "调整等次", "所长手工调整等次（需填写理由，记入审计）", self.override),
            ("sign", "签字", "按签核流程签字（需再次输入密码）", self.sign),
            ("withdraw", "撤回签字", "积分有变动时撤回已签的字（需填写理由）", self.withdraw),
            ("unlock", "解锁", "解锁已锁定的周期以便更正（需填写理由）", self.unlock),
        ]
        can = self.ctx.can
        steps = self.ctx.read(lambda s: [(x.role, x.signer) for x in signoff.chain(s)])
        roles = {Role(role) for role, signer in steps if signer == "role"}
        # A step signed by people (a department's head, its leader, a named person) may fall to
        # an officer's account (a 中队长): whether it is his is known per month (data.mine).
        by_people = any(signer != "role" for _role, signer in steps) and self.ctx.actor.person_id is not None
        visible = {"compute": can("period.compute"), "submit": can("period.review"),
                   "back": can("period.review"), "resolve": can("dispute.resolve"),
                   "override": can("grade.override"), "sign": self.ctx.actor.role in roles or by_people,
                   "withdraw": self.ctx.actor.role == Role.CHIEF, "unlock": can("period.reopen")}
        shown_in_group = False
        for key, text, tip, slot in specs:
            button = QPushButton(text)
            button.setObjectName(f"{key}Button")
            button.setToolTip(tip)
            button.clicked.connect(slot)
            button.setVisible(visible.get(key, True))  # what the role can never do is not shown
            self.buttons[key] = button
            bar.addWidget(button)
            shown_in_group = shown_in_group or visible.get(key, True)
            if key in ("back", "override") and shown_in_group:
                bar.addSpacing(16)  # groups: the period, one person, the signatures
                shown_in_group = False
        bar.addStretch(1)
        return bar

    def _size_columns(self) -> None:
        """Numbers get narrow fixed columns so the whole row fits beside the panel at 1280 px;
        the last column (confirmation and flags) takes what is left, its full text in the tooltip."""
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        metrics = self.table.fontMetrics()
        number = metrics.horizontalAdvance("000.0") + 18
        for column in range(3, len(SCORE_HEADERS) - 1):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.Fixed)
            header.resizeSection(column, number if column != 3 else metrics.horizontalAdvance("基础工作") + 14)
        header.setSectionResizeMode(len(SCORE_HEADERS) - 1, QHeaderView.ResizeMode.Stretch)

    # -- loading -------------------------------------------------------------------------------
    def refresh(self) -> None:
        self._stale = False
        self._load_schemes()
        self.show_data(self.ctx.read(lambda s: load(s, self.ctx.period_code, self.ctx.actor)))

    def show_data(self, data: ReviewData) -> None:
        keep = self.selected_row()
        self.data = data
        ordered = [r for rows in scoring.by_department(data.rows).values() for r in rows]
        self.model.set_rows([score_cells(data, r) for r in ordered], [r.person_id for r in ordered])
        chosen = self.dept_combo.currentText() if self.dept_combo.currentIndex() > 0 else ""
        self.dept_combo.blockSignals(True)
        self.dept_combo.clear()
        self.dept_combo.addItem("全部部门")
        self.dept_combo.addItems(data.departments())
        self.dept_combo.setCurrentIndex(max(0, self.dept_combo.findText(chosen)))
        self.dept_combo.blockSignals(False)
        self._filter_changed()
        color = STATE_COLORS.get(data.state, "#333")
        when = f"，计算于 {data.computed_at:%Y-%m-%d %H:%M}" if data.computed_at else ""
        self.state_label.setText(f"  {data.label} <b style='color:{color}'>{data.state_label}</b>"
                                 f"　共 {len(data.rows)} 人{when}")
        self.panel.show_data(data)
        if keep is not None:
            self.select_person(keep.person_id)
        elif self.ctx.actor.role == Role.OFFICER and self.ctx.actor.person_id is not None:
            self.select_person(self.ctx.actor.person_id)  # an officer's business is their own row
        self._selection_changed()

    def _on_period(self, _code: str) -> None:
        self._refresh_if_shown()

    def _on_data(self, topic: str) -> None:
        if not self._own_emit and topic in ("entries", "people", "catalogue", "period", "station"):
            self._refresh_if_shown()

    # -- selection -----------------------------------------------------------------------------
    def _filter_changed(self) -> None:
        index = self.dept_combo.currentIndex()
        self.proxy.set_filter(DEPT_COLUMN, self.dept_combo.currentText() if index > 0 else None)
        self.print_button.department = self.dept_combo.currentText() if index > 0 else None
        self.print_button.update_for(self.data, self.selected_row())

    def selected_row(self) -> ScoreRow | None:
        """The row the one-person actions act on: the current row if selected, else the first."""
        if self.data is None:
            return None
        rows = self.table.selectionModel().selectedRows()
        if not rows:
            return None
        current = self.table.currentIndex()
        chosen = next((r for r in rows if current.isValid() and r.row() == current.row()), rows[0])
        return self.data.row_of(int(chosen.data(KEY_ROLE)))

    def selected_rows(self) -> list[ScoreRow]:
        """Every selected row, in the table's order."""
        if self.data is None:
            return []
        indexes = sorted(self.table.selectionModel().selectedRows(), key=lambda i: i.row())
        found = (self.data.row_of(int(i.data(KEY_ROLE))) for i in indexes)
        return [r for r in found if r is not None]

    def select_person(self, person_id: int) -> bool:
        source_row = self.model.row_of(person_id)
        if source_row < 0:
            return False
        index = self.proxy.mapFromSource(self.model.index(source_row, 0))
        if not index.isValid():
            return False
        flags = QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows
        self.table.selectionModel().select(index, flags)
        self.table.scrollTo(index)
        return True

    def _selection_changed(self, *_args: object) -> None:
        row = self.selected_row()
        if self.data is not None:
            self.panel.show_person(self.data, row)
            self.why.show_person(self.data, row)
        self._update_actions(row)

    def _update_actions(self, row: ScoreRow | None) -> None:
        data, actor, can = self.data, self.ctx.actor, self.ctx.can
        state = data.state if data else ""
        in_review = state == PeriodState.REVIEW.value
        conf = data.confirmations.get(row.person_id) if data and row else None
        status = conf.status if conf else None
        speaks = row is not None and (actor.person_id == row.person_id if actor.role == Role.OFFICER
                                      else can("confirm.any"))
        confirming = review_confirm.choose(self)
        step = data.next_step if data else None
        signed = [s for s in (data.steps if data else []) if s.signed_at is not None]
        enabled = {
            "compute": can("period.compute") and state != PeriodState.LOCKED.value,
            "submit": can("period.review") and state == PeriodState.OPEN.value,
            "back": can("period.review") and in_review,
            "confirm": in_review and (speaks or actor.role == Role.OFFICER)
            and bool(confirming.to_confirm or confirming.to_undo),
            "dispute": in_review and speaks and status != ConfirmStatus.DISPUTED.value,
            "resolve": can("dispute.resolve") and in_review and status == ConfirmStatus.DISPUTED.value,
            "override": can("grade.override") and state != PeriodState.LOCKED.value and row is not None
            and not row.excluded_reason,
            # One person signing two steps would defeat a multi-level check (the service refuses too).
            # The service names who signs each sheet; the button is on only for them.
            "sign": in_review and step is not None and bool(data.mine),
            "withdraw": actor.role == Role.CHIEF and in_review and bool(signed),
            "unlock": can("period.reopen") and state == PeriodState.LOCKED.value,
        }
        for key, on in enabled.items():
            self.buttons[key].setEnabled(bool(on))
        self.buttons["sign"].setText(f"签字：{step.title}" if step and in_review else "签字")
        self.buttons["confirm"].setText(review_confirm.button_text(self, confirming))
        self.print_button.update_for(data, row)

    # -- actions -------------------------------------------------------------------------------
    def _write(self, fn: Callable[[Session, Actor], object], title: str = "无法完成") -> bool:
        """Run one service write for this period; False (and a message shown) when refused."""
        self.undo_bar.clear()  # whatever it offered to undo is no longer the last thing done
        return bool(self.ctx.write(self, lambda s, a: _ok(fn(s, a)), topic="period", title=title))

    write = _write

    def _period(self, session: Session) -> Any:
        return periods.get_or_create(session, self.ctx.period_code)

    def compute(self) -> None:
        """Recompute and store the results in a worker; a big ledger never freezes the window."""
        code, actor, db = self.ctx.period_code, self.ctx.actor, self.ctx.db

        def job(progress: Progress) -> ReviewData:
            progress(0, 2)
            with db.transaction() as session:
                scoring.store(session, actor, periods.get_or_create(session, code))
            progress(1, 2)
            with db.session() as session:
                return load(session, code, actor)

        def done(result: object) -> None:
            self._task = None
            assert isinstance(result, ReviewData)
            self.show_data(result)
            self._own_emit = True  # the other screens refresh; this one already shows the result
            try:
                self.ctx.data_changed.emit("period")
            finally:
                self._own_emit = False
            self.computed.emit()

        def failed(exc: BaseException) -> None:
            self._task = None
            show_failure(self.ctx, self, exc, "计算")
            self.computed.emit()

        self._task = run_with_progress(self, "计算积分", job, done, failed, label="正在计算本期积分和等次…")

    def submit(self) -> None:
        review_confirm.submit(self)

    def send_back(self) -> None:
        dialog = ask_reason(self, "退回修改", "退回后内勤可以继续修改本期积分记录，已有的确认和签字保留。")
        if dialog:
            self._write(lambda s, a: periods.back_to_open(s, a, self._period(s), dialog.reason()))

    def confirm(self) -> None:
        review_confirm.confirm_selected(self)

    def dispute(self) -> None:
        row = self.selected_row()
        if row is None:
            return
        dialog = ask_reason(self, "提出异议", f"{row.name}对本月积分的异议：请写明哪一条积分有问题、为什么。",
                            placeholder="例如：3月12日值班记录漏记")
        if dialog:
            self._write(lambda s, a: review.dispute(s, a, self._period(s), row.person_id, dialog.reason()))

    def resolve(self) -> None:
        row = self.selected_row()
        conf = self.data.confirmations.get(row.person_id) if self.data and row else None
        if row is None or conf is None:
            return
        dialog = ask_reason(self, "处理异议", f"{row.name}的异议：{conf.comment}", ok_text="处理完毕",
                            placeholder="处理意见，例如：经查值班表属实，已补录")
        if dialog:
            self._write(lambda s, a: review.resolve(s, a, self._period(s), row.person_id, dialog.reason()))

    def override(self) -> None:
        row = self.selected_row()
        if row is None or self.data is None:
            return
        dialog = ask_reason(self, "调整等次", f"调整 {row.name}（总分 {fmt(row.total)}）的等次。"
                            "调整理由将记入审计记录，并在等次评定表上注明。",
                            choice_label="调整为", choices=self.data.levels, current=row.grade)
        if dialog:
            grade = dialog.choice() or ""
            self._write(lambda s, a: review.override_grade(s, a, self._period(s), row.person_id, grade,
                                                           dialog.reason()))

    def sign(self) -> None:
        step = self.data.next_step if self.data else None
        if self.data is None or step is None:
            return
        counts = self.data.counts()
        summary = (f"共 {len(self.data.rows)} 人，已确认 {counts['confirmed'] + counts['resolved']} 人，"
                   f"有异议 {counts['disputed']} 人，未确认 {counts['none']} 人。")
        last = self.data.steps[-1].seq == step.seq if getattr(self.data, "steps", None) else True
        checks = self.ctx.read(lambda s: sign_checklist.checklist(s, self._period(s), last_step=last))
        dialog = SignDialog(self, period_label=self.data.label, step_title=step.title,
                            signer=self.ctx.actor.display_name, summary=summary, checks=checks)
        if dialog.exec() != SignDialog.DialogCode.Accepted:
            return
        password = dialog.password_text()
        if self._write(lambda s, a: signoff.sign(s, a, self._period(s), password), title="未签字"):
            self.ctx.data_changed.emit("awards")

    def withdraw(self) -> None:
        dialog = ask_reason(self, "撤回签字", "撤回后本期所有签字作废，需要按流程重新签核。")
        if dialog:
            self._write(lambda s, a: signoff.withdraw(s, a, self._period(s), dialog.reason()))

    def unlock(self) -> None:
        dialog = ask_reason(self, "解锁考核周期", "解锁后本期回到“录入中”，签字作废，需要重新审核签字。"
                            "解锁理由将记入审计记录。", ok_text="解锁")
        if dialog:
            self._write(lambda s, a: signoff.reopen(s, a, self._period(s), dialog.reason()))


def _ok(_result: object) -> bool:
    return True
