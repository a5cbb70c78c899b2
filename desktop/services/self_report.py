"""Officers report their own work (自报); the reviewer approves, adjusts or rejects each report.

    submit(session, officer, [ReportInput("ZB-01", day), ReportInput("ZB-03", day)])
    pending_for(session, reviewer)                  # the reviewer's people only
    decide(session, reviewer, report_id, "approve")
    decide(session, reviewer, report_id, "adjust", reason="只巡查了一夜", quantity=1)
    decide(session, reviewer, report_id, "reject", reason="当日轮休")

A report counts for nothing until approved: approving writes the diary entry through the
ledger (source 民警自报, recorded by the reviewer), with every catalogue rule a clerk's entry
obeys. Only items the catalogue marks `self_report` can be reported, only by the officer for
himself, only on days he was on the roster, never in a locked month and never twice.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import mimetypes
from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from desktop.models.base import utcnow
from desktop.models.catalogue import CatalogueItem
from desktop.models.enums import EntrySource, Role
from desktop.models.ledger import Entry, EvidenceBlob
from desktop.models.people import Person
from desktop.models.reports import REPORT_STATUS_LABELS, ReportEvidence, SelfReport
from desktop.services import audit, ledger, reviewers
from desktop.services.actor import Actor
from desktop.services.catalogue import item_in_force, items_in_force
from desktop.services.errors import NotFound, PermissionDenied, ValidationError
from desktop.services.ledger import EntryInput, Evidence, check_entry, safe_filename
from desktop.services.periods import ensure_writable
from desktop.services.points import fmt
from desktop.services.text import cn_date

DECISIONS = {"approve": "approved", "adjust": "adjusted", "reject": "rejected"}
OPEN = ("pending",)


@dataclass
class ReportInput:
    item_code: str
    occurred_on: dt.date
    quantity: int = 1
    points_tenths: int | None = None  # range items: the officer's pick
    note: str = ""
    evidence: list[Evidence] = field(default_factory=list)


def reportable_items(session: Session, day: dt.date, kind: str = "daily") -> list[CatalogueItem]:
    """What an officer may report on `day`: the daily form's items, or the month's (政绩档案)."""
    items = [i for i in items_in_force(session, day) if i.self_report]
    return [i for i in items if i.daily_duty == (kind == "daily")]


def _own_person(session: Session, actor: Actor) -> Person:
    if actor.person_id is None:
        raise PermissionDenied(f"账号“{actor.display_name}”没有对应的在册人员，不能自报；请管理员在用户设置中关联本人")
    person = session.get(Person, actor.person_id)
    if person is None:
        raise NotFound("账号对应的人员不存在")
    return person


def submit(session: Session, actor: Actor, inputs: Sequence[ReportInput]) -> list[SelfReport]:
    """The officer's reports of one form, checked together: one bad line stores none."""
    person = _own_person(session, actor)
    if not inputs:
        raise ValidationError("请至少勾选一项")
    today = dt.date.today()
    reviewer = reviewers.reviewer_of(session, person, today).person  # his alone: not the whole roster's
    seen: set[tuple[str, dt.date]] = set()
    reports = []
    for data in inputs:
        where = f"{cn_date(data.occurred_on)}的“{data.item_code}”"
        if data.occurred_on > today:
            raise ValidationError(f"{where}：不能自报还没到的日子")
        if not person.active_on(data.occurred_on):
            raise ValidationError(f"{where}：{person.name}当日不在岗，不能自报")
        ensure_writable(session, data.occurred_on)
        item = item_in_force(session, data.item_code, data.occurred_on)
        if not item.self_report:
            raise ValidationError(f"{where}：“{item.name}”不是民警可以自报的项目，请由内勤录入")
        key = (item.code, data.occurred_on)
        if key in seen or _already(session, person.id, item.code, data.occurred_on, item.daily_duty):
            raise ValidationError(f"{where}：“{item.name}”已经报过了，等待审核或已审核")
        seen.add(key)
        check_entry(item, data.quantity, data.points_tenths, source=EntrySource.SELF, evidence=len(data.evidence))
        note = data.note.strip()
        if len(note) > 1000:
            raise ValidationError(f"{where}：说明不能超过 1000 字")
        report = SelfReport(
            person_id=person.id, occurred_on=data.occurred_on, kind="daily" if item.daily_duty else "monthly",
            item_id=item.id, item_code=item.code, item_name=item.name, category=item.category,
            component=item.component, quantity=data.quantity, points_tenths=data.points_tenths, note=note,
            reported_by_id=actor.user_id, reported_by_name=actor.display_name,
            reviewer_id=reviewer.id if reviewer else None,
        )
        session.add(report)
        session.flush()
        for ev in data.evidence:
            _store(session, report, ev)
        reports.append(report)
    audit.record(session, actor, "report.submit", "person", person.uuid, reports=[r.uuid for r in reports],
                 items=[r.item_code for r in reports], dates=sorted({r.occurred_on.isoformat() for r in reports}))
    return reports


def _already(session: Session, person_id: int, code: str, day: dt.date, daily: bool) -> bool:
    """A daily item once a day; a monthly item may be reported again on another day."""
    if not daily:
        return False
    reported = session.scalar(select(SelfReport.id).where(
        SelfReport.person_id == person_id, SelfReport.item_code == code, SelfReport.occurred_on == day,
        SelfReport.status.in_(("pending", "approved", "adjusted"))).limit(1)) is not None
    if reported:
        return True
    # The clerk's duty sheet may already hold the day's item: a report would count it twice.
    entries = session.execute(select(Entry.id, Entry.reverses_id).where(
        Entry.person_id == person_id, Entry.item_code == code, Entry.occurred_on == day)).all()
    reversed_ids = {r.reverses_id for r in entries if r.reverses_id is not None}
    return any(r.reverses_id is None and r.id not in reversed_ids for r in entries)


def _store(session: Session, report: SelfReport, evidence: Evidence) -> None:
    digest = hashlib.sha256(evidence.data).hexdigest()
    if session.get(EvidenceBlob, digest) is None:
        session.add(EvidenceBlob(sha256=digest, size=len(evidence.data), data=evidence.data))
    name = safe_filename(evidence.filename)
    session.add(ReportEvidence(report_id=report.id, filename=name, sha256=digest,
                               mime=evidence.mime or mimetypes.guess_type(name)[0] or "application/octet-stream"))


def get(session: Session, report_id: int) -> SelfReport:
    report = session.get(SelfReport, report_id)
    if report is None:
        raise NotFound(f"自报记录 {report_id} 不存在")
    return report


def withdraw(session: Session, actor: Actor, report_id: int) -> SelfReport:
    report = get(session, report_id)
    if actor.person_id != report.person_id:
        raise PermissionDenied("只能撤回本人的自报")
    if report.status != "pending":
        raise ValidationError(f"这条自报{report.status_label}，不能撤回")
    report.status, report.decided_at = "withdrawn", utcnow()
    audit.record(session, actor, "report.withdraw", "report", report.uuid)
    return report


def decide(session: Session, actor: Actor, report_id: int, decision: str, *, reason: str = "",
           quantity: int | None = None, points_tenths: int | None = None) -> SelfReport:
    """approve, adjust (a new quantity or points, with the reason) or reject (with the reason)."""
    if decision not in DECISIONS:
        raise ValidationError(f"审核结论“{decision}”不对，应为 approve（通过）、adjust（调整）或 reject（退回）")
    report = get(session, report_id)
    person = report.person
    if not reviewers.may_review(session, actor, person, dt.date.today()):
        if actor.person_id == person.id:
            raise PermissionDenied("不能审核本人的自报")
        raise PermissionDenied(f"{person.name}的自报应由其审核人"
                               f"{reviewers.reviewer_of(session, person, dt.date.today()).label}审核")
    if report.status != "pending":
        raise ValidationError(f"这条自报{REPORT_STATUS_LABELS.get(report.status, report.status)}，不能再审核")
    reason = reason.strip()
    if decision in ("adjust", "reject") and not reason:
        raise ValidationError("调整或退回自报须填写理由，民警会看到")
    if len(reason) > 500:
        raise ValidationError("理由不能超过 500 字")
    entry_quantity, entry_points = report.quantity, report.points_tenths
    if decision == "adjust":
        if quantity is None and points_tenths is None:
            raise ValidationError("调整须给出新的数量或分值")
        entry_quantity = quantity if quantity is not None else report.quantity
        entry_points = points_tenths if points_tenths is not None else report.points_tenths
        if entry_quantity == report.quantity and entry_points == report.points_tenths:
            raise ValidationError("调整后的数量和分值与自报相同，请直接通过")
    if decision != "reject":
        note = f"民警自报（{cn_date(report.reported_at.date())}），{actor.display_name}审核"
        if decision == "adjust":
            note += f"调整：{reason}"
        if report.note:
            note = f"{report.note}；{note}"
        evidence = [Evidence(ev.filename, _blob(session, ev.sha256), ev.mime) for ev in report.evidence]
        entry = ledger.record(session, actor, EntryInput(
            person_ids=[person.id], item_code=report.item_code, occurred_on=report.occurred_on,
            quantity=entry_quantity, points_tenths=entry_points, note=note[:1000], evidence=evidence,
            source=EntrySource.SELF), permitted=True)[0]
        report.entry_id = entry.id
    report.status = DECISIONS[decision]
    report.decided_by_id, report.decided_by_name = actor.user_id, actor.display_name
    report.decided_at, report.decision_reason = utcnow(), reason
    session.flush()
    changed = ({"quantity": entry_quantity, "points": "" if entry_points is None else fmt(entry_points)}
               if decision == "adjust" else {})
    audit.record(session, actor, f"report.{decision}", "report", report.uuid, person=person.badge,
                 item=report.item_code, date=report.occurred_on, reason=reason, **changed)
    return report


def _blob(session: Session, sha256: str) -> bytes:
    blob = session.get(EvidenceBlob, sha256)
    return blob.data if blob is not None else b""


def pending_for(session: Session, actor: Actor) -> list[SelfReport]:
    """The reports waiting for this reviewer: his people's only; a chief also sees those of people
    nobody at the station reviews."""
    today = dt.date.today()
    review = reviewers.ReviewMap(session, today)
    query = select(SelfReport).where(SelfReport.status == "pending").order_by(SelfReport.occurred_on, SelfReport.id)
    mine = []
    for report in session.scalars(query):
        reviewer = review.of(report.person).person
        if reviewer is not None and actor.person_id == reviewer.id:
            mine.append(report)
        elif reviewer is None and actor.role == Role.CHIEF and actor.person_id != report.person_id:
            mine.append(report)
    return mine


def reports_of(session: Session, person_id: int, start: dt.date | None = None,
               end: dt.date | None = None) -> list[SelfReport]:
    query = select(SelfReport).where(SelfReport.person_id == person_id)
    if start is not None:
        query = query.where(SelfReport.occurred_on >= start)
    if end is not None:
        query = query.where(SelfReport.occurred_on <= end)
    return list(session.scalars(query.order_by(SelfReport.occurred_on.desc(), SelfReport.id.desc())))


def report_json(report: SelfReport) -> dict[str, object]:
    """The stable JSON form (jifen review pending, jifen reports)."""
    return {
        "id": report.id, "uuid": report.uuid, "badge": report.person.badge, "name": report.person.name,
        "date": report.occurred_on.isoformat(), "kind": report.kind, "item_code": report.item_code,
        "item_name": report.item_name, "quantity": report.quantity,
        "points": None if report.points_tenths is None else float(fmt(report.points_tenths)),
        "note": report.note, "status": report.status, "status_label": report.status_label,
        "reported_at": report.reported_at.isoformat(timespec="seconds"),
        "decided_by": report.decided_by_name, "reason": report.decision_reason,
        "entry_id": report.entry_id, "evidence": [ev.filename for ev in report.evidence],
    }
