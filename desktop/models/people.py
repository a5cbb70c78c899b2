"""People on the roster (民警, 辅警, 聘用人员)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, LargeBinary, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from desktop.models.base import Base, created_at, intpk, stable_uuid
from desktop.models.station import Department


class Person(Base):
    __tablename__ = "people"

    id: Mapped[intpk]
    uuid: Mapped[stable_uuid]
    badge: Mapped[str] = mapped_column(String(32), unique=True)  # 警号
    name: Mapped[str] = mapped_column(String(50), index=True)
    identity: Mapped[str] = mapped_column(String(16))  # Identity
    position: Mapped[str] = mapped_column(String(50), default="")  # 职务
    department_id: Mapped[int] = mapped_column(ForeignKey("departments.id"), index=True)
    sequence: Mapped[str] = mapped_column(String(50), default="")  # 考核序列
    is_head: Mapped[bool] = mapped_column(default=False)  # 一把手: excluded from ranking
    active_from: Mapped[dt.date | None] = mapped_column(default=None)
    active_to: Mapped[dt.date | None] = mapped_column(default=None)
    photo: Mapped[bytes | None] = mapped_column(LargeBinary, default=None, deferred=True)
    photo_mime: Mapped[str] = mapped_column(String(32), default="")
    phone: Mapped[str] = mapped_column(String(32), default="")
    # 身份证号, normalised (services.id_numbers); shown masked. Matches bureau rows without a badge.
    id_number: Mapped[str] = mapped_column(String(18), default="", server_default="", index=True)
    created_at: Mapped[created_at]

    department: Mapped[Department] = relationship()

    def active_on(self, day: dt.date) -> bool:
        return (self.active_from is None or self.active_from <= day) and (
            self.active_to is None or self.active_to >= day
        )

    def active_days(self, start: dt.date, end: dt.date) -> int:
        """Days of [start, end] on which the person was on the roster."""
        return active_days(self.active_from, self.active_to, start, end)


class Absence(Base):
    """Leave or secondment (病假, 事假, 产假, 借调 …): long leave can keep a person out of ranking."""

    __tablename__ = "absences"

    id: Mapped[intpk]
    uuid: Mapped[stable_uuid]
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"), index=True)
    start: Mapped[dt.date]
    end: Mapped[dt.date]
    kind: Mapped[str] = mapped_column(String(16))
    note: Mapped[str] = mapped_column(String(500), default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), default=None)
    created_at: Mapped[created_at]


def active_days(active_from: dt.date | None, active_to: dt.date | None, start: dt.date, end: dt.date) -> int:
    """Days of [start, end] within [active_from, active_to] (open ends: always on the roster).
    A function too, for scoring, which reads people as plain rows."""
    first = max(start, active_from) if active_from else start
    last = min(end, active_to) if active_to else end
    return max(0, (last - first).days + 1)


class DepartmentMove(Base):
    """A person's move from one department to another, effective from a day (调动生效日期).

    `Person.department_id` is where the person is now; the moves say where they were before. A
    period is ranked by the department held on its last day on the roster, so a move on the 15th
    ranks that whole month in the new department and the months before in the old one.
    """

    __tablename__ = "department_moves"
    __table_args__ = (UniqueConstraint("person_id", "effective_on"),)

    id: Mapped[intpk]
    uuid: Mapped[stable_uuid]
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"), index=True)
    from_department_id: Mapped[int] = mapped_column(ForeignKey("departments.id"))
    to_department_id: Mapped[int] = mapped_column(ForeignKey("departments.id"))
    effective_on: Mapped[dt.date]
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), default=None)
    created_at: Mapped[created_at]
