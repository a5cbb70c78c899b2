"""Awards: 闪光民警 / 闪光辅警 from the month's grade-A people, yearly titles on a year."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from desktop.models.audit import AuditEvent
from desktop.models.db import Database
from desktop.models.grading import Award
from desktop.models.people import Person
from desktop.models.periods import Period
from desktop.services import awards, periods, review, scoring, signoff
from desktop.services.errors import PermissionDenied, ValidationError
from tests.services.builders import (
    PASSWORD,
    SYSTEM,
    World,
    auxiliary,
    confirm_everyone,
    count,
    locked,
    period,
    person,
    rec,
    row_of,
    to_review,
    world,
)


@dataclass
class Team:
    w: World
    police: list[Person]  # 民警 at +9, +7, +5, +3, +1 on top of the starting score of 100
    aux: list[Person]  # 辅警 at +8, +6, +4, +2, +0


@pytest.fixture
def team(db: Database) -> Team:
    """Ten people in one department: n = 10 → two A (the best 民警 and the best 辅警)."""
    w = world(db, starting_score=1000)
    with w.tx() as s:
        police = [person(s, w.dept, f"10{i}", sequence="执法办案") for i in range(5)]
        aux = [auxiliary(s, w.dept, f"20{i}", sequence="辅助") for i in range(5)]
        for i, p in enumerate(police):
            rec(s, w.clerk, p, "ZB-01", qty=9 - 2 * i)
        for i, p in enumerate(aux[:4]):
            rec(s, w.clerk, p, "ZB-01", qty=8 - 2 * i)
    return Team(w, police, aux)


def _march(s: Session) -> Period:
    """March, under review: awards are chosen once the month's grades stand still."""
    march = period(s, "2026-03")
    if march.state == "open":
        periods.start_review(s, SYSTEM, march)
    return march


def test_candidates_are_the_grade_a_people_with_their_title(team: Team) -> None:
    with team.w.tx() as s:
        rows = scoring.calculate(s, _march(s))
        # n = 10: A 2, B 5, the rest C (all above 60).
        assert [row_of(rows, p).grade for p in team.police] == ["A", "B", "B", "B", "C"]
        assert [row_of(rows, p).grade for p in team.aux] == ["A", "B", "B", "C", "C"]
        got = [(c.row.person_id, c.row.total, c.title) for c in awards.candidates(s, _march(s))]
    assert got == [(team.police[0].id, 1090, "闪光民警"), (team.aux[0].id, 1080, "闪光辅警")]


def test_monthly_titles_go_to_the_matching_identity(team: Team) -> None:
    w, cop, aux = team.w, team.police[0], team.aux[0]
    with w.tx() as s:
        with pytest.raises(ValidationError, match="该同志身份对应的称号是“闪光民警”"):
            awards.give(s, w.chief, _march(s), cop.id, "闪光辅警")
        with pytest.raises(ValidationError, match="该同志身份对应的称号是“闪光辅警”"):
            awards.give(s, w.chief, _march(s), aux.id, "闪光民警")
        first = awards.give(s, w.chief, _march(s), cop.id, " 闪光民警 ", note=" 3月表现突出 ")
        second = awards.give(s, w.chief, _march(s), aux.id, "闪光辅警")
        assert (first.title, first.note, first.given_by_id) == ("闪光民警", "3月表现突出", w.chief.user_id)
        assert [a.id for a in awards.awards_of(s, _march(s))] == [first.id, second.id]
        assert [a.title for a in awards.awards_for_person(s, cop.id)] == ["闪光民警"]
        with pytest.raises(ValidationError, match="已获得这一奖励"):
            awards.give(s, w.chief, _march(s), cop.id, "闪光民警")


@pytest.mark.parametrize(("who", "title"), [
    ("police", "闪光民警"),  # grade B
    ("aux", "闪光辅警"),  # grade B
])
def test_non_candidates_are_refused(team: Team, who: str, title: str) -> None:
    target = getattr(team, who)[1]
    with team.w.tx() as s:
        with pytest.raises(ValidationError, match="只能从2026年3月的最高等次人员中评选"):
            awards.give(s, team.w.chief, _march(s), target.id, title)
        assert count(s, Award) == 0


def test_an_override_to_a_makes_a_candidate_and_a_veto_removes_one(team: Team) -> None:
    w = team.w
    with w.tx() as s:
        # The veto first frees an A place (A ≤ 20% of 10 = 2): an override may not break the quota.
        rec(s, w.clerk, team.aux[0], "DL-08", dt.date(2026, 3, 20), with_evidence=True)
        review.override_grade(s, w.chief, _march(s), team.police[1].id, "A", "破获系列盗窃案")
        got = [c.row.person_id for c in awards.candidates(s, _march(s))]
        assert got == [team.police[0].id, team.police[1].id]
        awards.give(s, w.chief, _march(s), team.police[1].id, "闪光民警")
        with pytest.raises(ValidationError, match="最高等次"):
            awards.give(s, w.chief, _march(s), team.aux[0].id, "闪光辅警")


def test_candidates_of_a_locked_month_come_from_the_frozen_results(team: Team) -> None:
    w = team.w
    with w.tx() as s:
        locked(s, w, "2026-03")
        (candidate,) = [c for c in awards.candidates(s, _march(s)) if c.title == "闪光民警"]
        assert candidate.row.person_id == team.police[0].id
        awards.give(s, w.chief, _march(s), team.police[0].id, "闪光民警")  # awards follow the lock


def test_awards_after_signing_the_chain(team: Team) -> None:
    w = team.w
    with w.tx() as s:
        to_review(s, w, "2026-03")
    with w.tx() as s:
        confirm_everyone(s, w.clerk, _march(s))
    for who in ("chief", "jdy"):
        with w.tx() as s:
            signoff.sign(s, getattr(w, who), _march(s), PASSWORD)
    with w.tx() as s:
        assert [c.title for c in awards.candidates(s, _march(s))] == ["闪光民警", "闪光辅警"]


def test_yearly_title_needs_a_year_period(team: Team) -> None:
    w, cop = team.w, team.police[0]
    with w.tx() as s:
        for code in ("2026-03", "2026-Q1"):
            with pytest.raises(ValidationError, match="年度称号“执法办案标兵”需要选择年度周期"):
                awards.give(s, w.chief, period(s, code), cop.id, "执法办案标兵")
        with pytest.raises(ValidationError, match="“闪光民警”按月（或季度）评选，请选择月份"):
            awards.give(s, w.chief, period(s, "2026"), cop.id, "闪光民警")
        award = awards.give(s, w.chief, period(s, "2026"), cop.id, "执法办案标兵")
        assert award.period_id == period(s, "2026").id
        leaders = awards.law_enforcement_leaders(s, period(s, "2026"), ["执法办案"])
        assert [r.person_id for r in leaders] == [cop.id]


def test_a_quarter_may_have_monthly_titles(team: Team) -> None:
    with team.w.tx() as s:
        quarter = period(s, "2026-Q1")
        periods.start_review(s, SYSTEM, quarter)
        award = awards.give(s, team.w.chief, quarter, team.aux[0].id, "闪光辅警")
        assert award.title == "闪光辅警"


def test_award_needs_a_title_and_the_chief(team: Team) -> None:
    w = team.w
    with w.tx() as s:
        with pytest.raises(ValidationError, match="请填写奖励名称"):
            awards.give(s, w.chief, _march(s), team.police[0].id, "  ")
        for who in ("clerk", "officer"):
            with pytest.raises(PermissionDenied, match="无权评定奖励"):
                awards.give(s, getattr(w, who), _march(s), team.police[0].id, "闪光民警")


def test_revoke_needs_a_reason_and_is_audited(team: Team) -> None:
    w = team.w
    with w.tx() as s:
        award = awards.give(s, w.chief, _march(s), team.police[0].id, "闪光民警")
        with pytest.raises(ValidationError, match="撤销奖励需要填写理由"):
            awards.revoke(s, w.chief, award.id, " ")
        awards.revoke(s, w.chief, award.id, "评选时漏看扣分")
    with w.tx() as s:
        assert count(s, Award) == 0
        last = s.scalars(select(AuditEvent).order_by(AuditEvent.id.desc()).limit(1)).one()
        assert (last.action, last.entity_ref) == ("award.revoke", award.uuid)


def test_contract_staff_are_graded_but_not_offered_the_monthly_titles(db: Database) -> None:
    """The scheme names 闪光民警 and 闪光辅警 only: a grade-A 聘用 person is no candidate."""
    from desktop.models.enums import Identity
    from tests import factories

    w = world(db, starting_score=1000)
    with w.tx() as s:
        hired = factories.person(s, w.dept, "300", "聘用甲", identity=Identity.CONTRACT)
        others = [person(s, w.dept, f"10{i}") for i in range(4)]
        rec(s, w.clerk, hired, "ZB-01", qty=9)
        for i, p in enumerate(others):
            rec(s, w.clerk, p, "ZB-01", qty=7 - i)
        assert row_of(scoring.calculate(s, _march(s)), hired).grade == "A"  # graded like everyone
        assert hired.id not in [c.row.person_id for c in awards.candidates(s, _march(s))]
        for title in ("闪光辅警", "闪光民警"):
            with pytest.raises(ValidationError, match="聘用人员不参加“闪光民警”“闪光辅警”评选"):
                awards.give(s, w.chief, _march(s), hired.id, title)
        assert count(s, Award) == 0
