"""执法办案: every case entry traceable to its case, reviewed by the reviewing unit (法制大队).

A case entry (one with a 案件编号) is *pending* until reviewed; the reviewing unit confirms it
or adjusts its points with a reason, before its month locks. Pending points are shown but not
counted in the scheme's total (`counted_points`), so a case nobody has looked at cannot decide
a grade. The ledger stays append-only: a review is its own row (`case_reviews`), the entry
keeps the points as recorded.

    review(session, actor, entry_id, "confirmed")
    review(session, actor, entry_id, "adjusted", points_tenths=40, reason="证据不足，按一般案件计分")
    ledger_of(session, "zhifa", spec, unit_id=None)     # the case ledger of a month
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from desktop.models.ledger import Entry
from desktop.models.units import CaseReview, UnitMember
from desktop.services import audit
from desktop.services.actor import Actor, require
from desktop.services.errors import NotFound, ValidationError
from desktop.services.periods import PeriodSpec
from desktop.services.points import fmt

STATES = {"pending": "待审核", "confirmed": "已确认", "adjusted": "已调整"}


def review(session: Session, actor: Actor, entry_id: int, state: str, *, points_tenths: int | None = None,
           reason: str = "") -> CaseReview:
    """Confirm a case entry, or adjust its points (a reason is required). Once per entry;
    a second look replaces the first and is audited with what it replaced."""
    require(actor, "case.review")
    entry = session.get(Entry, entry_id)
    if entry is None:
        raise NotFound("要审核的积分记录不存在")
    if not entry.case_no:
        raise ValidationError(f"积分记录 {entry.uuid} 没有案件编号，不是案件记录，无需审核")
    if entry.reverses_id is not None:
        raise ValidationError("作废记录不审核；请审核被作废的原记录")
    from desktop.services.ledger import ensure_scheme_writable

    ensure_scheme_writable(session, entry.scheme, entry.occurred_on)
    if state not in ("confirmed", "adjusted"):
        raise ValidationError(f"审核结果“{state}”不对，应为 confirmed（确认）或 adjusted（调整）")
    reason = reason.strip()
    if state == "adjusted":
        if points_tenths is None:
            raise ValidationError("调整须给出调整后的分值")
        if (points_tenths < 0) != (entry.points_tenths < 0) and points_tenths != 0:
            raise ValidationError("调整后的分值与原记录方向相反；扣分应另行录入质效分扣分项目")
        if not reason:
            raise ValidationError("调整分值须写明理由")
        if len(reason) > 500:
            raise ValidationError("理由不能超过 500 字")
    elif points_tenths is not None:
        raise ValidationError("确认不改分值；要改分值请选择“调整”")
    found = session.scalar(select(CaseReview).where(CaseReview.entry_id == entry.id))
    before = None if found is None else {"state": found.state, "points": fmt(found.points_tenths)
                                          if found.points_tenths is not None else None}
    row = found or CaseReview(entry_id=entry.id)
    row.state, row.points_tenths, row.reason = state, points_tenths if state == "adjusted" else None, reason
    row.reviewed_by_id, row.reviewed_by_name = actor.user_id, actor.display_name
    row.reviewed_at = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    session.add(row)
    session.flush()
    audit.record(session, actor, "case.review", "entry", entry.uuid, case=entry.case_no, state=state,
                 points=fmt(points_tenths) if points_tenths is not None else None, reason=reason, before=before)
    return row


def reviews_of(session: Session, entry_ids: list[int]) -> dict[int, CaseReview]:
    if not entry_ids:
        return {}
    rows = session.scalars(select(CaseReview).where(CaseReview.entry_id.in_(entry_ids)))
    return {r.entry_id: r for r in rows}


def state_of(entry: Entry, reviews: dict[int, CaseReview], reversed_ids: set[int]) -> str:
    if not entry.case_no or entry.id in reversed_ids or entry.reverses_id is not None:
        return "confirmed"  # not a case, or cancelled with its reversal: nothing to review
    found = reviews.get(entry.id)
    return found.state if found is not None else "pending"


def counted_points(entry: Entry, reviews: dict[int, CaseReview], reversed_ids: set[int]) -> int:
    """What a case entry adds to the total: nothing while pending, the adjusted points once
    adjusted; a reversed entry and its reversal add nothing between them."""
    if entry.id in reversed_ids or entry.reverses_id is not None:
        return 0
    state = state_of(entry, reviews, reversed_ids)
    if state == "pending":
        return 0
    if state == "adjusted":
        return reviews[entry.id].points_tenths or 0
    return entry.points_tenths


@dataclass
class CaseLine:
    case_no: str
    case_type: str
    people: list[str] = field(default_factory=list)  # badges
    recorded: int = 0
    counted: int = 0
    pending: int = 0  # entries not yet reviewed
    entries: list[str] = field(default_factory=list)  # uuids


def ledger_of(session: Session, scheme: str, spec: PeriodSpec, unit_id: int | None = None) -> list[CaseLine]:
    """The case ledger (案件台账) of a period: one line per case, with its people and points.
    With `unit_id`, only the cases of the unit's members (an enforcement unit's month)."""
    query = select(Entry).where(Entry.scheme == scheme, Entry.case_no != "",
                                Entry.occurred_on.between(spec.start, spec.end)).order_by(Entry.case_no, Entry.id)
    entries = list(session.scalars(query))
    if unit_id is not None:
        members = {r.person_id for r in session.scalars(select(UnitMember).where(UnitMember.unit_id == unit_id))}
        entries = [e for e in entries if e.person_id in members or e.unit_id == unit_id]
    reversed_ids = {e.reverses_id for e in entries if e.reverses_id is not None}
    reviews = reviews_of(session, [e.id for e in entries])
    signs = _signs(session, scheme)
    lines: dict[str, CaseLine] = {}
    for entry in entries:
        line = lines.setdefault(entry.case_no, CaseLine(entry.case_no, entry.case_type))
        if entry.person is not None and entry.person.badge not in line.people:
            line.people.append(entry.person.badge)
        sign = signs.get(entry.component, 1)  # a 质效分 deduction on the case takes points off it
        line.recorded += sign * entry.points_tenths
        line.counted += sign * counted_points(entry, reviews, reversed_ids)
        line.pending += state_of(entry, reviews, reversed_ids) == "pending"
        line.entries.append(entry.uuid)
    return list(lines.values())


def _signs(session: Session, scheme: str) -> dict[str, int]:
    from desktop.services import scheme_registry

    try:
        return {c.key: c.sign for c in scheme_registry.scheme_of(session, scheme).components}
    except NotFound:
        return {}


def pending_count(session: Session, scheme: str, spec: PeriodSpec) -> int:
    counts: defaultdict[str, int] = defaultdict(int)
    for line in ledger_of(session, scheme, spec):
        counts[line.case_no] += line.pending
    return sum(counts.values())
