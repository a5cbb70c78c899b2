"""Who reviews whom, the reviewer's monthly rating, signatures per sheet and their history,
probation (试岗), complaints (群众评议/投诉) and findings made after a month was locked.

Every table here is plain SQL, the same on SQLite and PostgreSQL, and sealed like the rest.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import DateTime, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from desktop.models.base import Base, created_at, intpk, stable_uuid, utcnow


class ReviewerAssignment(Base):
    """A reviewer named by position: `department` — the leader in charge (分管领导) of a
    department, who reviews its head; `leaders` — who reviews the station's leaders (the chief
    or 政委); `person` — one person's reviewer, overriding the rule (e.g. the chief's own)."""

    __tablename__ = "reviewer_assignments"

    id: Mapped[intpk]
    uuid: Mapped[stable_uuid]
    kind: Mapped[str] = mapped_column(String(12))  # department | leaders | person
    department_id: Mapped[int | None] = mapped_column(ForeignKey("departments.id"), default=None)
    person_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"), default=None)
    reviewer_id: Mapped[int] = mapped_column(ForeignKey("people.id"))
    created_at: Mapped[created_at]


class Rating(Base):
    """The reviewer's level for a person's month (评定等次), the policy's suggestion beside it,
    and the reviewer's remark (月度评语, printed in the 政绩档案)."""

    __tablename__ = "ratings"
    __table_args__ = (UniqueConstraint("period_id", "person_id"),)

    id: Mapped[intpk]
    uuid: Mapped[stable_uuid]
    period_id: Mapped[int] = mapped_column(ForeignKey("periods.id"), index=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"))
    level: Mapped[str] = mapped_column(String(16), default="")  # "" = a remark only
    suggested: Mapped[str] = mapped_column(String(16), default="")
    total_tenths: Mapped[int] = mapped_column(default=0)
    reason: Mapped[str] = mapped_column(String(500), default="")
    remark: Mapped[str] = mapped_column(String(500), default="")
    by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), default=None)
    by_name: Mapped[str] = mapped_column(String(50), default="")
    at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class SheetSignOff(Base):
    """A signature on one department's grade sheet for a step of the chain. `for_person_id`
    set: the signature of the head's own line, by the level above (a head never signs himself)."""

    __tablename__ = "sheet_signoffs"
    __table_args__ = (UniqueConstraint("period_id", "department_id", "seq", "line"),)

    id: Mapped[intpk]
    uuid: Mapped[stable_uuid]
    period_id: Mapped[int] = mapped_column(ForeignKey("periods.id"), index=True)
    department_id: Mapped[int] = mapped_column(ForeignKey("departments.id"))
    seq: Mapped[int]
    line: Mapped[int] = mapped_column(default=0)  # 0: the sheet; else the person id of the line
    for_person_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"), default=None)
    step_title: Mapped[str] = mapped_column(String(50))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    signer_person_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"), default=None)
    signer_name: Mapped[str] = mapped_column(String(50))
    signed_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    digest: Mapped[str] = mapped_column(String(64))


class RevokedSignature(Base):
    """A signature that a reopening or a withdrawal took back: kept, never deleted, so the
    record shows who had signed a month before it was reopened, when and why (倒查责任)."""

    __tablename__ = "revoked_signatures"

    id: Mapped[intpk]
    uuid: Mapped[stable_uuid]
    period_id: Mapped[int] = mapped_column(ForeignKey("periods.id"), index=True)
    department_id: Mapped[int | None] = mapped_column(ForeignKey("departments.id"), default=None)
    for_person_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"), default=None)
    seq: Mapped[int]
    step_title: Mapped[str] = mapped_column(String(50))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), default=None)
    signer_name: Mapped[str] = mapped_column(String(50))
    signed_at: Mapped[dt.datetime] = mapped_column(DateTime)
    digest: Mapped[str] = mapped_column(String(64))
    revoked_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    revoked_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), default=None)
    revoked_by_name: Mapped[str] = mapped_column(String(50), default="")
    reason: Mapped[str] = mapped_column(String(500), default="")


class Probation(Base):
    """试岗: a person on probation from `start` to `end`, for one of the failings 云南 lists."""

    __tablename__ = "probations"

    id: Mapped[intpk]
    uuid: Mapped[stable_uuid]
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"), index=True)
    start: Mapped[dt.date]
    end: Mapped[dt.date]
    cause: Mapped[str] = mapped_column(String(16))  # services.probation.CAUSES
    reason: Mapped[str] = mapped_column(String(500), default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), default=None)
    created_by_name: Mapped[str] = mapped_column(String(50), default="")
    created_at: Mapped[created_at]


class Complaint(Base):
    """群众评议 / 投诉: who complained (or anonymous), about whom, what was found, what followed;
    a verified complaint links the deduction entry recorded for it."""

    __tablename__ = "complaints"

    id: Mapped[intpk]
    uuid: Mapped[stable_uuid]
    received_on: Mapped[dt.date]
    person_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"), default=None, index=True)
    source: Mapped[str] = mapped_column(String(16))  # services.complaints.SOURCES
    anonymous: Mapped[bool] = mapped_column(default=False)
    complainant: Mapped[str] = mapped_column(String(50), default="")
    content: Mapped[str] = mapped_column(Text, default="")
    outcome: Mapped[str] = mapped_column(String(12), default="pending")  # pending|verified|unfounded
    finding: Mapped[str] = mapped_column(String(1000), default="")
    follow_up: Mapped[str] = mapped_column(String(1000), default="")
    entry_id: Mapped[int | None] = mapped_column(ForeignKey("entries.id"), default=None)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), default=None)
    recorded_by_name: Mapped[str] = mapped_column(String(50), default="")
    recorded_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    verified_by_name: Mapped[str] = mapped_column(String(50), default="")
    verified_at: Mapped[dt.datetime | None] = mapped_column(DateTime, default=None)


class LateFinding(Base):
    """A violation found after its month was locked: recorded against that month without
    changing the signed sheet, with the names of who reviewed and who signed it."""

    __tablename__ = "late_findings"

    id: Mapped[intpk]
    uuid: Mapped[stable_uuid]
    period_id: Mapped[int] = mapped_column(ForeignKey("periods.id"), index=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"))
    occurred_on: Mapped[dt.date]
    item_code: Mapped[str] = mapped_column(String(32))
    item_name: Mapped[str] = mapped_column(String(200))
    category: Mapped[str] = mapped_column(String(50))
    points_tenths: Mapped[int]
    note: Mapped[str] = mapped_column(String(1000), default="")
    reviewer_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"), default=None)
    reviewer_name: Mapped[str] = mapped_column(String(50), default="")
    signers: Mapped[str] = mapped_column(String(1000), default="")  # "步骤：姓名" joined by "；"
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), default=None)
    recorded_by_name: Mapped[str] = mapped_column(String(50), default="")
    recorded_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
