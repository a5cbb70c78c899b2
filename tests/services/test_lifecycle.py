"""Period lifecycle: locked periods refuse every write, reopening, the sign-off chain, overrides."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from desktop.models.audit import AuditEvent
from desktop.models.db import Database
from desktop.models.enums import PeriodState, Role
from desktop.models.grading import GradeOverride, ScoreResult
from desktop.models.ledger import Entry, EvidenceFile
from desktop.models.people import Person
from desktop.models.periods import Period, PeriodTransition, SignOff
from desktop.services import audit, ledger, periods, review, scoring, signoff
from desktop.services.errors import AuthError, PeriodLocked, PermissionDenied, ValidationError
from desktop.services.scoring import ScoreRow
from tests.services.builders import (
    PASSWORD,
    World,
    add_user,
    confirm_everyone,
    count,
    entry_input,
    five_people,
    locked,
    overrides_may_break_quotas,
    period,
    person,
    rec,
    row_of,
    to_review,
    world,
)

APRIL = dt.date(2026, 4, 1)


@dataclass
class Case:
    w: World
    people: list[Person]
    entry: Entry  # an entry of March


@pytest.fixture
def case(db: Database) -> Case:
    """Five people at 105 … 101 points in March 2026 (grades A B B C C under abcd)."""
    w = world(db, starting_score=1000)
    overrides_may_break_quotas(w)  # five people: the overrides here are about their mechanics
    with w.tx() as s:
        people = five_people(s, w)
        entry = s.scalars(select(Entry).where(Entry.person_id == people[0].id)).one()
    return Case(w, people, entry)


def snapshot(s: Session) -> dict[str, int]:
    return {m.__name__: count(s, m) for m in (Entry, EvidenceFile, GradeOverride, ScoreResult, AuditEvent)}


def march(s: Session) -> Period:
    return period(s, "2026-03")


# Every write path into points or results, run against a locked March.
WRITES: dict[str, Callable[[Session, Case], object]] = {
    "record": lambda s, c: ledger.record(s, c.w.clerk, entry_input(c.people[0], "ZB-01")),
    "record by chief": lambda s, c: ledger.record(s, c.w.chief, entry_input(c.people[0], "ZB-02")),
    "record with evidence": lambda s, c: ledger.record(
        s, c.w.clerk, entry_input(c.people[0], "DL-02", with_evidence=True)),
    "mass record": lambda s, c: ledger.record(s, c.w.clerk, entry_input(c.people, "ZB-05")),
    "record last day": lambda s, c: ledger.record(s, c.w.clerk, entry_input(c.people[0], "ZB-01", dt.date(2026, 3, 31))),
    "record_many": lambda s, c: ledger.record_many(s, c.w.clerk, [
        entry_input(c.people[0], "ZB-01", APRIL),  # open month: saved first, then rolled back
        entry_input(c.people[1], "ZB-01", dt.date(2026, 3, 1)),
    ]),
    "reverse": lambda s, c: ledger.reverse(s, c.w.clerk, c.entry.id, "锁定后冲正"),
    "override_grade": lambda s, c: review.override_grade(s, c.w.chief, march(s), c.people[4].id, "A", "表现突出"),
    "store": lambda s, c: scoring.store(s, c.w.clerk, march(s)),
}


@pytest.mark.parametrize("write", list(WRITES))
def test_locked_period_refuses_every_write_and_changes_nothing(case: Case, write: str) -> None:
    w = case.w
    with w.tx() as s:
        locked(s, w, "2026-03")
    with w.tx() as s:
        before = snapshot(s)
        frozen = scoring.results(s, march(s))
    with pytest.raises(PeriodLocked, match="已锁定"), w.tx() as s:
        WRITES[write](s, case)
    with w.tx() as s:
        assert snapshot(s) == before
        assert scoring.results(s, march(s)) == frozen
        assert audit.verify(s).ok


def test_message_of_a_locked_month_says_what_and_how(case: Case) -> None:
    with case.w.tx() as s:
        locked(s, case.w, "2026-03")
    with case.w.tx() as s, pytest.raises(PeriodLocked) as err:
        ledger.record(s, case.w.clerk, entry_input(case.people[0], "ZB-01"))
    assert str(err.value) == ("2026年3月已锁定，2026年3月2日的积分不能再录入或更改。"
                              "如确需更正，请所长先解锁该周期并填写理由。")


@pytest.mark.parametrize(("lock_code", "day", "refused"), [
    ("2026-Q1", dt.date(2026, 2, 10), True),
    ("2026", dt.date(2026, 12, 31), True),
    ("2026-03", dt.date(2026, 4, 1), False),
    ("2026-03", dt.date(2026, 2, 28), False),
])
def test_a_locked_quarter_or_year_covers_its_days(case: Case, lock_code: str, day: dt.date, refused: bool) -> None:
    w = case.w
    with w.tx() as s:
        locked(s, w, lock_code)
    if refused:
        with pytest.raises(PeriodLocked), w.tx() as s:
            ledger.record(s, w.clerk, entry_input(case.people[0], "ZB-01", day))
    else:
        with w.tx() as s:
            ledger.record(s, w.clerk, entry_input(case.people[0], "ZB-01", day))


def test_locking_by_the_chief_freezes_the_current_results(case: Case) -> None:
    w = case.w
    with w.tx() as s:
        expected = scoring.calculate(s, march(s))
        locked(s, w, "2026-03")
    with w.tx() as s:
        p = march(s)
        assert p.state == PeriodState.LOCKED.value and p.locked_at is not None
        assert count(s, ScoreResult) == 5
        frozen = scoring.results(s, p)
        assert [(r.badge, r.total, r.rank_department, r.grade) for r in frozen] == [
            (r.badge, r.total, r.rank_department, r.grade) for r in expected]
        assert [r.total for r in frozen] == [1050, 1040, 1030, 1020, 1010]


def test_period_cannot_be_locked_from_open(case: Case) -> None:
    with case.w.tx() as s:
        p = march(s)
        with pytest.raises(ValidationError, match="需先提交审核才能锁定"):
            periods.lock(s, case.w.chief, p)
        assert p.state == PeriodState.OPEN.value


def test_period_state_rules(case: Case) -> None:
    w = case.w
    with w.tx() as s:
        p = march(s)
        with pytest.raises(ValidationError, match="没有锁定，无需解锁"):
            signoff.reopen(s, w.chief, p, "理由")
        periods.start_review(s, w.clerk, p)
        with pytest.raises(ValidationError, match="只有录入中的周期才能提交审核"):
            periods.start_review(s, w.clerk, p)
        with pytest.raises(ValidationError, match="退回修改需要填写理由"):
            periods.back_to_open(s, w.clerk, p, " ")
        periods.back_to_open(s, w.clerk, p, "补录两条")
        assert p.state == PeriodState.OPEN.value


def _sign(w: World, who: str, password: str = PASSWORD) -> SignOff:
    with w.tx() as s:
        if march(s).state == "review":
            confirm_everyone(s, w.clerk, march(s))
        return signoff.sign(s, getattr(w, who), march(s), password)[0]


def test_reopen_needs_the_chief_and_a_reason_and_clears_signatures(case: Case) -> None:
    w = case.w
    with w.tx() as s:
        to_review(s, w, "2026-03")
    _sign(w, "chief")
    _sign(w, "jdy")  # the last signature locks
    with w.tx() as s:
        assert march(s).state == PeriodState.LOCKED.value and count(s, SignOff) == 2
    with pytest.raises(PermissionDenied, match="无权解锁考核周期"), w.tx() as s:
        signoff.reopen(s, w.clerk, march(s), "内勤想改")
    for reason in ("", "   "):
        with pytest.raises(ValidationError, match="解锁考核周期必须填写理由"), w.tx() as s:
            signoff.reopen(s, w.chief, march(s), reason)
    with w.tx() as s:
        assert march(s).state == PeriodState.LOCKED.value and count(s, SignOff) == 2
        audit_before = count(s, AuditEvent)
        signoff.reopen(s, w.chief, march(s), "  县局通报表扬漏录  ")
    with w.tx() as s:
        p = march(s)
        assert (p.state, p.locked_at) == (PeriodState.OPEN.value, None)
        assert count(s, SignOff) == 0
        last = s.scalars(select(PeriodTransition).order_by(PeriodTransition.id.desc()).limit(1)).one()
        assert (last.from_state, last.to_state, last.reason, last.user_id) == (
            "locked", "open", "县局通报表扬漏录", w.chief.user_id)
        events = s.scalars(select(AuditEvent).where(AuditEvent.id > audit_before).order_by(AuditEvent.id)).all()
        assert [e.action for e in events] == ["period.signatures_cleared", "period.open"]
        assert json.loads(events[0].detail)["reason"] == "县局通报表扬漏录"
        assert [sig[0] for sig in json.loads(events[0].detail)["signatures"]] == ["中队长审核", "教导员签字"]
        assert audit.verify(s).ok
        # Writable again.
        ledger.record(s, w.clerk, entry_input(case.people[0], "ZB-01"))


def test_sign_off_chain_in_order_with_password_and_last_signature_locks(case: Case) -> None:
    w = case.w
    with pytest.raises(ValidationError, match="不在审核中，不能签字"):
        _sign(w, "chief")
    with w.tx() as s:
        to_review(s, w, "2026-03")
        expected = scoring.calculate(s, march(s))
    with pytest.raises(PermissionDenied, match="“中队长审核”需由所长/教导员签字"):
        _sign(w, "clerk")
    with pytest.raises(AuthError, match="密码不正确"):
        _sign(w, "chief", "wrong-password")
    with w.tx() as s:
        assert count(s, SignOff) == 0
    first = _sign(w, "chief")
    assert (first.seq, first.step_title, first.signer_name, first.role) == (1, "中队长审核", "chief", "chief")
    with w.tx() as s:
        assert march(s).state == PeriodState.REVIEW.value and count(s, ScoreResult) == 0
        assert signoff.next_step(s, march(s)).title == "教导员签字"  # type: ignore[union-attr]
    with pytest.raises(PermissionDenied, match="同一人不能在签核流程中签两次"):
        _sign(w, "chief")
    second = _sign(w, "jdy")
    assert (second.seq, second.step_title) == (2, "教导员签字")
    assert second.digest == first.digest
    with w.tx() as s:
        p = march(s)
        assert p.state == PeriodState.LOCKED.value
        stored = scoring.stored(s, p)
        assert len(stored) == 5 and count(s, ScoreResult) == 5
        assert [(r.total, r.rank_department, r.grade) for r in stored] == [
            (r.total, r.rank_department, r.grade) for r in expected]
        transition = s.scalars(select(PeriodTransition).order_by(PeriodTransition.id.desc()).limit(1)).one()
        assert (transition.to_state, transition.reason, transition.user_id) == ("locked", "签核完成", w.jdy.user_id)
    with pytest.raises(ValidationError, match="不在审核中"):
        _sign(w, "admin")


def test_open_dispute_blocks_signing_until_resolved(case: Case) -> None:
    w = case.w
    with w.tx() as s:
        own = add_user(s, "p005", Role.OFFICER, person_id=case.people[4].id)
        to_review(s, w, "2026-03")
        review.dispute(s, own, march(s), case.people[4].id, "3月2日到岗少记一次")
    with pytest.raises(ValidationError, match="还有 1 人的异议未处理"):
        _sign(w, "chief")
    with w.tx() as s:
        with pytest.raises(ValidationError, match="异议尚未处理"):
            review.confirm(s, own, march(s), case.people[4].id)
        review.resolve(s, w.chief, march(s), case.people[4].id, "经核实已补录")
    _sign(w, "chief")
    _sign(w, "jdy")
    with w.tx() as s:
        assert march(s).state == PeriodState.LOCKED.value


def test_data_changed_after_a_signature_makes_the_next_one_stale(case: Case) -> None:
    w = case.w
    with w.tx() as s:
        to_review(s, w, "2026-03")
    _sign(w, "chief")
    with w.tx() as s:  # the period under review still takes entries
        rec(s, w.clerk, case.people[4], "ZB-02")
    with pytest.raises(ValidationError, match="“中队长审核”签字后积分有变动"):
        _sign(w, "jdy")
    with w.tx() as s:
        assert count(s, SignOff) == 1 and march(s).state == PeriodState.REVIEW.value
        with pytest.raises(ValidationError, match="撤回签字需要填写理由"):
            signoff.withdraw(s, w.chief, march(s), "")
        with pytest.raises(PermissionDenied):
            signoff.withdraw(s, w.clerk, march(s), "内勤撤回")
        signoff.withdraw(s, w.chief, march(s), "补录后重签")
        assert count(s, SignOff) == 0
    _sign(w, "chief")
    _sign(w, "jdy")
    with w.tx() as s:
        assert row_of(scoring.results(s, march(s)), case.people[4]).total == 1030


def test_an_override_after_a_signature_also_makes_it_stale(case: Case) -> None:
    w = case.w
    with w.tx() as s:
        to_review(s, w, "2026-03")
    _sign(w, "chief")
    with w.tx() as s:
        review.override_grade(s, w.jdy, march(s), case.people[4].id, "B", "协助破案")
    with pytest.raises(ValidationError, match="签字后积分有变动"):
        _sign(w, "jdy")


def _row(s: Session, c: Case, i: int) -> ScoreRow:
    return row_of(scoring.calculate(s, march(s)), c.people[i])


def test_override_with_a_reason_changes_the_grade_and_keeps_the_engine_grade(case: Case) -> None:
    w = case.w
    with w.tx() as s:
        assert (_row(s, case, 4).grade, _row(s, case, 4).flags) == ("C", [])
        row = review.override_grade(s, w.chief, march(s), case.people[4].id, "B", "  抓获网上逃犯未计分  ")
        assert (row.from_grade, row.to_grade, row.reason, row.by_user_id) == ("C", "B", "抓获网上逃犯未计分",
                                                                              w.chief.user_id)
    with w.tx() as s:
        got = _row(s, case, 4)
        assert (got.engine_grade, got.grade, got.flags) == ("C", "B", ["override"])
        assert _row(s, case, 3).grade == "C"  # nobody else moves
        last = s.scalars(select(AuditEvent).order_by(AuditEvent.id.desc()).limit(1)).one()
        assert last.action == "grade.override"
        assert json.loads(last.detail) == {"period": "2026-03", "before": "C", "after": "B",
                                                "reason": "抓获网上逃犯未计分"}
        review.override_grade(s, w.chief, march(s), case.people[4].id, "A", "再次调整")  # the latest wins
        assert (_row(s, case, 4).grade, _row(s, case, 4).engine_grade) == ("A", "C")
        review.override_grade(s, w.chief, march(s), case.people[4].id, "C", "恢复原等次")
        assert (_row(s, case, 4).grade, _row(s, case, 4).flags) == ("C", [])


def test_override_survives_signing_in_the_stored_rows(case: Case) -> None:
    w = case.w
    with w.tx() as s:
        to_review(s, w, "2026-03")
        review.override_grade(s, w.chief, march(s), case.people[4].id, "B", "协助破案")
    _sign(w, "chief")
    _sign(w, "jdy")
    with w.tx() as s:
        res = s.scalars(select(ScoreResult).where(ScoreResult.person_id == case.people[4].id)).one()
        assert (res.engine_grade, res.grade, res.flags) == ("C", "B", "override")


@pytest.mark.parametrize(("grade", "reason", "message"), [
    ("B", "", "必须填写理由"),
    ("B", "   ", "必须填写理由"),
    ("S", "理由", "等次“S”不在“A/B/C/D 四类等次”中，可选：A、B、C、D"),
])
def test_override_is_refused_without_a_reason_or_with_an_unknown_grade(
        case: Case, grade: str, reason: str, message: str) -> None:
    with case.w.tx() as s:
        with pytest.raises(ValidationError, match=message):
            review.override_grade(s, case.w.chief, march(s), case.people[4].id, grade, reason)
        assert count(s, GradeOverride) == 0
        assert _row(s, case, 4).grade == "C"


def test_override_of_an_excluded_person_is_refused(case: Case) -> None:
    w = case.w
    with w.tx() as s:
        head = person(s, w.dept, "000", is_head=True)
        late = person(s, w.dept, "009", active_from=dt.date(2026, 3, 25))
        for who, why in ((head, "一把手不参与本单位排名"), (late, "本期在岗时间不足：在岗 7 天，不到 50%")):
            with pytest.raises(ValidationError, match=f"不参与排名（{why}），不能调整等次"):
                review.override_grade(s, w.chief, march(s), who.id, "A", "理由")
        gone = person(s, w.dept, "010", active_to=dt.date(2026, 2, 1))
        with pytest.raises(ValidationError, match="不在2026年3月的考核名单中"):
            review.override_grade(s, w.chief, march(s), gone.id, "A", "理由")
        assert count(s, GradeOverride) == 0


def test_ledger_keeps_working_in_the_next_month_after_a_lock(case: Case) -> None:
    with case.w.tx() as s:
        locked(s, case.w, "2026-03")
        (entry,) = ledger.record(s, case.w.clerk, entry_input(case.people[0], "ZB-01", APRIL))
        ledger.reverse(s, case.w.clerk, entry.id, "录错月份")
        assert row_of(scoring.calculate(s, period(s, "2026-04")), case.people[0]).total == 1000
