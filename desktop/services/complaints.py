"""The complaint register (群众评议 / 投诉): where a complaint came from, whether it was
anonymous, what verification found and what followed. A verified complaint links the
deduction entry recorded for it, so the officer's file shows both.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from desktop.models.base import utcnow
from desktop.models.ledger import Entry
from desktop.models.oversight import Complaint
from desktop.services import audit
from desktop.services.actor import Actor, require
from desktop.services.errors import NotFound, ValidationError
from desktop.services.roster import person_by_badge

SOURCES = {"hotline": "12389/110 热线", "visit": "来访", "letter": "来信", "online": "网络", "review": "群众评议",
           "inspection": "督察发现", "other": "其他"}
OUTCOMES = {"pending": "待核实", "verified": "属实", "partly": "部分属实", "unfounded": "不属实"}


def _code(text: str, table: dict[str, str], what: str) -> str:
    for code, label in table.items():
        if text.strip() in (code, label):
            return code
    raise ValidationError(f"{what}“{text}”不对，应为 " + "、".join(f"{k}（{v}）" for k, v in table.items()))


def register(session: Session, actor: Actor, *, received_on: dt.date, source: str, content: str,
             badge: str = "", anonymous: bool = False, complainant: str = "") -> Complaint:
    require(actor, "entry.write")
    if not content.strip():
        raise ValidationError("请写明投诉内容")
    if received_on > dt.date.today():
        raise ValidationError("收到日期不能晚于今天")
    if anonymous and complainant.strip():
        raise ValidationError("匿名投诉不登记投诉人姓名")
    person = person_by_badge(session, badge) if badge.strip() else None
    row = Complaint(received_on=received_on, person_id=person.id if person else None,
                    source=_code(source, SOURCES, "来源"), anonymous=anonymous,
                    complainant=complainant.strip()[:50], content=content.strip()[:4000],
                    recorded_by_id=actor.user_id, recorded_by_name=actor.display_name)
    session.add(row)
    session.flush()
    audit.record(session, actor, "complaint.register", "complaint", row.uuid, source=row.source,
                 person=person.badge if person else "", anonymous=anonymous)
    return row


def verify(session: Session, actor: Actor, complaint_id: int, outcome: str, finding: str, *,
           follow_up: str = "", entry_id: int | None = None) -> Complaint:
    """Record what verification found; a complaint found true links its deduction entry."""
    require(actor, "entry.write")
    row = session.get(Complaint, complaint_id)
    if row is None:
        raise NotFound(f"投诉登记 {complaint_id} 不存在")
    code = _code(outcome, OUTCOMES, "核实结果")
    if code == "pending":
        raise ValidationError("核实结果应为 属实、部分属实 或 不属实")
    if not finding.strip():
        raise ValidationError("请写明核实情况")
    if entry_id is not None:
        entry = session.get(Entry, entry_id)
        if entry is None:
            raise NotFound(f"积分记录 {entry_id} 不存在")
        if code == "unfounded":
            raise ValidationError("不属实的投诉不关联扣分记录")
        if row.person_id is not None and entry.person_id != row.person_id:
            raise ValidationError("关联的扣分记录不是被投诉人的")
        if "deduction" not in entry.component and not entry.veto:
            raise ValidationError("关联的记录应为扣分记录")
        if entry.reverses_id is not None or session.scalar(
                select(Entry.id).where(Entry.reverses_id == entry.id)) is not None:
            raise ValidationError("关联的扣分记录已作废（或本身是作废记录），请关联有效的扣分记录")
    row.outcome, row.finding, row.follow_up = code, finding.strip()[:1000], follow_up.strip()[:1000]
    row.entry_id = entry_id
    row.verified_by_name, row.verified_at = actor.display_name, utcnow()
    audit.record(session, actor, "complaint.verify", "complaint", row.uuid, outcome=code, entry=entry_id)
    return row


def listing(session: Session, *, person_id: int | None = None, start: dt.date | None = None,
            end: dt.date | None = None) -> list[Complaint]:
    query = select(Complaint).order_by(Complaint.received_on.desc(), Complaint.id.desc())
    if person_id is not None:
        query = query.where(Complaint.person_id == person_id)
    if start is not None:
        query = query.where(Complaint.received_on >= start)
    if end is not None:
        query = query.where(Complaint.received_on <= end)
    return list(session.scalars(query))


def complaint_json(row: Complaint) -> dict[str, object]:
    return {"id": row.id, "uuid": row.uuid, "received_on": row.received_on.isoformat(),
            "person_id": row.person_id, "source": row.source, "source_label": SOURCES.get(row.source, row.source),
            "anonymous": row.anonymous, "complainant": row.complainant, "content": row.content,
            "outcome": row.outcome, "outcome_label": OUTCOMES.get(row.outcome, row.outcome),
            "finding": row.finding, "follow_up": row.follow_up, "entry_id": row.entry_id}
