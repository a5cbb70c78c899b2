"""Periods (month / quarter / half-year / year) and their lifecycle: open -> review -> locked.

A write into a locked period fails with a clear message; reopening needs the chief
and a reason, and is recorded.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from desktop.models.enums import PeriodKind, PeriodState
from desktop.models.periods import Confirmation, Period, PeriodTransition
from desktop.models.station import SignoffStep
from desktop.services import audit
from desktop.services.actor import Actor, require
from desktop.services.errors import PeriodLocked, ValidationError
from desktop.services.text import cn_date

_MONTH = re.compile(r"^(\d{4})-(\d{1,2})$")
_QUARTER = re.compile(r"^(\d{4})-[Qq]([1-4])$")
_HALF = re.compile(r"^(\d{4})-[Hh]([12])$")
_YEAR = re.compile(r"^(\d{4})$")


@dataclass(frozen=True)
class PeriodSpec:
    """A period named by its code, before (or without) a database row."""

    kind: PeriodKind
    year: int
    number: int

    @property
    def code(self) -> str:
        if self.kind == PeriodKind.MONTH:
            return f"{self.year}-{self.number:02d}"
        if self.kind == PeriodKind.QUARTER:
            return f"{self.year}-Q{self.number}"
        if self.kind == PeriodKind.HALF:
            return f"{self.year}-H{self.number}"
        return f"{self.year}"

    @property
    def label(self) -> str:
        if self.kind == PeriodKind.MONTH:
            return f"{self.year}年{self.number}月"
        if self.kind == PeriodKind.QUARTER:
            return f"{self.year}年第{'一二三四'[self.number - 1]}季度"
        if self.kind == PeriodKind.HALF:
            return f"{self.year}年{'上下'[self.number - 1]}半年"
        return f"{self.year}年度"

    @property
    def start(self) -> dt.date:
        if self.kind == PeriodKind.MONTH:
            return dt.date(self.year, self.number, 1)
        if self.kind == PeriodKind.QUARTER:
            return dt.date(self.year, 3 * self.number - 2, 1)
        if self.kind == PeriodKind.HALF:
            return dt.date(self.year, 6 * self.number - 5, 1)
        return dt.date(self.year, 1, 1)

    @property
    def end(self) -> dt.date:
        last_month = {PeriodKind.MONTH: self.number, PeriodKind.QUARTER: 3 * self.number,
                      PeriodKind.HALF: 6 * self.number, PeriodKind.YEAR: 12}[self.kind]
        return dt.date(self.year, last_month, calendar.monthrange(self.year, last_month)[1])

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def months(self) -> list[PeriodSpec]:
        first, last = self.start.month, self.end.month
        return [PeriodSpec(PeriodKind.MONTH, self.year, m) for m in range(first, last + 1)]


def parse_period(code: str) -> PeriodSpec:
    """'2026-03' -> March 2026, '2026-Q1' -> first quarter, '2026-H1' -> first half, '2026' -> the year."""
    text = code.strip()
    if m := _MONTH.match(text):
        year, month = int(m[1]), int(m[2])
        if not 1 <= month <= 12:
            raise ValidationError(f"考核周期“{code}”的月份应在 1 到 12 之间")
        return PeriodSpec(PeriodKind.MONTH, year, month)
    if m := _QUARTER.match(text):
        return PeriodSpec(PeriodKind.QUARTER, int(m[1]), int(m[2]))
    if m := _HALF.match(text):
        return PeriodSpec(PeriodKind.HALF, int(m[1]), int(m[2]))
    if m := _YEAR.match(text):
        return PeriodSpec(PeriodKind.YEAR, int(m[1]), 0)
    raise ValidationError(f"考核周期“{code}”格式不对，应写作 2026-03（月）、2026-Q1（季度）、2026-H1（半年）或 2026（年）")


def month_of(day: dt.date) -> PeriodSpec:
    return PeriodSpec(PeriodKind.MONTH, day.year, day.month)


def spec_of(period: Period) -> PeriodSpec:
    return PeriodSpec(PeriodKind(period.kind), period.year, period.number)


def find_period(session: Session, code: str) -> Period | None:
    return session.scalar(select(Period).where(Period.code == parse_period(code).code))


def transient(spec: PeriodSpec) -> Period:
    """An unsaved, open period row: lets a read compute a period nobody has opened yet."""
    return Period(code=spec.code, kind=spec.kind.value, year=spec.year, number=spec.number,
                  start=spec.start, end=spec.end, state=PeriodState.OPEN.value)


def get_or_create(session: Session, code: str) -> Period:
    """The period row for a code, created (open) on first use."""
    spec = parse_period(code)
    period = session.scalar(select(Period).where(Period.code == spec.code))
    if period is None:
        period = Period(code=spec.code, kind=spec.kind.value, year=spec.year, number=spec.number,
                        start=spec.start, end=spec.end, state=PeriodState.OPEN.value)
        session.add(period)
        session.flush()
    return period


def locked_period_on(session: Session, day: dt.date) -> Period | None:
    return session.scalar(
        select(Period).where(Period.start <= day, Period.end >= day, Period.state == PeriodState.LOCKED.value)
        .order_by(Period.start.desc()).limit(1)
    )


def ensure_writable(session: Session, day: dt.date) -> None:
    """Refuse any change to points that would fall in a locked period."""
    locked = locked_period_on(session, day)
    if locked is not None:
        label = spec_of(locked).label
        raise PeriodLocked(
            f"{label}已锁定，{cn_date(day)}的积分不能再录入或更改。如确需更正，请所长先解锁该周期并填写理由。"
        )


def ensure_open_for_results(period: Period) -> None:
    if period.state == PeriodState.LOCKED.value:
        raise PeriodLocked(f"{spec_of(period).label}已锁定，结果不能再更改。如确需更正，请所长先解锁并填写理由。")


def _transition(session: Session, actor: Actor, period: Period, to: PeriodState, reason: str = "") -> None:
    session.add(PeriodTransition(period_id=period.id, from_state=period.state, to_state=to.value,
                                 user_id=actor.user_id, reason=reason))
    audit.record(session, actor, f"period.{to.value}", "period", period.code, from_state=period.state,
                 to_state=to.value, reason=reason)
    period.state = to.value
    period.locked_at = dt.datetime.now() if to == PeriodState.LOCKED else None


def start_review(session: Session, actor: Actor, period: Period) -> None:
    require(actor, "period.review")
    if period.state != PeriodState.OPEN.value:
        raise ValidationError(f"{spec_of(period).label}当前为“{PeriodState(period.state).label}”，只有录入中的周期才能提交审核")
    _transition(session, actor, period, PeriodState.REVIEW)


def back_to_open(session: Session, actor: Actor, period: Period, reason: str) -> None:
    """Return a period under review to the clerk (e.g. to fix entries before signing)."""
    require(actor, "period.review")
    if period.state != PeriodState.REVIEW.value:
        raise ValidationError(f"{spec_of(period).label}不在审核中")
    if not reason.strip():
        raise ValidationError("退回修改需要填写理由")
    _transition(session, actor, period, PeriodState.OPEN, reason.strip())


def lock(session: Session, actor: Actor, period: Period, *, signed_chain: bool = False) -> None:
    """Lock a period under review. After the last signature of the chain the signer locks it,
    whatever the role of that step; otherwise only the chief may lock."""
    if not signed_chain:
        require(actor, "period.lock")
    if period.state != PeriodState.REVIEW.value:
        raise ValidationError(f"{spec_of(period).label}当前为“{PeriodState(period.state).label}”，需先提交审核才能锁定")
    if not signed_chain:
        _check_direct_lock(session, period)
        # A locked period shows its stored rows; store them now or the frozen board is stale or
        # empty. (The signing path stores them itself just before locking.)
        from desktop.services import awards, scoring  # here, not at the top: both import this module

        problems = awards.ineligible(session, period)
        if problems:
            raise ValidationError("奖励需复核，未锁定：" + "；".join(problems))
        scoring.store(session, actor, period)
    _transition(session, actor, period, PeriodState.LOCKED, "签核完成" if signed_chain else "")


def _check_direct_lock(session: Session, period: Period) -> None:
    """A month is locked by its last signature; the chief locks directly only a month of a
    station without a sign-off chain, or a quarter/year whose months are all locked."""
    label = spec_of(period).label
    if period.kind == PeriodKind.MONTH.value:
        if session.scalar(select(SignoffStep.id).limit(1)) is not None:
            raise ValidationError(f"{label}需按签核流程逐级签字，最后一人签字后自动锁定")
        disputed = session.scalar(select(Confirmation.id).where(
            Confirmation.period_id == period.id, Confirmation.status == "disputed").limit(1))
        if disputed is not None:
            raise ValidationError(f"{label}还有未处理的异议，处理完才能锁定")
        return
    for month in spec_of(period).months():
        row = session.scalar(select(Period).where(Period.code == month.code))
        if row is None or row.state != PeriodState.LOCKED.value:
            raise ValidationError(f"{label}包含的{month.label}尚未锁定，各月锁定后才能锁定{label}")


def reopen(session: Session, actor: Actor, period: Period, reason: str) -> None:
    """Unlock a locked period (chief, with a reason); its signatures no longer hold."""
    require(actor, "period.reopen")
    if period.state != PeriodState.LOCKED.value:
        raise ValidationError(f"{spec_of(period).label}没有锁定，无需解锁")
    if not reason.strip():
        raise ValidationError("解锁考核周期必须填写理由")
    from desktop.services import signoff  # here: signoff imports this module

    # The signatures are kept as history (倒查责任): who had signed, taken back when and why.
    signoff.revoke_all(session, actor, period, reason.strip())
    _transition(session, actor, period, PeriodState.OPEN, reason.strip())


def list_periods(session: Session, kind: PeriodKind | None = None) -> list[Period]:
    query = select(Period).order_by(Period.start, Period.kind)
    if kind is not None:
        query = query.where(Period.kind == kind.value)
    return list(session.scalars(query))
