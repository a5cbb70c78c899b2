"""Grade policies stored in the database: the preset library, and the versions in force.

A station's policy is a sequence of versions, each in force from the first day of a month
(`PolicyVersion`). A period is graded by the version in force in its last month; once locked
it keeps the version it was graded with, so a later change never touches it. Changing the
policy is a new version: earlier months keep their grades, and no version may start in or
before a locked month.
"""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from desktop.models.enums import PeriodKind, PeriodState
from desktop.models.grading import GradePolicy, PolicyVersion
from desktop.models.periods import Period
from desktop.services import audit
from desktop.services.actor import Actor, require
from desktop.services.errors import NotFound, ValidationError
from desktop.services.grade_policy import Policy, PolicyError, load_preset, preset_codes
from desktop.services.roster import get_station
from desktop.services.text import cn_month

PERSON_SCHEME = "person"
FROM_START = dt.date(2000, 1, 1)  # "in force from the start": before any month a station records


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
    """Keep a policy in the library (by code); it is in force only once a version names it."""
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


def first_open_month(session: Session) -> dt.date:
    """The first day of the month after the last locked month (the start, if none is locked):
    the earliest a new version may take effect."""
    last = session.scalar(select(Period.start).where(Period.kind == PeriodKind.MONTH.value,
                                                     Period.state == PeriodState.LOCKED.value)
                          .order_by(Period.start.desc()).limit(1))
    if last is None:
        return FROM_START
    return (last.replace(day=28) + dt.timedelta(days=4)).replace(day=1)


def set_station_policy(session: Session, actor: Actor, code: str, effective_from: dt.date | None = None,
                       reason: str = "") -> PolicyVersion:
    """Put a library policy in force from a month (default: the first month not locked)."""
    require(actor, "policy.edit")
    row = session.scalar(select(GradePolicy).where(GradePolicy.code == code))
    if row is None:
        raise NotFound(f"没有等次政策“{code}”")
    station = get_station(session)
    station.grade_policy_id = row.id
    audit.record(session, actor, "station.policy", "station", station.uuid, policy=code)
    return set_policy(session, actor, Policy.from_json(row.definition), effective_from or first_open_month(session),
                      reason or f"选用等次政策“{row.name}”")


def set_policy(session: Session, actor: Actor, policy: Policy, effective_from: dt.date, reason: str = "",
               scheme: str = PERSON_SCHEME) -> PolicyVersion:
    """A new version of the policy, in force from the first day of `effective_from`'s month."""
    require(actor, "policy.edit")
    if effective_from.day != 1:
        raise ValidationError("新的等次政策须从某月 1 日起生效")
    earliest = first_open_month(session)
    if effective_from < earliest:
        locked = earliest.replace(day=1) - dt.timedelta(days=1)
        raise ValidationError(f"{cn_month(locked)}已锁定，其等次不能再改；新政策最早从{cn_month(earliest)}起生效")
    version = PolicyVersion(scheme=scheme, effective_from=effective_from, code=policy.code, name=policy.name,
                            definition=policy.to_json(), reason=reason.strip(), created_by_id=actor.user_id)
    session.add(version)
    session.flush()
    audit.record(session, actor, "policy.version", "policy_version", version.uuid, scheme=scheme,
                 effective_from=effective_from.isoformat(), code=policy.code, reason=reason.strip(),
                 definition=version.definition)
    return version


def list_policies(session: Session) -> list[GradePolicy]:
    return list(session.scalars(select(GradePolicy).order_by(GradePolicy.id)))


def versions(session: Session, scheme: str = PERSON_SCHEME) -> list[PolicyVersion]:
    return list(session.scalars(select(PolicyVersion).where(PolicyVersion.scheme == scheme)
                                .order_by(PolicyVersion.effective_from, PolicyVersion.id)))


def version_in_force(session: Session, day: dt.date, scheme: str = PERSON_SCHEME) -> PolicyVersion | None:
    """The version in force on `day` (the latest made, when two start in the same month)."""
    return session.scalar(select(PolicyVersion).where(PolicyVersion.scheme == scheme,
                                                      PolicyVersion.effective_from <= day)
                          .order_by(PolicyVersion.effective_from.desc(), PolicyVersion.id.desc()).limit(1))


def version_for(session: Session, period: Period | None = None) -> PolicyVersion | None:
    """A locked period's own version; otherwise the one in force in the period's last month."""
    if period is not None and period.state == PeriodState.LOCKED.value and period.policy_version_id:
        return session.get(PolicyVersion, period.policy_version_id)
    day = period.end.replace(day=1) if period is not None else dt.date.today().replace(day=1)
    return version_in_force(session, day)


def policy_for(session: Session, period: Period | None = None) -> Policy:
    version = version_for(session, period)
    if version is not None:
        return _parsed(version.definition)
    # A database from before policy versions, or a locked period graded before them.
    policy_id = period.grade_policy_id if period is not None and period.grade_policy_id else None
    row = session.get(GradePolicy, policy_id or get_station(session).grade_policy_id or 0)
    if row is None:
        raise ValidationError("单位尚未选择等次政策，请在“设置”中选择")
    return _parsed(row.definition)


@functools.lru_cache(maxsize=64)
def _parsed(definition: str) -> Policy:
    """A stored definition, parsed and validated once per text: every score, board and sheet asks
    for the period's policy. A Policy is frozen, so one parsed copy serves every caller."""
    return Policy.from_json(definition)


def policy_row_for(session: Session, period: Period | None = None) -> GradePolicy | None:
    """The library row the station chose (kept on periods for databases of before versions)."""
    policy_id = period.grade_policy_id if period is not None and period.grade_policy_id else None
    return session.get(GradePolicy, policy_id or get_station(session).grade_policy_id or 0)


def parse_policy_file(text: str) -> Policy:
    """A policy file as `jifen policy show` writes it; errors name the field."""
    try:
        return Policy.from_json(text)
    except PolicyError as exc:
        raise ValidationError(str(exc)) from exc


@dataclass(frozen=True)
class GradeChange:
    badge: str
    name: str
    department: str
    before: str | None
    after: str | None


def preview(session: Session, policy: Policy, month: Period) -> list[GradeChange]:
    """Who would change grade in `month` if `policy` were in force for it (nothing is written)."""
    from desktop.services import scoring  # scoring reads policies; imported here to keep one direction

    before = {r.person_id: r for r in scoring.calculate(session, month)}
    after = scoring.calculate(session, month, policy)
    changes = []
    for row in after:
        old = before.get(row.person_id)
        if old is None or old.grade != row.grade:
            changes.append(GradeChange(row.badge, row.name, row.department, old.grade if old else None, row.grade))
    return changes
