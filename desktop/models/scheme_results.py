"""A non-person scheme's results for one period, frozen for its sign-off chain, and the signatures.

The person scheme keeps its own periods (`periods`, `signoffs`, `score_results`): officers
confirm their sheets there. A unit scheme (党建, 基层基础, 队伍管理) and 执法办案 are signed
by the people the scheme names (`Scheme.signoff`), step by step; the rows they sign are
frozen here as JSON with their SHA-256, so a later change to the entries cannot alter what was
signed, and the last signature locks the scheme's period against new entries.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import DateTime, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from desktop.models.base import Base, intpk, stable_uuid, utcnow


class SchemeResult(Base):
    __tablename__ = "scheme_results"
    __table_args__ = (UniqueConstraint("scheme", "period_code"),)

    id: Mapped[intpk]
    uuid: Mapped[stable_uuid]
    scheme: Mapped[str] = mapped_column(String(24), index=True)
    period_code: Mapped[str] = mapped_column(String(10))  # 2026-03, 2026-Q1, 2026-H1, 2026
    state: Mapped[str] = mapped_column(String(10), default="signing")  # signing | locked
    rows_json: Mapped[str] = mapped_column(Text)  # SubjectRow.as_json(scheme) for every subject
    digest: Mapped[str] = mapped_column(String(64))  # SHA-256 of rows_json
    frozen_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), default=None)
    frozen_by_name: Mapped[str] = mapped_column(String(50), default="")
    frozen_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    locked_at: Mapped[dt.datetime | None] = mapped_column(DateTime, default=None)


class SchemeSignOff(Base):
    """One step of a scheme's chain signed on a frozen result, with the digest it saw."""

    __tablename__ = "scheme_signoffs"
    __table_args__ = (UniqueConstraint("result_id", "seq"),)

    id: Mapped[intpk]
    uuid: Mapped[stable_uuid]
    result_id: Mapped[int] = mapped_column(ForeignKey("scheme_results.id"))
    seq: Mapped[int]
    step_title: Mapped[str] = mapped_column(String(50))
    role: Mapped[str] = mapped_column(String(16))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    signer_name: Mapped[str] = mapped_column(String(50))
    signed_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    digest: Mapped[str] = mapped_column(String(64))
