"""Scheme scores on a small built station: unit totals from unit entries and from members, ranks
within class and sequence, uncapped bonuses and unfloored deductions, the post's score flowing
to its officers, 领导带领责任, and case points pending until reviewed."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from desktop.models.db import Database
from desktop.services import cases, catalogue, ledger, scheme_scoring, units
from desktop.services.catalogue import ItemSpec
from desktop.services.schemes import Scheme
from tests.services.builders import MARCH, World, person, rec, world

SIGN = [{"title": "所长审核", "role": "chief"}]


def scheme(**kw: Any) -> Scheme:
    raw = {"code": "jiceng", "name": "基层基础", "subject": "post", "categories": ["基层基础"],
           "periods": ["month", "quarter", "year"], "policy": "abcd", "signoff": SIGN, "starting": "100",
           "unit_entries": True, "rank_within": "class", "item_prefix": "JC-",
           "components": [{"key": "basic", "label": "基础分", "sign": "+", "monthly_cap": "20"},
                          {"key": "bonus", "label": "加分项", "sign": "+"},
                          {"key": "deduction", "label": "扣分项", "sign": "-"}]} | kw
    return Scheme.from_json(raw, check=False)


def items(s, w: World, code: str, components: frozenset[str], rows: list[tuple]) -> None:  # type: ignore[no-untyped-def]
    specs = [ItemSpec.from_json({"code": c, "category": "测试", "name": n, "component": comp, "points": p,
                                 "veto": veto}, components) for c, n, comp, p, veto in rows]
    catalogue.create_version(s, w.clerk, dt.date(2026, 1, 1), f"{code} 细则", specs, scheme=code)


@pytest.fixture
def w(db: Database) -> World:
    w = world(db, starting_score=1000)
    with w.tx() as s:
        items(s, w, "jiceng", frozenset({"basic", "bonus", "deduction"}), [
            ("JC-01", "台账规范", "basic", "15", False), ("JC-10", "获上级表彰", "bonus", "60", False),
            ("JC-20", "群众投诉查实", "deduction", "150", False), ("JC-30", "发生违纪", "deduction", "5", True)])
        for code, name, klass in (("P1", "城关", 1), ("P2", "东关", 1), ("P3", "涧池", 2), ("P4", "蒲溪", 2)):
            units.add_unit(s, w.clerk, units.UnitInput(code=code, name=f"{name}警务室", kind="post", post_class=klass))
    return w


def unit_rec(s, w: World, code: str, item: str, times: int = 1) -> None:  # type: ignore[no-untyped-def]
    unit = units.unit_by_code(s, code)
    for _ in range(times):
        ledger.record(s, w.clerk, ledger.EntryInput((), item, MARCH, unit_ids=[unit.id]))


def test_posts_are_ranked_within_their_class_with_uncapped_bonus_and_unfloored_deduction(w: World) -> None:
    with w.tx() as s:
        unit_rec(s, w, "P1", "JC-01", times=2)  # 30 basic, capped at 20
        unit_rec(s, w, "P1", "JC-10", times=2)  # 120 bonus, uncapped: above the 100 start
        unit_rec(s, w, "P2", "JC-20", times=1)  # 150 deduction, unfloored: below zero
        unit_rec(s, w, "P3", "JC-01")
        rows = {r.code: r for r in scheme_scoring.score(s, scheme(), "2026-03")}
    assert (rows["P1"].components, rows["P1"].total) == ({"basic": 200, "bonus": 1200, "deduction": 0}, 2400)
    assert rows["P2"].total == 1000 - 1500  # −50 points: nothing floors it
    assert [(rows[c].group, rows[c].rank) for c in ("P1", "P2", "P3", "P4")] == [
        ("class:1", 1), ("class:1", 2), ("class:2", 1), ("class:2", 2)]
    assert rows["P1"].as_json(scheme())["bonus"] == 120


def test_a_quarter_adds_the_start_for_every_month(w: World) -> None:
    with w.tx() as s:
        unit_rec(s, w, "P1", "JC-01")
        rows = {r.code: r for r in scheme_scoring.score(s, scheme(), "2026-Q1")}
    assert rows["P1"].total == 3 * 1000 + 150 and rows["P4"].total == 3000


def test_the_posts_score_flows_to_its_officers(w: World) -> None:
    with w.tx() as s:
        a, b = person(s, w.dept, "601"), person(s, w.dept, "602")
        units.add_member(s, w.clerk, "P1", "601", start=dt.date(2026, 1, 1), role="head")
        branch = units.add_unit(s, w.clerk, units.UnitInput(code="P9", name="南关警务室", kind="post",
                                                            post_class=1))
        assert branch.department_id is None
        units.add_member(s, w.clerk, "P9", "602", start=dt.date(2026, 1, 1))
        unit_rec(s, w, "P1", "JC-10")
        defined = scheme(members="members_take_unit")
        rows = scheme_scoring.score(s, defined, "2026-03")
        taken = scheme_scoring.members_take_unit(s, defined, rows, MARCH)
    assert (taken[a.id].code, taken[a.id].total) == ("P1", 1600)
    assert (taken[b.id].code, taken[b.id].total) == ("P9", 1000)


def test_a_veto_event_or_the_last_place_lowers_the_heads_grade(w: World) -> None:
    with w.tx() as s:
        heads = [person(s, w.dept, f"70{i}") for i in range(1, 5)]
        for code, head in zip(("P1", "P2", "P3", "P4"), heads, strict=True):
            units.add_member(s, w.clerk, code, head.badge, start=dt.date(2026, 1, 1), role="head")
        unit_rec(s, w, "P1", "JC-30")  # a veto-class event at 城关
        unit_rec(s, w, "P3", "JC-10")
        defined = scheme(leader_rule={"on_veto": True, "on_last": True, "levels": 1})
        rows = scheme_scoring.score(s, defined, "2026-03")
        penalties = scheme_scoring.leader_penalties(defined, rows)
    assert {r.code: r.vetoed for r in rows}["P1"] is True
    assert penalties[heads[0].id] == (1, "领导带领责任：所负责的“城关警务室”本期有一票否决事项（基层基础）")
    assert "排名末位" in penalties[heads[3].id][1]  # 蒲溪 last in class 2
    assert heads[2].id not in penalties


def test_a_branch_scores_from_its_members_and_its_own_entries(w: World) -> None:
    with w.tx() as s:
        items(s, w, "dangjian", frozenset({"basic", "performance"}), [
            ("DJ-01", "三会一课", "basic", "5", False), ("DJ-10", "党员先锋作用", "performance", "3", False)])
        a, b = person(s, w.dept, "801"), person(s, w.dept, "802")
        branch = units.add_unit(s, w.clerk, units.UnitInput(code="DZB-1", name="第一党支部", kind="branch"))
        units.add_unit(s, w.clerk, units.UnitInput(code="DZB-2", name="第二党支部", kind="branch"))
        units.add_member(s, w.clerk, "DZB-1", "801", start=dt.date(2026, 1, 1))
        units.add_member(s, w.clerk, "DZB-1", "802", start=dt.date(2026, 1, 1))
        ledger.record(s, w.clerk, ledger.EntryInput((), "DJ-01", MARCH, unit_ids=[branch.id]))
        ledger.record(s, w.clerk, ledger.EntryInput([a.id, b.id], "DJ-10", MARCH))
        defined = scheme(code="dangjian", name="党建工作", subject="branch", rank_within="all", members="sum",
                         item_prefix="DJ-", starting=None,
                         components=[{"key": "basic", "label": "基础积分", "sign": "+"},
                                     {"key": "performance", "label": "绩效积分", "sign": "+"}])
        rows = {r.code: r for r in scheme_scoring.score(s, defined, "2026-03")}
    assert rows["DZB-1"].components == {"basic": 50, "performance": 60}
    assert (rows["DZB-1"].rank, rows["DZB-2"].rank, rows["DZB-2"].total) == (1, 2, 0)


def test_case_points_count_once_reviewed_and_rank_within_the_sequence(w: World) -> None:
    with w.tx() as s:
        items(s, w, "zhifa", frozenset({"quantity", "quality"}), [
            ("ZF-01", "办理刑事案件", "quantity", "8", False), ("ZF-20", "案件超期", "quality", "2", False)])
        a = person(s, w.dept, "901", sequence="刑侦")
        b = person(s, w.dept, "902", sequence="刑侦")
        c = person(s, w.dept, "903", sequence="治安")
        [first] = ledger.record(s, w.clerk, ledger.EntryInput([a.id], "ZF-01", MARCH, case_no="X-1"))
        [second] = ledger.record(s, w.clerk, ledger.EntryInput([b.id], "ZF-01", MARCH, case_no="X-2"))
        ledger.record(s, w.clerk, ledger.EntryInput([b.id], "ZF-20", MARCH, case_no="X-2"))
        ledger.record(s, w.clerk, ledger.EntryInput([c.id], "ZF-01", MARCH, case_no="Z-1"))
        defined = scheme(code="zhifa", name="执法办案", subject="person", rank_within="sequence", members="none",
                         unit_entries=False, item_prefix="ZF-", starting=None, case_tracking=True,
                         components=[{"key": "quantity", "label": "数量分", "sign": "+"},
                                     {"key": "quality", "label": "质效分", "sign": "-"}])
        before = {r.code: r for r in scheme_scoring.score(s, defined, "2026-03")}
        cases.review(s, w.clerk, first.id, "confirmed")
        cases.review(s, w.clerk, second.id, "adjusted", points_tenths=60, reason="一般刑事案件")
        after = {r.code: r for r in scheme_scoring.score(s, defined, "2026-03")}
    assert (before["901"].total, before["901"].pending) == (0, 80)
    assert (after["901"].total, after["902"].total, after["902"].pending) == (80, 60, 20)
    assert [(after[k].group, after[k].rank) for k in ("901", "902", "903")] == [
        ("sequence:刑侦", 1), ("sequence:刑侦", 2), ("sequence:治安", 1)]


def _duiwu_with_a_head(s, w: World):  # type: ignore[no-untyped-def]
    """Ten officers ranked by 10 … 1 ZB-01, the first heading the department's unit under a
    队伍管理 scheme whose veto drops the head one level; -> (the unit, the month)."""
    from desktop.services import periods, scheme_registry

    people = [person(s, w.dept, f"95{i}") for i in range(10)]
    for i, p in enumerate(people):
        rec(s, w.clerk, p, "ZB-01", qty=10 - i)
    items(s, w, "duiwu", frozenset({"base", "negative"}), [
        ("DW-01", "学习制度落实", "base", "10", False), ("DW-90", "民警受到党纪政务处分", "negative", "10", True)])
    defined = scheme(code="duiwu", name="队伍管理", subject="department", rank_within="all", item_prefix="DW-",
                     starting=None, leader_rule={"on_veto": True, "on_last": False, "levels": 1},
                     components=[{"key": "base", "label": "基础积分", "sign": "+"},
                                 {"key": "negative", "label": "负面积分", "sign": "-"}])
    scheme_registry.install(s, w.admin, defined, catalogue_from=dt.date(2026, 1, 1))
    unit = units.for_department(s, w.clerk, w.dept)
    units.add_member(s, w.clerk, unit.code, people[0].badge, start=dt.date(2026, 1, 1), role="head")
    return unit, periods.get_or_create(s, "2026-03")


def test_leader_rule_lowers_the_heads_own_grade_with_the_reason(w: World) -> None:
    from desktop.services import scoring

    with w.tx() as s:  # all in one unfinished transaction: on a server, read on its own connection
        unit, month = _duiwu_with_a_head(s, w)
        before = {r.badge: r for r in scoring.calculate(s, month)}
        ledger.record(s, w.clerk, ledger.EntryInput((), "DW-90", MARCH, unit_ids=[unit.id]))
        after = {r.badge: r for r in scoring.calculate(s, month)}
    assert before["950"].grade == "A" and "leader" not in before["950"].flags
    assert after["950"].grade == "B" and "leader" in after["950"].flags
    assert "领导带领责任：所负责的“治安中队”本期有一票否决事项（队伍管理），由A类降为B类" in after["950"].why
    assert after["951"].grade == before["951"].grade  # only the head carries it


def test_leader_rule_holds_when_the_unit_schemes_are_read_beside_the_score(w: World) -> None:
    from desktop.models import side_reads
    from desktop.services import periods, scoring

    with w.tx() as s:
        unit, _month = _duiwu_with_a_head(s, w)
        ledger.record(s, w.clerk, ledger.EntryInput((), "DW-90", MARCH, unit_ids=[unit.id]))
    beside: list[bool] = []
    real_result = side_reads.SideRead.result

    def result(self):  # type: ignore[no-untyped-def]
        beside.append(self.beside)
        return real_result(self)

    with w.db.session() as s, pytest.MonkeyPatch.context() as patch:
        patch.setattr(side_reads.SideRead, "result", result)
        month = periods.find_period(s, "2026-03")
        assert month is not None
        rows = {r.badge: r for r in scoring.calculate(s, month)}  # committed, a clean session
    assert beside == [w.db.is_server] * 2  # the month sums and the unit schemes
    assert rows["950"].grade == "B" and "leader" in rows["950"].flags
    assert "由A类降为B类" in rows["950"].why
