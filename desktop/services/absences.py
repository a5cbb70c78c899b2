"""Leave and secondment (请假, 借调 …) on the roster: a grade policy may keep people on long
leave out of ranking (`long_leave_days`), so the days must be recorded somewhere."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from desktop.models.people import Absence, Person
from desktop.services import audit
from desktop.services.actor import Actor, require
from desktop.services.errors import ValidationError
from desktop.services.roster import person_by_badge

KINDS = ("病假", "事假", "产假", "婚假", "丧假", "探亲假", "年休假", "工伤", "借调", "脱产培训", "其他")


def record(session: Session, actor: Actor, badge: str, start: dt.date, end: dt.date, kind: str,
           note: str = "") -> Absence:
    """Record one stretch of leave for a person on the roster (clerk or admin)."""
    require(actor, "roster.edit")
    person = person_by_badge(session, badge)
    kind = kind.strip()
    if kind not in KINDS:
        raise ValidationError(f"请假类别“{kind}”不对，应为：{'、'.join(KINDS)}")
    if end < start:
        raise ValidationError(f"请假结束日期 {end.isoformat()} 早于开始日期 {start.isoformat()}")
    if (end - start).days > 366:
        raise ValidationError("一次请假最长登记一年，更长的请分段登记")
    overlap = session.scalar(select(Absence.id).where(Absence.person_id == person.id, Absence.start <= end,
                                                      Absence.end >= start).limit(1))
    if overlap is not None:
        raise ValidationError(f"{person.name}在 {start.isoformat()} 至 {end.isoformat()} 已有请假记录，不能重复登记")
    row = Absence(person_id=person.id, start=start, end=end, kind=kind, note=note.strip(),
                  created_by_id=actor.user_id)
    session.add(row)
    session.flush()
    audit.record(session, actor, "absence.record", "person", person.uuid, start=start.isoformat(),
                 end=end.isoformat(), kind=kind, note=row.note)
    return row


def list_absences(session: Session, badge: str | None = None) -> list[tuple[Absence, Person]]:
    query = select(Absence, Person).join(Person, Person.id == Absence.person_id).order_by(Absence.start, Person.badge)
    if badge:
        query = query.where(Person.badge == badge.strip())
    return [(a, p) for a, p in session.execute(query)]
