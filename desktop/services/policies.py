"""Grade policies stored in the database: presets, the station's choice, the period's policy."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from desktop.models.grading import GradePolicy
from desktop.models.periods import Period
from desktop.services import audit
from desktop.services.actor import Actor, require
from desktop.services.errors import NotFound, ValidationError
from desktop.services.grade_engine import Policy, load_preset, preset_codes
from desktop.services.roster import get_station


def install_presets(session: Session, actor: Actor) -> list[GradePolicy]:
    """Add the bundled policies that are not in the database yet."""
    require(actor, "policy.edit")
    rows = []
    for code in preset_codes():
        if session.scalar(select(GradePolicy).where(GradePolicy.code == code)) is None:
            policy = load_preset(code)
            row = GradePolicy(code=policy.code, name=policy.name, definition=policy.to_json())
            session.add(row)
            rows.append(row)
    session.flush()
    if rows:
        audit.record(session, actor, "policy.install", "grade_policy", "", codes=[r.code for r in rows])
    return rows


def save_policy(session: Session, actor: Actor, policy: Policy) -> GradePolicy:
    require(actor, "policy.edit")
    row = session.scalar(select(GradePolicy).where(GradePolicy.code == policy.code))
    before = row.definition if row else None
    if row is None:
        row = GradePolicy(code=policy.code, name=policy.name, definition=policy.to_json())
        session.add(row)
    else:
        row.name, row.definition = policy.name, policy.to_json()
    session.flush()
    audit.record(session, actor, "policy.save", "grade_policy", row.uuid, before=before, after=row.definition)
    return row


def set_station_policy(session: Session, actor: Actor, code: str) -> None:
    require(actor, "policy.edit")
    row = session.scalar(select(GradePolicy).where(GradePolicy.code == code))
    if row is None:
        raise NotFound(f"没有等次政策“{code}”")
    station = get_station(session)
    station.grade_policy_id = row.id
    audit.record(session, actor, "station.policy", "station", station.uuid, policy=code)


def list_policies(session: Session) -> list[GradePolicy]:
    return list(session.scalars(select(GradePolicy).order_by(GradePolicy.id)))


def policy_row_for(session: Session, period: Period | None = None) -> GradePolicy:
    """The period's own policy once it has been graded, else the station's current one."""
    policy_id = period.grade_policy_id if period is not None and period.grade_policy_id else None
    if policy_id is None:
        policy_id = get_station(session).grade_policy_id
    row = session.get(GradePolicy, policy_id) if policy_id else None
    if row is None:
        raise ValidationError("单位尚未选择等次政策，请在“设置”中选择")
    return row


def policy_for(session: Session, period: Period | None = None) -> Policy:
    return Policy.from_json(policy_row_for(session, period).definition)
