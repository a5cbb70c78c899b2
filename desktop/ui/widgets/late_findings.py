"""奖励 → 试岗与投诉 → 锁定后查实的问题 (倒查责任): a violation found after its month was signed.

The signed sheet stays as signed; the finding is recorded against its month with who reviewed
the person and who signed the month (`services.accountability`), and the tally per reviewer
shows whose reviews let violations through. Recording needs entry.write, like a complaint.
"""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QGroupBox, QHBoxLayout, QLabel, QLineEdit, QPushButton, QVBoxLayout, QWidget
from sqlalchemy import select
from sqlalchemy.orm import Session

from desktop.models.oversight import LateFinding
from desktop.models.people import Person
from desktop.models.periods import Period
from desktop.services import accountability
from desktop.services.periods import spec_of
from desktop.services.points import fmt, to_tenths
from desktop.ui.context import AppContext
from desktop.ui.widgets.entry_list import pydate
from desktop.ui.widgets.forms import FormDialog, people_combo, picked_badge
from desktop.ui.widgets.oversight_dialogs import _date_edit, active_choices
from desktop.ui.widgets.settings_pages import fill, table

HEADERS = ["月份", "日期", "人员", "项目", "分值", "审核人", "签字人", "说明", "登记人"]


def finding_rows(session: Session) -> list[list[str]]:
    rows = []
    query = select(LateFinding).order_by(LateFinding.recorded_at.desc(), LateFinding.id.desc())
    for f in session.scalars(query):
        person, period = session.get(Person, f.person_id), session.get(Period, f.period_id)
        rows.append([spec_of(period).label if period else "", f.occurred_on.isoformat(),
                     f"{person.name}（{person.badge}）" if person else "", f"{f.item_code} {f.item_name}",
                     fmt(f.points_tenths), f.reviewer_name or "—", f.signers or "—", f.note, f.recorded_by_name])
    return rows


def tally_text(session: Session) -> str:
    tallies = accountability.by_reviewer(session)
    if not tallies:
        return "尚无锁定后查实的问题。"
    return "按审核人统计：" + "；".join(f"{t.reviewer} {t.findings} 件（{'、'.join(t.people)}）" for t in tallies)


class LateFindingsBox(QGroupBox):
    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__("锁定后查实的问题（倒查责任）", parent)
        self.ctx = ctx
        self.view = table(HEADERS, [80, 90, 120, 200, 60, 90, 220, 220, 80])
        self.view.setWordWrap(False)
        self.view.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.tally = QLabel()
        self.tally.setWordWrap(True)
        self.add_button = QPushButton("登记…")
        self.add_button.setVisible(ctx.can("entry.write"))
        self.add_button.clicked.connect(self.add)
        inner = QVBoxLayout(self)
        inner.addWidget(self.view, 1)
        row = QHBoxLayout()
        row.addWidget(self.tally, 1)
        row.addWidget(self.add_button)
        inner.addLayout(row)

    def refresh(self) -> None:
        fill(self.view, self.ctx.read(finding_rows))
        for r in range(self.view.rowCount()):
            for c in (6, 7):
                item = self.view.item(r, c)
                if item is not None:
                    item.setToolTip(item.text())
        self.tally.setText(self.ctx.read(tally_text))

    def add(self) -> None:
        if register_finding(self.ctx, self):
            self.refresh()


def register_finding(ctx: AppContext, parent: QWidget) -> bool:
    dialog = FormDialog("登记锁定后查实的问题", parent)
    person = people_combo(ctx.read(active_choices), None, None)
    person.setCurrentIndex(-1)
    person.setMinimumWidth(320)
    day = _date_edit(dt.date.today(), latest=dt.date.today())
    item = QLineEdit()
    item.setPlaceholderText("项目编号，如 ZB-08")
    points = QLineEdit()
    points.setPlaceholderText("不填按细则分值")
    note = QLineEdit()
    note.setPlaceholderText("查实的问题和来源（督察、投诉、审计 …）")
    for title, widget in (("人员", person), ("问题发生日期", day), ("考核项目", item), ("分值", points), ("说明", note)):
        dialog.form.addRow(title, widget)
    dialog.form.addRow("", QLabel("已签核的考核表不改动；记入该月，并记下当月的审核人和签字人。"))

    def submit() -> bool:
        badge = picked_badge(person)
        if not badge:
            ctx.show_error(dialog, "请选择人员")
            return False
        when, code, text = pydate(day.date()), item.text().strip(), note.text()
        raw = points.text().strip()
        done = ctx.write(dialog, lambda s, a: accountability.record(
            s, a, badge, code, when, text, to_tenths(raw, field="分值") if raw else None).id, topic="period")
        return done is not None

    dialog.submit = submit
    return bool(dialog.exec())
