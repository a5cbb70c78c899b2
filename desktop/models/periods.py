"""Assessment periods, their lifecycle, officer confirmations and sign-offs."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import DateTime, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from desktop.models.base import Base, intpk, stable_uuid, utcnow


class Period(Base):
    __tablename__ = "periods"

    id: Mapped[intpk]
    uuid: Mapped[stable_uuid]
    code: Mapped[str] = mapped_column(String(10), unique=True)  # 2026-03, 2026-Q1, 2026
    kind: Mapped[str] = mapped_column(String(10))  # PeriodKind
    year: Mapped[int]
    number: Mapped[int] = mapped_column(default=0)  # month 1-12, quarter 1-4, 0 for a year
    start: Mapped[dt.date]
    end: Mapped[dt.date]
    state: Mapped[str] = mapped_column(String(10), default="open")  # PeriodState
    # The policy the period was graded with (fixed once locked).
    grade_policy_id: Mapped[int | None] = mapped_column(ForeignKey("grade_policies.id"), default=None)
    policy_version_id: Mapped[int | None] = mapped_column(ForeignKey("policy_versions.id"), default=None)
    computed_at: Mapped[dt.datetime | None] = mapped_column(DateTime, default=None)
    locked_at: Mapped[dt.datetime | None] = mapped_column(DateTime, default=None)


class PeriodTransition(Base):
    """Every state change of a period, with who, when and (for reopening) why."""

    __tablename__ = "period_transitions"

    id: Mapped[intpk]
    period_id: Mapped[int] = mapped_column(ForeignKey("periods.id"), index=True)
    from_state: Mapped[str] = mapped_column(String(10))
    to_state: Mapped[str] = mapped_column(String(10))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    reason: Mapped[str] = mapped_column(String(500), default="")


class Confirmation(Base):
    """An officer's confirmation of (or dispute against) the month sheet."""

    __tablename__ = "confirmations"
    __table_args__ = (UniqueConstraint("period_id", "person_id"),)

    id: Mapped[intpk]
    uuid: Mapped[stable_uuid]
    period_id: Mapped[int] = mapped_column(ForeignKey("periods.id"))
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"))
    status: Mapped[str] = mapped_column(String(12))  # ConfirmStatus
    comment: Mapped[str] = mapped_column(Text, default="")
    by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    resolution: Mapped[str] = mapped_column(Text, default="")
    resolved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), default=None)
    resolved_at: Mapped[dt.datetime | None] = mapped_column(DateTime, default=None)


class SignOff(Base):
    """A signature on a period for one step of the chain, with a digest of what was signed."""

    __tablename__ = "signoffs"
    __table_args__ = (UniqueConstraint("period_id", "seq"),)

    id: Mapped[intpk]
    uuid: Mapped[stable_uuid]
    period_id: Mapped[int] = mapped_column(ForeignKey("periods.id"))
    seq: Mapped[int]
    step_title: Mapped[str] = mapped_column(String(50))
    role: Mapped[str] = mapped_column(String(16))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    signer_name: Mapped[str] = mapped_column(String(50))
    signed_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    digest: Mapped[str] = mapped_column(String(64))  # SHA-256 of the period's score data
