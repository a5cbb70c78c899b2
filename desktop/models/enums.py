"""Closed vocabularies of the domain, stored as short English codes, shown in Chinese."""

from __future__ import annotations

from enum import StrEnum


class Component(StrEnum):
    """The five components of a person's score (乌海 scheme)."""

    BASE = "base"
    DEPT_BONUS = "dept_bonus"
    DEPT_DEDUCTION = "dept_deduction"
    HIGHER_BONUS = "higher_bonus"
    HIGHER_DEDUCTION = "higher_deduction"

    @property
    def label(self) -> str:
        return COMPONENT_LABELS[self]

    @property
    def sign(self) -> int:
        """+1 when the component adds to the total, -1 when it subtracts."""
        return -1 if self in (Component.DEPT_DEDUCTION, Component.HIGHER_DEDUCTION) else 1


COMPONENT_LABELS = {
    Component.BASE: "基础工作积分",
    Component.DEPT_BONUS: "部门加分",
    Component.DEPT_DEDUCTION: "部门扣分",
    Component.HIGHER_BONUS: "上级加分",
    Component.HIGHER_DEDUCTION: "上级减分",
}


class PointsMode(StrEnum):
    FIXED = "fixed"  # the same points each occurrence
    PER_UNIT = "per_unit"  # points x quantity (per case, per night)
    RANGE = "range"  # the assessor picks within [min, max]

    @property
    def label(self) -> str:
        return {"fixed": "固定分值", "per_unit": "按数量计分", "range": "区间赋分"}[self.value]


class Identity(StrEnum):
    POLICE = "police"
    AUXILIARY = "auxiliary"
    CONTRACT = "contract"

    @property
    def label(self) -> str:
        return {"police": "民警", "auxiliary": "辅警", "contract": "聘用"}[self.value]

    @classmethod
    def from_label(cls, text: str) -> Identity:
        for member in cls:
            if text in (member.value, member.label):
                return member
        raise ValueError(f"未知身份“{text}”，应为 民警、辅警 或 聘用")


class Role(StrEnum):
    ADMIN = "admin"
    CHIEF = "chief"
    CLERK = "clerk"
    OFFICER = "officer"
    # The bureau's own offices, accounts of the bureau's schema on a bureau server (docs/server.md):
    # they read every station there and run the bureau's own schemes and units.
    PERSONNEL = "personnel"  # 政工室: party branches, 队伍管理
    ASSESSMENT = "assessment"  # 考核办: the bureau's assessment, the board
    INSPECTION = "inspection"  # 纪检督察: reads, and the audit trail

    @property
    def label(self) -> str:
        return {"admin": "管理员", "chief": "所长/教导员", "clerk": "内勤", "officer": "民警",
                "personnel": "政工室", "assessment": "考核办", "inspection": "纪检督察"}[self.value]

    @property
    def is_bureau(self) -> bool:
        return self in BUREAU_ROLES


BUREAU_ROLES = frozenset({Role.PERSONNEL, Role.ASSESSMENT, Role.INSPECTION})


class DepartmentKind(StrEnum):
    OFFICE = "office"  # 所队/部门
    POST = "post"  # 警务室, ranked only within its post class

    @property
    def label(self) -> str:
        return {"office": "部门", "post": "警务室"}[self.value]


class PeriodKind(StrEnum):
    MONTH = "month"
    QUARTER = "quarter"
    HALF = "half"  # 半年: 2026-H1, 2026-H2 (科尔沁 ranks half-yearly)
    YEAR = "year"

    @property
    def label(self) -> str:
        return {"month": "月度", "quarter": "季度", "half": "半年", "year": "年度"}[self.value]


class PeriodState(StrEnum):
    OPEN = "open"
    REVIEW = "review"
    LOCKED = "locked"

    @property
    def label(self) -> str:
        return {"open": "录入中", "review": "审核中", "locked": "已锁定"}[self.value]


class ConfirmStatus(StrEnum):
    CONFIRMED = "confirmed"
    DISPUTED = "disputed"
    RESOLVED = "resolved"
    EXCUSED = "excused"  # not confirmed, for a recorded reason (请假, 出差 …)

    @property
    def label(self) -> str:
        return {"confirmed": "已确认", "disputed": "有异议", "resolved": "异议已处理",
                "excused": "未确认（已登记原因）"}[self.value]


class EntrySource(StrEnum):
    MANUAL = "manual"
    DUTY = "duty"  # daily duty sheet
    IMPORT = "import"  # bureau workbook
    REVERSAL = "reversal"
    SELF = "self"  # an officer's own report, approved by the reviewer

    @property
    def label(self) -> str:
        return {"manual": "考核日记", "duty": "每日值勤", "import": "导入", "reversal": "冲正",
                "self": "民警自报"}[self.value]
