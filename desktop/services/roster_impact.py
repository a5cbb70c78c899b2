"""What a roster change does to months already recorded, said before it is made.

The roster keeps one department (with its dated moves) and one pair of on-duty dates per person.
A change to them reaches into the past: a 离岗日期 earlier than the person's last entries drops
those entries from the score; a move to another department re-ranks the open months from the
one it falls in. Locked
months are safe by construction (their results, names included, are frozen at locking, so a
signed sheet, its reprint and its verification code stay as they were). This module words
those consequences for the person dialog, `jifen person update` and the import preview. A move
takes effect from its date (department_moves: the month it falls in is ranked in the new
department), by default from the first day after the last locked period; the lines name both.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from desktop.models.enums import PeriodState
from desktop.models.grading import ScoreResult
from desktop.models.ledger import Entry
from desktop.models.people import Person
from desktop.models.periods import Period
from desktop.models.station import Department
from desktop.services import department_moves
from desktop.services.periods import month_of, spec_of
from desktop.services.text import cn_date


def change_impact(session: Session, person: Person, changes: dict[str, Any],
                  moved_on: dt.date | None = None) -> list[str]:
    """Lines saying what `changes` (Person field → new value) does to recorded months; [] when nothing.
    `moved_on` is the effective date of a department change (None: from the first open day)."""
    lines: list[str] = []
    if "active_to" in changes or "active_from" in changes:
        lines += _duty_lines(session, person, changes.get("active_from", person.active_from),
                             changes.get("active_to", person.active_to))
    if (dept_id := changes.get("department_id")) is not None and dept_id != person.department_id:
        lines += _move_lines(session, person, dept_id, moved_on)
    renamed = [(label, getattr(person, key), changes[key]) for key, label in (("name", "姓名"), ("badge", "警号"))
               if key in changes and changes[key] != getattr(person, key)]
    if renamed and _frozen_months(session, person):
        said = "，".join(f"{label}由“{old}”改为“{new}”" for label, old, new in renamed)
        lines.append(f"{said}：已锁定周期的评定表仍按原来的{'和'.join(r[0] for r in renamed)}打印，核验码不变")
    return lines


def _duty_lines(session: Session, person: Person, start: dt.date | None, end: dt.date | None) -> list[str]:
    lines = []
    for bound, day in (("离岗日期", end), ("在岗日期", start)):
        if day is None:
            continue
        beyond = Entry.occurred_on > day if bound == "离岗日期" else Entry.occurred_on < day
        count, first, last = session.execute(
            select(func.count(Entry.id), func.min(Entry.occurred_on), func.max(Entry.occurred_on))
            .where(Entry.person_id == person.id, Entry.reverses_id.is_(None), beyond)).one()
        if not count:
            continue
        locked = _locked_between(session, first, last)
        text = (f"{bound}为{cn_date(day)}：此人{'在这之后' if bound == '离岗日期' else '在这之前'}还有 {count} 条积分记录"
                f"（{cn_date(first)}至{cn_date(last)}），这些记录不再计入积分")
        if locked:
            text += f"；其中{'、'.join(locked)}已锁定，该月的评定表和等次不变（锁定时已保存）"
        lines.append(text)
    return lines


def _move_lines(session: Session, person: Person, dept_id: int, moved_on: dt.date | None) -> list[str]:
    old, new = session.get(Department, person.department_id), session.get(Department, dept_id)
    if old is None or new is None:
        return []
    day = department_moves.effective_day(session, person, moved_on)
    frozen = _frozen_months(session, person)
    text = f"部门由“{old.name}”改为“{new.name}”，自{cn_date(day)}起生效："
    if frozen:
        text += f"已锁定的{'、'.join(frozen[-3:])}{'等' if len(frozen) > 3 else ''}仍按“{old.name}”；"
    month = month_of(day)
    last_locked = department_moves.last_locked_day(session)
    if last_locked is None or month.start > last_locked + dt.timedelta(days=1):
        text += f"{month.label}之前未锁定的月份仍按“{old.name}”；"
    when = month.label if day == month.start else f"{month.label}（调动当月，以月末所在部门为准）"
    text += f"{when}起按“{new.name}”排名和评定"
    return [text]


def _frozen_months(session: Session, person: Person) -> list[str]:
    periods = session.scalars(select(Period).join(ScoreResult, ScoreResult.period_id == Period.id)
                              .where(ScoreResult.person_id == person.id, Period.state == PeriodState.LOCKED.value)
                              .order_by(Period.start))
    return [spec_of(p).label for p in periods]


def _locked_between(session: Session, first: dt.date, last: dt.date) -> list[str]:
    periods = session.scalars(select(Period).where(Period.state == PeriodState.LOCKED.value, Period.start <= last,
                                                   Period.end >= first).order_by(Period.start))
    return [spec_of(p).label for p in periods]
