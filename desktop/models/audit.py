"""The hash-chained audit trail: who changed what, when; tampering breaks the chain."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import DateTime, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from desktop.models.base import Base, intpk, utcnow


class AuditEvent(Base):
    __tablename__ = "audit_events"

    id: Mapped[intpk]
    at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    user_id: Mapped[int | None] = mapped_column(default=None)  # no FK: survives account changes
    username: Mapped[str] = mapped_column(String(50), default="")
    action: Mapped[str] = mapped_column(String(50), index=True)
    entity: Mapped[str] = mapped_column(String(50), default="")
    entity_ref: Mapped[str] = mapped_column(String(64), default="")
    detail: Mapped[str] = mapped_column(Text, default="{}")  # JSON: before/after, reason
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))
