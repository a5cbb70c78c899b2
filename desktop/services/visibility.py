"""Publish after review (科尔沁: files are published once reviewed): what an officer may see.

An officer sees his own entries, file and reports always; colleagues' entries, files and the
board only for months that are signed (locked), unless the station publishes earlier (乌海's
公示栏: 设置 → 未签核月份向全体民警公开). Clerks, chiefs and administrators see everything; a
reviewer also sees the people he reviews.

    who = visible_people(session, actor, day)   # None: everyone; else the person ids allowed
    may_see(session, actor, person_id, day)
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from desktop.models.enums import PeriodState, Role
from desktop.models.periods import Period
from desktop.services import reviewers, station_settings


def month_published(session: Session, day: dt.date) -> bool:
    """Whether the month of `day` is signed (locked), or the station publishes early."""
    if station_settings.publish_early(session):
        return True
    code = f"{day.year}-{day.month:02d}"
    state = session.scalar(select(Period.state).where(Period.code == code))
    return state == PeriodState.LOCKED.value


def visible_people(session: Session, actor: object, day: dt.date) -> set[int] | None:
    """None when the actor may see everyone's records of `day`'s month; else whose he may see."""
    role = getattr(actor, "role", None)
    if role != Role.OFFICER or month_published(session, day):
        return None
    person_id = getattr(actor, "person_id", None)
    allowed: set[int] = set()
    if person_id is not None:
        allowed.add(person_id)
        allowed.update(p.id for p in reviewers.reviewed_by(session, person_id, day))
    return allowed


def may_see(session: Session, actor: object, person_id: int, day: dt.date) -> bool:
    allowed = visible_people(session, actor, day)
    return allowed is None or person_id in allowed


def hidden_note(day: dt.date) -> str:
    return (f"{day.year}年{day.month}月尚未签核：按本所规定，签核完成前民警只能查看本人（及本人审核的人员）的记录。")


def hidden_spans(session: Session, actor: object, today: dt.date | None = None) -> tuple[tuple[tuple[dt.date, dt.date], ...], tuple[int, ...]]:
    """For the entries list: the unsigned months (first to last day) in which an officer sees only
    his own people, and those people's ids; ((), ()) for everyone else, or when published early."""
    from desktop.models.enums import PeriodKind
    from desktop.models.ledger import Entry
    from desktop.services.periods import PeriodSpec

    if getattr(actor, "role", None) != Role.OFFICER or station_settings.publish_early(session):
        return (), ()
    today = today or dt.date.today()
    first = session.scalar(select(Entry.occurred_on).order_by(Entry.occurred_on).limit(1))
    if first is None:
        return (), ()
    locked = set(session.scalars(select(Period.code).where(Period.kind == "month",
                                                           Period.state == PeriodState.LOCKED.value)))
    spans = []
    year, month = first.year, first.month
    last = max(today, session.scalar(select(Entry.occurred_on).order_by(Entry.occurred_on.desc()).limit(1)) or today)
    while (year, month) <= (last.year, last.month):
        spec = PeriodSpec(PeriodKind.MONTH, year, month)
        if spec.code not in locked:
            spans.append((spec.start, spec.end))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    person_id = getattr(actor, "person_id", None)
    own = {person_id} if person_id is not None else set()
    if person_id is not None:
        own.update(p.id for p in reviewers.reviewed_by(session, person_id, today))
    return tuple(spans), tuple(sorted(own))
