"""Moves between departments with an effective date (调动生效日期), and the department a person
held on a given day.

`Person.department_id` says where a person is now. A move recorded here says from which day that
holds; before it the person was in `from_department_id`. The rule for ranking is the one the
stations write in their 考核办法: a period is ranked in the department the person holds on its
last day on the roster (“以月末所在部门为准”). So a move on 11月15日 ranks November in the new
department and October in the old one, and a move dated 12月1日 leaves November where it was.

A move may not start inside or before a locked period: those results are frozen with the
department they were graded under, and a move dated there would say something the signed sheets
contradict. A move without a date takes effect from the first day after the last locked period
(the whole open stretch), which is what a department change meant before moves had dates.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from desktop.models.enums import PeriodState
from desktop.models.people import DepartmentMove, Person
from desktop.models.periods import Period
from desktop.models.station import Department
from desktop.services.actor import Actor
from desktop.services.errors import ValidationError
from desktop.services.periods import spec_of
from desktop.services.text import cn_date

# person id → [(effective_on, from_department_id)], earliest first
Moves = dict[int, list[tuple[dt.date, int]]]


def last_locked_day(session: Session) -> dt.date | None:
    return session.scalar(select(func.max(Period.end)).where(Period.state == PeriodState.LOCKED.value))


def first_open_day(session: Session) -> dt.date:
    """The day after the last locked period ends: where an undated roster change takes effect.
    With nothing locked, the first of this month (a change then counts for the month it is made in)."""
    last = last_locked_day(session)
    return last + dt.timedelta(days=1) if last is not None else dt.date.today().replace(day=1)


def effective_day(session: Session, person: Person, effective_on: dt.date | None) -> dt.date:
    """The date a department change takes effect: the one given, else the first open day (or the
    person's first day, when they came after it)."""
    if effective_on is not None:
        return effective_on
    day = first_open_day(session)
    return max(day, person.active_from) if person.active_from is not None else day


def check_move(session: Session, person: Person, effective_on: dt.date) -> None:
    """Refuse a date inside a locked period, before the person came, or before their last move."""
    last_locked = last_locked_day(session)
    if last_locked is not None and effective_on <= last_locked:
        opens = last_locked + dt.timedelta(days=1)
        locked = session.scalar(select(Period).where(Period.state == PeriodState.LOCKED.value,
                                                     Period.start <= effective_on, Period.end >= effective_on)
                                .order_by(Period.start).limit(1))
        where = f"已锁定的{spec_of(locked).label}内" if locked is not None else "已锁定的周期之前或其间"
        raise ValidationError(f"{person.name} 的调动生效日期{cn_date(effective_on)}落在{where}；"
                              f"已锁定周期的评定结果不能改变，请把生效日期定在{cn_date(opens)}或之后")
    if person.active_from is not None and effective_on < person.active_from:
        raise ValidationError(f"{person.name} 的调动生效日期{cn_date(effective_on)}早于在岗日期"
                              f"{cn_date(person.active_from)}")
    last = _last_move(session, person.id)
    if last is not None and effective_on < last.effective_on:
        raise ValidationError(f"{person.name} 已有一次{cn_date(last.effective_on)}生效的调动；"
                              "新的调动生效日期不能早于它")


def record_move(session: Session, actor: Actor, person: Person, to_department_id: int,
                effective_on: dt.date | None) -> dt.date:
    """Record the move for a department change about to be saved (the caller then sets
    `person.department_id`); returns its effective date. A second change on the same effective
    date corrects the first (A→B then B→C is one move A→C; moved back, no move is left)."""
    day = effective_day(session, person, effective_on)
    check_move(session, person, day)
    last = _last_move(session, person.id)
    if last is not None and last.effective_on == day:
        if last.from_department_id == to_department_id:
            session.delete(last)
        else:
            last.to_department_id = to_department_id
        return day
    session.add(DepartmentMove(person_id=person.id, from_department_id=person.department_id,
                               to_department_id=to_department_id, effective_on=day, created_by_id=actor.user_id))
    return day


def _last_move(session: Session, person_id: int) -> DepartmentMove | None:
    return session.scalar(select(DepartmentMove).where(DepartmentMove.person_id == person_id)
                          .order_by(DepartmentMove.effective_on.desc()).limit(1))


def later_moves(session: Session, after: dt.date) -> Moves:
    """Every move effective after `after`, by person: what is needed to tell who held which
    department on any day from `after` on (a move on or before it no longer matters)."""
    found: Moves = defaultdict(list)
    rows = session.connection().execute(
        select(DepartmentMove.person_id, DepartmentMove.effective_on, DepartmentMove.from_department_id)
        .where(DepartmentMove.effective_on > after).order_by(DepartmentMove.person_id, DepartmentMove.effective_on))
    for person_id, effective_on, from_id in rows:
        found[person_id].append((effective_on, from_id))
    return dict(found)


def held_on(moves: list[tuple[dt.date, int]], day: dt.date) -> int | None:
    """The department held on `day` when a later move has changed it since, else None (then it is
    the person's current department). `moves` is earliest first."""
    for effective_on, from_id in moves:
        if effective_on > day:
            return from_id
    return None


def ranking_day(period_end: dt.date, active_to: dt.date | None) -> dt.date:
    """The day whose department a period is ranked in: its last day, or the person's last day on
    the roster when they left before it ended."""
    return min(period_end, active_to) if active_to is not None else period_end


def history(session: Session, person_id: int) -> list[str]:
    """The person's moves as lines for the person dialog and `jifen person show`, earliest first."""
    names = dict(session.execute(select(Department.id, Department.name)).all())
    moves = session.scalars(select(DepartmentMove).where(DepartmentMove.person_id == person_id)
                            .order_by(DepartmentMove.effective_on))
    return [f"{cn_date(m.effective_on)}起由“{names.get(m.from_department_id, '?')}”调入"
            f"“{names.get(m.to_department_id, '?')}”" for m in moves]
