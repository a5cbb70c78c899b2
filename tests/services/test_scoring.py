"""Scoring: the five components, monthly caps, veto, ranks, exclusions and period aggregation."""

from __future__ import annotations

import datetime as dt

import pytest

from desktop.models.db import Database
from desktop.models.people import Person
from desktop.services import ledger, scoring
from desktop.services.scoring import ScoreRow
from tests import factories
from tests.services.builders import World, five_people, period, person, rec, row_of, world

D = dt.date


def components(row: ScoreRow) -> tuple[int, ...]:
    return (row.start, row.base, row.dept_bonus, row.dept_deduction, row.higher_bonus, row.higher_deduction,
            row.total)


def test_five_components_and_total_with_a_starting_score(db: Database) -> None:
    with db.transaction() as s:
        factories.station(s, starting_score=1000)  # 100 points added to every month's total
        dept = factories.department(s)
        p = factories.person(s, dept, "001")
        idle = factories.person(s, dept, "002")
        clerk = factories.login(s, "clerk")
        rec(s, clerk, p, "ZB-01", times=3)  # base 3 x 1.0
        rec(s, clerk, p, "BA-01", qty=2)  # base 2 cases x 3.0
        rec(s, clerk, p, "ZB-07")  # dept bonus 2.0
        rec(s, clerk, p, "JJ-03", points=35)  # dept bonus, range pick 3.5
        rec(s, clerk, p, "ZB-08")  # dept deduction 2.0
        rec(s, clerk, p, "SJ-02", with_evidence=True)  # higher bonus 3.0
        rec(s, clerk, p, "SJ-10")  # higher deduction 2.0
        rec(s, clerk, p, "ZB-01", D(2026, 4, 1))  # next month: not counted
        rec(s, clerk, p, "ZB-01", D(2026, 2, 28))  # previous month: not counted
    with db.transaction() as s:
        rows = scoring.calculate(s, period(s, "2026-03"))
    row = row_of(rows, p)
    assert components(row) == (1000, 90, 55, 20, 30, 20, 1135)  # 100 + 9 + 5.5 − 2 + 3 − 2 = 113.5
    assert row.deductions == 40
    assert components(row_of(rows, idle)) == (1000, 0, 0, 0, 0, 0, 1000)
    assert row.as_json()["total"] == "113.5"


def test_no_starting_score_by_default(w: World) -> None:
    with w.tx() as s:
        p = person(s, w.dept, "001")
        rec(s, w.clerk, p, "ZB-08")
        row = row_of(scoring.calculate(s, period(s, "2026-03")), p)
        assert components(row) == (0, 0, 0, 20, 0, 0, -20)  # deductions have no floor


def test_monthly_cap_applies_per_month_not_per_quarter(w: World) -> None:
    # ZB-07 is 2.0 per occurrence with a monthly cap of 10.0.
    with w.tx() as s:
        p = person(s, w.dept, "001")
        rec(s, w.clerk, p, "ZB-07", D(2026, 1, 5), times=6)  # 12.0 → capped to 10.0
        rec(s, w.clerk, p, "ZB-07", D(2026, 2, 5), times=3)  # 6.0, under the cap
        rec(s, w.clerk, p, "ZB-07", D(2026, 3, 5), times=8)  # 16.0 → 10.0
    with w.tx() as s:
        month = {code: row_of(scoring.calculate(s, period(s, code)), p).dept_bonus
                 for code in ("2026-01", "2026-02", "2026-03")}
        quarter = row_of(scoring.calculate(s, period(s, "2026-Q1")), p)
    assert month == {"2026-01": 100, "2026-02": 60, "2026-03": 100}
    assert quarter.dept_bonus == 260  # 10 + 6 + 10, not the uncapped 34 nor one cap of 10
    assert quarter.total == 260


def test_cap_applies_to_the_net_sum_after_reversals(w: World) -> None:
    with w.tx() as s:
        p = person(s, w.dept, "001")
        entries = rec(s, w.clerk, p, "ZB-07", times=6)  # 12.0 → 10.0
        assert row_of(scoring.calculate(s, period(s, "2026-03")), p).dept_bonus == 100
        ledger.reverse(s, w.clerk, entries[0].id, "重复")  # 10.0: exactly the cap
        assert row_of(scoring.calculate(s, period(s, "2026-03")), p).dept_bonus == 100
        ledger.reverse(s, w.clerk, entries[1].id, "重复")  # 8.0
        assert row_of(scoring.calculate(s, period(s, "2026-03")), p).dept_bonus == 80


def test_veto_item_forces_the_veto_grade_and_a_reversal_lifts_it(db: Database) -> None:
    w = world(db, starting_score=1000)
    with w.tx() as s:
        people = five_people(s, w)
        rows = scoring.calculate(s, period(s, "2026-03"))
        assert [row_of(rows, p).grade for p in people] == ["A", "B", "B", "C", "C"]
        (sanction,) = rec(s, w.clerk, people[0], "DL-08", D(2026, 3, 20), with_evidence=True)  # 党纪处分, 50.0
        assert sanction.veto
    with w.tx() as s:
        rows = scoring.calculate(s, period(s, "2026-03"))
        top = row_of(rows, people[0])
        assert (top.total, top.dept_deduction, top.vetoed, top.grade) == (550, 500, True, "D")
        assert "veto" in top.flags and top.engine_grade == "D"
        # The vetoed person still counts in n = 5: A 1, B 2, the rest C.
        assert [row_of(rows, p).grade for p in people[1:]] == ["A", "B", "B", "C"]
        quarter = row_of(scoring.calculate(s, period(s, "2026-Q1")), people[0])
        assert quarter.vetoed
        ledger.reverse(s, w.clerk, sanction.id, "处分决定已撤销")
    with w.tx() as s:
        rows = scoring.calculate(s, period(s, "2026-03"))
        top = row_of(rows, people[0])
        assert (top.total, top.vetoed, top.grade, top.flags) == (1050, False, "A", [])
        assert [row_of(rows, p).grade for p in people] == ["A", "B", "B", "C", "C"]


def test_ranks_within_department_sequence_and_post_class(w: World) -> None:
    with w.tx() as s:
        office = w.dept  # 治安中队
        post1a = factories.department(s, "一号警务室", post_class=1)
        post1b = factories.department(s, "二号警务室", post_class=1)
        post2 = factories.department(s, "三号警务室", post_class=2)
        cast = [  # (department, badge, sequence, on-time arrivals)
            (office, "A1", "治安", 3), (office, "A2", "治安", 2), (office, "A3", "治安", 1),
            (post1a, "P1", "社区", 5), (post1a, "P2", "社区", 2),
            (post1b, "P3", "社区", 4),
            (post2, "P4", "社区", 6),
        ]
        people = {}
        for dept, badge, seq, n in cast:
            people[badge] = person(s, dept, badge, sequence=seq)
            rec(s, w.clerk, people[badge], "ZB-01", qty=n)
        rows = scoring.calculate(s, period(s, "2026-03"))
    got = {badge: (row_of(rows, p).ranking_group, row_of(rows, p).rank_department, row_of(rows, p).rank_sequence,
                   row_of(rows, p).rank_group) for badge, p in people.items()}
    assert got == {
        "A1": (f"dept:{office.id}", 1, 1, 1),
        "A2": (f"dept:{office.id}", 2, 2, 2),
        "A3": (f"dept:{office.id}", 3, 3, 3),
        "P1": ("post:1", 1, 2, 1),  # 5.0: second in 社区 behind P4 (6.0), first of class-1 posts
        "P2": ("post:1", 2, 4, 3),
        "P3": ("post:1", 1, 3, 2),  # alone in its post, but ranked with the other class-1 post
        "P4": ("post:2", 1, 1, 1),  # the only class-2 post: graded on its own
    }


def test_two_posts_of_one_class_share_grade_quotas(db: Database) -> None:
    # Five people over two class-1 posts form one group of n = 5 → one A; a class-2 post is apart.
    w = world(db, starting_score=1000)
    with w.tx() as s:
        a = factories.department(s, "一号警务室", post_class=1)
        b = factories.department(s, "二号警务室", post_class=1)
        c = factories.department(s, "三号警务室", post_class=2)
        members = [person(s, a, "P1"), person(s, b, "P2"), person(s, a, "P3"), person(s, b, "P4"),
                   person(s, a, "P5")]
        for i, p in enumerate(members):
            rec(s, w.clerk, p, "ZB-01", qty=5 - i)
        lone = person(s, c, "Q1")
        rows = scoring.calculate(s, period(s, "2026-03"))
    assert [row_of(rows, p).grade for p in members] == ["A", "B", "B", "C", "C"]
    assert row_of(rows, lone).grade == "C"  # n = 1: 20% of 1 rounds down to no A
    assert row_of(rows, lone).rank_group == 1


def test_head_of_unit_is_listed_but_excluded_and_unranked(w: World) -> None:
    with w.tx() as s:
        head = person(s, w.dept, "001", is_head=True)
        others = [person(s, w.dept, "002"), person(s, w.dept, "003")]
        rec(s, w.clerk, head, "ZB-01", qty=9)  # the best score, but not ranked
        rec(s, w.clerk, others[0], "ZB-01", qty=2)
        rec(s, w.clerk, others[1], "ZB-01", qty=1)
        rows = scoring.calculate(s, period(s, "2026-03"))
    row = row_of(rows, head)
    assert (row.total, row.excluded_reason) == (90, "一把手不参与本单位排名")
    assert (row.rank_department, row.rank_sequence, row.rank_group, row.grade) == (None, None, None, None)
    assert row.flags == ["excluded"]
    assert [(row_of(rows, p).rank_department, row_of(rows, p).rank_sequence) for p in others] == [(1, 1), (2, 2)]


@pytest.mark.parametrize(("code", "active_from", "active_to", "excluded"), [
    ("2026-03", D(2026, 3, 17), None, True),  # 15 of 31 days < half
    ("2026-03", D(2026, 3, 16), None, False),  # 16 of 31 days
    ("2026-03", None, D(2026, 3, 15), True),  # left after 15 days
    ("2026-04", D(2026, 4, 16), None, False),  # 15 of 30 days: exactly half is enough
    ("2026-04", D(2026, 4, 17), None, True),  # 14 of 30 days
])
def test_person_active_less_than_half_the_period_is_excluded(
        w: World, code: str, active_from: dt.date | None, active_to: dt.date | None, excluded: bool) -> None:
    with w.tx() as s:
        p = person(s, w.dept, "001", active_from=active_from, active_to=active_to)
        person(s, w.dept, "002")
        row = row_of(scoring.calculate(s, period(s, code)), p)
    assert row.excluded_reason.startswith("本期在岗时间不足") if excluded else row.excluded_reason == ""
    assert (row.rank_department is None) is excluded
    assert (row.grade is None) is excluded


def test_person_not_active_in_the_period_is_not_listed(w: World) -> None:
    with w.tx() as s:
        gone = person(s, w.dept, "001", active_to=D(2026, 2, 28))
        rec(s, w.clerk, gone, "ZB-01", D(2026, 2, 27))
        new = person(s, w.dept, "002", active_from=D(2026, 4, 1))
        march = scoring.calculate(s, period(s, "2026-03"))
        quarter = scoring.calculate(s, period(s, "2026-Q1"))
    assert {r.person_id for r in march} == set()
    assert [r.person_id for r in quarter] == [gone.id]  # on the roster in January and February
    assert new.id not in {r.person_id for r in quarter}
    assert row_of(quarter, gone).base == 10


def test_quarter_and_year_are_the_sum_of_their_months(db: Database) -> None:
    w = world(db, starting_score=1000)
    with w.tx() as s:
        a = person(s, w.dept, "001")
        b = person(s, w.dept, "002", active_from=D(2026, 7, 1))  # joins mid-year
        rec(s, w.clerk, a, "ZB-07", D(2026, 1, 10), times=7)  # 14.0 → cap 10.0
        rec(s, w.clerk, a, "ZB-01", D(2026, 2, 10), qty=30)  # 30.0 → cap 25.0
        rec(s, w.clerk, a, "BA-01", D(2026, 3, 31), qty=2)
        rec(s, w.clerk, a, "ZB-08", D(2026, 6, 30))
        rec(s, w.clerk, a, "SJ-02", D(2026, 9, 1), with_evidence=True)
        rec(s, w.clerk, [a, b], "ZB-07", D(2026, 12, 31), times=6)  # 12.0 → cap 10.0 each
        rec(s, w.clerk, b, "SJ-10", D(2026, 7, 1))
    with w.tx() as s:
        def calc(code: str) -> list[ScoreRow]:
            return scoring.calculate(s, period(s, code))

        months = {m: calc(f"2026-{m:02d}") for m in range(1, 13)}
        quarters = {q: calc(f"2026-Q{q}") for q in range(1, 5)}
        year = calc("2026")

    def total(rows: list[ScoreRow], p: Person) -> tuple[int, ...]:
        found = [r for r in rows if r.person_id == p.id]
        return components(found[0]) if found else (0,) * 7

    def add(parts: list[tuple[int, ...]]) -> tuple[int, ...]:
        return tuple(sum(col) for col in zip(*parts, strict=True))

    for p in (a, b):
        for q in range(1, 5):
            assert total(quarters[q], p) == add([total(months[m], p) for m in range(3 * q - 2, 3 * q + 1)])
        assert total(year, p) == add([total(months[m], p) for m in range(1, 13)])
    # a: 12 x 100 start + base 25 + 6 − dept deduction 2 + dept bonus 10 + 10 + higher bonus 3
    assert total(year, a) == (12000, 310, 200, 20, 30, 0, 12520)
    # b: six months of starting score only (joined 1 July), not twelve
    assert total(year, b) == (6000, 0, 100, 0, 0, 20, 6080)
    assert total(quarters[1], a)[-1] == 3000 + 100 + 250 + 60


def test_reasons_are_made_when_read_and_say_what_they_said_when_graded(w: World) -> None:
    """`calculate` leaves each reason to be made on first read (a board or an export reads none);
    made late it is the same text, and a grade set afterwards (a rating, a cap) does not change it."""
    from desktop.services import grade_why
    from desktop.services.policies import policy_for

    with w.tx() as s:
        five_people(s, w)
        march = period(s, "2026-03")
        rows = scoring.calculate(s, march)
        policy = policy_for(s, march)
        assert all(r.why_later is not None for r in rows if r.grade)
        graded = {r.person_id: r.grade for r in rows}
        expected = {r.person_id: grade_why.explain(policy, r, rows, 1).one_line() for r in rows}
        for r in rows:
            r.grade = "D"  # what ratings.apply or probation.cap may do after the reasons were given
        assert {r.person_id: r.why for r in rows} == expected
        assert all(r.why_later is None for r in rows) and all(r.why for r in rows)
        assert rows[0].as_json()["why"] == expected[rows[0].person_id]
        assert list(rows[0].as_json())[-2:] == ["why", "rank"]  # the listing's JSON keeps its fields
        rows[0].why += "；另加"
        assert rows[0].why.endswith("；另加")
        fresh, read = scoring.calculate(s, march), scoring.calculate(s, march)
        assert [r.why for r in read] and fresh == read  # equal whether a reason was read yet or not
        assert {r.person_id: r.grade for r in fresh} == graded
