"""Grades that hold for every period: scaled thresholds, pro-rating, from_months, small groups,
the rules that protect grades, policy versions and the reasons ("why this grade")."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy.orm import Session

from desktop.models.db import Database
from desktop.models.enums import PeriodKind
from desktop.models.people import Absence, Person
from desktop.services import awards, periods, policies, review, scoring, signoff
from desktop.services.errors import ValidationError
from desktop.services.grade_engine import Candidate, grade_group
from desktop.services.grade_policy import Policy, PolicyError, load_preset
from desktop.services.grade_why import quota_line
from desktop.services.periods import parse_period
from tests.services.builders import (
    PASSWORD,
    SYSTEM,
    World,
    auxiliary,
    confirm_everyone,
    locked,
    period,
    person,
    rec,
    row_of,
    to_review,
)

D = dt.date


def policy_with(base: str = "abcd", levels: dict[str, dict[str, Any]] | None = None, **changes: Any) -> Policy:
    """A copy of a preset with some fields changed (levels by code)."""
    data = json.loads(load_preset(base).to_json())
    data.update(changes)
    data["code"] = changes.get("code", f"{base}_test")
    for lv in data["levels"]:
        lv.update((levels or {}).get(lv["code"], {}))
    return Policy.from_json(data)


def use(w: World, policy: Policy, start: D = policies.FROM_START) -> None:
    with w.tx() as s:
        policies.set_policy(s, w.chief, policy, start)


def points(s: Session, w: World, who: Person, month: int, value: int, year: int = 2026, day: int = 20) -> None:
    """`value` whole points of base work (治安案件主办, 1 point each) in that month."""
    if value:
        rec(s, w.clerk, who, "BA-03", D(year, month, day), qty=value)


def team(s: Session, w: World, n: int) -> list[Person]:
    return [person(s, w.dept, f"1{i:02d}") for i in range(n)]


# --- periods -----------------------------------------------------------------------------------

@pytest.mark.parametrize(("code", "label", "start", "end", "months"), [
    ("2026-H1", "2026年上半年", D(2026, 1, 1), D(2026, 6, 30), 6),
    ("2026-h2", "2026年下半年", D(2026, 7, 1), D(2026, 12, 31), 6),
    ("2026-Q1", "2026年第一季度", D(2026, 1, 1), D(2026, 3, 31), 3),
    ("2026", "2026年度", D(2026, 1, 1), D(2026, 12, 31), 12),
])
def test_every_period_form(code: str, label: str, start: D, end: D, months: int) -> None:
    spec = parse_period(code)
    assert (spec.label, spec.start, spec.end, len(spec.months())) == (label, start, end, months)
    assert parse_period(spec.code) == spec


def test_half_year_is_refused_when_malformed() -> None:
    with pytest.raises(ValidationError, match="2026-H1（半年）"):
        parse_period("2026-H3")


def test_a_half_year_locks_only_after_its_months(w: World) -> None:
    with w.tx() as s:
        team(s, w, 3)
        half = to_review(s, w, "2026-H1")
        assert half.kind == PeriodKind.HALF.value
        with pytest.raises(ValidationError, match="2026年1月尚未锁定"):
            periods.lock(s, w.chief, half)


# --- scaled thresholds ---------------------------------------------------------------------------

@pytest.mark.parametrize("code", ["2026-Q1", "2026-H1", "2026"])
def test_d_every_month_is_d_for_the_longer_period(w: World, code: str) -> None:
    with w.tx() as s:
        people = team(s, w, 10)
        low = people[-1]
        for month in range(1, 13):
            for p in people[:-1]:
                points(s, w, p, month, 80)
            points(s, w, low, month, 50)  # below C's 60 every month
        for month in range(1, 13):
            assert row_of(scoring.calculate(s, period(s, f"2026-{month:02d}")), low).grade == "D"
        row = row_of(scoring.calculate(s, period(s, code)), low)
    months = len(parse_period(code).months())
    assert row.grade == "D"
    assert row.reason == "threshold" and row.missed == "C"
    assert f"C类分数线 {60 * months} 分（60 分/月 × {months} 个月）" in row.why


def test_five_level_chaps_rated_poor_monthly_stay_poor_for_the_quarter(db: Database) -> None:
    from tests.services.builders import world

    w = world(db, policy="five_level")
    with w.tx() as s:
        people = team(s, w, 10)
        for month in (1, 2, 3):
            for p in people[:-1]:
                points(s, w, p, month, 85)
            points(s, w, people[-1], month, 40)
        assert row_of(scoring.calculate(s, period(s, "2026-Q1")), people[-1]).grade == "差"


def test_a_transferee_is_ranked_on_a_pro_rated_total(w: World) -> None:
    with w.tx() as s:
        people = team(s, w, 10)
        newcomer = person(s, w.dept, "999", active_from=D(2026, 2, 10))
        for month in (1, 2, 3):
            for p in people:
                points(s, w, p, month, 90)
        points(s, w, newcomer, 2, 100)
        points(s, w, newcomer, 3, 110)
        for code in ("2026-02", "2026-03"):  # 一级 in both months served (A under abcd)
            assert row_of(scoring.calculate(s, period(s, code)), newcomer).grade == "A"
        row = row_of(scoring.calculate(s, period(s, "2026-Q1")), newcomer)
    assert (row.days_present, row.period_days, row.total) == (50, 90, 2100)
    assert row.ranked_total == 3780  # 210 × 90 ÷ 50
    assert row.prorated and "prorated" in row.flags
    assert row.grade == "A" and row.rank_department == 1
    assert "本期在岗 50/90 天，按折算总分 378 分排名（实得 210 分）" in row.why


def test_pro_rating_keeps_a_starting_score_per_month(db: Database) -> None:
    from tests.services.builders import world

    w = world(db, starting_score=1000)
    with w.tx() as s:
        p = person(s, w.dept, "001", active_from=D(2026, 2, 15))  # 14 of 28 days: half
        points(s, w, p, 2, 10)
        row = row_of(scoring.calculate(s, period(s, "2026-02")), p)
    assert row.total == 1100
    assert row.ranked_total == 1000 + 200  # the month's start once, the points doubled


# --- from_months -------------------------------------------------------------------------------

@pytest.mark.parametrize(("rule", "expected"), [("most_frequent", "A"), ("lowest", "D")])
def test_from_months(w: World, rule: str, expected: str) -> None:
    use(w, policy_with(period_rule="from_months", month_rule=rule))
    with w.tx() as s:
        people = team(s, w, 10)
        star = people[0]
        for month in (1, 2, 3):
            for i, p in enumerate(people[1:]):
                points(s, w, p, month, 70 + i)
        points(s, w, star, 1, 100)
        points(s, w, star, 2, 100)
        points(s, w, star, 3, 10)  # D in March
        row = row_of(scoring.calculate(s, period(s, "2026-Q1")), star)
    assert row.month_grades == ["1月A类", "2月A类", "3月D类"]
    assert row.grade == expected
    if expected == "D":
        assert row.reason == "ceiling" and "由各月等次推定" in row.why


def test_from_months_ties_go_to_the_lower_grade() -> None:
    from desktop.services.scoring_grades import derived_grade

    policy = policy_with(period_rule="from_months")
    assert derived_grade(policy, ["A", "B", "A", "B"]) == "B"
    assert derived_grade(policy, ["A", "C", "B"]) == "C"
    assert derived_grade(policy_with(period_rule="from_months", month_rule="lowest"), ["A", "A", "B"]) == "B"
    assert derived_grade(policy, []) is None


def test_from_months_still_applies_the_quota(w: World) -> None:
    use(w, policy_with(period_rule="from_months"))
    with w.tx() as s:
        people = team(s, w, 5)  # A at most one of five
        for month in (1, 2, 3):
            for i, p in enumerate(people):
                # Each month a different one of the first three is on top.
                points(s, w, p, month, 100 if i == month - 1 else 90 - i)
        rows = scoring.calculate(s, period(s, "2026-Q1"))
    assert sum(1 for r in rows if r.grade == "A") <= 1


# --- small groups and rounding ------------------------------------------------------------------

@pytest.mark.parametrize(("rounding", "min_one_from", "expected_a"), [
    ("floor", None, 0), ("ceil", None, 1), ("half_up", None, 1), ("floor", 4, 1), ("floor", 5, 0),
])
def test_a_four_person_post_can_have_an_a(rounding: str, min_one_from: int | None, expected_a: int) -> None:
    level: dict[str, Any] = {"rounding": rounding}
    if min_one_from:
        level["min_one_from"] = min_one_from
    policy = policy_with(levels={"A": level, "B": {"max_share": "0.4"}})  # 4 × 0.2 = 0.8
    cands = [Candidate(i, 900 - 10 * i, 500, 0) for i in range(4)]
    outcomes = grade_group(policy, cands)
    assert sum(1 for o in outcomes.values() if o.grade == "A") == expected_a
    if min_one_from == 4:
        assert "满 4 人至少 1 人" in quota_line(policy, policy.level("A"), 4)


@pytest.mark.parametrize(("rounding", "cap"), [("floor", 2), ("ceil", 3), ("half_up", 3)])
def test_a_quota_line_with_ties_under_each_rounding(w: World, rounding: str, cap: int) -> None:
    use(w, policy_with(levels={"A": {"max_share": "0.5", "rounding": rounding}}))
    with w.tx() as s:
        people = team(s, w, 5)  # A ≤ 50% of 5 = 2.5
        for p, value in zip(people, (90, 80, 80, 75, 70), strict=True):
            points(s, w, p, 3, value)
        rows = scoring.calculate(s, period(s, "2026-03"))
    second, third = row_of(rows, people[1]), row_of(rows, people[2])
    label = {"floor": "向下取整", "ceil": "向上取整", "half_up": "四舍五入"}[rounding]
    line = f"A类 ≤50%（{label}），至多 {cap} 人"
    if cap == 2:  # the tied pair does not fit the one place left: both go down, flagged
        assert (second.grade, third.grade) == ("B", "B")
        assert "tie_at_line" in second.flags and line in second.why and "与并列者一起放不下" in second.why
        assert "与民警102完全并列（总分和各项依次比较均相同），同等次，不抽签" in second.why
    else:  # both fit
        assert (second.grade, third.grade) == ("A", "A")
        assert line in row_of(rows, people[0]).why


def test_equal_totals_split_by_tie_break_say_so(w: World) -> None:
    with w.tx() as s:
        people = team(s, w, 5)
        for p, value in zip(people, (90, 80, 80, 70, 60), strict=True):
            points(s, w, p, 3, value)
        rec(s, w.clerk, people[2], "NW-07", D(2026, 3, 3), points=10)  # −1, then +1 to keep the total
        points(s, w, people[2], 3, 1, day=21)
        rows = scoring.calculate(s, period(s, "2026-03"))
    second, third = row_of(rows, people[1]), row_of(rows, people[2])
    assert second.total == third.total and second.rank_department < third.rank_department
    assert "与民警102总分相同，按“扣分少者在前”排在其前" in second.why
    assert "与民警101总分相同，按“扣分少者在前”排在其后" in third.why


# --- rules that protect grades --------------------------------------------------------------------

def test_a_veto_grade_cannot_be_overridden_upward(w: World) -> None:
    with w.tx() as s:
        people = team(s, w, 5)
        for p in people:
            points(s, w, p, 3, 90)
        rec(s, w.clerk, people[0], "DL-08", D(2026, 3, 4), with_evidence=True)
        march = period(s, "2026-03")
        row = row_of(scoring.calculate(s, march), people[0])
        assert row.grade == "D" and "一票否决（2026年3月4日 受到党纪政务处分）" in row.why
        with pytest.raises(ValidationError, match="受一票否决，等次不能高于D类；只有作废该条一票否决记录才能解除"):
            review.override_grade(s, w.chief, march, people[0].id, "A", "表现突出")


def test_an_override_that_breaks_a_quota_is_refused_naming_it(w: World) -> None:
    with w.tx() as s:
        people = team(s, w, 9)
        for i, p in enumerate(people):
            points(s, w, p, 3, 95 - i)
        march = period(s, "2026-03")
        with pytest.raises(ValidationError, match="A类 ≤20%（向下取整），本组 9 人，至多 1 人，调整后为 2 人"):
            review.override_grade(s, w.chief, march, people[1].id, "A", "专项行动表现突出")


def test_an_override_over_quota_allowed_by_policy_is_printed_as_a_breach(w: World) -> None:
    use(w, policy_with(allow_over_quota=True))
    with w.tx() as s:
        people = team(s, w, 9)
        for i, p in enumerate(people):
            points(s, w, p, 3, 95 - i)
        march = period(s, "2026-03")
        review.override_grade(s, w.chief, march, people[1].id, "A", "专项行动表现突出")
        rows = scoring.calculate(s, march)
        from desktop.services.scoring_grades import quota_breaches

        breaches = quota_breaches(rows, policies.policy_for(s, march))
    assert row_of(rows, people[1]).grade == "A"
    assert "所长调整为A类（原为B类），理由：专项行动表现突出" in row_of(rows, people[1]).why
    assert breaches == ["治安中队：A类 ≤20%（向下取整），本组 9 人，至多 1 人，实有 2 人（所长调整所致）"]


def test_awards_need_a_month_under_review(w: World) -> None:
    with w.tx() as s:
        people = team(s, w, 5)
        points(s, w, people[0], 3, 90)
        with pytest.raises(ValidationError, match="尚在录入中，等次未定；提交审核后才能评选“闪光民警”"):
            awards.give(s, w.chief, period(s, "2026-03"), people[0].id, "闪光民警")


def test_an_award_whose_holder_drops_blocks_signing(w: World) -> None:
    with w.tx() as s:
        people = team(s, w, 5)
        helper = auxiliary(s, w.dept, "900")
        for i, p in enumerate([*people, helper]):
            points(s, w, p, 3, 90 - 5 * i)
        march = to_review(s, w, "2026-03")
        awards.give(s, w.chief, march, people[0].id, "闪光民警")
        periods.back_to_open(s, w.chief, march, "补录一条扣分")
        rec(s, w.clerk, people[0], "FW-05", D(2026, 3, 9), points=50, with_evidence=True)
        periods.start_review(s, w.clerk, march)
        confirm_everyone(s, w.clerk, march)
    with w.tx() as s, pytest.raises(ValidationError, match="民警100的“闪光民警”须为A类，现为B类；请先撤销该奖励"):
        signoff.sign(s, w.chief, period(s, "2026-03"), PASSWORD)


# --- exclusions ----------------------------------------------------------------------------------

def test_new_hires_and_long_leave_are_not_graded(w: World) -> None:
    use(w, policy_with(new_hire_months=3, long_leave_days=10))
    with w.tx() as s:
        people = team(s, w, 4)
        hire = person(s, w.dept, "500", active_from=D(2026, 1, 10))
        s.add(Absence(person_id=people[0].id, start=D(2026, 3, 1), end=D(2026, 3, 15), kind="病假"))
        s.flush()
        march, april = scoring.calculate(s, period(s, "2026-03")), scoring.calculate(s, period(s, "2026-04"))
    assert row_of(march, hire).excluded_reason == "新入职未满 3 个月"
    assert row_of(april, hire).excluded_reason == ""
    assert row_of(march, people[0]).excluded_reason == "本期请假 15 天，超过 10 天"
    assert row_of(march, people[0]).why == "不参与排名：本期请假 15 天，超过 10 天"


# --- policy versions ------------------------------------------------------------------------------

def test_policy_versions_leave_locked_months_unchanged(w: World) -> None:
    with w.tx() as s:
        people = team(s, w, 10)
        for month in (3, 4):
            for i, p in enumerate(people):
                points(s, w, p, month, 95 - 3 * i)
        locked(s, w, "2026-03")
    stricter = policy_with(levels={"C": {"min_score": "80"}})
    with w.tx() as s:
        before = {r.badge: r.grade for r in scoring.results(s, period(s, "2026-03"))}
        with pytest.raises(ValidationError, match="2026年3月已锁定，其等次不能再改；新政策最早从2026年4月起生效"):
            policies.set_policy(s, w.chief, stricter, D(2026, 3, 1))
        changes = policies.preview(s, stricter, period(s, "2026-04"))
        # Under 80 points: D now (the line binds B and A too), whatever the grade was.
        assert {c.badge for c in changes} == {r.badge for r in scoring.calculate(s, period(s, "2026-04"))
                                              if r.total < 800}
        assert changes and all(c.after == "D" for c in changes)
        policies.set_policy(s, w.chief, stricter, D(2026, 4, 1), "C类提高到80分")
    with w.tx() as s:
        assert {r.badge: r.grade for r in scoring.results(s, period(s, "2026-03"))} == before
        assert policies.policy_for(s, period(s, "2026-03")).level("C").min_score == 600
        assert policies.policy_for(s, period(s, "2026-04")).level("C").min_score == 800
        assert all(r.grade == "D" for r in scoring.calculate(s, period(s, "2026-04")) if r.total < 800)


def test_only_the_chief_or_admin_may_change_the_policy(w: World) -> None:
    from desktop.services.errors import PermissionDenied

    with w.tx() as s, pytest.raises(PermissionDenied):
        policies.set_policy(s, w.clerk, policy_with(), D(2026, 4, 1))
    with w.tx() as s, pytest.raises(ValidationError, match="须从某月 1 日起生效"):
        policies.set_policy(s, SYSTEM, policy_with(), D(2026, 4, 2))


@pytest.mark.parametrize(("change", "field"), [
    ({"period_rule": "average"}, "period_rule"),
    ({"month_rule": "median"}, "month_rule"),
    ({"allow_over_quota": "yes"}, "allow_over_quota"),
    ({"long_leave_days": 0}, "long_leave_days"),
    ({"new_hire_months": "三"}, "new_hire_months"),
    ({"levels": [{"code": "A", "label": "A类", "min_one_from": 3}, {"code": "D", "label": "D类"}]},
     "levels[0].min_one_from"),
])
def test_new_policy_fields_are_validated(change: dict[str, Any], field: str) -> None:
    data = json.loads(load_preset("abcd").to_json()) | change
    if "levels" in change:
        data["veto_grade"] = "D"
    with pytest.raises(PolicyError, match=field.replace("[", r"\[").replace("]", r"\]")):
        Policy.from_json(data)


@settings(max_examples=300, deadline=None)
@given(heads=st.booleans(), share=st.sampled_from(["0", "0.5", "0.66", "0.75", "1"]),
       hire=st.sampled_from([0, 1, 3, 6, 12]), leave=st.sampled_from([0, 5, 10, 30]),
       kind=st.sampled_from(["2026-02", "2026-03", "2026-Q1", "2026-H2", "2026"]),
       is_head=st.booleans(), start_offset=st.integers(0, 400), leave_days=st.integers(0, 400),
       known_start=st.booleans())
def test_the_quick_graded_test_never_passes_someone_an_exclusion_would_keep_out(
        heads: bool, share: str, hire: int, leave: int, kind: str, is_head: bool, start_offset: int,
        leave_days: int, known_start: bool) -> None:
    """`surely_graded` spares calculate `exclusion` for most people: where it says graded,
    `exclusion` must find nothing, for every policy and every edge of the period."""
    from desktop.services.scoring_grades import exclusion, surely_graded

    policy = policy_with(exclude_heads=heads, min_active_share=share, new_hire_months=hire or None,
                         long_leave_days=leave or None)
    spec = parse_period(kind)
    months = len(spec.months())
    active_from = spec.end - dt.timedelta(days=start_offset) if known_start else None
    days_active = (spec.end - max(spec.start, active_from)).days + 1 if active_from else spec.days
    days_active = max(days_active, 1)
    quick = surely_graded(policy, period_days=spec.days, months=months, period_end=spec.end)
    reason = exclusion(policy, is_head=is_head, days_active=days_active, period_days=spec.days, months=months,
                       active_from=active_from, period_end=spec.end, leave_days=leave_days)
    if quick(is_head, days_active, active_from, leave_days):
        assert reason == ""
    # and it is no test that says "ask" of everyone: an officer there all period, no leave, passes
    assert quick(False, spec.days, None, 0) is True


@pytest.mark.parametrize("kind", ["2026-02", "2026-03", "2026-12", "2026-Q1", "2026-H2", "2026"])
def test_the_quick_graded_test_holds_for_every_start_day_of_a_new_hire(kind: str) -> None:
    """Every start day around the new-hire line, month ends included (the 31st plus a month is
    the 30th or the 28th): where the quick test passes someone, `exclusion` does too."""
    from desktop.services.scoring_grades import exclusion, surely_graded

    spec = parse_period(kind)
    months = len(spec.months())
    for hire in (1, 3, 6, 12):
        policy = policy_with(min_active_share="0", new_hire_months=hire)
        quick = surely_graded(policy, period_days=spec.days, months=months, period_end=spec.end)
        for offset in range(0, 31 * hire + 40):
            active_from = spec.end - dt.timedelta(days=offset)
            days = (spec.end - max(spec.start, active_from)).days + 1
            if quick(False, days, active_from, 0):
                assert exclusion(policy, is_head=False, days_active=days, period_days=spec.days, months=months,
                                 active_from=active_from, period_end=spec.end, leave_days=0) == "", (hire, active_from)
