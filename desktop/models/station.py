"""The station (单位), its departments, and its sign-off chain."""

from __future__ import annotations

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from desktop.models.base import Base, created_at, intpk, stable_uuid


class Station(Base):
    __tablename__ = "stations"

    id: Mapped[intpk]
    uuid: Mapped[stable_uuid]
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    county_bureau: Mapped[str] = mapped_column(String(100), default="")
    # Some schemes add a fixed starting score to every total (e.g. 100); None = no starting score.
    starting_score_tenths: Mapped[int | None] = mapped_column(default=None)
    grade_policy_id: Mapped[int | None] = mapped_column(
        ForeignKey("grade_policies.id", use_alter=True), default=None
    )
    # Font chosen for printed documents (path or family name); empty = search the system.
    pdf_font: Mapped[str] = mapped_column(String(400), default="")
    created_at: Mapped[created_at]

    departments: Mapped[list[Department]] = relationship(
        back_populates="station", order_by="Department.sort_order"
    )
    signoff_steps: Mapped[list[SignoffStep]] = relationship(order_by="SignoffStep.seq")


class Department(Base):
    __tablename__ = "departments"
    __table_args__ = (UniqueConstraint("station_id", "name"),)

    id: Mapped[intpk]
    uuid: Mapped[stable_uuid]
    station_id: Mapped[int] = mapped_column(ForeignKey("stations.id"))
    code: Mapped[str] = mapped_column(String(32), default="")
    name: Mapped[str] = mapped_column(String(100))
    kind: Mapped[str] = mapped_column(String(16), default="office")  # DepartmentKind
    # 警务室 class 1/2/3 (一类/二类/三类); a post is ranked only against its own class.
    post_class: Mapped[int | None] = mapped_column(default=None)
    sort_order: Mapped[int] = mapped_column(default=0)
    active: Mapped[bool] = mapped_column(default=True)

    station: Mapped[Station] = relationship(back_populates="departments")

    @property
    def ranking_group(self) -> str:
        return ranking_group(self.id, self.kind, self.post_class)


def ranking_group(department_id: int, kind: str, post_class: int | None) -> str:
    """Departments are graded alone; posts of one class are graded together."""
    if kind == "post" and post_class:
        return f"post:{post_class}"
    return f"dept:{department_id}"


POST_CLASS_LABELS = {1: "一类警务室", 2: "二类警务室", 3: "三类警务室"}


class SignoffStep(Base):
    """One step of the month sign-off chain (三级审核); the chain is data, not code."""

    __tablename__ = "signoff_steps"
    __table_args__ = (UniqueConstraint("station_id", "seq"),)

    id: Mapped[intpk]
    station_id: Mapped[int] = mapped_column(ForeignKey("stations.id"))
    seq: Mapped[int]
    title: Mapped[str] = mapped_column(String(50))  # e.g. 中队长审核, 教导员签字
    role: Mapped[str] = mapped_column(String(16))  # Role allowed to sign this step
    # "station": one signature for the whole sheet; "department": each department's sheet is
    # signed by the person the step names for it.
    scope: Mapped[str] = mapped_column(String(12), default="station", server_default="station")
    # Who signs: "role" (any account of `role`), "head" (the department's head), "leader" (the
    # department's leader in charge) or "person" (the account of `signer_badge`).
    signer: Mapped[str] = mapped_column(String(8), default="role", server_default="role")
    signer_badge: Mapped[str] = mapped_column(String(32), default="", server_default="")


class Setting(Base):
    """Station policy settings that travel with the data (not window state, which is QSettings)."""

    __tablename__ = "settings"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(String(2000), default="")
