"""Plain data for printed documents, gathered by `desktop.services.documents`.

The exporters take these and nothing else: no session, no ORM rows. Points stay integer
tenths (formatted with `desktop.services.points.fmt` when drawn); labels are already in
Chinese, so an exporter never has to know the enums.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Signer:
    """One signature line: the step of the chain, and who signed it when (None = not yet)."""

    step_title: str
    role_label: str = ""
    name: str | None = None
    signed_on: dt.date | None = None
    signature_png: bytes | None = None


@dataclass(frozen=True)
class Verification:
    """What lets a paper sheet be checked against the database (`jifen verify CODE`)."""

    code: str  # short code printed under the QR code
    qr_text: str  # what the QR code encodes
    digest: str  # SHA-256 (hex) of the sheet's data


@dataclass(frozen=True)
class GradeRow:
    """One person on a grade sheet. Points are tenths."""

    seq: int
    badge: str
    name: str
    identity: str
    base: int
    dept_bonus: int
    dept_deduction: int
    higher_bonus: int
    higher_deduction: int
    start: int
    total: int
    rank: int | None
    grade: str  # the grade's label ("A类"), "" when not graded
    remarks: str = ""


@dataclass(frozen=True)
class QuotaLine:
    """One grade of the distribution: how many got it, and what the policy allows."""

    label: str
    count: int
    rule: str


@dataclass
class GradeSheetData:
    """等次评定表 of one department for one period."""

    station: str
    department: str
    period_label: str
    period_range: str
    state_label: str
    policy_name: str
    rows: list[GradeRow]
    distribution: list[QuotaLine]
    signers: list[Signer]
    verification: Verification | None = None
    distribution_note: str = ""
    show_start: bool = False
    printed_on: dt.date = field(default_factory=dt.date.today)
    # "注1 张三：B类：…" — why a grade is not plain from rank and quota (ties, veto, override,
    # pro-rating), and any quota an allowed override broke; printed under the table.
    notes: list[str] = field(default_factory=list)
    chain: str = ""  # the audit chain's head when printed (services/chain_head.py)
    # Signatures a reopening or withdrawal took back: "原签字：…于…撤销，原因：…" (倒查责任).
    revoked: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class LedgerLine:
    """One diary entry on a confirmation sheet; `points` is its signed effect on the total."""

    day: dt.date
    item: str
    category: str
    quantity: int
    unit: str
    points: int
    note: str
    recorder: str
    status: str = ""  # "" / "已作废" (the original) / "作废" (the reversing entry)


@dataclass(frozen=True)
class ComponentTotal:
    """A component as recorded (sum of entries) and as counted (after monthly caps)."""

    label: str
    recorded: int
    counted: int
    sign: int = 1  # -1 for deductions: the total subtracts `counted`


@dataclass
class ConfirmSheetData:
    """月积分核查确认单 of one person for one period."""

    station: str
    title: str
    period_label: str
    name: str
    badge: str
    identity: str
    department: str
    position: str
    lines: list[LedgerLine]
    components: list[ComponentTotal]
    start: int
    total: int
    rank: int | None
    grade: str
    confirmation: str  # what the officer did in the program (confirmed / disputed), or ""
    signers: list[Signer]
    printed_on: dt.date = field(default_factory=dt.date.today)
    chain: str = ""  # the audit chain's head when printed (services/chain_head.py)


@dataclass(frozen=True)
class CertificateData:
    """One award certificate (A4 landscape)."""

    title: str  # 闪光民警 …
    name: str
    identity: str
    department: str
    period_label: str
    station: str
    issuer: str  # who issues it: the station (or the county bureau for yearly titles)
    issued_on: dt.date
    number: str
    photo: bytes | None = None


@dataclass(frozen=True)
class BoardRow:
    rank: int | None
    name: str
    badge: str
    identity: str
    total: int
    grade: str
    remark: str = ""


@dataclass
class BoardSection:
    department: str
    rows: list[BoardRow]


@dataclass
class BoardData:
    """公示栏: the period's ranking, by department, in large type."""

    station: str
    period_label: str
    state_label: str
    policy_name: str
    sections: list[BoardSection]
    printed_on: dt.date = field(default_factory=dt.date.today)
    notes: list[str] = field(default_factory=list)  # where equal totals got different ranks or grades


@dataclass(frozen=True)
class MonthLine:
    """One month of a performance file; `has_data` False prints a dash row."""

    label: str
    base: int = 0
    bonus: int = 0  # department + higher bonus
    deduction: int = 0  # department + higher deduction
    total: int = 0
    rank: int | None = None
    grade: str = ""
    state: str = ""
    has_data: bool = False


@dataclass(frozen=True)
class EventLine:
    """An award, a veto or a sanction in a performance file."""

    when: str
    what: str
    detail: str = ""


@dataclass(frozen=True)
class AspectItem:
    """One fact filed under an aspect of the 政绩档案: a ledger entry (with its evidence files),
    or, under 奖励惩处, an award, a verified complaint, a probation or a finding made after locking."""

    when: str  # "5日" in a month's table, "3月5日" in the year's
    what: str
    points: int | None = None  # signed effect on the total, tenths; None: not a points fact
    note: str = ""
    evidence: tuple[str, ...] = ()
    kind: str = "entry"  # entry | award | complaint | probation | late
    day: dt.date | None = None
    category: str = ""  # the catalogue category of an entry
    until: dt.date | None = None  # a probation's last day

    @property
    def kind_label(self) -> str:
        return {"entry": "积分记录", "award": "奖励", "complaint": "投诉属实", "probation": "试岗",
                "late": "锁定后查实"}.get(self.kind, self.kind)


@dataclass
class AspectBlock:
    """One aspect of one month (or of the year): its facts, and the points its entries add and take."""

    aspect: str
    items: list[AspectItem] = field(default_factory=list)

    @property
    def plus(self) -> int:
        return sum(i.points for i in self.items if i.kind == "entry" and i.points and i.points > 0)

    @property
    def minus(self) -> int:
        """Points taken off, as a positive number."""
        return -sum(i.points for i in self.items if i.kind == "entry" and i.points and i.points < 0)

    @property
    def entries(self) -> int:
        return sum(1 for i in self.items if i.kind == "entry")


@dataclass
class MonthAspects:
    """One month of the 政绩档案: its level (the reviewer's, else the grade from the points), the
    reviewer's remark, and the six aspects in order."""

    number: int
    label: str  # "3月"
    state: str  # 已锁定 / 审核中 / 录入中 / 未到 / 不在岗 / 无记录
    aspects: list[AspectBlock]
    level: str = ""  # label
    suggested: str = ""  # the grade the points suggest, when the reviewer set another level
    rated: bool = False  # the level is the reviewer's 评定
    remark: str = ""
    reviewer: str = ""

    @property
    def has_facts(self) -> bool:
        return any(block.items for block in self.aspects)


@dataclass(frozen=True)
class RankLine:
    """半年排名 / 年终总评: a longer period's total, rank in the department and grade."""

    label: str  # 上半年 / 下半年 / 全年
    code: str  # 2026-H1 …
    total: int = 0
    rank: int | None = None
    of: int = 0  # how many ranked in the department
    grade: str = ""
    state: str = ""
    has_data: bool = False
    note: str = ""


@dataclass
class PerformanceFileData:
    """政绩档案 summary: one person over one year."""

    station: str
    year: int
    name: str
    badge: str
    identity: str
    position: str
    department: str
    sequence: str
    months: list[MonthLine]
    year_total: int
    year_grade: str
    grade_counts: list[tuple[str, int]]
    awards: list[EventLine]
    sanctions: list[EventLine]
    photo: bytes | None = None
    printed_on: dt.date = field(default_factory=dt.date.today)
    # The six aspects (科尔沁 政绩档案): each month's facts by aspect, level and remark; the year's
    # 奖励惩处 records besides entries; 半年排名 and 年终总评.
    aspect_names: list[str] = field(default_factory=list)
    aspect_months: list[MonthAspects] = field(default_factory=list)
    rewards: list[AspectItem] = field(default_factory=list)
    halves: list[RankLine] = field(default_factory=list)
    year_review: RankLine | None = None
