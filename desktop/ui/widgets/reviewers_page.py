"""设置 → 审核人: who reviews whom, configured where the position rule is not enough, and the
result for every person on the roster today; with the 公开与预警 settings beside it.

The rule (services.reviewers): a department's people are reviewed by its head, the head by
the department's 分管领导, the station's leaders by the 所长 or 政委; a single person may be
given his own reviewer. The page stores only those choices — the same services, checks and
audit as `jifen reviewers …` — and shows the outcome so the clerk sees what a choice did.

The 分管领导 combos change nothing until 保存: a combo in a table cell also reacts to the
mouse wheel and the arrow keys, and each step must not become a change in the audit trail.
"""

from __future__ import annotations

from PySide6.QtWidgets import (
    QComboBox,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy.orm import Session

from desktop.services import reviewers
from desktop.services.actor import Actor
from desktop.ui.context import AppContext
from desktop.ui.widgets.forms import FormDialog, people_combo, picked_badge
from desktop.ui.widgets.reviewers_parts import PEOPLE_HEADERS, PublishAlertsBox, ReviewersView, load_reviewers
from desktop.ui.widgets.settings_pages import fill, table

UNSET = "（未设置）"


class ReviewersPage(QWidget):
    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.view: ReviewersView | None = None
        self.may_station = ctx.can("station.edit")  # 分管领导, 所领导的审核人
        self.may_roster = ctx.can("roster.edit")  # a single person's reviewer (services: roster.edit)
        self.departments = table(["部门", "负责人", "分管领导"], [110, 130, 200])
        self.departments.setSelectionMode(self.departments.SelectionMode.NoSelection)
        self.leaders = people_combo([], None, None, self.may_station)
        self.leaders.setMinimumContentsLength(14)
        self.save_button = QPushButton("保存")
        self.save_button.setToolTip("保存分管领导和所领导的审核人（改动的才保存）")
        self.save_button.setVisible(self.may_station)
        self.save_button.clicked.connect(self.save)
        self.overrides = table(["人员", "审核人"], [130, 130])
        self.add_button = QPushButton("添加…")
        self.remove_button = QPushButton("删除")
        for button in (self.add_button, self.remove_button):
            button.setVisible(self.may_roster)
        self.add_button.clicked.connect(self.add_override)
        self.remove_button.clicked.connect(self.remove_override)
        self.alerts = PublishAlertsBox(ctx)
        self.people = table(PEOPLE_HEADERS, [80, 90, 110, 100, 150, 160])
        self.count = QLabel()

        layout = QVBoxLayout(self)
        intro = QLabel("审核人按职务确定：部门民警由部门负责人审核，部门负责人由分管领导审核，所领导由所长或政委审核；"
                       "个别人员可单独指定。这里只保存这些指定，负责人变动后自动由新负责人审核。")
        intro.setWordWrap(True)
        layout.addWidget(intro)
        top = QHBoxLayout()
        top.addWidget(self._departments_box(), 5)
        top.addWidget(self._overrides_box(), 3)
        top.addWidget(self.alerts, 4)
        layout.addLayout(top, 2)
        box = QGroupBox("每个人的审核人（今天在岗人员，按以上规则）")
        inner = QVBoxLayout(box)
        inner.addWidget(self.people, 1)
        inner.addWidget(self.count)
        layout.addWidget(box, 3)

    def _departments_box(self) -> QGroupBox:
        box = QGroupBox("部门负责人与分管领导")
        inner = QVBoxLayout(box)
        inner.addWidget(self.departments, 1)
        row = QHBoxLayout()
        row.addWidget(QLabel("所领导的审核人"))
        row.addWidget(self.leaders, 1)
        row.addWidget(self.save_button)
        inner.addLayout(row)
        hint = QLabel("分管领导审核部门负责人；未设置时由所领导的审核人审核。")
        hint.setWordWrap(True)
        inner.addWidget(hint)
        return box

    def _overrides_box(self) -> QGroupBox:
        box = QGroupBox("单独指定的审核人")
        inner = QVBoxLayout(box)
        inner.addWidget(self.overrides, 1)
        row = QHBoxLayout()
        hint = QLabel("优先于职务规则")
        hint.setWordWrap(True)
        row.addWidget(hint, 1)
        row.addWidget(self.add_button)
        row.addWidget(self.remove_button)
        inner.addLayout(row)
        return box

    # -- loading -------------------------------------------------------------------------------
    def refresh(self) -> None:
        self.view = view = self.ctx.read(load_reviewers)
        fill(self.departments, [[d.name, d.head, ""] for d in view.departments])
        for row, dept in enumerate(view.departments):
            self.departments.setCellWidget(row, 2, people_combo(view.choices, UNSET, dept.leader_badge,
                                                                self.may_station))
        height = max(self.departments.verticalHeader().defaultSectionSize(), self.leaders.sizeHint().height() + 2)
        self.departments.verticalHeader().setDefaultSectionSize(height)
        self.departments.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        self.leaders.clear()
        self.leaders.addItem(f"（一把手：{view.chief}）", None)
        for badge, label in view.choices:
            self.leaders.addItem(label, badge)
        self.leaders.setCurrentIndex(max(0, self.leaders.findData(view.leaders_reviewer))
                                     if view.leaders_reviewer else 0)
        fill(self.overrides, [[person, by] for _badge, person, by in view.overrides])
        fill(self.people, view.rows)
        for row, values in enumerate(view.rows):
            self.people.item(row, 5).setToolTip(values[5])
        self.count.setText(f"共 {len(view.rows)} 人；审核人为“—”的由上级机关审核。")
        self.remove_button.setEnabled(bool(view.overrides))
        self.alerts.refresh()

    def leader_box(self, department: str) -> QComboBox:
        """The 分管领导 combo of a department's row (tests choose in it as the clerk does)."""
        assert self.view is not None
        row = next(i for i, d in enumerate(self.view.departments) if d.name == department)
        box = self.departments.cellWidget(row, 2)
        assert isinstance(box, QComboBox)
        return box

    def changes(self) -> tuple[list[tuple[str, str | None]], bool, str | None]:
        """The (department, badge) whose 分管领导 differs from what was read; whether the leaders'
        reviewer changed, and to whom (None: back to the 一把手)."""
        assert self.view is not None
        depts = []
        for dept in self.view.departments:
            chosen = picked_badge(self.leader_box(dept.name))
            if chosen != dept.leader_badge:
                depts.append((dept.name, chosen))
        leaders = picked_badge(self.leaders)
        return depts, leaders != self.view.leaders_reviewer, leaders

    # -- writing -------------------------------------------------------------------------------
    def save(self) -> None:
        if self.view is None:
            return
        depts, leaders_changed, leaders = self.changes()
        if not depts and not leaders_changed:
            self.ctx.show_info(self, "没有改动。")
            return

        def write(s: Session, a: Actor) -> bool:  # one transaction: all the changes or none
            for name, badge in depts:
                reviewers.set_leader_in_charge(s, a, name, badge)
            if leaders_changed:
                reviewers.set_leaders_reviewer(s, a, leaders)
            return True

        if self.ctx.write(self, write, topic="people") is not None:
            self.refresh()

    def add_override(self) -> None:
        if self.view is None:
            return
        dialog = FormDialog("单独指定审核人", self)
        person = people_combo(self.view.choices, None, None)
        by = people_combo(self.view.choices, None, None)
        for widget in (person, by):
            widget.setCurrentIndex(-1)
            widget.setMinimumWidth(300)
        dialog.form.addRow("人员", person)
        dialog.form.addRow("审核人", by)
        dialog.form.addRow("", QLabel("可输入姓名或警号查找。"))

        def submit() -> bool:
            badge, reviewer = picked_badge(person), picked_badge(by)
            if not badge or not reviewer:
                self.ctx.show_error(dialog, "请选择人员和审核人")
                return False
            done = self.ctx.write(dialog, lambda s, a: reviewers.set_person_reviewer(s, a, badge, reviewer) or True,
                                  topic="people")
            if done is not None:
                self.refresh()
            return done is not None

        dialog.submit = submit
        dialog.exec()

    def remove_override(self) -> None:
        row = self.overrides.currentRow()
        if self.view is None or not 0 <= row < len(self.view.overrides):
            self.ctx.show_info(self, "请先选择一条单独指定。")
            return
        badge = self.view.overrides[row][0]
        if self.ctx.write(self, lambda s, a: reviewers.set_person_reviewer(s, a, badge, None) or True,
                          topic="people") is not None:
            self.refresh()

