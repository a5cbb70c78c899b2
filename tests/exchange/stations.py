"""Builders for exchange tests: small stations with entries, reviewed, signed and locked months."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from desktop.models.db import Database, open_database
from desktop.models.enums import Identity, Role
from desktop.models.people import Person
from desktop.models.periods import Period
from desktop.services import awards, catalogue, ledger, periods, policies, review, roster, scoring, signoff
from desktop.services.actor import Actor
from desktop.services.scoring import ScoreRow
from tests import factories
from tests.services.builders import PASSWORD, SYSTEM, add_user, rec

D = dt.date


@dataclass
class Station:
    db: Database
    admin: Actor
    clerk: Actor
    chief: Actor
    jdy: Actor
    people: list[Person]


def station(tmp: Path, code: str = "150302", name: str = "测试派出所", *, db_name: str | None = None,
            sequences: tuple[str, ...] = ("治安", "社区"), people: int = 6, seed: int = 0,
            db: Database | None = None) -> Station:
    """A station with two departments (one a 警务室), `people` officers and one 辅警; in `db`
    when given (a server database), else in a new file in `tmp`."""
    db = db or open_database(tmp / (db_name or f"{code}.db"))
    with db.transaction() as s:
        roster.create_station(s, SYSTEM, code=code, name=name, county_bureau="测试县公安局")
        policies.install_presets(s, SYSTEM)
        policies.set_station_policy(s, SYSTEM, "abcd")
        catalogue.install_preset(s, SYSTEM, D(2026, 1, 1))
        office = factories.department(s, "治安中队")
        post = factories.department(s, "城关警务室", post_class=1)
        members = []
        for i in range(people):
            dept = office if i % 3 else post
            members.append(factories.person(s, dept, f"{code[-2:]}{i + 1:03d}", f"{name[:2]}民警{i + 1}",
                                            sequence=sequences[i % len(sequences)], is_head=(i == 1)))
        members.append(factories.person(s, office, f"{code[-2:]}900", f"{name[:2]}辅警", identity=Identity.AUXILIARY,
                                        sequence=sequences[0]))
        users = {n: add_user(s, f"{n}{code}", r) for n, r in (("admin", Role.ADMIN), ("clerk", Role.CLERK),
                                                              ("chief", Role.CHIEF), ("jdy", Role.CHIEF))}
    st = Station(db, users["admin"], users["clerk"], users["chief"], users["jdy"], members)
    with db.transaction() as s:
        fill_month(s, st, 2026, 3, seed)
    return st


def fill_month(s, st: Station, year: int, month: int, seed: int = 0) -> None:  # type: ignore[no-untyped-def]
    """Different totals per person: duty days, cases, a bonus, a deduction and one reversal."""
    for i, p in enumerate(st.people):
        days = 3 + (i * 7 + seed) % 9
        for day in range(1, days + 1):
            rec(s, st.clerk, p, "ZB-01", D(year, month, day))
        rec(s, st.clerk, p, "BA-01", D(year, month, 10), qty=1 + (i + seed) % 3)
        if i % 2 == 0:
            rec(s, st.clerk, p, "JJ-03", D(year, month, 12), points=10 + 5 * (i % 3))
        if i % 3 == 1:
            rec(s, st.clerk, p, "ZB-08", D(year, month, 14))
    first = st.people[0]
    wrong = rec(s, st.clerk, first, "ZB-07", D(year, month, 20))[0]
    ledger.reverse(s, st.clerk, wrong.id, "记错了人")
    rec(s, st.clerk, first, "SJ-02", D(year, month, 21), with_evidence=True, note="=县局通报表扬")


def sign_and_lock(st: Station, code: str) -> Period:
    """Review (every officer confirms, one override), then both chiefs sign: the period locks."""
    with st.db.transaction() as s:
        period = periods.get_or_create(s, code)
        periods.start_review(s, st.clerk, period)
        rows = scoring.calculate(s, period)
        for row in rows:
            review.confirm(s, st.clerk, period, row.person_id, "无异议")
        target = next(r for r in rows if not r.excluded_reason and r.grade != "C")
        review.override_grade(s, st.chief, period, target.person_id, "C", "所务会研究调整")
    with st.db.transaction() as s:
        period = periods.get_or_create(s, code)
        signoff.sign(s, st.chief, period, PASSWORD)
        signoff.sign(s, st.jdy, period, PASSWORD)
    with st.db.transaction() as s:
        period = periods.get_or_create(s, code)
        best = awards.candidates(s, period)
        if best:
            awards.give(s, st.chief, period, best[0].row.person_id, best[0].title, "当月表现突出")
        return period


def results(db: Database, code: str) -> list[tuple[object, ...]]:
    """Everything a grade sheet shows, per person, comparable across databases."""
    with db.session() as s:
        period = periods.find_period(s, code) or periods.get_or_create(s, code)
        return [_key(r) for r in scoring.results(s, period)]


def _key(r: ScoreRow) -> tuple[object, ...]:
    return (r.badge, r.name, r.department, r.sequence, r.base, r.dept_bonus, r.dept_deduction, r.higher_bonus,
            r.higher_deduction, r.start, r.total, r.rank_department, r.rank_sequence, r.rank_group,
            r.engine_grade, r.grade, r.vetoed, r.excluded_reason, tuple(r.flags))


POSTS = (("JWS-01", "城关警务室", 1), ("JWS-02", "东关警务室", 1), ("JWS-03", "涧池警务室", 2), ("JWS-04", "蒲溪警务室", 2))


def with_schemes(st: Station, *, bonus: tuple[int, int, int, int] = (2, 1, 0, 1), cases: bool = True) -> None:
    """Run 基层基础 (posts ranked within class) and 执法办案 (case entries) on the station: four
    posts over two classes, each with a head and a member, unit entries (JC-01 base points picked
    within range, `bonus[i]` cases JC-11 破获可防性案件 for post i, one JC-26 deduction at the last post),
    and, with `cases`, two case entries: one confirmed, one adjusted by the reviewing unit."""
    from desktop.services import cases as case_service
    from desktop.services import scheme_registry, units

    day = D(2026, 3, 16)
    with st.db.transaction() as s:
        for code in ("jiceng", "zhifa"):
            scheme_registry.install(s, st.admin, code, catalogue_from=D(2026, 1, 1))
        for i, (code, name, klass) in enumerate(POSTS):
            unit = units.add_unit(s, st.clerk, units.UnitInput(code=code, name=name, kind="post", post_class=klass))
            head, member = st.people[i % len(st.people)], st.people[(i + 4) % len(st.people)]
            units.add_member(s, st.clerk, code, head.badge, start=D(2026, 1, 1), role="head")
            units.add_member(s, st.clerk, code, member.badge, start=D(2026, 2, 1), end=D(2026, 12, 31))
            ledger.record(s, st.clerk, ledger.EntryInput((), "JC-01", day, points_tenths=150, unit_ids=[unit.id]))
            if bonus[i]:
                ledger.record(s, st.clerk, ledger.EntryInput((), "JC-11", day, quantity=bonus[i], unit_ids=[unit.id]))
            if i == len(POSTS) - 1:
                ledger.record(s, st.clerk, ledger.EntryInput((), "JC-26", day, unit_ids=[unit.id]))
        if cases:
            first, second = st.people[0], st.people[2]
            [a] = ledger.record(s, st.clerk, ledger.EntryInput([first.id], "ZF-01", day, quantity=2,
                                                               case_no="汉公刑字〔2026〕11号", case_type="刑事案件"))
            [b] = ledger.record(s, st.clerk, ledger.EntryInput([second.id], "ZF-06", day, case_no="汉公治字〔2026〕7号",
                                                               case_type="治安案件"))
            ledger.record(s, st.clerk, ledger.EntryInput([second.id], "ZF-22", day, case_no="汉公治字〔2026〕7号"))
            case_service.review(s, st.clerk, a.id, "confirmed")
            case_service.review(s, st.clerk, b.id, "adjusted", points_tenths=10, reason="证据材料不全，按简易程序计分")
