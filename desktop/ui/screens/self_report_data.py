"""What the 自报 screen shows, read in one session as plain data (no Qt, no ORM rows that
outlive the session): the day's daily items with what was already reported, the month's
政绩档案 items, the officer's own reports with each decision, and who reviews him."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy.orm import Session

from desktop.models.catalogue import CatalogueItem
from desktop.models.enums import PointsMode
from desktop.models.people import Person
from desktop.models.reports import SelfReport
from desktop.services import reviewers, self_report
from desktop.services.catalogue import describe_points
from desktop.services.errors import JifenError
from desktop.services.points import fmt

# Reports that hold the day's item: reporting it again is refused until it is rejected or withdrawn.
HOLDING = ("pending", "approved", "adjusted")
STATUS_COLORS = {"pending": "#8a5a00", "approved": "#2e7d32", "adjusted": "#1565c0",
                 "rejected": "#b00020", "withdrawn": "#777777"}


@dataclass(frozen=True)
class Item:
    """A reportable catalogue item as the forms need it."""

    code: str
    name: str
    unit: str
    points_text: str  # '1.0 分/天', '每起 0.5 分'
    per_unit: bool
    evidence_required: bool
    min_tenths: int | None = None  # range items only
    max_tenths: int | None = None

    @property
    def is_range(self) -> bool:
        return self.min_tenths is not None and self.max_tenths is not None

    @property
    def label(self) -> str:
        return f"{self.code} {self.name}（{self.points_text}）"


@dataclass(frozen=True)
class DailyLine:
    item: Item
    status: str = ""  # the day's latest report of the item (SelfReport.status), "" if none
    status_label: str = ""

    @property
    def open(self) -> bool:
        """May be reported now: never reported that day, or the last report was sent back or withdrawn."""
        return self.status not in HOLDING


@dataclass(frozen=True)
class MyReport:
    id: int
    day: dt.date
    kind: str
    item: str  # 'ZB-01 按时到岗'
    quantity: int
    points: str  # the claimed points of a range item, '' otherwise
    note: str
    status: str
    status_label: str
    reason: str
    decided_by: str
    evidence: tuple[str, ...]

    @property
    def pending(self) -> bool:
        return self.status == "pending"


def item_of(row: CatalogueItem) -> Item:
    is_range = row.points_mode == PointsMode.RANGE.value
    return Item(row.code, row.name, row.unit, describe_points(row), row.points_mode == PointsMode.PER_UNIT.value,
                row.evidence_required, row.min_tenths if is_range else None, row.max_tenths if is_range else None)


def items(session: Session, day: dt.date, kind: str) -> list[Item]:
    """The items an officer may report on `day`; none when no catalogue is in force that day."""
    try:
        return [item_of(i) for i in self_report.reportable_items(session, day, kind)]
    except JifenError:
        return []


def daily_lines(session: Session, person_id: int, day: dt.date) -> list[DailyLine]:
    latest: dict[str, SelfReport] = {}
    for report in self_report.reports_of(session, person_id, day, day):  # newest first
        latest.setdefault(report.item_code, report)
    lines = []
    for item in items(session, day, "daily"):
        found = latest.get(item.code)
        lines.append(DailyLine(item, found.status, found.status_label) if found else DailyLine(item))
    return lines


def my_reports(session: Session, person_id: int, start: dt.date, end: dt.date) -> list[MyReport]:
    return [MyReport(
        r.id, r.occurred_on, r.kind, f"{r.item_code} {r.item_name}", r.quantity,
        "" if r.points_tenths is None else fmt(r.points_tenths), r.note, r.status, r.status_label,
        r.decision_reason, r.decided_by_name, tuple(ev.filename for ev in r.evidence),
    ) for r in self_report.reports_of(session, person_id, start, end)]


def who(session: Session, person_id: int) -> tuple[str, str]:
    """The person's '姓名（警号）' and today's reviewer label ('王五（部门负责人）')."""
    person = session.get(Person, person_id)
    if person is None:
        return "", ""
    return f"{person.name}（{person.badge}）", reviewers.reviewer_of(session, person, dt.date.today()).label
