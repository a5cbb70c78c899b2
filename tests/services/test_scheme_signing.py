"""A non-person scheme's period: frozen, signed by the steps the scheme names, locked; and what
its ranking earns (标兵 on this scheme's own score, the bottom units' loss of eligibility)."""

from __future__ import annotations

import datetime as dt

import pytest

from desktop.models.db import Database
from desktop.services import cases, ledger, scheme_registry, scheme_scoring, scheme_signing, units
from desktop.services.errors import AuthError, PeriodLocked, PermissionDenied, ValidationError
from desktop.services.periods import parse_period
from tests.services.builders import MARCH, PASSWORD, World, evidence, person, rec, world


@pytest.fixture
def w(db: Database) -> World:
    w = world(db, starting_score=1000)
    with w.tx() as s:
        for code in ("jiceng", "zhifa"):
            scheme_registry.install(s, w.admin, code, catalogue_from=dt.date(2026, 1, 1))
        for code, name, klass in (("P1", "城关", 1), ("P2", "东关", 1), ("P3", "涧池", 2)):
            units.add_unit(s, w.clerk, units.UnitInput(code=code, name=f"{name}警务室", kind="post", post_class=klass))
    return w


def post_rec(s, w: World, code: str, item: str, day: dt.date = MARCH) -> list:  # type: ignore[no-untyped-def]
    unit = units.unit_by_code(s, code)
    return ledger.record(s, w.clerk, ledger.EntryInput((), item, day, unit_ids=[unit.id]))


def test_a_month_is_frozen_signed_in_order_and_locked(w: World) -> None:
    with w.tx() as s:
        post_rec(s, w, "P1", "JC-12")
        post_rec(s, w, "P2", "JC-11")
        sheet = scheme_signing.sheet(s, "jiceng", "2026-03")
        assert (sheet.state, sheet.next_step) == ("open", "派出所所长审核")
        scheme_signing.freeze(s, w.clerk, "jiceng", "2026-03")
    with w.tx() as s:
        with pytest.raises(PermissionDenied, match=r"派出所所长审核.*所长"):
            scheme_signing.sign(s, w.clerk, "jiceng", "2026-03", PASSWORD)
    with w.tx() as s:
        scheme_signing.sign(s, w.chief, "jiceng", "2026-03", PASSWORD)
        assert scheme_signing.sheet(s, "jiceng", "2026-03").next_step == "治安大队复核通报"
    with w.tx() as s:
        scheme_signing.sign(s, w.clerk, "jiceng", "2026-03", PASSWORD)
    with w.tx() as s:
        sheet = scheme_signing.sheet(s, "jiceng", "2026-03")
        assert sheet.state == "locked" and [x.step_title for x in sheet.signatures] == [
            "派出所所长审核", "治安大队复核通报"]
        assert [(r["code"], r["rank"]) for r in sheet.rows] == [("P1", 1), ("P2", 2), ("P3", 1)]
        with pytest.raises(PeriodLocked, match=r"基层基础.*已签核锁定"):
            post_rec(s, w, "P3", "JC-12")
        rec(s, w.clerk, person(s, w.dept, "701"), "ZB-01")  # the person scheme is not locked by it
        post_rec(s, w, "P3", "JC-12", dt.date(2026, 4, 2))  # nor is the next month


def test_a_change_after_freezing_stops_the_signing_until_frozen_again(w: World) -> None:
    with w.tx() as s:
        [entry] = post_rec(s, w, "P1", "JC-12")
        scheme_signing.freeze(s, w.clerk, "jiceng", "2026-03")
        scheme_signing.sign(s, w.chief, "jiceng", "2026-03", PASSWORD)
        ledger.reverse(s, w.clerk, entry.id, "记错了警务室")
        assert scheme_signing.sheet(s, "jiceng", "2026-03").changed
        with pytest.raises(ValidationError, match="积分有变动，请重新提交签核"):
            scheme_signing.sign(s, w.clerk, "jiceng", "2026-03", PASSWORD)
        scheme_signing.freeze(s, w.clerk, "jiceng", "2026-03")
        sheet = scheme_signing.sheet(s, "jiceng", "2026-03")
        assert sheet.signatures == [] and not sheet.changed and sheet.next_step == "派出所所长审核"


def test_wrong_password_one_signer_twice_and_the_person_scheme_are_refused(w: World) -> None:
    with w.tx() as s:
        scheme_registry.install(s, w.admin, "dangjian", catalogue_from=dt.date(2026, 1, 1))
        with pytest.raises(ValidationError, match="个人积分按考核周期签核"):
            scheme_signing.freeze(s, w.clerk, "person", "2026-03")
        with pytest.raises(ValidationError, match="不按半年考核"):
            scheme_signing.freeze(s, w.clerk, "jiceng", "2026-H1")
        scheme_signing.freeze(s, w.clerk, "dangjian", "2026-03")
        scheme_signing.sign(s, w.clerk, "dangjian", "2026-03", PASSWORD)
        scheme_signing.sign(s, w.chief, "dangjian", "2026-03", PASSWORD)
        with pytest.raises(PermissionDenied, match="同一人不能在签核流程中签两次"):
            scheme_signing.sign(s, w.chief, "dangjian", "2026-03", PASSWORD)
    with w.tx() as s, pytest.raises(AuthError, match="密码不正确"):
        scheme_signing.sign(s, w.jdy, "dangjian", "2026-03", "wrong")
    with w.tx() as s:
        scheme_signing.sign(s, w.jdy, "dangjian", "2026-03", PASSWORD)
        assert scheme_signing.sheet(s, "dangjian", "2026-03").state == "locked"


def test_reopen_takes_the_chief_and_a_reason_and_clears_the_lock(w: World) -> None:
    with w.tx() as s:
        scheme_signing.freeze(s, w.clerk, "jiceng", "2026-03")
        scheme_signing.sign(s, w.chief, "jiceng", "2026-03", PASSWORD)
        scheme_signing.sign(s, w.clerk, "jiceng", "2026-03", PASSWORD)
        with pytest.raises(PermissionDenied):
            scheme_signing.reopen(s, w.clerk, "jiceng", "2026-03", "治安大队通报有误")
        with pytest.raises(ValidationError, match="需要填写理由"):
            scheme_signing.reopen(s, w.chief, "jiceng", "2026-03", " ")
        scheme_signing.reopen(s, w.chief, "jiceng", "2026-03", "治安大队通报有误")
        assert scheme_signing.sheet(s, "jiceng", "2026-03").state == "open"
        post_rec(s, w, "P3", "JC-12")


def test_cases_must_be_reviewed_before_the_month_is_frozen_and_not_after_it_locks(w: World) -> None:
    with w.tx() as s:
        officer = person(s, w.dept, "801")
        [entry] = ledger.record(s, w.clerk, ledger.EntryInput([officer.id], "ZF-01", MARCH, case_no="刑2026-031"))
        with pytest.raises(ValidationError, match="还有 1 条案件积分待法制大队审核"):
            scheme_signing.freeze(s, w.clerk, "zhifa", "2026-03")
        cases.review(s, w.clerk, entry.id, "confirmed")
        scheme_signing.freeze(s, w.clerk, "zhifa", "2026-03")
        scheme_signing.sign(s, w.chief, "zhifa", "2026-03", PASSWORD)
        scheme_signing.sign(s, w.clerk, "zhifa", "2026-03", PASSWORD)
        with pytest.raises(PeriodLocked, match="执法办案"):
            cases.review(s, w.clerk, entry.id, "adjusted", points_tenths=20, reason="证据不足")


def test_the_sequence_star_is_chosen_on_this_schemes_score(w: World) -> None:
    """216 case points beat 36 case points, whatever the person scheme's total says."""
    with w.tx() as s:
        many = person(s, w.dept, "901", sequence="派出所序列")
        few = person(s, w.dept, "902", sequence="派出所序列")
        other = person(s, w.dept, "903", sequence="刑事侦查序列")
        for day in range(1, 28):
            rec(s, w.clerk, few, "ZB-01", dt.date(2026, 3, day))  # lots of duty points
        for who, times in ((many, 43), (few, 7), (other, 1)):
            for n in range(times):
                [e] = ledger.record(s, w.clerk, ledger.EntryInput([who.id], "ZF-01", MARCH, case_no=f"{who.badge}-{n}"))
                cases.review(s, w.clerk, e.id, "confirmed")
        rows = {r.code: r for r in scheme_scoring.score(s, scheme_registry.scheme_of(s, "zhifa"), "2026")}
    assert rows["901"].total == 2150 and rows["902"].total == 350
    assert rows["901"].extra["award"] == "执法办案标兵" and rows["901"].rank == 1
    assert rows["903"].extra["award"] == "执法办案标兵"  # first of its own sequence
    assert "建议评为执法办案标兵" in rows["901"].why
    month = {r.code: r for r in scheme_scoring.score(s, scheme_registry.scheme_of(s, "zhifa"), "2026-03")}
    assert month["901"].extra["award"] == ""  # the title is a year's


def test_the_bottom_units_lose_eligibility_for_the_year(w: World) -> None:
    with w.tx() as s:
        scheme_registry.install(s, w.admin, "duiwu", catalogue_from=dt.date(2026, 1, 1))
        for code in ("D1", "D2", "D3", "D4"):
            units.add_unit(s, w.clerk, units.UnitInput(code=code, name=f"{code}中队", kind="department"))
        duiwu = scheme_registry.scheme_of(s, "duiwu")
        for code, times in (("D1", 3), ("D2", 2), ("D3", 1)):
            unit = units.unit_by_code(s, code)
            for _ in range(times):
                ledger.record(s, w.clerk, ledger.EntryInput((), "DW-31", MARCH, unit_ids=[unit.id],
                                                             evidence=[evidence("县局表彰通报.pdf")]))
        year = {r.code: r for r in scheme_scoring.score(s, duiwu, "2026")}
        quarter = {r.code: r for r in scheme_scoring.score(s, duiwu, "2026-Q1")}
    assert [year[c].extra["loses_eligibility"] for c in ("D1", "D2", "D3", "D4")] == [False, False, True, True]
    assert year["D4"].as_json(duiwu)["eligible"] is False and "取消本年度评先评优资格" in year["D4"].why
    assert year["D1"].extra["award"] == "队伍管理先进单位"
    assert year["D3"].rank == 3 and year["D3"].extra["award"] == ""  # at the bottom: no commendation
    assert quarter["D4"].extra["reports"] and not quarter["D4"].extra["loses_eligibility"]


def test_a_unit_schemes_item_cannot_be_recorded_for_a_person(w: World) -> None:
    with w.tx() as s:
        officer = person(s, w.dept, "951")
        with pytest.raises(ValidationError, match="属于积分制“基层基础”，应记给警务室，不能记给个人"):
            ledger.record(s, w.clerk, ledger.EntryInput([officer.id], "JC-12", MARCH))
        scheme_registry.install(s, w.admin, "duiwu", catalogue_from=dt.date(2026, 1, 1))
        # 队伍管理 adds its departments' members' entries: a person's entry there counts
        ledger.record(s, w.clerk, ledger.EntryInput([officer.id], "DW-31", MARCH, evidence=[evidence()]))


def test_enforcement_units_add_up_their_officers_and_rank_by_sequence(w: World) -> None:
    with w.tx() as s:
        zhifa = scheme_registry.scheme_of(s, "zhifa")
        officers = [person(s, w.dept, f"96{i}", sequence="派出所序列") for i in range(4)]
        for code, name, sequence, members in (("E1", "城关派出所办案组", "派出所序列", officers[:2]),
                                              ("E2", "东关派出所办案组", "派出所序列", officers[2:3]),
                                              ("E3", "刑侦大队一中队", "刑事侦查序列", officers[3:])):
            units.add_unit(s, w.clerk, units.UnitInput(code=code, name=name, kind="enforcement", sequence=sequence))
            for who in members:
                units.add_member(s, w.clerk, code, who.badge, start=dt.date(2026, 1, 1))
        for who, times in zip(officers, (1, 2, 4, 1), strict=True):
            for n in range(times):
                [e] = ledger.record(s, w.clerk, ledger.EntryInput([who.id], "ZF-01", MARCH, case_no=f"{who.badge}-{n}"))
                cases.review(s, w.clerk, e.id, "confirmed")
        rows = {r.code: r for r in scheme_scoring.unit_ranking(s, zhifa, "2026-03")}
    assert {c: (r.total, r.rank, r.extra["members"]) for c, r in rows.items()} == {
        "E1": (150, 2, 2), "E2": (200, 1, 1), "E3": (50, 1, 1)}
    assert rows["E1"].group == "sequence:派出所序列"


def test_a_quality_deduction_on_a_case_takes_points_off_it_in_the_ledger(w: World) -> None:
    with w.tx() as s:
        officer = person(s, w.dept, "971")
        for item in ("ZF-01", "ZF-01", "ZF-21"):
            [e] = ledger.record(s, w.clerk, ledger.EntryInput([officer.id], item, MARCH, case_no="刑2026-099"))
            cases.review(s, w.clerk, e.id, "confirmed")
        [line] = cases.ledger_of(s, "zhifa", parse_period("2026-03"))
    assert (line.recorded, line.counted) == (50 + 50 - 20, 80)  # 2 × 5 数量分, less 2 质效分


def test_one_officer_is_in_one_post_at_a_time(w: World) -> None:
    with w.tx() as s:
        person(s, w.dept, "981")
        units.add_member(s, w.clerk, "P3", "981", start=dt.date(2026, 1, 1))
        with pytest.raises(ValidationError, match="一人同时只能属于一个警务室"):
            units.add_member(s, w.clerk, "P2", "981", start=dt.date(2026, 3, 1))
        units.end_member(s, w.clerk, "P3", "981", dt.date(2026, 2, 28))
        units.add_member(s, w.clerk, "P2", "981", start=dt.date(2026, 3, 1))


def test_an_items_monthly_cap_holds_in_a_unit_scheme_and_a_tie_lowers_no_head(w: World) -> None:
    with w.tx() as s:
        scheme_registry.install(s, w.admin, "dangjian", catalogue_from=dt.date(2026, 1, 1))
        scheme_registry.install(s, w.admin, "duiwu", catalogue_from=dt.date(2026, 1, 1))
        branch = units.add_unit(s, w.clerk, units.UnitInput(code="B1", name="第一党支部", kind="branch"))
        for _ in range(3):  # DJ-01 3 分, at most 3 分 a month
            ledger.record(s, w.clerk, ledger.EntryInput((), "DJ-01", MARCH, unit_ids=[branch.id]))
        dangjian = scheme_registry.scheme_of(s, "dangjian")
        [row] = scheme_scoring.score(s, dangjian, "2026-03")
        assert row.components["basic"] == 30
        for code in ("D1", "D2"):
            units.add_unit(s, w.clerk, units.UnitInput(code=code, name=f"{code}中队", kind="department"))
            units.add_member(s, w.clerk, code, person(s, w.dept, f"99{code[1]}").badge, start=dt.date(2026, 1, 1),
                             role="head")
        duiwu = scheme_registry.scheme_of(s, "duiwu")
        rows = scheme_scoring.score(s, duiwu, "2026-03")
        assert {r.rank for r in rows} == {1} and scheme_scoring.leader_penalties(duiwu, rows) == {}
