"""Officers report, reviewers decide, the people a sheet names sign it (#15).

A station of two departments: 治安中队 (head 中队长 H, members A and B) and 巡逻中队 (head G,
member C); the 副所长 L leads both; accounts for A, H, G and L.
"""

from __future__ import annotations

import datetime as dt

import pytest

from desktop.models.enums import PeriodState
from desktop.services import (
    alerts,
    policies,
    probation,
    ratings,
    review,
    reviewers,
    roster,
    scoring,
    self_report,
    signoff,
)
from desktop.services.errors import PermissionDenied, ValidationError
from tests import factories
from tests.services.builders import PASSWORD, SYSTEM, period, rec, row_of, to_review
from tests.services.review_world import Station, review_station

DAY = dt.date(2026, 3, 10)


@pytest.fixture
def st(db) -> Station:
    return review_station(db)


def total(s, person_id: int) -> int:
    return row_of(scoring.calculate(s, period(s, "2026-03")), person_id).total


def test_an_officer_reports_and_the_score_changes_only_on_approval(st: Station) -> None:
    w, a = st.w, st.actors
    with w.tx() as s:
        before = total(s, st.people["A"])
        night, calls = self_report.submit(s, a["A"], [self_report.ReportInput("ZB-03", DAY),
                                                      self_report.ReportInput("JJ-01", DAY, quantity=2)])
        assert night.status == calls.status == "pending"
        assert total(s, st.people["A"]) == before  # pending counts for nothing
        with pytest.raises(ValidationError, match="已经报过了"):
            self_report.submit(s, a["A"], [self_report.ReportInput("ZB-03", DAY)])
        with pytest.raises(ValidationError, match="不是民警可以自报的项目"):
            self_report.submit(s, a["A"], [self_report.ReportInput("FW-05", DAY)])
        self_report.decide(s, a["H"], night.id, "approve")
        assert total(s, st.people["A"]) == before + 10
        with pytest.raises(ValidationError, match="须填写理由"):
            self_report.decide(s, a["H"], calls.id, "reject")
        self_report.decide(s, a["H"], calls.id, "reject", reason="警情系统中当日无本人处警")
        assert total(s, st.people["A"]) == before + 10
        mine = {r.item_code: r for r in self_report.reports_of(s, st.people["A"])}
        assert mine["JJ-01"].status_label == "已退回" and mine["JJ-01"].decision_reason == "警情系统中当日无本人处警"
        assert mine["ZB-03"].entry_id is not None and mine["ZB-03"].decided_by_name == "uH"


def test_an_adjustment_needs_a_reason_and_counts_the_adjusted_quantity(st: Station) -> None:
    from desktop.services.catalogue import item_in_force

    w, a = st.w, st.actors
    with w.tx() as s:
        per = item_in_force(s, "JJ-01", DAY).points_tenths
        before = total(s, st.people["A"])
        [calls] = self_report.submit(s, a["A"], [self_report.ReportInput("JJ-01", DAY, quantity=3)])
        with pytest.raises(ValidationError, match="须填写理由"):
            self_report.decide(s, a["H"], calls.id, "adjust", quantity=1)
        with pytest.raises(ValidationError, match="与自报相同"):
            self_report.decide(s, a["H"], calls.id, "adjust", quantity=3, reason="核对")
        self_report.decide(s, a["H"], calls.id, "adjust", quantity=1, reason="警情系统中只有一起")
        assert self_report.get(s, calls.id).status == "adjusted"
        assert total(s, st.people["A"]) - before == per  # one call counted, not the three reported


def test_a_reviewer_sees_and_decides_only_his_people(st: Station) -> None:
    w, a = st.w, st.actors
    with w.tx() as s:
        [mine] = self_report.submit(s, a["A"], [self_report.ReportInput("ZB-01", DAY)])
        [other] = self_report.submit(s, a["C"], [self_report.ReportInput("ZB-01", DAY)])
        assert [r.id for r in self_report.pending_for(s, a["H"])] == [mine.id]
        assert [r.id for r in self_report.pending_for(s, a["G"])] == [other.id]
        with pytest.raises(PermissionDenied, match="审核人"):
            self_report.decide(s, a["H"], other.id, "approve")
        with pytest.raises(PermissionDenied, match="本人"):
            self_report.decide(s, a["A"], mine.id, "approve")
        # The heads are reviewed by the leader in charge; he is no member's reviewer.
        who = reviewers.ReviewMap(s, DAY)
        assert who.of(_person(s, st, "H")).person.badge == "L01"
        assert {p.badge for p in reviewers.reviewed_by(s, st.people["L"], DAY)} >= {"H01", "G01"}


def _person(s, st: Station, key: str):
    from desktop.models.people import Person

    return s.get(Person, st.people[key])


def _confirm(s, st: Station, keys: str) -> None:
    p = period(s, "2026-03")
    for key in keys:
        review.confirm(s, st.w.clerk, p, st.people[key], "纸质确认")


def test_each_department_sheet_is_signed_by_its_head_and_the_head_by_the_level_above(st: Station) -> None:
    w, a = st.w, st.actors
    with w.tx() as s:
        for key in "HABGCL":
            rec(s, w.clerk, _person(s, st, key), "ZB-01")
        to_review(s, w, "2026-03")
        _confirm(s, st, "HAGCL")  # B has not confirmed
    with w.tx() as s, pytest.raises(PermissionDenied, match="不需要"):
        signoff.sign(s, w.clerk, period(s, "2026-03"), PASSWORD)  # nobody named the clerk
    with w.tx() as s, pytest.raises(PermissionDenied, match="不需要"):
        signoff.sign(s, a["H"], period(s, "2026-03"), PASSWORD, department="巡逻中队")  # not his sheet
    with w.tx() as s, pytest.raises(ValidationError, match="白民警尚未确认"):
        signoff.sign(s, a["H"], period(s, "2026-03"), PASSWORD)
    with w.tx() as s:
        review.excuse(s, w.clerk, period(s, "2026-03"), st.people["B"], "病假")
    with w.tx() as s:
        [sheet] = signoff.sign(s, a["H"], period(s, "2026-03"), PASSWORD)
        assert sheet.department_id == w.dept.id and sheet.line == 0
        signoff.sign(s, a["G"], period(s, "2026-03"), PASSWORD)
        # The heads' own lines wait for the leader in charge, in the same step.
        step = signoff.next_step(s, period(s, "2026-03"))
        assert step is not None and step.seq == 1
        lines = signoff.sign(s, a["L"], period(s, "2026-03"), PASSWORD)
        assert sorted(x.for_person_id for x in lines) == sorted([st.people["H"], st.people["G"]])
        # The 副所长 sits in 治安中队 but is reviewed above its head: his line is the chief's.
        [due] = signoff.dues(s, period(s, "2026-03"), step)
        assert due.line is not None and due.line.id == st.people["L"]
        signoff.sign(s, w.chief, period(s, "2026-03"), PASSWORD)
        assert signoff.next_step(s, period(s, "2026-03")).seq == 2
    with w.tx() as s:
        signoff.sign(s, w.jdy, period(s, "2026-03"), PASSWORD)
        assert period(s, "2026-03").state == PeriodState.LOCKED.value


def _signed_march(st: Station) -> None:
    """March recorded, confirmed and signed along the whole chain: locked."""
    w, a = st.w, st.actors
    with w.tx() as s:
        for key in "HABGCL":
            rec(s, w.clerk, _person(s, st, key), "ZB-01")
        to_review(s, w, "2026-03")
        _confirm(s, st, "HABGCL")
    with w.tx() as s:
        for key in ("H", "G", "L"):
            signoff.sign(s, a[key], period(s, "2026-03"), PASSWORD)
        signoff.sign(s, w.chief, period(s, "2026-03"), PASSWORD)  # the 副所长's line
        signoff.sign(s, w.jdy, period(s, "2026-03"), PASSWORD)


def test_reopening_keeps_the_signatures_as_history(st: Station) -> None:
    w = st.w
    _signed_march(st)
    with w.tx() as s:
        signoff.reopen(s, w.chief, period(s, "2026-03"), "督察发现安民警迟到未记")
        history = signoff.history_lines(s, period(s, "2026-03"))
        assert len(history) == 6 and not signoff.signatures(s, period(s, "2026-03"))
        assert any("uH" in line and "督察发现安民警迟到未记" in line and "撤销" in line for line in history)


def test_a_late_finding_names_the_reviewer_and_the_signers(st: Station) -> None:
    from desktop.services import accountability

    w = st.w
    _signed_march(st)
    with w.tx() as s:
        found = accountability.record(s, w.clerk, "A01", "ZB-08", DAY, "督察通报：3月10日迟到")
        assert found.reviewer_name == "韩队长" and "所长签字：jdy" in found.signers and "uH" in found.signers
        [tally] = accountability.by_reviewer(s)
        assert tally.reviewer == "韩队长" and tally.findings == 1 and tally.people == ["安民警"]
        with pytest.raises(ValidationError, match="没有锁定"):
            accountability.record(s, w.clerk, "A01", "ZB-08", dt.date(2026, 4, 2), "四月的")


def test_reviewer_rated_levels_with_and_without_a_reason(st: Station) -> None:
    w, a = st.w, st.actors
    with w.tx() as s:
        policies.set_station_policy(s, SYSTEM, "five_level_rated", dt.date(2026, 1, 1))
        for key in "HABGCL":
            rec(s, w.clerk, _person(s, st, key), "ZB-01", times=3)
        p = period(s, "2026-03")
        row = row_of(scoring.calculate(s, p), st.people["A"])
        assert "unrated" in row.flags
        suggestion = row.engine_grade
        other = next(c for c in ("优秀", "良好", "合格", "一般", "差") if c != suggestion)
        with pytest.raises(ValidationError, match="须写明理由"):
            ratings.rate(s, a["H"], p, st.people["A"], other)
        with pytest.raises(PermissionDenied, match="审核人"):
            ratings.rate(s, a["G"], p, st.people["A"], suggestion)
        ratings.rate(s, a["H"], p, st.people["A"], suggestion)  # as suggested: no reason needed
        ratings.rate(s, a["H"], p, st.people["A"], other, reason="本月主动承担专项任务", remark="工作积极")
        row = row_of(scoring.calculate(s, p), st.people["A"])
        assert row.grade == other and row.engine_grade == suggestion and "rated" in row.flags
        assert ratings.ratings_of(s, p)[st.people["A"]].remark == "工作积极"
        # An unrated member blocks his head's signature.
        to_review(s, w, "2026-03")
        _confirm(s, st, "HABGCL")
    with w.tx() as s, pytest.raises(ValidationError, match="白民警 尚未由审核人评定等次"):
        signoff.sign(s, a["H"], period(s, "2026-03"), PASSWORD)


def test_an_alert_fires_on_three_deductions_of_one_category(st: Station) -> None:
    w = st.w
    with w.tx() as s:
        a = _person(s, st, "A")
        for d in (3, 9, 17):
            rec(s, w.clerk, a, "ZB-08", dt.date(2026, 3, d))
        rec(s, w.clerk, _person(s, st, "B"), "ZB-08", dt.date(2026, 3, 4), times=2)
        found = alerts.alerts(s, dt.date(2026, 3, 20))
        assert [(x.badge, x.rule) for x in found] == [("A01", "deductions")]
        assert "值班备勤" in found[0].text and found[0].reviewer == "韩队长"
        assert alerts.alerts(s, dt.date(2026, 4, 30)) == []  # out of the 30 days


def test_probation_caps_the_annual_grade(st: Station) -> None:
    w = st.w
    with w.tx() as s:
        people = [factories.person(s, st.w.dept, f"X{i:02d}") for i in range(6)]  # room for an A
        people += [_person(s, st, k) for k in "HABL"]
        roster.get_station(s).starting_score_tenths = 1000  # 100 a month: the year's C line is in reach
        for i, p in enumerate(people):
            rec(s, w.clerk, p, "ZB-01", times=i + 1)
        year = period(s, "2026")
        graded = scoring.calculate(s, year)
        best = next((r for r in graded if r.grade == "A"), None)
        assert best is not None, [(r.badge, r.total, r.grade, r.excluded_reason) for r in graded]
        probation.add(s, w.chief, best.badge, dt.date(2026, 5, 1),
                      dt.date(2026, 7, 31), "discipline", "工作日饮酒")
        capped = row_of(scoring.calculate(s, year), best.person_id)
        assert capped.grade == "B" and "probation" in capped.flags
        with pytest.raises(ValidationError, match="试岗原因"):
            probation.add(s, w.chief, "A01", dt.date(2026, 8, 1), dt.date(2026, 8, 31), "迟到")
        with pytest.raises(PermissionDenied):
            probation.add(s, w.clerk, "A01", dt.date(2026, 8, 1), dt.date(2026, 8, 31), "duty")
