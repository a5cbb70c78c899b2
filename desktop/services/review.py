"""Month review: officers confirm or dispute their sheet, the chief resolves disputes and
may override a grade with a reason."""

from __future__ import annotations

from collections import Counter

from sqlalchemy import select
from sqlalchemy.orm import Session

from desktop.models.base import utcnow
from desktop.models.enums import ConfirmStatus, PeriodState, Role
from desktop.models.grading import GradeOverride
from desktop.models.people import Person
from desktop.models.periods import Confirmation, Period
from desktop.services import audit
from desktop.services.actor import Actor, can, require
from desktop.services.errors import NotFound, PermissionDenied, ValidationError
from desktop.services.grade_policy import Policy
from desktop.services.grade_why import group_label, quota_line
from desktop.services.periods import ensure_open_for_results, spec_of
from desktop.services.policies import policy_for
from desktop.services.scoring import ScoreRow, calculate


def _person(session: Session, person_id: int) -> Person:
    person = session.get(Person, person_id)
    if person is None:
        raise NotFound("人员不存在")
    return person


def _may_speak_for(actor: Actor, person: Person) -> None:
    """An officer confirms only their own sheet; clerks and chiefs record paper confirmations."""
    if actor.role == Role.OFFICER and actor.person_id != person.id:
        raise PermissionDenied("民警只能确认或反馈本人的月积分")
    if actor.role != Role.OFFICER and not can(actor, "confirm.any"):
        raise PermissionDenied("当前用户无权登记确认")


def _in_review(period: Period) -> None:
    if period.state != PeriodState.REVIEW.value:
        raise ValidationError(f"{spec_of(period).label}不在审核中，不能确认或提出异议")


def confirmations(session: Session, period: Period) -> dict[int, Confirmation]:
    rows = session.scalars(select(Confirmation).where(Confirmation.period_id == period.id))
    return {row.person_id: row for row in rows}


def confirm(session: Session, actor: Actor, period: Period, person_id: int, comment: str = "") -> Confirmation:
    person = _person(session, person_id)
    _may_speak_for(actor, person)
    _in_review(period)
    row = confirmations(session, period).get(person_id)
    if row is not None and row.status == ConfirmStatus.DISPUTED.value:
        raise ValidationError(f"{person.name}的异议尚未处理，处理后再确认")
    if row is None:
        row = Confirmation(period_id=period.id, person_id=person_id, status=ConfirmStatus.CONFIRMED.value)
        session.add(row)
    row.status, row.comment, row.by_user_id, row.at = ConfirmStatus.CONFIRMED.value, comment, actor.user_id, utcnow()
    session.flush()
    audit.record(session, actor, "review.confirm", "person", person.uuid, period=period.code)
    return row


def confirm_many(session: Session, actor: Actor, period: Period, person_ids: list[int],
                 comment: str = "") -> list[Confirmation]:
    """Several paper sheets registered at once (a clerk's month: 30-odd signed slips). All or
    nothing: a disputed member among them refuses the lot, naming everyone in that state."""
    people = [_person(session, pid) for pid in dict.fromkeys(person_ids)]
    if not people:
        raise ValidationError("没有选中要登记确认的人员")
    _in_review(period)
    states = confirmations(session, period)
    disputed = [p.name for p in people
                if (row := states.get(p.id)) is not None and row.status == ConfirmStatus.DISPUTED.value]
    if disputed:
        raise ValidationError(f"{'、'.join(disputed)}的异议尚未处理，处理后再确认（其余人员未登记）")
    return [confirm(session, actor, period, p.id, comment) for p in people]


def unconfirm(session: Session, actor: Actor, period: Period, person_id: int, reason: str = "") -> None:
    """Take back a confirmation recorded by mistake: the member is unconfirmed again. Only
    while nothing has been signed this round, since a signature relied on the confirmation."""
    from desktop.services import signoff  # signoff reads the confirmations: imported late

    person = _person(session, person_id)
    _may_speak_for(actor, person)
    _in_review(period)
    row = confirmations(session, period).get(person_id)
    if row is None or row.status != ConfirmStatus.CONFIRMED.value:
        state = ConfirmStatus(row.status).label if row is not None else "未确认"
        raise ValidationError(f"{person.name}本月积分{state}，没有可撤销的确认")
    if signoff.signatures(session, period) or signoff.sheet_signatures(session, period):
        raise ValidationError("本期已有人签字，确认不能再撤销；确需更改，请所长先撤回签字")
    session.delete(row)
    session.flush()
    audit.record(session, actor, "review.unconfirm", "person", person.uuid, period=period.code,
                 reason=reason.strip())


def dispute(session: Session, actor: Actor, period: Period, person_id: int, comment: str) -> Confirmation:
    person = _person(session, person_id)
    _may_speak_for(actor, person)
    _in_review(period)
    if not comment.strip():
        raise ValidationError("提出异议需要说明哪一条积分有问题、为什么")
    row = confirmations(session, period).get(person_id)
    if row is None:
        row = Confirmation(period_id=period.id, person_id=person_id, status=ConfirmStatus.DISPUTED.value)
        session.add(row)
    row.status, row.comment, row.by_user_id, row.at = ConfirmStatus.DISPUTED.value, comment.strip(), actor.user_id, utcnow()
    row.resolution, row.resolved_by_id, row.resolved_at = "", None, None
    session.flush()
    audit.record(session, actor, "review.dispute", "person", person.uuid, period=period.code, comment=comment)
    return row


def resolve(session: Session, actor: Actor, period: Period, person_id: int, resolution: str) -> Confirmation:
    require(actor, "dispute.resolve")
    person = _person(session, person_id)
    row = confirmations(session, period).get(person_id)
    if row is None or row.status != ConfirmStatus.DISPUTED.value:
        raise ValidationError(f"{person.name}没有待处理的异议")
    if not resolution.strip():
        raise ValidationError("处理异议需要填写处理意见")
    row.status, row.resolution = ConfirmStatus.RESOLVED.value, resolution.strip()
    row.resolved_by_id, row.resolved_at = actor.user_id, utcnow()
    audit.record(session, actor, "review.resolve", "person", person.uuid, period=period.code,
                 resolution=resolution)
    return row


def excuse(session: Session, actor: Actor, period: Period, person_id: int, reason: str) -> Confirmation:
    """Record why a member has not confirmed (请假, 出差 …): the sheet may then be signed."""
    person = _person(session, person_id)
    if not can(actor, "confirm.any"):
        from desktop.services import reviewers

        if not reviewers.may_review(session, actor, person, period.end):
            raise PermissionDenied("只有内勤、所领导或本人的审核人可以登记未确认原因")
    _in_review(period)
    reason = reason.strip()
    if not reason:
        raise ValidationError(f"请写明{person.name}未确认的原因（请假、出差 …）")
    if len(reason) > 200:
        raise ValidationError("未确认原因不能超过 200 字")
    row = confirmations(session, period).get(person_id)
    if row is not None and row.status != ConfirmStatus.EXCUSED.value:
        raise ValidationError(f"{person.name}本月积分{ConfirmStatus(row.status).label}，无需登记未确认原因")
    if row is None:
        row = Confirmation(period_id=period.id, person_id=person_id, status=ConfirmStatus.EXCUSED.value)
        session.add(row)
    row.comment, row.by_user_id, row.at = reason, actor.user_id, utcnow()
    session.flush()
    audit.record(session, actor, "review.excuse", "person", person.uuid, period=period.code, reason=reason)
    return row


def open_disputes(session: Session, period: Period) -> list[int]:
    return [pid for pid, row in confirmations(session, period).items()
            if row.status == ConfirmStatus.DISPUTED.value]


def override_grade(session: Session, actor: Actor, period: Period, person_id: int, grade: str,
                   reason: str) -> GradeOverride:
    """The chief's manual grade. A reason is required and recorded; the engine's grade is kept."""
    require(actor, "grade.override")
    ensure_open_for_results(period)
    person = _person(session, person_id)
    if not reason.strip():
        raise ValidationError(f"调整{person.name}的等次必须填写理由")
    policy = policy_for(session, period)
    if grade not in policy.codes():
        raise ValidationError(f"等次“{grade}”不在“{policy.name}”中，可选：{'、'.join(policy.codes())}")
    rows = calculate(session, period, policy)
    current = next((r for r in rows if r.person_id == person_id), None)
    if current is None:
        raise ValidationError(f"{person.name}不在{spec_of(period).label}的考核名单中")
    if current.excluded_reason:
        raise ValidationError(f"{person.name}不参与排名（{current.excluded_reason}），不能调整等次")
    if current.vetoed and policy.index(grade) < policy.index(policy.veto_grade):
        raise ValidationError(f"{person.name}受一票否决，等次不能高于{policy.label_of(policy.veto_grade)}；"
                              "只有作废该条一票否决记录才能解除")
    breach = _quota_breach(policy, rows, current, grade)
    if breach and not policy.allow_over_quota:
        raise ValidationError(f"调整后将超出比例：{breach}。等次政策不允许所长调整突破比例")
    row = GradeOverride(period_id=period.id, person_id=person_id, from_grade=current.grade, to_grade=grade,
                        reason=reason.strip(), by_user_id=actor.user_id)
    session.add(row)
    session.flush()
    audit.record(session, actor, "grade.override", "person", person.uuid, period=period.code,
                 before=current.grade, after=grade, reason=reason.strip())
    return row


def _quota_breach(policy: Policy, rows: list[ScoreRow], current: ScoreRow, grade: str) -> str:
    """The quota line that moving `current` to `grade` would break in its group ('' if none)."""
    members = [r for r in rows if r.ranking_group == current.ranking_group and not r.excluded_reason]
    n = len(members)
    after = Counter(grade if r.person_id == current.person_id else r.grade for r in members)
    for code in (grade, current.grade):
        if code is None:
            continue
        lv = policy.level(code)
        high, low = lv.max_count(n), lv.min_count(n)
        if (high is not None and after[code] > high) or (low is not None and after[code] < low):
            return f"{group_label(current)}{quota_line(policy, lv, n)}，调整后为 {after[code]} 人"
    return ""


def with_review_flags(session: Session, period: Period, rows: list[ScoreRow]) -> list[ScoreRow]:
    """Add 'disputed' / 'unconfirmed' flags from the officers' confirmations."""
    states = confirmations(session, period)
    for row in rows:
        state = states.get(row.person_id)
        if state is None:
            row.flags = sorted({*row.flags, "unconfirmed"})
        elif state.status == ConfirmStatus.EXCUSED.value:
            row.flags = sorted({*row.flags, "excused"})
        elif state.status == ConfirmStatus.DISPUTED.value:
            row.flags = sorted({*row.flags, "disputed"})
    return rows
