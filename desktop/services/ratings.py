"""The reviewer's monthly level (审核人评定等次) and remark (月度评语).

Under a policy with `rated_by: reviewer` (科尔沁 五级) the reviewer sets each person's level for
the month; the engine's grade from the points stays beside it as the suggestion, and a level
away from the suggestion needs a reason. Under any policy the reviewer may leave a remark for
the month, printed in the person's 政绩档案.

    rate(session, reviewer, period, person_id, "良好", reason="")
    ratings_of(session, period)       # {person_id: Rating}
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from desktop.models.base import utcnow
from desktop.models.enums import PeriodKind
from desktop.models.oversight import Rating
from desktop.models.people import Person
from desktop.models.periods import Period
from desktop.services import audit, reviewers
from desktop.services.actor import Actor
from desktop.services.errors import NotFound, PermissionDenied, ValidationError
from desktop.services.periods import ensure_open_for_results, spec_of


def ratings_of(session: Session, period: Period) -> dict[int, Rating]:
    if period.id is None:
        return {}
    return {r.person_id: r for r in session.scalars(select(Rating).where(Rating.period_id == period.id))}


def remarks_of(session: Session, person_id: int, start: dt.date, end: dt.date) -> dict[str, Rating]:
    """A person's ratings and remarks of the months in [start, end], by period code."""
    rows = session.execute(select(Rating, Period.code).join(Period, Period.id == Rating.period_id).where(
        Rating.person_id == person_id, Period.kind == PeriodKind.MONTH.value, Period.start >= start,
        Period.end <= end)).all()
    return {code: rating for rating, code in rows}


def rate(session: Session, actor: Actor, period: Period, person_id: int, level: str, *, reason: str = "",
         remark: str = "") -> Rating:
    """Set (or change, before the month is signed) a person's level; `level` "" for a remark only."""
    from desktop.services.policies import policy_for
    from desktop.services.scoring import calculate

    ensure_open_for_results(period)
    if period.kind != PeriodKind.MONTH.value:
        raise ValidationError("审核人按月评定等次；季度和年度等次由各月得出")
    person = session.get(Person, person_id)
    if person is None:
        raise NotFound("人员不存在")
    if not reviewers.may_review(session, actor, person, period.end):
        if actor.person_id == person.id:
            raise PermissionDenied("不能给本人评定等次")
        who = reviewers.reviewer_of(session, person, period.end).label
        raise PermissionDenied(f"{person.name}的月度等次应由其审核人{who}评定")
    policy = policy_for(session, period)
    reason, remark = reason.strip(), remark.strip()
    if len(reason) > 500 or len(remark) > 500:
        raise ValidationError("理由和评语各不能超过 500 字")
    row = next((r for r in calculate(session, period, policy) if r.person_id == person_id), None)
    if row is None:
        raise ValidationError(f"{person.name}不在{spec_of(period).label}的考核名单中")
    suggested = row.engine_grade or ""
    if level:
        if policy.rated_by != "reviewer":
            raise ValidationError(f"“{policy.name}”按积分评定等次，审核人只能填写评语；如需调整等次请由所长调整并写明理由")
        if level not in policy.codes():
            raise ValidationError(f"等次“{level}”不在“{policy.name}”中，可选：{'、'.join(policy.codes())}")
        if row.excluded_reason:
            raise ValidationError(f"{person.name}不参与评定（{row.excluded_reason}）")
        if row.vetoed and policy.index(level) < policy.index(policy.veto_grade):
            raise ValidationError(f"{person.name}受一票否决，等次不能高于{policy.label_of(policy.veto_grade)}")
        if level != suggested and not reason:
            raise ValidationError(f"评定等次“{policy.label_of(level)}”与按积分建议的“{policy.label_of(suggested)}”"
                                  "不同，须写明理由")
    elif not remark:
        raise ValidationError("请选择等次或填写评语")
    found = ratings_of(session, period).get(person_id)
    if found is None:
        found = Rating(period_id=period.id, person_id=person_id)
        session.add(found)
    before = found.level
    found.level = level or found.level
    found.suggested, found.total_tenths = suggested, row.total
    found.reason = reason if level else found.reason
    found.remark = remark or found.remark
    found.by_user_id, found.by_name, found.at = actor.user_id, actor.display_name, utcnow()
    session.flush()
    audit.record(session, actor, "rating.set", "person", person.uuid, period=period.code, before=before or "",
                 level=found.level, suggested=suggested, reason=reason, remark=remark)
    return found


def apply(rows: list, ratings: dict[int, Rating], rated_by_reviewer: bool) -> None:
    """Scoring's hook: a reviewer-rated month's grade is the reviewer's level ("rated"), and a
    person not yet rated keeps the suggestion, flagged "unrated" (signing waits for it)."""
    if not rated_by_reviewer:
        return
    for row in rows:
        if row.excluded_reason:
            continue
        found = ratings.get(row.person_id)
        if found is not None and found.level:
            if found.level != row.grade:
                row.grade = found.level
            row.flags = sorted({*row.flags, "rated"})
        else:
            row.flags = sorted({*row.flags, "unrated"})
