"""Sign a period along the configured chain (三级审核); the last signature locks it.

Each signature stores a SHA-256 digest of the period's score data, so a signature made
before the data changed is detected and the chain must be signed again.
"""

from __future__ import annotations

import hashlib
import json

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from desktop.models.enums import PeriodState, Role
from desktop.models.periods import Period, SignOff
from desktop.models.station import SignoffStep
from desktop.services import audit, awards, periods, scoring
from desktop.services.accounts import verify_password
from desktop.services.actor import Actor
from desktop.services.errors import PermissionDenied, ValidationError
from desktop.services.review import open_disputes
from desktop.services.roster import get_station
from desktop.services.scoring import ScoreRow


def digest_rows(station_code: str, period_code: str, rows: list[ScoreRow]) -> str:
    """A stable digest of what is signed: every person's components, total, rank and grade."""
    payload = [station_code, period_code] + [
        [r.badge, r.base, r.dept_bonus, r.dept_deduction, r.higher_bonus, r.higher_deduction, r.start,
         r.total, r.rank_department, r.grade or ""]
        for r in sorted(rows, key=lambda r: r.badge)
    ]
    return hashlib.sha256(json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()).hexdigest()


def chain(session: Session) -> list[SignoffStep]:
    return list(get_station(session).signoff_steps)


def signatures(session: Session, period: Period) -> list[SignOff]:
    return list(session.scalars(select(SignOff).where(SignOff.period_id == period.id).order_by(SignOff.seq)))


def next_step(session: Session, period: Period) -> SignoffStep | None:
    done = {s.seq for s in signatures(session, period)}
    return next((step for step in chain(session) if step.seq not in done), None)


def sign(session: Session, actor: Actor, period: Period, password: str) -> SignOff:
    """Sign the next step of the chain; the signer re-enters the password."""
    if period.state != PeriodState.REVIEW.value:
        raise ValidationError(f"{periods.spec_of(period).label}不在审核中，不能签字")
    step = next_step(session, period)
    if step is None:
        raise ValidationError("签核流程已全部完成")
    if actor.role != Role(step.role):
        raise PermissionDenied(f"“{step.title}”需由{Role(step.role).label}签字")
    if any(s.user_id == actor.user_id for s in signatures(session, period)) and len(chain(session)) > 1:
        # One person signing twice would defeat a multi-level check.
        raise PermissionDenied("同一人不能在签核流程中签两次，请由下一位审核人签字")
    verify_password(session, actor, password)
    disputes = open_disputes(session, period)
    if disputes:
        raise ValidationError(f"还有 {len(disputes)} 人的异议未处理，处理完才能签字")
    station = get_station(session)
    rows = scoring.calculate(session, period)
    problems = awards.ineligible(session, period, rows)
    if problems:
        raise ValidationError("奖励需复核，未签字：" + "；".join(problems))
    digest = digest_rows(station.code, period.code, rows)
    stale = [s for s in signatures(session, period) if s.digest != digest]
    if stale:
        raise ValidationError(f"“{stale[0].step_title}”签字后积分有变动，请撤回签字后重新签核")
    signoff = SignOff(period_id=period.id, seq=step.seq, step_title=step.title, role=step.role,
                      user_id=actor.user_id, signer_name=actor.display_name, digest=digest)
    session.add(signoff)
    session.flush()
    audit.record(session, actor, "period.sign", "period", period.code, step=step.title, digest=digest)
    if next_step(session, period) is None:
        scoring.store(session, actor, period)
        periods.lock(session, actor, period, signed_chain=True)
    return signoff


def withdraw(session: Session, actor: Actor, period: Period, reason: str) -> None:
    """Clear the signatures of a period under review (e.g. data changed after signing)."""
    if actor.role not in (Role.CHIEF,):
        raise PermissionDenied("只有所长/教导员可以撤回签字")
    if period.state != PeriodState.REVIEW.value:
        raise ValidationError("只有审核中的周期可以撤回签字")
    if not reason.strip():
        raise ValidationError("撤回签字需要填写理由")
    _clear(session, actor, period, reason)


def _clear(session: Session, actor: Actor, period: Period, reason: str) -> None:
    old = [(s.step_title, s.signer_name, s.signed_at.isoformat()) for s in signatures(session, period)]
    session.execute(delete(SignOff).where(SignOff.period_id == period.id))
    audit.record(session, actor, "period.signatures_cleared", "period", period.code, signatures=old,
                 reason=reason)


def reopen(session: Session, actor: Actor, period: Period, reason: str) -> None:
    """Unlock a locked period (chief, with a reason); its signatures no longer hold."""
    periods.reopen(session, actor, period, reason)
