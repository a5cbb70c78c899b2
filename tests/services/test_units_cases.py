"""Units with dated heads and members, entries against units, and the case review of 执法办案."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from desktop.models.db import Database
from desktop.models.ledger import Entry, EntrySum
from desktop.services import cases, catalogue, ledger, periods, units
from desktop.services.catalogue import ItemSpec
from desktop.services.errors import PermissionDenied, ValidationError
from desktop.services.points import to_tenths
from tests.services.builders import MARCH, World, locked, person, rec, world

ZHIFA = frozenset({"quantity", "quality"})
DANGJIAN = frozenset({"basic", "performance"})


def scheme_catalogue(s, w: World, scheme: str, specs: list[dict]) -> None:  # type: ignore[no-untyped-def]
    components = ZHIFA if scheme == "zhifa" else DANGJIAN
    catalogue.create_version(s, w.clerk, dt.date(2026, 1, 1), f"{scheme} 细则",
                             [ItemSpec.from_json(raw, components) for raw in specs], scheme=scheme)


@pytest.fixture
def w(db: Database) -> World:
    w = world(db, starting_score=1000)
    with w.tx() as s:
        scheme_catalogue(s, w, "zhifa", [
            {"code": "ZF-01", "category": "执法办案", "name": "办理刑事案件", "component": "quantity", "points": "8"},
            {"code": "ZF-20", "category": "执法办案", "name": "案件超期", "component": "quality", "points": "2"},
        ])
        scheme_catalogue(s, w, "dangjian", [
            {"code": "DJ-01", "category": "组织建设", "name": "按期召开支部委员会", "component": "basic",
             "points": "2"},
        ])
    return w


def test_a_branch_has_dated_members_and_a_new_head_ends_the_old_term(w: World) -> None:
    with w.tx() as s:
        a, b = person(s, w.dept, "201"), person(s, w.dept, "202")
        branch = units.add_unit(s, w.clerk, units.UnitInput(code="DZB-01", name="第一党支部", kind="branch"))
        units.add_member(s, w.clerk, "DZB-01", "201", start=dt.date(2026, 1, 1), role="head")
        units.add_member(s, w.clerk, "DZB-01", "202", start=dt.date(2026, 1, 1))
        units.add_member(s, w.clerk, "DZB-01", "202", start=dt.date(2026, 4, 1), role="head")
        assert units.head_on(s, branch, dt.date(2026, 3, 31)) == a
        assert units.head_on(s, branch, dt.date(2026, 4, 1)) == b
        assert units.members_on(s, branch, dt.date(2026, 3, 15)) == [a, b]
        assert units.members_on(s, branch, dt.date(2026, 4, 15)) == [b]  # the old head's term ended
        units.end_member(s, w.clerk, "DZB-01", "202", dt.date(2026, 5, 31))
        assert units.members_on(s, branch, dt.date(2026, 6, 1)) == []
        with pytest.raises(ValidationError, match="已是“第一党支部”的负责人"):
            units.add_member(s, w.clerk, "DZB-01", "202", start=dt.date(2026, 5, 1), role="head")


@pytest.mark.parametrize(("data", "words"), [
    (units.UnitInput(code="JWS-1", name="城关警务室", kind="post"), "须有类别"),
    (units.UnitInput(code="ZF-A", name="刑侦", kind="enforcement"), "须写明考核序列"),
    (units.UnitInput(code="X", name="某", kind="team"), "单位类型“team”不对"),
    (units.UnitInput(code="DZB", name="支部", kind="branch", post_class=2), "只有警务室分类别"),
])
def test_bad_units_are_refused_in_chinese(w: World, data: units.UnitInput, words: str) -> None:
    with w.tx() as s, pytest.raises(ValidationError, match=words):
        units.add_unit(s, w.clerk, data)


def test_a_department_unit_has_the_departments_people(w: World) -> None:
    with w.tx() as s:
        p = person(s, w.dept, "301")
        unit = units.for_department(s, w.clerk, w.dept)
        assert (unit.kind, units.members_on(s, unit, MARCH)) == ("department", [p])
        assert units.for_department(s, w.clerk, w.dept).id == unit.id


def test_members_among_some_people_are_the_full_lists_narrowed_to_them(w: World) -> None:
    """A sum over members looks only for those with points (`among`); each unit's list is then
    exactly its full list with the others left out, for department units and own members alike."""
    with w.tx() as s:
        a, b, c = (person(s, w.dept, badge) for badge in ("401", "402", "403"))
        dept_unit = units.for_department(s, w.clerk, w.dept)
        branch = units.add_unit(s, w.clerk, units.UnitInput(code="DZB-04", name="第四党支部", kind="branch"))
        for badge in ("401", "403"):
            units.add_member(s, w.clerk, "DZB-04", badge, start=dt.date(2026, 1, 1))
        found = [dept_unit, branch]
        full = units.members_by_unit(s, found, MARCH)
        for among in ({a.id}, {b.id, c.id}, {a.id, b.id, c.id}, set()):
            narrowed = units.members_by_unit(s, found, MARCH, among)
            assert narrowed == {uid: [m for m in people if m.id in among] for uid, people in full.items()}
        assert [m.id for m in full[branch.id]] == [a.id, c.id]


def test_unit_entries_never_reach_a_persons_scheme_sums(w: World) -> None:
    with w.tx() as s:
        branch = units.add_unit(s, w.clerk, units.UnitInput(code="DZB-01", name="第一党支部", kind="branch"))
        [entry] = ledger.record(s, w.clerk, ledger.EntryInput((), "DJ-01", MARCH, unit_ids=[branch.id]))
        assert (entry.person_id, entry.unit_id, entry.scheme) == (None, branch.id, "dangjian")
        assert s.scalar(select(EntrySum.entries).limit(1)) is None
        with pytest.raises(ValidationError, match="个人积分项目，不能记给单位"):
            ledger.record(s, w.clerk, ledger.EntryInput((), "ZB-01", MARCH, unit_ids=[branch.id]))


def test_a_case_counts_only_once_reviewed(w: World) -> None:
    with w.tx() as s:
        p = person(s, w.dept, "401")
        [first] = ledger.record(s, w.clerk, ledger.EntryInput([p.id], "ZF-01", MARCH, case_no="A2026-031",
                                                              case_type="刑事"))
        [second] = ledger.record(s, w.clerk, ledger.EntryInput([p.id], "ZF-01", MARCH, case_no="A2026-032"))
        spec = periods.parse_period("2026-03")
        assert [(c.case_no, c.recorded, c.counted, c.pending) for c in cases.ledger_of(s, "zhifa", spec)] == [
            ("A2026-031", 80, 0, 1), ("A2026-032", 80, 0, 1)]
        cases.review(s, w.clerk, first.id, "confirmed")
        cases.review(s, w.clerk, second.id, "adjusted", points_tenths=to_tenths("5"), reason="系一般案件")
        assert [(c.counted, c.pending) for c in cases.ledger_of(s, "zhifa", spec)] == [(80, 0), (50, 0)]
        with pytest.raises(ValidationError, match="须写明理由"):
            cases.review(s, w.clerk, second.id, "adjusted", points_tenths=40)
        with pytest.raises(PermissionDenied):
            cases.review(s, w.officer, first.id, "confirmed")
        plain = rec(s, w.clerk, p, "ZB-01")[0]
        with pytest.raises(ValidationError, match="不是案件记录"):
            cases.review(s, w.clerk, plain.id, "confirmed")


def test_a_case_is_judged_by_its_own_schemes_lock_not_the_person_month(w: World) -> None:
    """执法办案 locks with its own signed month (tests/services/test_scheme_signing.py); the
    person scheme's locked month does not stop 法制大队 from reviewing a case."""
    with w.tx() as s:
        p = person(s, w.dept, "501")
        [entry] = ledger.record(s, w.clerk, ledger.EntryInput([p.id], "ZF-01", MARCH, case_no="A1"))
        rec(s, w.clerk, p, "ZB-01")
    with w.tx() as s:
        locked(s, w, "2026-03")
    with w.tx() as s:
        cases.review(s, w.clerk, s.get(Entry, entry.id).id, "confirmed")
        with pytest.raises(Exception, match="锁定"):
            rec(s, w.clerk, p, "ZB-01")
