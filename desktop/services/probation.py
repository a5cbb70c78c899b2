"""试岗 (probation): an officer put on probation for one of the five failings 云南 lists.

Its effect is a policy rule: a year with probation in it is graded at most the policy's
`probation_cap` (default: one below the best), and the person is not suggested for 评优.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from desktop.models.oversight import Probation
from desktop.services import audit
from desktop.services.actor import Actor, require
from desktop.services.errors import ValidationError
from desktop.services.roster import person_by_badge
from desktop.services.text import cn_date

CAUSES = {
    "duty": "不履行岗位职责",
    "discipline": "不遵守纪律规定",
    "obedience": "不服从组织管理",
    "fit": "不满足岗位需求",
    "attitude": "不在工作状态",
}


def cause_code(text: str) -> str:
    for code, label in CAUSES.items():
        if text.strip() in (code, label):
            return code
    choices = "、".join(f"{k}（{v}）" for k, v in CAUSES.items())
    raise ValidationError(f"试岗原因“{text}”不对，应为 {choices}")


def add(session: Session, actor: Actor, badge: str, start: dt.date, end: dt.date, cause: str,
        reason: str = "") -> Probation:
    require(actor, "grade.override")
    person = person_by_badge(session, badge)
    code = cause_code(cause)
    if end < start:
        raise ValidationError(f"试岗结束日期 {cn_date(end)} 早于开始日期 {cn_date(start)}")
    if (end - start).days > 366:
        raise ValidationError("试岗期不能超过一年")
    for other in on_record(session, person.id):
        if other.start <= end and other.end >= start:
            raise ValidationError(f"{person.name}在 {cn_date(other.start)} 至 {cn_date(other.end)} 已有试岗，不能重叠")
    row = Probation(person_id=person.id, start=start, end=end, cause=code, reason=reason.strip()[:500],
                    created_by_id=actor.user_id, created_by_name=actor.display_name)
    session.add(row)
    session.flush()
    audit.record(session, actor, "probation.add", "person", person.uuid, start=start, end=end,
                 cause=CAUSES[code], reason=reason.strip())
    return row


def on_record(session: Session, person_id: int | None = None) -> list[Probation]:
    query = select(Probation).order_by(Probation.start)
    if person_id is not None:
        query = query.where(Probation.person_id == person_id)
    return list(session.scalars(query))


def overlapping(session: Session, start: dt.date, end: dt.date) -> dict[int, Probation]:
    """Who was on probation at some time in [start, end]."""
    rows = session.scalars(select(Probation).where(Probation.start <= end, Probation.end >= start))
    return {r.person_id: r for r in rows}


def cap(rows: list, on_probation: dict[int, Probation], policy) -> None:
    """Scoring's hook for a year: the grade of a person on probation is at most the cap."""
    best = policy.capped_on_probation
    for row in rows:
        found = on_probation.get(row.person_id)
        if found is None or row.excluded_reason:
            continue
        row.flags = sorted({*row.flags, "probation"})
        if row.grade is not None and policy.index(row.grade) < policy.index(best):
            row.grade = best
