"""The demo station runs the person scheme and 汉阴's four 积分制 with enough units to rank.

Built once for the module (about 20 s): the facts a station chief would check on the demo —
three 党支部, four 警务室 in two classes ranked within class, 执法办案 in two sequences with
pending, confirmed and adjusted cases, the 执法办案标兵 chosen on case points, and a 所队室
problem lowering its head's grade (领导带领责任).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from desktop.models.db import Database, open_database
from desktop.models.ledger import Entry
from desktop.models.station import Department
from desktop.models.units import CaseReview, Unit
from desktop.services import periods, scheme_registry, scheme_scoring, scoring, units
from desktop.services.demo import month_list
from tests.conftest import copy_database

UNTIL = "2026-03"  # = tests.conftest.DEMO_UNTIL
MONTHS = ["2025-04", "2025-05", "2025-06", "2025-07", "2025-08", "2025-09", "2025-10", "2025-11", "2025-12",
          "2026-01", "2026-02", "2026-03"]
SCHEMES = ("person", "dangjian", "jiceng", "zhifa", "duiwu")


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory, demo_template: Path) -> Iterator[Database]:
    """A copy of the session's demo (tests/conftest.py), which is built until 2026-03 too."""
    path: Path = tmp_path_factory.mktemp("demo-schemes") / "demo.db"
    copy_database(demo_template, path)
    db = open_database(path)
    yield db
    db.dispose()


@pytest.fixture
def s(demo: Database) -> Iterator[Session]:
    with demo.session() as session:
        yield session


def rows_of(s: Session, code: str, period: str) -> list[scheme_scoring.SubjectRow]:
    return scheme_scoring.score(s, scheme_registry.scheme_of(s, code), period)


def person_rows(s: Session, code: str) -> list[scoring.ScoreRow]:
    return scoring.calculate(s, periods.find_period(s, code) or periods.transient(periods.parse_period(code)))


def test_the_demo_runs_all_five_schemes(s: Session) -> None:
    assert [x.code for x in scheme_registry.active(s)] == list(SCHEMES)


def test_every_month_has_entries_in_every_scheme(s: Session) -> None:
    months = defaultdict(set)
    for scheme, month in s.execute(select(Entry.scheme, func.strftime("%Y-%m", Entry.occurred_on)).distinct()):
        months[scheme].add(month)
    assert {code: sorted(months[code]) for code in SCHEMES} == {code: MONTHS for code in SCHEMES}


def test_branches_have_secretaries_and_members_across_departments(s: Session) -> None:
    branches = units.list_units(s, "branch")
    assert len(branches) >= 3
    day = periods.parse_period(UNTIL).end
    for branch in branches:
        members = units.members_on(s, branch, day)
        head = units.head_on(s, branch, day)
        assert head is not None and head in members and len(members) >= 3, branch.name
        assert all(p.identity == "police" for p in members)  # the station's Party-member officers
    # Membership is the branch's own: 一线党支部 takes officers of two departments.
    assert any(len({p.department_id for p in units.members_on(s, b, day)}) > 1 for b in branches)


def test_posts_and_offices_mirror_their_departments(s: Session) -> None:
    posts = units.list_units(s, "post")
    assert len(posts) >= 4 and {p.post_class for p in posts} == {1, 2}
    offices = units.list_units(s, "department")
    depts = {d.id: d for d in s.scalars(select(Department))}
    assert {u.department_id for u in posts} == {i for i, d in depts.items() if d.kind == "post"}
    assert {u.department_id for u in offices} == {i for i, d in depts.items() if d.kind == "office"}
    assert len(units.list_units(s, "enforcement")) >= 2


def test_posts_rank_within_their_class(s: Session) -> None:
    rows = rows_of(s, "jiceng", UNTIL)
    by_class = defaultdict(list)
    for row in rows:
        by_class[row.klass].append(row)
    assert set(by_class) == {1, 2} and all(len(group) >= 2 for group in by_class.values())
    for group in by_class.values():
        ranked = sorted(group, key=lambda r: r.rank or 0)
        assert ranked[0].rank == 1
        assert [r.total for r in ranked] == sorted((r.total for r in group), reverse=True)


def test_post_bonuses_are_uncapped_and_deductions_unfloored(s: Session) -> None:
    totals = [r.total for month in MONTHS for r in rows_of(s, "jiceng", month)]
    assert max(totals) > 1000  # above 100 分 in a month: 加分上不封顶
    assert min(totals) < 600  # a 民转刑 month pulls a post far below: 扣分下不设底


def test_zhifa_ranks_two_sequences_on_their_own_totals(s: Session) -> None:
    rows = rows_of(s, "zhifa", "2025")
    scored = defaultdict(list)
    for row in rows:
        if row.total:
            scored[row.sequence].append(row)
    assert {"执法办案", "治安管理"} <= set(scored)
    for group in scored.values():
        ranked = sorted(group, key=lambda r: r.rank or 0)
        assert [r.total for r in ranked] == sorted((r.total for r in group), reverse=True)


def test_cases_are_pending_confirmed_and_adjusted(s: Session) -> None:
    case_entries = list(s.scalars(select(Entry).where(Entry.scheme == "zhifa")))
    assert case_entries and all(e.case_no and e.case_type for e in case_entries)
    reviews = {r.entry_id: r for r in s.scalars(select(CaseReview))}
    states = {r.state for r in reviews.values()}
    assert states == {"confirmed", "adjusted"}
    assert all(r.reason for r in reviews.values() if r.state == "adjusted")
    pending = [e for e in case_entries if e.id not in reviews]
    assert pending and {f"{e.occurred_on:%Y-%m}" for e in pending} == {UNTIL}  # only the last month waits
    rows = rows_of(s, "zhifa", UNTIL)
    assert sum(r.pending for r in rows) == sum(e.points_tenths for e in pending)


def test_the_case_leader_is_not_the_person_schemes_leader(s: Session) -> None:
    """执法办案标兵 on the 执法办案 score: the officer with most case points, not the one with
    the best overall total (an officer with many cases and few duty points must not lose it)."""
    zhifa = [r for r in rows_of(s, "zhifa", "2025") if r.sequence == "执法办案"]
    case_leader = next(r for r in zhifa if r.rank == 1)
    people = [r for r in person_rows(s, "2025") if r.sequence == "执法办案" and not r.excluded_reason]
    person_leader = max(people, key=lambda r: r.ranked_total)
    assert case_leader.code != person_leader.badge
    assert case_leader.total > 1.5 * sorted(r.total for r in zhifa)[-2]  # far ahead on cases
    assert next(r for r in people if r.badge == case_leader.code).ranked_total < person_leader.ranked_total


def test_a_units_problem_lowers_its_heads_grade(s: Session) -> None:
    problem = s.scalar(select(Entry).where(Entry.item_code == "DW-47"))
    assert problem is not None and problem.unit_id is not None
    unit = s.get(Unit, problem.unit_id)
    assert unit is not None
    month = f"{problem.occurred_on:%Y-%m}"
    team = rows_of(s, "duiwu", month)
    assert next(r for r in team if r.key == unit.id).rank == max(r.rank or 0 for r in team)
    head = units.head_on(s, unit, periods.parse_period(month).end)
    assert head is not None
    row = next(r for r in person_rows(s, month) if r.person_id == head.id)
    assert "leader" in row.flags
    assert f"领导带领责任：所负责的“{unit.name}”在队伍管理中排名末位" in row.why


@pytest.mark.parametrize("code", SCHEMES[1:])
def test_each_scheme_scores_a_month_a_quarter_and_the_year(s: Session, code: str) -> None:
    for period in (UNTIL, "2026-Q1", "2025"):
        rows = rows_of(s, code, period)
        assert rows and any(r.total for r in rows) and all(r.rank for r in rows), (code, period)
    assert person_rows(s, "2026-Q1")



def test_the_last_locked_month_is_signed_in_every_scheme_and_the_next_is_under_way(s: Session) -> None:
    from desktop.services import scheme_signing

    months = [m.code for m in month_list(UNTIL)]
    locked, following = months[-3], months[-2]  # the person scheme locks all but the last two months
    for code in ("dangjian", "jiceng", "zhifa", "duiwu"):
        assert scheme_signing.sheet(s, code, locked).state == "locked"
        under_way = scheme_signing.sheet(s, code, following)
        assert under_way.state == "signing" and len(under_way.signatures) == 1
