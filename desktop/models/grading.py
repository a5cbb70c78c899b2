"""Grade policies, computed scores with grades, chief overrides, and awards."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import DateTime, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from desktop.models.base import Base, intpk, stable_uuid, tenths, utcnow
from desktop.models.people import Person


class GradePolicy(Base):
    """A grade scale with its quotas, thresholds and tie-breaks, stored as JSON.

    The JSON form is parsed and validated by `desktop.services.grade_engine.Policy`.
    """

    __tablename__ = "grade_policies"

    id: Mapped[intpk]
    uuid: Mapped[stable_uuid]
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    definition: Mapped[str] = mapped_column(Text)  # JSON


class PolicyVersion(Base):
    """The grade policy in force from a month on, for one scheme (the person scheme is "person").

    A change of policy is a new row, never an edit: months before `effective_from` keep the
    version they had, and a locked period names the version it was graded with.
    """

    __tablename__ = "policy_versions"

    id: Mapped[intpk]
    uuid: Mapped[stable_uuid]
    scheme: Mapped[str] = mapped_column(String(32), default="person", index=True)
    effective_from: Mapped[dt.date]  # the first day of a month
    code: Mapped[str] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(String(100))
    definition: Mapped[str] = mapped_column(Text)  # JSON, as `grade_policy.Policy.to_json`
    reason: Mapped[str] = mapped_column(String(500), default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), default=None)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class ScoreResult(Base):
    """One person's computed score and grade for one period.

    Rows are replaced when an open period is recomputed and frozen once it is locked.
    """

    __tablename__ = "score_results"
    __table_args__ = (UniqueConstraint("period_id", "person_id"),)

    id: Mapped[intpk]
    uuid: Mapped[stable_uuid]
    period_id: Mapped[int] = mapped_column(ForeignKey("periods.id"), index=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"))
    department_id: Mapped[int] = mapped_column(ForeignKey("departments.id"))
    sequence: Mapped[str] = mapped_column(String(50), default="")
    ranking_group: Mapped[str] = mapped_column(String(20))
    base_tenths: Mapped[tenths]
    dept_bonus_tenths: Mapped[tenths]
    dept_deduction_tenths: Mapped[tenths]
    higher_bonus_tenths: Mapped[tenths]
    higher_deduction_tenths: Mapped[tenths]
    start_tenths: Mapped[tenths]
    total_tenths: Mapped[tenths]
    rank_department: Mapped[int | None] = mapped_column(default=None)
    rank_sequence: Mapped[int | None] = mapped_column(default=None)
    rank_group: Mapped[int | None] = mapped_column(default=None)
    engine_grade: Mapped[str | None] = mapped_column(String(16), default=None)
    grade: Mapped[str | None] = mapped_column(String(16), default=None)  # after override
    vetoed: Mapped[bool] = mapped_column(default=False)
    excluded_reason: Mapped[str] = mapped_column(String(100), default="")
    flags: Mapped[str] = mapped_column(String(200), default="")  # comma-separated flag codes
    # What the ranking compared (pro-rated for partial presence) and why the grade: kept so a
    # locked period shows the reasons it was graded with.
    ranked_total_tenths: Mapped[int | None] = mapped_column(default=None)
    days_present: Mapped[int | None] = mapped_column(default=None)
    period_days: Mapped[int | None] = mapped_column(default=None)
    reason: Mapped[str] = mapped_column(String(16), default="")
    missed: Mapped[str | None] = mapped_column(String(16), default=None)
    why: Mapped[str] = mapped_column(String(1000), default="")
    month_grades: Mapped[str] = mapped_column(String(200), default="")
    computed_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    # Who the sheet named, as it named them: a later rename, a new badge or a department renamed
    # must not change a signed sheet, its reprint or its verification code. "" in rows frozen
    # before these were kept: the current values stand in.
    person_badge: Mapped[str] = mapped_column(String(32), default="", server_default="")
    person_name: Mapped[str] = mapped_column(String(50), default="", server_default="")
    person_identity: Mapped[str] = mapped_column(String(16), default="", server_default="")
    department_name: Mapped[str] = mapped_column(String(100), default="", server_default="")

    person: Mapped[Person] = relationship()


class GradeOverride(Base):
    """The chief's manual grade, with the reason; the latest row for a person wins."""

    __tablename__ = "grade_overrides"

    id: Mapped[intpk]
    uuid: Mapped[stable_uuid]
    period_id: Mapped[int] = mapped_column(ForeignKey("periods.id"), index=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"))
    from_grade: Mapped[str | None] = mapped_column(String(16))
    to_grade: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str] = mapped_column(String(500))
    by_user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class Award(Base):
    """闪光民警 / 闪光辅警 of a month, or a yearly title such as 执法办案标兵."""

    __tablename__ = "awards"
    __table_args__ = (UniqueConstraint("period_id", "person_id", "title"),)

    id: Mapped[intpk]
    uuid: Mapped[stable_uuid]
    period_id: Mapped[int] = mapped_column(ForeignKey("periods.id"), index=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"))
    title: Mapped[str] = mapped_column(String(50))
    note: Mapped[str] = mapped_column(String(500), default="")
    given_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    given_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)

    person: Mapped[Person] = relationship()
