"""Assessed subjects beyond persons, and the schemes (积分制) a station runs.

A unit is a 所队室 (department), 警务室 (post, with its class), 党支部 (party branch, whose
membership has nothing to do with departments) or 执法办案单位 (in a sequence). A department
or post unit mirrors a row of `departments` (`department_id`); a branch or enforcement unit
stands alone. Heads and members are dated rows, so a unit's score in a past month is judged on
the people it had then.

A scheme row is one 积分制 the station runs: its definition is the JSON of
`services.schemes.Scheme` (subject, components, ranking, grade policy, sign-off, awards). The
person scheme always exists; entries, catalogue versions and grade policies name their scheme.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import DateTime, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from desktop.models.base import Base, created_at, intpk, stable_uuid, utcnow
from desktop.models.people import Person

PERSON_SCHEME = "person"
UNIT_KINDS = ("department", "post", "branch", "enforcement")
UNIT_KIND_LABELS = {"department": "所队室", "post": "警务室", "branch": "党支部", "enforcement": "执法办案单位"}


class Unit(Base):
    __tablename__ = "units"

    id: Mapped[intpk]
    uuid: Mapped[stable_uuid]
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    kind: Mapped[str] = mapped_column(String(16), index=True)  # UNIT_KINDS
    post_class: Mapped[int | None] = mapped_column(default=None)  # 警务室 一/二/三类
    sequence: Mapped[str] = mapped_column(String(50), default="")  # 执法办案 序列
    department_id: Mapped[int | None] = mapped_column(ForeignKey("departments.id"), default=None)
    sort_order: Mapped[int] = mapped_column(default=0)
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[created_at]

    members: Mapped[list[UnitMember]] = relationship(back_populates="unit", order_by="UnitMember.start")


class UnitMember(Base):
    """A person in a unit from `start` to `end` (open: still there); `role` head or member."""

    __tablename__ = "unit_members"
    __table_args__ = (Index("ix_unit_members_unit_person", "unit_id", "person_id"),)

    id: Mapped[intpk]
    uuid: Mapped[stable_uuid]
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"), index=True)
    role: Mapped[str] = mapped_column(String(10), default="member")  # head | member
    start: Mapped[dt.date]
    end: Mapped[dt.date | None] = mapped_column(default=None)

    unit: Mapped[Unit] = relationship(back_populates="members")
    person: Mapped[Person] = relationship()


class SchemeRow(Base):
    __tablename__ = "schemes"

    id: Mapped[intpk]
    uuid: Mapped[stable_uuid]
    code: Mapped[str] = mapped_column(String(24), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    subject: Mapped[str] = mapped_column(String(16))  # person or a unit kind
    definition: Mapped[str] = mapped_column(Text)  # services.schemes.Scheme as JSON
    active: Mapped[bool] = mapped_column(default=True)
    sort_order: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[created_at]


class CaseReview(Base):
    """The reviewing unit's word on a case entry (执法办案): confirmed, or adjusted with a reason.

    The ledger stays append-only: an adjustment is recorded here (and, when it changes the
    points, as a reversal plus a new entry by the service), never by editing the entry.
    """

    __tablename__ = "case_reviews"
    __table_args__ = (UniqueConstraint("entry_id"),)

    id: Mapped[intpk]
    uuid: Mapped[stable_uuid]
    entry_id: Mapped[int] = mapped_column(ForeignKey("entries.id"))
    state: Mapped[str] = mapped_column(String(12))  # confirmed | adjusted
    points_tenths: Mapped[int | None] = mapped_column(default=None)  # the adjusted points
    reason: Mapped[str] = mapped_column(String(500), default="")
    reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), default=None)
    reviewed_by_name: Mapped[str] = mapped_column(String(50), default="")
    reviewed_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
