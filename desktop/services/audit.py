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

from sqlalchemy import select
from sqlalchemy.orm import Session

from desktop.models.audit import AuditEvent
from desktop.models.base import utcnow
from desktop.services.actor import Actor

GENESIS = "0" * 64


def _canonical(event_id: int, at: dt.datetime, user_id: int | None, username: str, action: str,
               entity: str, entity_ref: str, detail: str) -> bytes:
    payload = [event_id, at.isoformat(timespec="microseconds"), user_id, username, action, entity,
               entity_ref, detail]
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
    return event


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
    for event in session.scalars(select(AuditEvent).order_by(AuditEvent.id)).yield_per(2000):
        if event.id != expected_id:
            return ChainReport(False, checked, event.id, f"缺少第 {expected_id} 条记录（记录被删除或重排）")
        if event.prev_hash != prev_hash:
            return ChainReport(False, checked, event.id, f"第 {event.id} 条记录与前一条的链接不符")
        content = _canonical(event.id, event.at, event.user_id, event.username, event.action,
                             event.entity, event.entity_ref, event.detail)
        if _digest(prev_hash, content) != event.hash:
            return ChainReport(False, checked, event.id, f"第 {event.id} 条记录的内容被改动")
        prev_hash = event.hash
        expected_id += 1
        checked += 1
    return ChainReport(True, checked)
