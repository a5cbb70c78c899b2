"""Sign a period along the configured chain (三级审核); the last signature locks it.

A step is signed by the person it names, not by any account with a role:
- `scope="station"`: one signature on the station's sheet, by `signer` "person" (the account
  of `signer_badge`, e.g. the 教导员) or "role" (any account of `role`, the old chains);
- `scope="department"`: each department's grade sheet is signed by its own signer, "head"
  (the department's head) or "leader" (its leader in charge), and a head never signs his own
  line: that line is signed by his reviewer (the level above) in the same step.

A step is open once every earlier step is complete; a signature needs every member of its
sheet confirmed (or a reason recorded why not: 请假, 出差 …), no open dispute, and under a
reviewer-rated policy every member rated. Each signature stores a SHA-256 digest of what it
covers, so a signature made before the data changed is detected. Reopening or withdrawing
moves the signatures to `revoked_signatures`, with who took them back, when and why.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from desktop.models.enums import ConfirmStatus, PeriodState, Role
from desktop.models.oversight import RevokedSignature, SheetSignOff
from desktop.models.people import Person
from desktop.models.periods import Period, SignOff
from desktop.models.station import Department, SignoffStep
from desktop.services import audit, awards, periods, reviewers, scoring
from desktop.services.accounts import verify_password
from desktop.services.actor import Actor
from desktop.services.errors import PermissionDenied, ValidationError
from desktop.services.review import confirmations, open_disputes
from desktop.services.roster import get_station
from desktop.services.scoring import ScoreRow

SIGNER_LABELS = {"role": "按角色", "head": "部门负责人", "leader": "分管领导", "person": "指定人员"}
SCOPE_LABELS = {"station": "全所", "department": "各部门"}


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
    """The station-wide signatures, in step order."""
    if period.id is None:
        return []
    return list(session.scalars(select(SignOff).where(SignOff.period_id == period.id).order_by(SignOff.seq)))


def sheet_signatures(session: Session, period: Period) -> list[SheetSignOff]:
    if period.id is None:
        return []
    return list(session.scalars(select(SheetSignOff).where(SheetSignOff.period_id == period.id)
                                .order_by(SheetSignOff.seq, SheetSignOff.department_id, SheetSignOff.line)))


def revoked(session: Session, period: Period) -> list[RevokedSignature]:
    if period.id is None:
        return []
    return list(session.scalars(select(RevokedSignature).where(RevokedSignature.period_id == period.id)
                                .order_by(RevokedSignature.revoked_at, RevokedSignature.id)))


@dataclass(frozen=True)
class Due:
    """One signature a step still needs."""

    step: SignoffStep
    department: Department | None = None
    line: Person | None = None  # the head's own line, signed by the level above
    signer: Person | None = None  # the named signer (None: any account of the step's role)
    skip: tuple[int, ...] = ()  # a sheet's lines signed separately (the signer's own, a leader's)

    @property
    def label(self) -> str:
        where = self.department.name if self.department else "全所"
        what = f"{self.line.name}一行" if self.line else "考核表"
        who = self.signer.name if self.signer else Role.CHIEF.label if (
            self.line or self.step.signer in ("head", "leader")) else Role(self.step.role).label
        return f"{where}{what}“{self.step.title}”，由{who}签字"


def _sheets(rows: list[ScoreRow]) -> dict[int, list[ScoreRow]]:
    sheets: dict[int, list[ScoreRow]] = {}
    for row in rows:
        sheets.setdefault(row.department_id, []).append(row)
    return sheets


def _named(session: Session, step: SignoffStep, review: reviewers.ReviewMap,
           department_id: int | None) -> Person | None:
    if step.signer == "person" and step.signer_badge:
        return session.scalar(select(Person).where(Person.badge == step.signer_badge))
    if step.signer == "head" and department_id is not None:
        return review.head(department_id)
    if step.signer == "leader" and department_id is not None:
        return review.leader_in_charge(department_id)
    return None


def dues(session: Session, period: Period, step: SignoffStep, rows: list[ScoreRow] | None = None) -> list[Due]:
    """What `step` still needs on `period`: nothing once complete."""
    if step.scope != "department":
        done = any(s.seq == step.seq for s in signatures(session, period))
        if done:
            return []
        review = reviewers.ReviewMap(session, period.end)
        return [Due(step, signer=_named(session, step, review, None))]
    rows = rows if rows is not None else scoring.calculate(session, period)
    signed = {(s.department_id, s.line) for s in sheet_signatures(session, period) if s.seq == step.seq}
    review = reviewers.ReviewMap(session, period.end)
    out = []
    people = {p.id: p for p in session.scalars(select(Person).where(Person.id.in_([r.person_id for r in rows])))}
    for dept_id, sheet in _sheets(rows).items():
        dept = session.get(Department, dept_id)
        signer = _named(session, step, review, dept_id)
        own = _own_lines(step, signer, sheet, people, review)
        if (dept_id, 0) not in signed:
            out.append(Due(step, dept, signer=signer, skip=tuple(p.id for p in own)))
        for line in own:
            if (dept_id, line.id) not in signed:
                out.append(Due(step, dept, line=line, signer=review.of(line).person))
    return out


def _own_lines(step: SignoffStep, signer: Person | None, sheet: list[ScoreRow], people: dict[int, Person],
               review: reviewers.ReviewMap) -> list[Person]:
    """The lines of a sheet its signer does not answer for: his own, and (a head's sheet) those of
    members someone else reviews (a leader sitting in the department); each is signed by the
    person's own reviewer."""
    if signer is None:
        return []
    lines = []
    for row in sheet:
        person = people.get(row.person_id)
        if person is None:
            continue
        if person.id == signer.id:
            lines.append(person)
        elif step.signer == "head":
            reviewer = review.of(person).person
            if reviewer is None or reviewer.id != signer.id:
                lines.append(person)
    return lines


def next_step(session: Session, period: Period, rows: list[ScoreRow] | None = None) -> SignoffStep | None:
    for step in chain(session):
        if dues(session, period, step, rows):
            return step
    return None


def may_sign(actor: Actor, due: Due) -> bool:
    if due.signer is not None:
        return actor.person_id == due.signer.id
    if due.step.signer == "person" and due.step.signer_badge:
        return False  # the named signer is no longer on the roster: nobody may sign in his name
    if due.line is not None or due.step.signer in ("head", "leader"):
        # A line whose person has no reviewer at the station, or a department without a head
        # (or leader in charge): the chief signs, and the signature names him.
        return actor.role == Role.CHIEF
    return actor.role == Role(due.step.role)


def _covered(due: Due, rows: list[ScoreRow]) -> list[ScoreRow]:
    if due.department is None:
        return rows
    sheet = [r for r in rows if r.department_id == due.department.id]
    if due.line is not None:
        return [r for r in sheet if r.person_id == due.line.id]
    skip = set(due.skip)
    return [r for r in sheet if r.person_id not in skip]


def _ready(session: Session, period: Period, due: Due, rows: list[ScoreRow]) -> None:
    """Refuse while a member of what the signature covers is unconfirmed without a reason,
    disputed, or (reviewer-rated policy) not yet rated."""
    covered = _covered(due, rows)
    states = confirmations(session, period)
    ids = {r.person_id for r in covered}
    disputed = [r.name for r in covered if (c := states.get(r.person_id)) is not None
                and c.status == ConfirmStatus.DISPUTED.value]
    if due.department is None and open_disputes(session, period):
        raise ValidationError(f"还有 {len(open_disputes(session, period))} 人的异议未处理，处理完才能签字")
    if disputed:
        raise ValidationError(f"{'、'.join(disputed)} 的异议未处理，处理完才能签字")
    missing = [r.name for r in covered if r.person_id in ids and r.person_id not in states]
    if missing:
        shown = "、".join(missing[:8]) + (f" 等 {len(missing)} 人" if len(missing) > 8 else "")
        raise ValidationError(f"{shown}尚未确认本月积分。请本人确认，或由内勤登记未确认的原因"
                              "（请假、出差 …）后再签字")
    unrated = [r.name for r in covered if "unrated" in r.flags]
    if unrated:
        raise ValidationError(f"{'、'.join(unrated)} 尚未由审核人评定等次，评定后才能签字")


def sign(session: Session, actor: Actor, period: Period, password: str, *,
         department: str | None = None) -> list[SignOff | SheetSignOff]:
    """Sign what the actor is due to sign in the open step (one department's sheet with
    `department`, else all of his); the signer re-enters the password."""
    if period.state != PeriodState.REVIEW.value:
        raise ValidationError(f"{periods.spec_of(period).label}不在审核中，不能签字")
    rows = scoring.calculate(session, period)
    step = next_step(session, period, rows)
    if step is None:
        raise ValidationError("签核流程已全部完成")
    due = dues(session, period, step, rows)
    mine = [d for d in due if may_sign(actor, d)]
    if department:
        mine = [d for d in mine if d.department is not None and d.department.name == department.strip()]
    if not mine and step.signer == "role" and step.scope == "station":
        raise PermissionDenied(f"“{step.title}”需由{Role(step.role).label}签字")
    if not mine:
        waiting = "；".join(d.label for d in due[:6])
        where = f"“{department}”" if department else ""
        raise PermissionDenied(f"当前环节“{step.title}”{where}不需要{actor.display_name}签字。待签：{waiting}")
    station_steps = [s for s in signatures(session, period)]
    if step.scope != "department" and any(s.user_id == actor.user_id for s in station_steps) and len(chain(session)) > 1:
        # One person signing twice would defeat a multi-level check.
        raise PermissionDenied("同一人不能在签核流程中签两次，请由下一位审核人签字")
    verify_password(session, actor, password)
    for d in mine:
        _ready(session, period, d, rows)
    problems = awards.ineligible(session, period, rows)
    if problems:
        raise ValidationError("奖励需复核，未签字：" + "；".join(problems))
    station = get_station(session)
    _check_stale(session, period, station.code, rows)
    made: list[SignOff | SheetSignOff] = []
    for d in mine:
        digest = digest_rows(station.code, period.code, _covered(d, rows))
        if d.department is None:
            made.append(SignOff(period_id=period.id, seq=step.seq, step_title=step.title, role=step.role,
                                user_id=actor.user_id, signer_name=actor.display_name,
                                digest=digest_rows(station.code, period.code, rows)))
        else:
            made.append(SheetSignOff(period_id=period.id, department_id=d.department.id, seq=step.seq,
                                     line=d.line.id if d.line else 0, for_person_id=d.line.id if d.line else None,
                                     step_title=step.title, user_id=actor.user_id, signer_person_id=actor.person_id,
                                     signer_name=actor.display_name, digest=digest))
    session.add_all(made)
    session.flush()
    audit.record(session, actor, "period.sign", "period", period.code, step=step.title,
                 sheets=[d.label for d in mine], digest=digest_rows(station.code, period.code, rows))
    if next_step(session, period, rows) is None:
        scoring.store(session, actor, period)
        periods.lock(session, actor, period, signed_chain=True)
    return made


def _check_stale(session: Session, period: Period, station_code: str, rows: list[ScoreRow]) -> None:
    whole = digest_rows(station_code, period.code, rows)
    for s in signatures(session, period):
        if s.digest != whole:
            raise ValidationError(f"“{s.step_title}”签字后积分有变动，请撤回签字后重新签核")
    review = reviewers.ReviewMap(session, period.end)
    steps = {s.seq: s for s in chain(session)}
    for s in sheet_signatures(session, period):
        dept = session.get(Department, s.department_id)
        step = steps.get(s.seq)
        if step is None or dept is None:
            continue
        line = session.get(Person, s.for_person_id) if s.for_person_id else None
        if line is not None:
            due = Due(step, dept, line=line)
        else:
            sheet = [r for r in rows if r.department_id == dept.id]
            people = {p.id: p for p in session.scalars(select(Person).where(
                Person.id.in_([r.person_id for r in sheet])))}
            signer = _named(session, step, review, dept.id)
            due = Due(step, dept, signer=signer,
                      skip=tuple(p.id for p in _own_lines(step, signer, sheet, people, review)))
        if digest_rows(station_code, period.code, _covered(due, rows)) != s.digest:
            raise ValidationError(f"{dept.name}“{s.step_title}”签字后积分有变动，请撤回签字后重新签核")


def withdraw(session: Session, actor: Actor, period: Period, reason: str) -> None:
    """Take back the signatures of a period under review (e.g. data changed after signing)."""
    if actor.role not in (Role.CHIEF,):
        raise PermissionDenied("只有所长/教导员可以撤回签字")
    if period.state != PeriodState.REVIEW.value:
        raise ValidationError("只有审核中的周期可以撤回签字")
    if not reason.strip():
        raise ValidationError("撤回签字需要填写理由")
    revoke_all(session, actor, period, reason.strip())


def revoke_all(session: Session, actor: Actor, period: Period, reason: str) -> int:
    """Move every signature of the period to the history, with who, when and why; the count."""
    station = signatures(session, period)
    sheets = sheet_signatures(session, period)
    for s in station:
        session.add(RevokedSignature(period_id=period.id, seq=s.seq, step_title=s.step_title, user_id=s.user_id,
                                     signer_name=s.signer_name, signed_at=s.signed_at, digest=s.digest,
                                     revoked_by_id=actor.user_id, revoked_by_name=actor.display_name, reason=reason))
    for s in sheets:
        session.add(RevokedSignature(period_id=period.id, department_id=s.department_id,
                                     for_person_id=s.for_person_id, seq=s.seq, step_title=s.step_title,
                                     user_id=s.user_id, signer_name=s.signer_name, signed_at=s.signed_at,
                                     digest=s.digest, revoked_by_id=actor.user_id,
                                     revoked_by_name=actor.display_name, reason=reason))
    if station or sheets:
        old = [(s.step_title, s.signer_name, s.signed_at.isoformat()) for s in [*station, *sheets]]
        session.execute(delete(SignOff).where(SignOff.period_id == period.id))
        session.execute(delete(SheetSignOff).where(SheetSignOff.period_id == period.id))
        audit.record(session, actor, "period.signatures_cleared", "period", period.code, signatures=old,
                     reason=reason)
    return len(station) + len(sheets)


def reopen(session: Session, actor: Actor, period: Period, reason: str) -> None:
    """Unlock a locked period (chief, with a reason); its signatures move to the history."""
    periods.reopen(session, actor, period, reason)


def history_lines(session: Session, period: Period, department_id: int | None = None) -> list[str]:
    """“原签字：…于…撤销，原因…”, for the screen and reprinted sheets; with `department_id`, that
    department's sheet only (its own signatures and the station-wide ones)."""
    from desktop.services.text import local_text

    lines = []
    for r in revoked(session, period):
        if department_id is not None and r.department_id not in (None, department_id):
            continue
        dept = session.get(Department, r.department_id) if r.department_id else None
        line = session.get(Person, r.for_person_id) if r.for_person_id else None
        where = (dept.name if dept else "") + (f"（{line.name}本人一行）" if line else "")
        lines.append(f"原签字：{where}“{r.step_title}”{r.signer_name}（{local_text(r.signed_at)}）"
                     f"于{local_text(r.revoked_at)}由{r.revoked_by_name}撤销，原因：{r.reason or '未写明'}")
    return lines
