"""Data for the performance-file summary (政绩档案): one person over one year.

Months are read the way every screen reads them (frozen results once locked, computed
from the ledger otherwise), so the file agrees with the grade sheets of the same months.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from desktop.exporters.pdf.data import EventLine, MonthLine, PerformanceFileData
from desktop.models.enums import Component, Identity, PeriodKind, PeriodState
from desktop.models.ledger import Entry
from desktop.models.periods import Period
from desktop.services import awards, roster, scoring
from desktop.services.errors import ValidationError
from desktop.services.grade_engine import Policy
from desktop.services.periods import PeriodSpec, find_period, spec_of, transient
from desktop.services.points import fmt
from desktop.services.policies import policy_for
from desktop.services.scoring import ScoreRow


def _label(policy: Policy, code: str | None) -> str:
    if not code:
        return ""
    return policy.level(code).label if code in policy.codes() else code


def _row_of(session: Session, period: Period, person_id: int) -> ScoreRow | None:
    return next((r for r in scoring.results(session, period) if r.person_id == person_id), None)


def _month(session: Session, spec: PeriodSpec, person_id: int, today: dt.date) -> tuple[MonthLine, str]:
    """One month's line, and the grade label (for the yearly count)."""
    label = f"{spec.number}月"
    if spec.start > today:
        return MonthLine(label, state="未到"), ""
    period = find_period(session, spec.code) or transient(spec)
    row = _row_of(session, period, person_id)
    state = PeriodState(period.state).label
    has_entries = session.scalar(select(Entry.id).where(
        Entry.person_id == person_id, Entry.occurred_on >= spec.start, Entry.occurred_on <= spec.end).limit(1))
    if row is None or (period.id is None and has_entries is None):
        return MonthLine(label, state="不在岗" if row is None else "无记录"), ""
    grade = _label(policy_for(session, period), row.grade)
    line = MonthLine(label, base=row.base, bonus=row.dept_bonus + row.higher_bonus,
                     deduction=row.dept_deduction + row.higher_deduction, total=row.total,
                     rank=row.rank_department, grade=grade, state=state, has_data=True)
    return line, grade


def _sanctions(session: Session, person_id: int, year: int) -> list[EventLine]:
    """Veto items and higher-level deductions of the year that were not reversed."""
    entries = list(session.scalars(select(Entry).where(
        Entry.person_id == person_id, Entry.scheme == "person", Entry.occurred_on >= dt.date(year, 1, 1),
        Entry.occurred_on <= dt.date(year, 12, 31)).order_by(Entry.occurred_on, Entry.id)))
    reversed_ids = {e.reverses_id for e in entries if e.reverses_id}
    out = []
    for e in entries:
        if e.reverses_id or e.id in reversed_ids:
            continue
        if e.veto or e.component == Component.HIGHER_DEDUCTION.value:
            what = f"{e.item_name}（一票否决）" if e.veto else e.item_name
            detail = f"{Component(e.component).label} {fmt(e.points_tenths)} 分" + (f"；{e.note}" if e.note else "")
            out.append(EventLine(f"{e.occurred_on.month}月{e.occurred_on.day}日", what, detail))
    return out


def _awards(session: Session, person_id: int, year: int) -> list[EventLine]:
    out = []
    for award in awards.awards_for_person(session, person_id):
        period = session.get(Period, award.period_id)
        if period is not None and period.year == year:
            out.append(EventLine(spec_of(period).label, award.title, award.note))
    return out


def performance_file_data(session: Session, year: int, badge: str,
                          today: dt.date | None = None) -> PerformanceFileData:
    """Identity, twelve months, grade counts, the year's grade, awards and sanctions of one person."""
    if not 2000 <= year <= 2100:
        raise ValidationError(f"年份“{year}”不对，应为四位年份，如 2026")
    today = today or dt.date.today()
    station = roster.get_station(session)
    person = roster.person_by_badge(session, badge)
    months, grades = [], []
    for number in range(1, 13):
        line, grade = _month(session, PeriodSpec(PeriodKind.MONTH, year, number), person.id, today)
        months.append(line)
        if grade:
            grades.append(grade)
    order = [lv.label for lv in policy_for(session).levels]
    counts = [(label, grades.count(label)) for label in order]
    counts += [(label, grades.count(label)) for label in dict.fromkeys(grades) if label not in order]
    year_period = find_period(session, str(year))
    year_row = _row_of(session, year_period, person.id) if year_period is not None else None
    year_grade = _label(policy_for(session, year_period), year_row.grade) if year_row and year_period else ""
    return PerformanceFileData(
        station=station.name, year=year, name=person.name, badge=person.badge,
        identity=Identity(person.identity).label, position=person.position, department=person.department.name,
        sequence=person.sequence, months=months, year_total=sum(m.total for m in months if m.has_data),
        year_grade=year_grade, grade_counts=counts, awards=_awards(session, person.id, year),
        sanctions=_sanctions(session, person.id, year), photo=person.photo, printed_on=today,
    )
