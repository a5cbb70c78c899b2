"""设置 → 审核人, its parts: what the page shows (read once per refresh) and the 公开与预警 group.

`load_reviewers` works every person's reviewer out with one `ReviewMap` — the table of
每个人的审核人 shows the result of the rules the clerk just changed, never a stored copy.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from PySide6.QtWidgets import (
    QCheckBox,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy import select
from sqlalchemy.orm import Session

from desktop.models.oversight import ReviewerAssignment
from desktop.models.people import Person
from desktop.services import queries, reviewers, station_settings
from desktop.ui.context import AppContext

PEOPLE_HEADERS = ["警号", "姓名", "部门", "职务", "审核人", "依据"]


@dataclass(frozen=True)
class DepartmentLine:
    name: str
    head: str  # "韩队长（H01）", or why there is none
    leader_badge: str | None  # the configured 分管领导


@dataclass(frozen=True)
class ReviewersView:
    departments: list[DepartmentLine]
    choices: list[tuple[str, str]]  # (badge, label) of people on the roster today, leaders first
    leaders_reviewer: str | None  # the configured badge; None: the 一把手
    chief: str  # who reviews leaders when nobody is configured
    overrides: list[tuple[str, str, str]]  # (badge, person, reviewer) of 单独指定
    rows: list[list[str]]  # PEOPLE_HEADERS


def _who(person: Person | None) -> str:
    return f"{person.name}（{person.badge}）" if person is not None else ""


def load_reviewers(session: Session, day: dt.date | None = None) -> ReviewersView:
    day = day or dt.date.today()
    review = reviewers.ReviewMap(session, day)
    people = sorted((p for p in session.scalars(select(Person)) if p.active_on(day)), key=lambda p: p.badge)
    # Leaders first: a 分管领导 or the leaders' reviewer is nearly always one of them.
    ordered = sorted(people, key=lambda p: (not reviewers.is_leader(p), p.badge))
    choices = [(p.badge, f"{p.name}（{p.badge}）{p.position}") for p in ordered]
    departments = []
    for dept in queries.department_rows(session, day):
        head = review.head(dept.id)
        leader = review.leader_in_charge(dept.id)
        departments.append(DepartmentLine(dept.name, _who(head) or "（无负责人）", leader.badge if leader else None))
    rows = list(session.scalars(select(ReviewerAssignment).order_by(ReviewerAssignment.id)))
    leaders = [r for r in rows if r.kind == "leaders"]
    leaders_person = session.get(Person, leaders[-1].reviewer_id) if leaders else None
    chief = next((p for p in people if p.is_head), None)
    overrides = []
    for r in rows:
        if r.kind == "person":
            subject, by = session.get(Person, r.person_id), session.get(Person, r.reviewer_id)
            if subject is not None:
                overrides.append((subject.badge, _who(subject), _who(by)))
    table = []
    for p in people:
        found = review.of(p)
        basis = reviewers.BASIS_LABELS[found.basis] if found.person else reviewers.BASIS_LABELS["none"]
        table.append([p.badge, p.name, p.department.name, p.position, _who(found.person) or "—", basis])
    return ReviewersView(departments, choices, leaders_person.badge if leaders_person else None,
                         _who(chief) or "（未设一把手）", overrides, table)


def _spin(low: int, high: int, value: Any, suffix: str = "") -> QSpinBox:
    spin = QSpinBox()
    spin.setRange(low, high)
    spin.setValue(int(value) if isinstance(value, int) else low)
    spin.setSuffix(suffix)
    return spin


class PublishAlertsBox(QGroupBox):
    """未签核月份是否公开 (saved when clicked) and the two early-warning rules (saved by the button)."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__("公开与预警", parent)
        self.ctx = ctx
        may = ctx.can("station.edit")
        self.publish = QCheckBox("未签核的月份也向全体民警公开（公示栏做法）")
        self.publish.setToolTip("不勾选：月份签核锁定后，民警才看得到同事的积分和等次（默认）")
        self.publish.clicked.connect(self._set_publish)
        self.use_deductions = QCheckBox("同类扣分：")
        self.days, self.count = _spin(1, 366, 30, " 天"), _spin(2, 20, 3, " 次")
        self.use_low = QCheckBox("等次靠后：")
        self.months = _spin(2, 12, 2, " 个月")
        self.save_button = QPushButton("保存预警规则")
        self.save_button.clicked.connect(self.save_rules)
        self.extra: list[dict[str, Any]] = []  # rules beyond one of each kind (set on the command line): kept
        deduction_row = QHBoxLayout()
        for widget in (self.use_deductions, self.days, QLabel("内同类扣分达"), self.count):
            deduction_row.addWidget(widget)
        deduction_row.addStretch(1)
        low_row = QHBoxLayout()
        for widget in (self.use_low, QLabel("连续"), self.months, QLabel("等次靠后")):
            low_row.addWidget(widget)
        low_row.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.publish)
        layout.addWidget(QLabel("预警提醒审核人和所长（审核页面、jifen alerts）："))
        layout.addLayout(deduction_row)
        layout.addLayout(low_row)
        row = QHBoxLayout()
        row.addWidget(QLabel("等次靠后：最低等次（五级制为最低两级）"), 1)
        row.addWidget(self.save_button)
        layout.addLayout(row)
        layout.addStretch(1)
        for widget in (self.publish, self.use_deductions, self.days, self.count, self.use_low, self.months):
            widget.setEnabled(may)
        self.save_button.setVisible(may)

    def refresh(self) -> None:
        publish, rules = self.ctx.read(lambda s: (station_settings.publish_early(s), station_settings.alert_rules(s)))
        self.publish.setChecked(publish)
        deductions = next((r for r in rules if r.get("kind") == "deductions"), None)
        low = next((r for r in rules if r.get("kind") == "low_months"), None)
        self.extra = [r for r in rules if r is not deductions and r is not low]
        self.use_deductions.setChecked(deductions is not None)
        self.days.setValue(int((deductions or {}).get("days", 30)))
        self.count.setValue(int((deductions or {}).get("count", 3)))
        self.use_low.setChecked(low is not None)
        self.months.setValue(int((low or {}).get("months", 2)))

    def rules(self) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = []
        if self.use_deductions.isChecked():
            out.append({"kind": "deductions", "count": self.count.value(), "days": self.days.value()})
        if self.use_low.isChecked():
            out.append({"kind": "low_months", "months": self.months.value()})
        return out + self.extra

    def _set_publish(self, on: bool) -> None:
        done = self.ctx.write(self, lambda s, a: station_settings.set_publish_early(s, a, on) or True,
                              topic="station")
        if done is None:  # refused: show what is stored, not what was clicked
            self.refresh()

    def save_rules(self) -> None:
        rules = self.rules()
        if self.ctx.write(self, lambda s, a: station_settings.set_alert_rules(s, a, rules) or True,
                          topic="station") is not None:
            self.refresh()
            self.ctx.show_info(self, "预警规则已保存。" if rules else "预警规则已保存：不再预警。")
