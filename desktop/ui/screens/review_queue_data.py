"""What the 审核 screen shows, as plain data read in one session (the people tab runs in a
worker thread, so nothing here touches Qt): the reviewer's pending reports, his people's
month (confirmation, points, suggested and rated level, remark) and their alerts."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from desktop.models.catalogue import CatalogueItem
from desktop.models.enums import ConfirmStatus, PeriodKind, PeriodState, PointsMode, Role
from desktop.models.ledger import EvidenceBlob
from desktop.models.people import Person
from desktop.models.reports import ReportEvidence
from desktop.services import alerts, ratings, review, reviewers, self_report
from desktop.services.actor import Actor
from desktop.services.periods import find_period, parse_period, transient
from desktop.services.points import fmt
from desktop.services.policies import policy_for
from desktop.services.scoring import calculate

# The four states a reviewer follows (a resolved dispute counts as confirmed: nothing is left to do).
CONFIRM_LABELS = {None: "未确认", ConfirmStatus.CONFIRMED.value: "已确认", ConfirmStatus.RESOLVED.value: "已确认",
                  ConfirmStatus.DISPUTED.value: "有异议", ConfirmStatus.EXCUSED.value: "已登记原因"}


@dataclass(frozen=True)
class QueueReport:
    id: int
    person_id: int
    badge: str
    name: str
    department: str
    day: dt.date
    item: str  # 'ZB-01 按时到岗'
    unit: str
    quantity: int
    points_tenths: int | None  # per occurrence as claimed (range items), else None
    claimed: str  # the points the report would give: '2.0'
    note: str
    reported_at: dt.datetime
    evidence: tuple[tuple[int, str], ...]  # (report_evidence id, filename)
    min_tenths: int | None = None  # range items: the adjust dialog's bounds
    max_tenths: int | None = None

    @property
    def is_range(self) -> bool:
        return self.min_tenths is not None and self.max_tenths is not None


def queue(session: Session, actor: Actor) -> list[QueueReport]:
    out = []
    for r in self_report.pending_for(session, actor):
        item = session.get(CatalogueItem, r.item_id)
        is_range = item is not None and item.points_mode == PointsMode.RANGE.value
        per = r.points_tenths if r.points_tenths is not None else (item.points_tenths if item else 0)
        out.append(QueueReport(
            r.id, r.person_id, r.person.badge, r.person.name, r.person.department.name, r.occurred_on,
            f"{r.item_code} {r.item_name}", item.unit if item else "", r.quantity, r.points_tenths,
            fmt(per * r.quantity), r.note, r.reported_at, tuple((ev.id, ev.filename) for ev in r.evidence),
            item.min_tenths if is_range and item else None, item.max_tenths if is_range and item else None,
        ))
    return out


def evidence_file(session: Session, evidence_id: int) -> tuple[str, bytes]:
    """A report's attached file (name and bytes), to open in the system's viewer."""
    ev = session.get(ReportEvidence, evidence_id)
    if ev is None:
        return "", b""
    blob = session.get(EvidenceBlob, ev.sha256)
    return ev.filename, blob.data if blob is not None else b""


def my_people(session: Session, actor: Actor, day: dt.date) -> list[Person]:
    """Whom this account reviews on `day`; a chief also answers for people nobody at the station reviews."""
    review_map = reviewers.ReviewMap(session, day)
    mine = review_map.reviewed_by(actor.person_id) if actor.person_id is not None else []
    if actor.role == Role.CHIEF:
        known = {p.id for p in mine}
        mine += [p for p in session.scalars(select(Person).order_by(Person.badge))
                 if p.active_on(day) and p.id not in known and p.id != actor.person_id
                 and review_map.of(p).person is None]
    return mine


@dataclass(frozen=True)
class PersonLine:
    person_id: int
    badge: str
    name: str
    department: str
    confirm_status: str | None  # ConfirmStatus value, None when nothing was recorded
    confirm_comment: str
    total: str
    engine_grade: str  # the suggestion (code)
    level: str  # the reviewer's level (code), '' when not rated yet
    grade: str  # the grade the period gives now
    remark: str
    excluded: str  # why not graded, '' if graded

    @property
    def confirm_label(self) -> str:
        return CONFIRM_LABELS.get(self.confirm_status, self.confirm_status or "未确认")


@dataclass
class PeopleData:
    code: str
    label: str
    state: str  # PeriodState value
    is_month: bool
    rated: bool  # the policy has the reviewer set the level (rated_by: reviewer)
    policy_name: str
    levels: list[tuple[str, str]] = field(default_factory=list)  # (code, label), best first
    lines: list[PersonLine] = field(default_factory=list)
    note: str = ""  # why nothing can be shown (no policy chosen …)

    def label_of(self, code: str) -> str:
        return dict(self.levels).get(code, code)

    @property
    def state_label(self) -> str:
        return PeriodState(self.state).label


def people(session: Session, actor: Actor, code: str) -> PeopleData:
    """The reviewer's people in the period `code`, with their points worked out afresh."""
    spec = parse_period(code)
    period = find_period(session, spec.code) or transient(spec)
    policy = policy_for(session, period)
    data = PeopleData(spec.code, spec.label, period.state, spec.kind == PeriodKind.MONTH,
                      policy.rated_by == "reviewer" and spec.kind == PeriodKind.MONTH, policy.name,
                      [(lv.code, lv.label) for lv in policy.levels])
    mine = my_people(session, actor, min(dt.date.today(), spec.end))
    ids = {p.id for p in mine}
    if not ids:
        return data
    rows = {r.person_id: r for r in calculate(session, period, policy) if r.person_id in ids}
    confirms = review.confirmations(session, period) if period.id is not None else {}
    rated = ratings.ratings_of(session, period)
    for p in mine:
        row = rows.get(p.id)
        c, rating = confirms.get(p.id), rated.get(p.id)
        data.lines.append(PersonLine(
            p.id, p.badge, p.name, p.department.name, c.status if c else None, c.comment if c else "",
            fmt(row.total) if row else "", (row.engine_grade or "") if row else "", rating.level if rating else "",
            (row.grade or "") if row else "", rating.remark if rating else "",
            row.excluded_reason if row else "不在本期考核名单中",
        ))
    return data


def people_alerts(session: Session, actor: Actor, day: dt.date) -> list[alerts.Alert]:
    """The reviewer's people's alerts; a chief is alerted of everyone's (the rules name both)."""
    if actor.role == Role.CHIEF:
        return alerts.alerts(session, day)
    ids = {p.id for p in my_people(session, actor, day)}
    return alerts.alerts(session, day, ids) if ids else []
