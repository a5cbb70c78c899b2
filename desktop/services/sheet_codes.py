"""Verification codes of printed grade sheets, and checking a paper sheet against the database.

A sheet's code names its period and department and carries the first 48 bits of the
SHA-256 of the sheet's data (the QR code carries the station and the whole digest).
Nothing is stored when a sheet is printed: `verify_code` recomputes the digest from the
database and compares. When it differs, the frozen results of the period are compared
with a fresh computation from the ledger to say which people and values changed.
"""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from desktop.exporters.pdf.data import Verification
from desktop.models.enums import PeriodState
from desktop.models.ledger import Entry
from desktop.models.people import Person
from desktop.models.periods import Period, PeriodTransition
from desktop.models.station import Department
from desktop.services import scoring
from desktop.services.errors import NotFound, ValidationError
from desktop.services.periods import find_period, parse_period, spec_of
from desktop.services.points import fmt
from desktop.services.roster import get_station
from desktop.services.scoring import ScoreRow

DIGEST_VERSION = "grade-sheet/1"
SHORT_HEX = 12
_SHORT = re.compile(r"^JF-(?P<period>\d{4}(?:-Q[1-4]|-\d{2})?)-(?P<dept>.+)-(?P<hex>[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4})$")
_QR = re.compile(r"^JF1;S=(?P<station>[^;]*);P=(?P<period>[^;]+);D=(?P<dept>[^;]+);H=(?P<hex>[0-9a-fA-F]{64})$")
COMPARED = (("base", "基础分"), ("dept_bonus", "部门加分"), ("dept_deduction", "部门扣分"),
            ("higher_bonus", "上级加分"), ("higher_deduction", "上级减分"), ("start", "起始分"),
            ("total", "总分"), ("rank_department", "排名"), ("grade", "等次"))
POINT_FIELDS = {"base", "dept_bonus", "dept_deduction", "higher_bonus", "higher_deduction", "start", "total"}


def dept_code(dept: Department) -> str:
    return dept.code.strip() or f"ID{dept.id}"


def sheet_digest(station_code: str, period_code: str, dept: Department, rows: list[ScoreRow]) -> str:
    """SHA-256 over what the sheet states: each person's components, total, rank and grade."""
    # The department's name as the rows carry it: frozen at locking, so renaming it later keeps the code.
    name = rows[0].department if rows else dept.name
    payload: list[object] = [DIGEST_VERSION, station_code, period_code, dept_code(dept), name]
    payload += [[r.badge, r.name, r.identity, r.base, r.dept_bonus, r.dept_deduction, r.higher_bonus,
                 r.higher_deduction, r.start, r.total, r.rank_department, r.grade or "", r.excluded_reason]
                for r in sorted(rows, key=lambda r: r.badge)]
    return hashlib.sha256(json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()).hexdigest()


def short_code(period_code: str, code: str, digest: str) -> str:
    """'JF-2026-03-D01-3FA9-C2B1-D0E4': readable over the phone, typed in a minute."""
    h = digest[:SHORT_HEX].upper()
    return f"JF-{period_code}-{code}-{h[:4]}-{h[4:8]}-{h[8:12]}"


def verification_for(station_code: str, period: Period, dept: Department, rows: list[ScoreRow]) -> Verification:
    digest = sheet_digest(station_code, period.code, dept, rows)
    qr = f"JF1;S={station_code};P={period.code};D={dept_code(dept)};H={digest}"
    return Verification(code=short_code(period.code, dept_code(dept), digest), qr_text=qr, digest=digest)


@dataclass(frozen=True)
class SheetRef:
    """What a code or QR text says about its sheet."""

    period_code: str
    department_code: str
    digest: str  # 12 hex digits from a short code, 64 from a QR code (lower case)
    station_code: str | None = None


def parse_code(text: str) -> SheetRef:
    """Accept the short code (any case, full-width characters, spaces) or the QR text."""
    raw = unicodedata.normalize("NFKC", text).strip()
    if m := _QR.match(raw):
        return SheetRef(parse_period(m["period"]).code, m["dept"], m["hex"].lower(), m["station"])
    compact = re.sub(r"\s+", "", raw).upper()
    if m := _SHORT.match(compact):
        return SheetRef(parse_period(m["period"]).code, m["dept"], m["hex"].replace("-", "").lower())
    raise ValidationError(f"“{text.strip()}”不是等次评定表的核验码；核验码形如 JF-2026-03-D01-3FA9-C2B1-D0E4")


@dataclass(frozen=True)
class Difference:
    badge: str
    name: str
    field: str
    saved: str  # the frozen (locked) result
    ledger: str  # recomputed from the ledger now


@dataclass
class VerifyReport:
    code: str
    period_label: str
    department: str
    state_label: str
    matches: bool  # the code's digest equals the sheet as the database gives it now
    matched: str = ""  # which data the code matched, when any
    differences: list[Difference] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.matches and not self.differences

    def lines(self) -> list[str]:
        """The report in Chinese, one line per fact (the CLI prints these)."""
        head = f"{self.period_label} {self.department} 等次评定表（{self.state_label}），核验码 {self.code}"
        if self.ok:
            verdict = "核验通过：纸质表与数据库一致。"
        elif self.matched:
            verdict = f"核验未通过：纸质表与{self.matched}一致，但数据库中的数据已有不同。"
        else:
            verdict = "核验未通过：纸质表与数据库当前数据不符（打印后数据被改动，或纸质表不是本程序打印的）。"
        out = [head, verdict]
        if self.differences:
            out.append("不一致之处（锁定时保存的结果 → 按台账重新计算）：")
            out += [f"  {d.name}（{d.badge}）{d.field}：{d.saved} → {d.ledger}" for d in self.differences]
        out += self.notes
        return out


def _department(session: Session, code: str) -> Department:
    for dept in session.scalars(select(Department)):
        if dept_code(dept).upper() == code.upper():
            return dept
    raise NotFound(f"本单位没有代码为“{code}”的部门，无法核验")


def _value(row: ScoreRow, key: str) -> str:
    value = getattr(row, key)
    if key in POINT_FIELDS:
        return fmt(value)
    return "—" if value in (None, "") else str(value)


def compare(saved: list[ScoreRow], ledger: list[ScoreRow]) -> list[Difference]:
    """Person by person, field by field: what differs between two versions of a sheet."""
    before = {r.badge: r for r in saved}
    after = {r.badge: r for r in ledger}
    diffs: list[Difference] = []
    for badge in sorted(before.keys() | after.keys()):
        a, b = before.get(badge), after.get(badge)
        if a is None or b is None:
            who = a or b
            assert who is not None
            diffs.append(Difference(badge, who.name, "名单", "在表中" if a else "不在表中",
                                    "在表中" if b else "不在表中"))
            continue
        diffs += [Difference(badge, b.name, label, _value(a, key), _value(b, key))
                  for key, label in COMPARED if getattr(a, key) != getattr(b, key)]
    return diffs


def _notes(session: Session, period: Period, dept: Department) -> list[str]:
    notes = []
    transitions = list(session.scalars(select(PeriodTransition).where(PeriodTransition.period_id == period.id)
                                       .order_by(PeriodTransition.id)))
    for t in transitions:
        if t.from_state == PeriodState.LOCKED.value:
            notes.append(f"该周期曾于 {t.at:%Y-%m-%d %H:%M}（UTC）解锁，理由：{t.reason or '未填写'}")
    first_lock = next((t.at for t in transitions if t.to_state == PeriodState.LOCKED.value), None)
    if first_lock is not None:
        changed = session.scalar(
            select(func.count(Entry.id)).join(Person, Person.id == Entry.person_id)
            .where(Entry.occurred_on >= period.start, Entry.occurred_on <= period.end,
                   Entry.recorded_at > first_lock, Person.department_id == dept.id)
        )
        if changed:
            notes.append(f"首次锁定后，本部门人员在该周期内又有 {changed} 条积分记录（含作废）")
    return notes


def verify_code(session: Session, text: str) -> VerifyReport:
    """Check a printed sheet's code (or QR text) against the database and explain any difference."""
    ref = parse_code(text)
    station = get_station(session)
    if ref.station_code is not None and ref.station_code != station.code:
        raise ValidationError(f"该表属于单位代码 {ref.station_code}，不是本数据库的单位（{station.code}）")
    period = find_period(session, ref.period_code)
    if period is None:
        raise NotFound(f"数据库中没有考核周期 {ref.period_code}，无法核验")
    dept = _department(session, ref.department_code)

    def of_dept(rows: list[ScoreRow]) -> list[ScoreRow]:
        return [r for r in rows if r.department_id == dept.id]

    shown = of_dept(scoring.results(session, period))
    saved = of_dept(scoring.stored(session, period))
    fresh = of_dept(scoring.calculate(session, period))
    label = spec_of(period).label
    report = VerifyReport(code=short_code(period.code, dept_code(dept), ref.digest),
                          period_label=label, department=dept.name,
                          state_label=PeriodState(period.state).label, matches=False)
    for name, rows in (("数据库当前数据", shown), ("锁定时保存的结果", saved), ("按台账重新计算的结果", fresh)):
        if rows and sheet_digest(station.code, period.code, dept, rows).startswith(ref.digest):
            report.matched = report.matched or name
            report.matches = report.matches or rows is shown
    if saved:
        report.differences = compare(saved, fresh)
    report.notes = _notes(session, period, dept)
    if not report.matches and not report.differences:
        report.notes.append("数据库无法得知纸质表上的原值，请将纸质表与重新打印的评定表逐项核对。")
    return report
