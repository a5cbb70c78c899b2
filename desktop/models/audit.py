"""The hash-chained audit trail: who changed what, when; tampering breaks the chain."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import DateTime, Index, String, Text
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
    # The rows this event's transaction wrote: {rows, tables, digest} over their row_seals (JSON;
    # "" for events that wrote none, and for every event from before revision 0006).
    sealed: Mapped[str] = mapped_column(Text, default="", server_default="")
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))


class RowSeal(Base):
    """The state of one row as the program last wrote it, sealed into the audit chain.

    Every transaction that changes rows deciding a grade appends one `rows.seal` audit event
    whose detail holds the digest of the rows it sealed here (table, key, row digest), so the
    chain vouches for these rows and these rows vouch for the tables: `audit verify` re-hashes
    every current row against its latest seal. Append-only; `state` is the sealed row itself
    (canonical JSON), kept so a report can name the field that was changed behind our back.
    """

    __tablename__ = "row_seals"
    __table_args__ = (Index("ix_row_seals_row", "table_name", "row_key"),)

    id: Mapped[intpk]
    event_id: Mapped[int] = mapped_column(index=True)  # the rows.seal audit event (no FK: checked by digest)
    table_name: Mapped[str] = mapped_column(String(40))
    row_key: Mapped[str] = mapped_column(String(80))
    digest: Mapped[str | None] = mapped_column(String(64))  # None: the program deleted the row
    state: Mapped[str] = mapped_column(Text, default="")
