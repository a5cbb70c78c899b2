"""奖励: the month's 闪光民警 / 闪光辅警 chosen from its best-graded people, yearly titles
(执法办案标兵 suggested from the top of each law-enforcement sequence, or any title for anyone),
revoking with a reason, and certificates as a PDF batch. Only the chief gives and revokes.

A second tab, 试岗与投诉 (widgets.oversight_page), holds what weighs against an award: the
probations on record and the complaint register; accounts that record entries see it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QItemSelectionModel
from PySide6.QtWidgets import (
    QComboBox,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSpinBox,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from desktop.models.enums import PeriodKind
from desktop.services import awards, documents, periods
from desktop.services.periods import parse_period
from desktop.services.points import fmt
from desktop.ui.context import AppContext
from desktop.ui.dialogs.printing import make_pdf
from desktop.ui.dialogs.reason import ask_reason
from desktop.ui.screens.awards_data import (
    AwardLine,
    AwardsView,
    CandidateLine,
    load_month,
    load_year,
    people_choices,
)
from desktop.ui.screens.lazy import RefreshWhenShown
from desktop.ui.screens.period_bar import PeriodScope
from desktop.ui.screens.rows_model import KEY_ROLE, Cell, RowsModel, num, table_view
from desktop.ui.widgets.oversight_page import OversightPage, may_see
from desktop.ui.workers import Task

CANDIDATE_HEADERS = ["姓名", "警号", "部门", "身份", "总分", "部门排名", "可评称号", "状态"]
AWARD_HEADERS = ["称号", "姓名", "警号", "部门", "评定日期", "说明"]


def _table(name: str, headers: list[str], parent: QWidget) -> tuple[QTableView, RowsModel]:
    return table_view(name, headers, parent, single_selection=True, row_padding=10)


def candidate_cells(c: CandidateLine) -> list[Cell]:
    return [Cell(c.name, bold=True), Cell(c.badge), Cell(c.department), Cell(c.identity),
            num(fmt(c.total), c.total), num(str(c.rank) if c.rank else "—", c.rank), Cell(c.title, tip=c.basis),
            Cell("已评" if c.given else "", fg="#2e7d32")]


def award_cells(a: AwardLine) -> list[Cell]:
    return [Cell(a.title, bold=True), Cell(a.name), Cell(a.badge), Cell(a.department), Cell(a.given_on),
            Cell(a.note, tip=a.note)]


def selected_key(view: QTableView) -> Any:
    rows = view.selectionModel().selectedRows()
    return rows[0].data(KEY_ROLE) if rows else None


def select_key(view: QTableView, key: object) -> bool:
    proxy = view.model()
    for row in range(proxy.rowCount()):
        index = proxy.index(row, 0)
        if index.data(KEY_ROLE) == key:
            flags = QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows
            view.selectionModel().select(index, flags)
            return True
    return False


class AwardsScreen(RefreshWhenShown, QWidget):
    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.month: AwardsView | None = None
        self.year_view: AwardsView | None = None
        self.task: Task | None = None
        self._stale = True
        chief = ctx.can("award.give")
        self.tabs = QTabWidget(self)
        awards_tab = QWidget()
        self.tabs.addTab(awards_tab, "评选与称号")
        self.oversight = OversightPage(ctx)
        if may_see(ctx):
            self.tabs.addTab(self.oversight, "试岗与投诉")
        self.tabs.currentChanged.connect(lambda _i: self.oversight.refresh()
                                         if self.tabs.currentWidget() is self.oversight else None)
        outer = QVBoxLayout(self)
        outer.addWidget(self.tabs)
        layout = QVBoxLayout(awards_tab)
        bar = QHBoxLayout()
        bar.addWidget(PeriodScope(ctx, (PeriodKind.MONTH, PeriodKind.QUARTER)))
        bar.addSpacing(12)
        self.month_label = QLabel()
        self.month_label.setObjectName("monthLabel")
        bar.addWidget(self.month_label, 1)
        layout.addLayout(bar)
        grid = QGridLayout()
        layout.addLayout(grid, 1)

        box = QGroupBox("本期候选人（最高等次）")
        inner = QVBoxLayout(box)
        self.candidate_view, self.candidate_model = _table("candidateTable", CANDIDATE_HEADERS, self)
        self.candidate_view.selectionModel().selectionChanged.connect(self._update)
        inner.addWidget(self.candidate_view)
        row = QHBoxLayout()
        self.give_police = self._button(row, "givePoliceButton", "评为闪光民警", lambda: self.give("闪光民警"))
        self.give_aux = self._button(row, "giveAuxButton", "评为闪光辅警", lambda: self.give("闪光辅警"))
        row.addStretch(1)
        inner.addLayout(row)
        for button in (self.give_police, self.give_aux):
            button.setVisible(chief)
        grid.addWidget(box, 0, 0)

        box = QGroupBox("本期已评奖励")
        inner = QVBoxLayout(box)
        self.given_view, self.given_model = _table("givenTable", AWARD_HEADERS, self)
        self.given_view.selectionModel().selectionChanged.connect(self._update)
        inner.addWidget(self.given_view)
        row = QHBoxLayout()
        self.revoke_button = self._button(row, "revokeButton", "撤销…", lambda: self.revoke(self.given_view))
        self.revoke_button.setVisible(chief)
        row.addStretch(1)
        self._button(row, "printCertButton", "打印证书", lambda: self.certificates(self.ctx.period_code, True))
        self._button(row, "saveCertButton", "保存证书 PDF…", lambda: self.certificates(self.ctx.period_code, False))
        inner.addLayout(row)
        grid.addWidget(box, 0, 1)
        grid.addWidget(self._year_box(chief), 1, 0, 1, 2)
        grid.setRowStretch(0, 3)
        grid.setRowStretch(1, 2)
        ctx.period_changed.connect(lambda _c: self._refresh_if_shown())
        ctx.data_changed.connect(lambda t: self._refresh_if_shown() if t in ("period", "awards", "entries") else None)

    def _year_box(self, chief: bool) -> QGroupBox:
        box = QGroupBox("年度称号")
        outer = QHBoxLayout(box)
        left = QVBoxLayout()
        form = QHBoxLayout()
        form.addWidget(QLabel("年度"))
        self.year = QSpinBox()
        self.year.setObjectName("awardYear")
        self.year.setRange(2000, 2100)
        self.year.setValue(parse_period(self.ctx.period_code).year)
        self.year.valueChanged.connect(lambda _v: self.load_year())
        form.addWidget(self.year)
        self.title_combo = QComboBox()
        self.title_combo.setObjectName("yearTitleCombo")
        self.title_combo.setEditable(True)
        self.title_combo.addItems(list(awards.YEARLY_TITLES))
        form.addWidget(QLabel("称号"))
        form.addWidget(self.title_combo)
        self.person_combo = QComboBox()
        self.person_combo.setObjectName("yearPersonCombo")
        self.person_combo.setEditable(True)
        self.person_combo.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.person_combo.setMinimumContentsLength(10)
        form.addWidget(QLabel("人员"))
        form.addWidget(self.person_combo, 1)
        self.give_year = self._button(form, "giveYearButton", "授予", self.give_yearly)
        self.give_year.setVisible(chief)
        left.addLayout(form)
        left.addWidget(QLabel("年度称号建议（运行执法办案积分制时按其全年积分在各序列的排名，否则按全年总分"
                              + ("；双击采用）：" if chief else "）：")))  # only the chief can take one
        headers = [("序列排名" if h == "部门排名" else h) for h in CANDIDATE_HEADERS]
        self.suggest_view, self.suggest_model = _table("suggestTable", headers, self)
        self.suggest_view.doubleClicked.connect(self._use_suggestion)
        left.addWidget(self.suggest_view)
        outer.addLayout(left, 3)
        right = QVBoxLayout()
        self.year_given_view, self.year_given_model = _table("yearGivenTable", AWARD_HEADERS, self)
        self.year_given_view.selectionModel().selectionChanged.connect(self._update)
        right.addWidget(self.year_given_view)
        row = QHBoxLayout()
        self.revoke_year = self._button(row, "revokeYearButton", "撤销…", lambda: self.revoke(self.year_given_view))
        self.revoke_year.setVisible(chief)
        row.addStretch(1)
        self._button(row, "printYearCertButton", "打印年度证书",
                     lambda: self.certificates(str(self.year.value()), True))
        right.addLayout(row)
        outer.addLayout(right, 2)
        return box

    def _button(self, row: QHBoxLayout, name: str, text: str, slot: Callable[[], object]) -> QPushButton:
        button = QPushButton(text)
        button.setObjectName(name)
        button.clicked.connect(lambda _c=False: slot())
        row.addWidget(button)
        return button

    # -- loading -------------------------------------------------------------------------------
    def refresh(self) -> None:
        self._stale = False
        if self.tabs.currentWidget() is self.oversight:
            self.oversight.refresh()
        code = self.ctx.period_code
        if parse_period(code).kind == PeriodKind.YEAR:
            self.year.setValue(parse_period(code).year)
            self.month = None
            self.candidate_model.set_rows([])
            self.given_model.set_rows([])
            self.month_label.setText("闪光民警、闪光辅警按月（或季度）评选：请在上方选择月份，年度称号见下方。")
        else:
            self.month = self.ctx.read(lambda s: load_month(s, code))
            self.candidate_model.set_rows([candidate_cells(c) for c in self.month.candidates],
                                          [c.person_id for c in self.month.candidates])
            self.given_model.set_rows([award_cells(a) for a in self.month.given],
                                      [a.award_id for a in self.month.given])
            self.month_label.setText(f"  {self.month.label}（{self.month.state_label}）：候选人为本期"
                                     f"“{self.month.best_label}”人员 {len(self.month.candidates)} 人，"
                                     f"已评 {len(self.month.given)} 项")
        choices = self.ctx.read(people_choices)
        current = self.person_combo.currentData()
        self.person_combo.clear()
        for pid, text in choices:
            self.person_combo.addItem(text, pid)
        if current is not None:
            self.person_combo.setCurrentIndex(max(0, self.person_combo.findData(current)))
        self.load_year()

    def load_year(self) -> None:
        year = self.year.value()
        self.year_view = self.ctx.read(lambda s: load_year(s, year))
        self.suggest_model.set_rows([candidate_cells(c) for c in self.year_view.suggestions],
                                    [c.person_id for c in self.year_view.suggestions])
        self.year_given_model.set_rows([award_cells(a) for a in self.year_view.given],
                                       [a.award_id for a in self.year_view.given])
        self._update()

    def _update(self, *_args: object) -> None:
        pid = selected_key(self.candidate_view)
        cand = next((c for c in self.month.candidates if c.person_id == pid), None) if self.month else None
        self.give_police.setEnabled(cand is not None and cand.title == "闪光民警" and not cand.given)
        self.give_aux.setEnabled(cand is not None and cand.title == "闪光辅警" and not cand.given)
        self.revoke_button.setEnabled(selected_key(self.given_view) is not None)
        self.revoke_year.setEnabled(selected_key(self.year_given_view) is not None)

    def select_candidate(self, person_id: int) -> bool:
        return select_key(self.candidate_view, person_id)

    # -- actions -------------------------------------------------------------------------------
    def give(self, title: str) -> None:
        pid, code = selected_key(self.candidate_view), self.ctx.period_code
        if pid is None:
            return
        self.ctx.write(self, lambda s, a: awards.give(s, a, periods.get_or_create(s, code), int(pid), title,
                                                      note="月度评选"), topic="awards")

    def _use_suggestion(self, index: Any) -> None:
        pid = index.data(KEY_ROLE)
        self.person_combo.setCurrentIndex(max(0, self.person_combo.findData(pid)))
        self.title_combo.setCurrentText("执法办案标兵")

    def give_yearly(self) -> None:
        pid, title, code = self.person_combo.currentData(), self.title_combo.currentText(), str(self.year.value())
        if pid is None:
            self.ctx.show_error(self, "请先选择人员")
            return
        self.ctx.write(self, lambda s, a: awards.give(s, a, periods.get_or_create(s, code), int(pid), title,
                                                      note="年度评选"), topic="awards")

    def revoke(self, view: QTableView) -> None:
        award_id = selected_key(view)
        if award_id is None:
            return
        dialog = ask_reason(self, "撤销奖励", "撤销后证书作废，撤销理由将记入审计记录。", ok_text="撤销")
        if dialog:
            reason = dialog.reason()
            self.ctx.write(self, lambda s, a: awards.revoke(s, a, int(award_id), reason), topic="awards")

    def certificates(self, code: str, print_now: bool) -> None:
        self.task = make_pdf(self, self.ctx, lambda s, path: documents.write_certificates(s, code, path),
                             f"奖励证书-{code}.pdf", print_now=print_now)
