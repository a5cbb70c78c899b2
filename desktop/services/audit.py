"""Append audit events to a hash chain, and verify the chain.

Each event stores the SHA-256 of the previous event's hash plus its own canonical
content, so editing, deleting or reordering rows in the SQLite file breaks the chain.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, inspect, literal, select
from sqlalchemy.orm import Session

from desktop.models.accounts import User
from desktop.models.audit import AuditEvent
from desktop.models.base import utcnow
from desktop.models.db import serialise_writer
from desktop.models.people import Person
from desktop.services.actor import Actor, require
from desktop.services.errors import PermissionDenied

GENESIS = "0" * 64
# session.info key: the account whose event this transaction last recorded; the row seal that
# closes the transaction (services/seals.py) is recorded in its name.
ACTOR_INFO = "jifen.actor"
LAST_EVENT_INFO = "jifen.last_event"


def _canonical(event_id: int, at: dt.datetime, user_id: int | None, username: str, action: str,
               entity: str, entity_ref: str, detail: str, sealed: str = "") -> bytes:
    payload = [event_id, at.isoformat(timespec="microseconds"), user_id, username, action, entity,
               entity_ref, detail]
    if sealed:  # events from before row seals (revision 0006) hash as they always did
        payload.append(sealed)
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()


def _digest(prev_hash: str, content: bytes) -> str:
    return hashlib.sha256(prev_hash.encode() + content).hexdigest()


def _json_default(value: Any) -> str:
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    return str(value)


def record(session: Session, actor: Actor, action: str, entity: str = "", ref: str | int = "",
           **detail: Any) -> AuditEvent:
    """Append one event in the caller's transaction (so it commits or rolls back with the write)."""
    if actor.visiting is not None:
        # Every write records an event: a bureau office reading a station (`visit`) is stopped
        # here even by a service that asks no permission (an officer's own 自报, …).
        raise PermissionDenied(f"“{actor.display_name}”是局机关{actor.role.label}的账户，"
                               "在派出所的数据里只能查看，不能修改")
    serialise_writer(session)  # on a server, one appender at a time: the chain cannot fork
    last = session.execute(
        select(AuditEvent.id, AuditEvent.hash).order_by(AuditEvent.id.desc()).limit(1)
    ).first()
    prev_hash = last.hash if last else GENESIS
    next_id = (last.id + 1) if last else 1
    at = utcnow()
    detail_json = json.dumps(detail, ensure_ascii=False, sort_keys=True, default=_json_default)
    content = _canonical(next_id, at, actor.user_id, actor.username, action, entity, str(ref), detail_json)
    event = AuditEvent(
        id=next_id, at=at, user_id=actor.user_id, username=actor.username, action=action,
        entity=entity, entity_ref=str(ref), detail=detail_json, prev_hash=prev_hash,
        hash=_digest(prev_hash, content),
    )
    session.add(event)
    session.flush()
    session.info[ACTOR_INFO] = actor
    session.info[LAST_EVENT_INFO] = event
    return event


def seal_newest(session: Session, event: AuditEvent, sealed: dict[str, Any]) -> bool:
    """Attach the row seal to the chain's newest event, still uncommitted, and rehash it.

    The row seal of a transaction joins the event the transaction recorded, so that one
    event carries the digest of the rows it wrote. False when `event` is no longer the
    newest (nothing is changed then).
    """
    newest = session.execute(select(func.max(AuditEvent.id))).scalar()
    if newest != event.id:
        return False
    event.sealed = json.dumps(sealed, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    content = _canonical(event.id, event.at, event.user_id, event.username, event.action, event.entity,
                         event.entity_ref, event.detail, event.sealed)
    event.hash = _digest(event.prev_hash, content)
    session.flush()
    return True


@dataclass(frozen=True)
class ChainReport:
    ok: bool
    checked: int
    broken_at: int | None = None  # id of the first event that does not verify
    reason: str = ""


def verify(session: Session) -> ChainReport:
    """Walk the chain in id order and report the first broken link."""
    prev_hash = GENESIS
    expected_id = 1
    checked = 0
    # A backup of a revision before 0006 has no `sealed` column: read what the file has.
    columns = {c["name"] for c in inspect(session.connection()).get_columns("audit_events")}
    sealed = AuditEvent.sealed if "sealed" in columns else literal("")
    query = select(AuditEvent.id, AuditEvent.at, AuditEvent.user_id, AuditEvent.username, AuditEvent.action,
                   AuditEvent.entity, AuditEvent.entity_ref, AuditEvent.detail, sealed.label("sealed"),
                   AuditEvent.prev_hash, AuditEvent.hash).order_by(AuditEvent.id)
    for event in session.execute(query).yield_per(2000):
        if event.id != expected_id:
            return ChainReport(False, checked, event.id, f"缺少第 {expected_id} 条记录（记录被删除或重排）")
        if event.prev_hash != prev_hash:
            return ChainReport(False, checked, event.id, f"第 {event.id} 条记录与前一条的链接不符")
        content = _canonical(event.id, event.at, event.user_id, event.username, event.action,
                             event.entity, event.entity_ref, event.detail, event.sealed or "")
        if _digest(prev_hash, content) != event.hash:
            return ChainReport(False, checked, event.id, f"第 {event.id} 条记录的内容被改动")
        prev_hash = event.hash
        expected_id += 1
        checked += 1
    return ChainReport(True, checked)


@dataclass(frozen=True)
class EventRow:
    """One audit event as the trail screen shows it; `at` is UTC, as stored."""

    id: int
    at: dt.datetime
    username: str
    display_name: str  # the account's name today; "" for the program itself (demo, command line)
    action: str
    entity: str
    entity_ref: str
    detail: str  # JSON
    subject: str = ""  # who or what entity_ref names today ("张三丰 150001"), when it is a person or user


def events(session: Session, actor: Actor, *, before: int | None = None, limit: int = 200,
           action: str | None = None) -> list[EventRow]:
    """Events newest first: the `limit` newest with id below `before` (one page of the trail)."""
    require(actor, "audit.read")
    query = (select(AuditEvent.id, AuditEvent.at, AuditEvent.username, User.display_name, AuditEvent.action,
                    AuditEvent.entity, AuditEvent.entity_ref, AuditEvent.detail)
             .outerjoin(User, User.id == AuditEvent.user_id)
             .order_by(AuditEvent.id.desc()).limit(limit))
    if before is not None:
        query = query.where(AuditEvent.id < before)
    if action:
        query = query.where(AuditEvent.action == action)
    rows = session.execute(query).all()
    names = _subjects(session, {r.entity_ref for r in rows if r.entity == "person"},
                      {r.entity_ref for r in rows if r.entity == "user"})
    return [EventRow(r.id, r.at, r.username, r.display_name or "", r.action, r.entity, r.entity_ref,
                     r.detail or "", names.get((r.entity, r.entity_ref), "")) for r in rows]


def _subjects(session: Session, people: set[str], users: set[str]) -> dict[tuple[str, str], str]:
    """Names for the people and accounts a page of events refers to by UUID."""
    found: dict[tuple[str, str], str] = {}
    if people:
        for uuid, name, badge in session.execute(
                select(Person.uuid, Person.name, Person.badge).where(Person.uuid.in_(people))):
            found[("person", uuid)] = f"{name} {badge}"
    if users:
        for uuid, display_name in session.execute(
                select(User.uuid, User.display_name).where(User.uuid.in_(users))):
            found[("user", uuid)] = display_name
    return found


def count_events(session: Session, actor: Actor, action: str | None = None) -> int:
    require(actor, "audit.read")
    query = select(func.count()).select_from(AuditEvent)
    if action:
        query = query.where(AuditEvent.action == action)
    return int(session.scalar(query) or 0)


def actions(session: Session, actor: Actor) -> list[str]:
    """The kinds of action the trail holds, for a filter."""
    require(actor, "audit.read")
    return list(session.scalars(select(AuditEvent.action).distinct().order_by(AuditEvent.action)))
