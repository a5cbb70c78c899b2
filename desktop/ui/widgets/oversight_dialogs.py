"""试岗与投诉, its reads and its three forms: register a probation, register a complaint, record
what verifying a complaint found.

Each form stays open when the service refuses (its Chinese message is shown), so the chief
or the clerk corrects the field; the services check the role and the dates again.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from PySide6.QtWidgets import QCheckBox, QDateEdit, QLabel, QLineEdit, QPlainTextEdit, QWidget
from sqlalchemy import select
from sqlalchemy.orm import Session

from desktop.models.ledger import Entry
from desktop.models.oversight import Complaint
from desktop.models.people import Person
from desktop.services import complaints, probation
from desktop.services.errors import NotFound
from desktop.services.points import fmt
from desktop.ui.context import AppContext
from desktop.ui.widgets.date_edit import DateEdit
from desktop.ui.widgets.entry_list import pydate, qdate
from desktop.ui.widgets.forms import FormDialog, combo, people_combo, picked_badge

PROBATION_HEADERS = ["警号", "姓名", "部门", "开始", "结束", "状态", "原因", "说明", "登记人"]
COMPLAINT_HEADERS = ["编号", "收到日期", "来源", "被投诉人", "投诉人", "内容", "核实结果", "核实情况", "处理",
                     "关联扣分"]
NO_ENTRY = "（不关联扣分记录）"


@dataclass(frozen=True)
class ComplaintLine:
    id: int
    person_id: int | None
    person: str  # "姓名（警号）" or ""
    received_on: dt.date
    outcome: str  # complaints.OUTCOMES code
    cells: list[str]  # COMPLAINT_HEADERS


def _who(person: Person | None) -> str:
    return f"{person.name}（{person.badge}）" if person is not None else ""


def active_choices(session: Session, day: dt.date | None = None) -> list[tuple[str, str]]:
    day = day or dt.date.today()
    people = sorted((p for p in session.scalars(select(Person)) if p.active_on(day)), key=lambda p: p.badge)
    return [(p.badge, f"{p.name}（{p.badge}）{p.department.name}") for p in people]


def probation_rows(session: Session, day: dt.date | None = None) -> list[list[str]]:
    day = day or dt.date.today()
    out = []
    for row in reversed(probation.on_record(session)):  # the latest first
        person = session.get(Person, row.person_id)
        state = "试岗中" if row.start <= day <= row.end else ("已结束" if row.end < day else "未开始")
        out.append([person.badge if person else "", person.name if person else "", person.department.name if person
                    else "", row.start.isoformat(), row.end.isoformat(), state,
                    probation.CAUSES.get(row.cause, row.cause), row.reason, row.created_by_name])
    return out


def _entry_label(entry: Entry) -> str:
    return f"{entry.occurred_on.isoformat()} {entry.item_code} {entry.item_name} 扣 {fmt(abs(entry.points_tenths))} 分"


def complaint_lines(session: Session) -> list[ComplaintLine]:
    out = []
    for row in complaints.listing(session):
        person = session.get(Person, row.person_id) if row.person_id else None
        entry = session.get(Entry, row.entry_id) if row.entry_id else None
        who = "匿名" if row.anonymous else (row.complainant or "—")
        out.append(ComplaintLine(row.id, row.person_id, _who(person), row.received_on, row.outcome, [
            str(row.id), row.received_on.isoformat(), complaints.SOURCES.get(row.source, row.source),
            _who(person) or "（未指明）", who, row.content, complaints.OUTCOMES.get(row.outcome, row.outcome),
            row.finding, row.follow_up, _entry_label(entry) if entry else ""]))
    return out


def deduction_choices(session: Session, person_id: int | None) -> list[tuple[str, str]]:
    """The person's deductions still standing (not reversed), the latest first: the entry a
    verified complaint links (its uuid as data; a uuid may also be pasted)."""
    if person_id is None:
        return []
    reversed_ids = select(Entry.reverses_id).where(Entry.reverses_id.is_not(None))
    rows = session.scalars(select(Entry).where(
        Entry.person_id == person_id, Entry.component.like("%deduction%"), Entry.reverses_id.is_(None),
        Entry.id.not_in(reversed_ids)).order_by(Entry.occurred_on.desc(), Entry.id.desc()).limit(60))
    return [(e.uuid, _entry_label(e)) for e in rows]


def entry_id_of(session: Session, uuid: str | None) -> int | None:
    if not uuid:
        return None
    entry = session.scalar(select(Entry).where(Entry.uuid == uuid.strip().lower()))
    if entry is None:
        raise NotFound(f"没有编号为“{uuid}”的积分记录（编号见考核日记中记录的详情）")
    return entry.id


def _date_edit(day: dt.date, latest: dt.date | None = None) -> QDateEdit:
    edit = DateEdit(qdate(day))
    edit.setCalendarPopup(True)
    edit.setDisplayFormat("yyyy-MM-dd")
    if latest is not None:
        edit.setMaximumDate(qdate(latest))
    return edit


def _text(placeholder: str, lines: int = 3) -> QPlainTextEdit:
    edit = QPlainTextEdit()
    edit.setPlaceholderText(placeholder)
    edit.setTabChangesFocus(True)  # Tab moves on to the next field, as in the rest of the form
    edit.setFixedHeight(edit.fontMetrics().height() * lines + 14)
    return edit


def register_probation(ctx: AppContext, parent: QWidget) -> bool:
    choices = ctx.read(active_choices)
    dialog = FormDialog("登记试岗", parent)
    person = people_combo(choices, None, None)
    person.setCurrentIndex(-1)
    person.setMinimumWidth(320)
    today = dt.date.today()
    start, end = _date_edit(today), _date_edit(pydate(qdate(today).addMonths(3)))
    cause = combo(list(probation.CAUSES.items()))
    reason = QLineEdit()
    reason.setPlaceholderText("具体事实（写入审计记录）")
    for title, widget in (("人员", person), ("开始日期", start), ("结束日期", end), ("试岗原因", cause),
                          ("说明", reason)):
        dialog.form.addRow(title, widget)
    dialog.form.addRow("", QLabel("试岗期所在年度的等次最高为等次政策规定的等次，且不推荐评优。"))

    def submit() -> bool:
        badge = picked_badge(person)
        if not badge:
            ctx.show_error(dialog, "请选择试岗人员")
            return False
        values = (badge, pydate(start.date()), pydate(end.date()), cause.currentData(), reason.text())
        # "period": a probation caps the grade of its year, so grade lists and suggestions read again
        done = ctx.write(dialog, lambda s, a: probation.add(s, a, *values).id, topic="period")
        return done is not None

    dialog.submit = submit
    return bool(dialog.exec())


def register_complaint(ctx: AppContext, parent: QWidget) -> int | None:
    """The new complaint's id (None: cancelled)."""
    choices = ctx.read(active_choices)
    dialog = FormDialog("登记投诉", parent)
    received = _date_edit(dt.date.today(), latest=dt.date.today())
    source = combo(list(complaints.SOURCES.items()))
    content = _text("投诉的事实：时间、地点、经过")
    person = people_combo(choices, "（未指明被投诉人）", None)
    person.setMinimumWidth(320)
    anonymous = QCheckBox("匿名投诉（不登记投诉人）")
    complainant = QLineEdit()
    complainant.setPlaceholderText("投诉人姓名、联系方式（可不填）")
    anonymous.toggled.connect(lambda on: (complainant.setEnabled(not on), complainant.clear() if on else None))
    for title, widget in (("收到日期", received), ("来源", source), ("内容", content), ("被投诉人", person),
                          ("匿名", anonymous), ("投诉人", complainant)):
        dialog.form.addRow(title, widget)

    def submit() -> bool:
        values = dict(received_on=pydate(received.date()), source=source.currentData(),
                      content=content.toPlainText(), badge=picked_badge(person) or "",
                      anonymous=anonymous.isChecked(), complainant=complainant.text())
        done = ctx.write(dialog, lambda s, a: complaints.register(s, a, **values).id, topic="people")
        made.append(done)
        return done is not None

    made: list[int | None] = []
    dialog.submit = submit
    return made[-1] if dialog.exec() and made else None


def verify_complaint(ctx: AppContext, parent: QWidget, line: ComplaintLine) -> bool:
    row = ctx.read(lambda s: s.get(Complaint, line.id))
    entries = ctx.read(lambda s: deduction_choices(s, line.person_id))
    dialog = FormDialog(f"核实投诉（编号 {line.id}）", parent)
    summary = QLabel(f"{line.received_on.isoformat()}　{line.person or '未指明被投诉人'}：{line.cells[5]}")
    summary.setWordWrap(True)
    summary.setMaximumWidth(460)
    outcome = combo([(k, v) for k, v in complaints.OUTCOMES.items() if k != "pending"],
                    row.outcome if row is not None and row.outcome != "pending" else None)
    finding = _text("核实的经过和结论")
    follow_up = QLineEdit()
    follow_up.setPlaceholderText("如：批评教育、按细则扣分、向投诉人反馈")
    entry = people_combo(entries, NO_ENTRY, None)  # (uuid, label): the same typing and pasting
    entry.setMinimumWidth(380)
    entry.setToolTip("属实的投诉关联为它记录的扣分；也可粘贴积分记录的编号")
    if row is not None:
        finding.setPlainText(row.finding)
        follow_up.setText(row.follow_up)
    for title, widget in (("投诉", summary), ("核实结果", outcome), ("核实情况", finding), ("处理", follow_up),
                          ("关联扣分记录", entry)):
        dialog.form.addRow(title, widget)

    def submit() -> bool:
        values = (outcome.currentData(), finding.toPlainText(), follow_up.text(), picked_badge(entry))
        done = ctx.write(dialog, lambda s, a: complaints.verify(
            s, a, line.id, values[0], values[1], follow_up=values[2], entry_id=entry_id_of(s, values[3])).id,
            topic="people")
        return done is not None

    dialog.submit = submit
    return bool(dialog.exec())
