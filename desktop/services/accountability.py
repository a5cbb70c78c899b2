"""倒查责任: a violation found after its month was locked is recorded against that month, with
who reviewed the person and who signed the month; a report lists late findings per reviewer.

The signed sheet is not changed (its signatures stand for what was signed); the finding names
the people who answered for it, and the chief decides whether to reopen the month.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from desktop.models.enums import PeriodState
from desktop.models.oversight import LateFinding, SheetSignOff
from desktop.models.periods import SignOff
from desktop.services import audit, reviewers
from desktop.services.actor import Actor, require
from desktop.services.catalogue import item_in_force
from desktop.services.errors import ValidationError
from desktop.services.periods import locked_period_on, spec_of
from desktop.services.roster import person_by_badge
from desktop.services.text import cn_date


def record(session: Session, actor: Actor, badge: str, item_code: str, day: dt.date, note: str,
           points_tenths: int | None = None) -> LateFinding:
    require(actor, "entry.write")
    person = person_by_badge(session, badge)
    period = locked_period_on(session, day)
    if period is None or period.state != PeriodState.LOCKED.value:
        raise ValidationError(f"{cn_date(day)}所在的月份没有锁定，请直接录入积分，不必登记锁定后查实的问题")
    if not note.strip():
        raise ValidationError("请写明查实的问题和来源（督察、投诉、审计 …）")
    item = item_in_force(session, item_code, day)
    points = points_tenths if points_tenths is not None else item.points_tenths
    reviewer = reviewers.reviewer_of(session, person, period.end).person
    signers = [f"{s.step_title}：{s.signer_name}" for s in session.scalars(
        select(SignOff).where(SignOff.period_id == period.id).order_by(SignOff.seq))]
    signers += [f"{s.step_title}：{s.signer_name}" for s in session.scalars(
        select(SheetSignOff).where(SheetSignOff.period_id == period.id,
                                   SheetSignOff.department_id == person.department_id).order_by(SheetSignOff.seq))]
    row = LateFinding(period_id=period.id, person_id=person.id, occurred_on=day, item_code=item.code,
                      item_name=item.name, category=item.category, points_tenths=points, note=note.strip()[:1000],
                      reviewer_id=reviewer.id if reviewer else None, reviewer_name=reviewer.name if reviewer else "",
                      signers="；".join(signers)[:1000], recorded_by_id=actor.user_id,
                      recorded_by_name=actor.display_name)
    session.add(row)
    session.flush()
    audit.record(session, actor, "late.finding", "person", person.uuid, period=period.code, item=item.code,
                 reviewer=row.reviewer_name, signers=row.signers)
    return row


@dataclass(frozen=True)
class ReviewerTally:
    reviewer: str
    findings: int
    people: list[str]
    months: list[str]


def by_reviewer(session: Session, start: dt.date | None = None, end: dt.date | None = None) -> list[ReviewerTally]:
    """Late findings per reviewer (most first): whose reviews let violations through."""
    query = select(LateFinding)
    if start is not None:
        query = query.where(LateFinding.occurred_on >= start)
    if end is not None:
        query = query.where(LateFinding.occurred_on <= end)
    groups: dict[str, list[LateFinding]] = defaultdict(list)
    for row in session.scalars(query):
        groups[row.reviewer_name or "（无审核人）"].append(row)
    from desktop.models.people import Person
    from desktop.models.periods import Period

    out = []
    for name, rows in groups.items():
        people = sorted({session.get(Person, r.person_id).name for r in rows})
        months = sorted({spec_of(session.get(Period, r.period_id)).label for r in rows})
        out.append(ReviewerTally(name, len(rows), people, months))
    return sorted(out, key=lambda t: (-t.findings, t.reviewer))
