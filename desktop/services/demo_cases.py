"""The demo station's 执法办案 case ledger (积分制 zhifa), reviewed as 法制大队 would.

Officers of two sequences handle cases: 执法办案 (案件办理中队, criminal cases: 刑事侦查序列
items) and 治安管理 (治安管理中队, administrative cases: 治安管理序列 items). Every entry names
its case (案件编号, 案件类型); 质效分 deductions point at a case of the month or an earlier one.
Each month's cases are reviewed before the month closes — confirmed, or adjusted with a
reason — except the second half of the last month, which waits for review (pending points
show beside the total and do not count).

One officer is the station's case specialist: many case points but the fewest duty points of
the 执法办案 sequence (chosen from the person scheme's ledger once it is written), so the
执法办案标兵 on this scheme's score is not the person scheme's leader of that sequence.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from desktop.models.db import Database
from desktop.models.ledger import Entry
from desktop.models.people import Person
from desktop.services import cases, ledger
from desktop.services.demo_schemes import HanyinDemo
from desktop.services.ledger import EntryInput
from desktop.services.periods import PeriodSpec

CRIMINAL, PUBLIC_ORDER = "执法办案", "治安管理"
CRIMES = ("盗窃案", "电信网络诈骗案", "故意伤害案", "寻衅滋事案", "帮助信息网络犯罪活动案", "危险驾驶案")
OFFENCES = ("殴打他人案", "盗窃案（治安）", "赌博案", "扰乱公共秩序案", "故意损毁财物案", "吸毒案")
ADJUST_MONTHS = (2, 6)  # months (index) where 法制大队 adjusts a case's points
REVIEWED_UNTIL_DAY = 15  # the last month: cases of its first half are reviewed, the rest wait


@dataclass
class _Case:
    no: str
    kind: str  # 刑事案件 | 行政案件
    lead: Person
    day: dt.date


def fill_cases(db: Database, demo: HanyinDemo) -> None:
    """Write and review every month's case entries, one transaction per month."""
    specialist = _specialist(db, demo)
    earlier: list[_Case] = []
    for index, month in enumerate(demo.months):
        with db.transaction() as session:
            month_cases, inputs = _month(demo.rng, demo.officers, specialist, month, earlier)
            entries = ledger.record_many(session, demo.actor, inputs) if inputs else []
            demo.count += len(entries)
            _review(session, demo, entries, index, last=index == len(demo.months) - 1)
        earlier += month_cases


def _specialist(db: Database, demo: HanyinDemo) -> Person | None:
    """The full-year 执法办案 officer with the fewest duty (基础工作) points in the person scheme."""
    first, last = demo.months[0].start, demo.months[-1].end
    pool = [p for p in demo.officers if p.sequence == CRIMINAL and p.active_from <= first and p.active_to is None]
    if not pool:
        return None
    with db.session() as session:
        base = dict(session.execute(
            select(Entry.person_id, func.sum(Entry.points_tenths))
            .where(Entry.scheme == "person", Entry.component == "base", Entry.occurred_on.between(first, last),
                   Entry.person_id.in_([p.id for p in pool]))
            .group_by(Entry.person_id)).all())
    return min(pool, key=lambda p: (base.get(p.id, 0), p.badge))


def _month(rng: random.Random, officers: list[Person], specialist: Person | None, month: PeriodSpec,
           earlier: list[_Case]) -> tuple[list[_Case], list[EntryInput]]:
    mid = month.start + dt.timedelta(days=14)
    on_roster = [p for p in officers if p.active_on(month.start) and p.active_on(month.end)]
    made: list[_Case] = []
    inputs: list[EntryInput] = []
    numbers = {"刑事案件": 0, "行政案件": 0}

    def case(kind: str, lead: Person) -> _Case:
        numbers[kind] += 1
        prefix = "XS" if kind == "刑事案件" else "XZ"
        day = month.start + dt.timedelta(days=rng.randint(0, min(27, (month.end - month.start).days)))
        made.append(_Case(f"{prefix}{month.year}{month.number:02d}{numbers[kind]:03d}", kind, lead, day))
        return made[-1]

    def entry(c: _Case, people: list[Person], code: str, note: str, quantity: int = 1) -> None:
        inputs.append(EntryInput([p.id for p in people], code, c.day, quantity=quantity, note=note,
                                 case_no=c.no, case_type=c.kind))

    for officer in on_roster:
        mates = [p for p in on_roster if p.sequence == officer.sequence and p is not officer]
        if officer.sequence == CRIMINAL:
            count = rng.randint(3, 4) if officer is specialist else rng.choice((0, 1, 1))
            for _ in range(count):
                c = case("刑事案件", officer)
                crime = rng.choice(CRIMES)
                entry(c, [officer], "ZF-01", f"主办{crime}")
                roll = rng.random() * (1 if officer is specialist else 2)  # the specialist's cases go further
                if roll < 0.35:
                    entry(c, [officer], "ZF-03", f"{crime}刑事拘留犯罪嫌疑人", quantity=rng.randint(1, 3))
                elif roll < 0.55:
                    entry(c, [officer], "ZF-05", f"{crime}移送审查起诉")
                elif roll < 0.6:
                    entry(c, [officer], "ZF-04", f"{crime}提请批准逮捕获批准")
                if mates and rng.random() < 0.12:
                    entry(c, [rng.choice(mates)], "ZF-02", f"协办{crime}")
        else:
            for _ in range(rng.choice((0, 1, 1))):
                if rng.random() < 0.12:  # now and then a criminal case of the 治安 kind (5 分)
                    c = case("刑事案件", officer)
                    entry(c, [officer], "ZF-09", "主办寻衅滋事案（治安管理类刑事案件）")
                    continue
                c = case("行政案件", officer)
                offence = rng.choice(OFFENCES)
                entry(c, [officer], "ZF-06", f"主办{offence}")
                if rng.random() < 0.3:
                    entry(c, [officer], "ZF-08", f"{offence}裁决行政拘留", quantity=rng.randint(1, 2))
                if mates and rng.random() < 0.06:
                    entry(c, [rng.choice(mates)], "ZF-07", f"协办{offence}")
    # 质效分: 法制大队's spot checks, each pointing at the case it found at fault.
    if made and rng.random() < 0.4:
        c = rng.choice(made)
        entry(c, [c.lead], "ZF-22", "法制大队抽查：询问笔录未载明权利义务告知")
    still_here = [c for c in earlier if c.lead.active_on(mid)]
    if still_here and rng.random() < 0.15:
        c = rng.choice(still_here)
        inputs.append(EntryInput([c.lead.id], "ZF-20", mid, note=f"{c.no}超过法定办案期限", case_no=c.no,
                                 case_type=c.kind))
    criminal = [c for c in still_here if c.kind == "刑事案件"]
    if criminal and rng.random() < 0.12:
        c = rng.choice(criminal)
        inputs.append(EntryInput([c.lead.id], "ZF-25", mid, note=f"{c.no}因证据不足被退回补充侦查",
                                 case_no=c.no, case_type=c.kind))
    return made, inputs


def _review(session: Session, demo: HanyinDemo, entries: list[Entry], index: int, *, last: bool) -> None:
    """法制大队's review of the month: confirm, adjust where a case was scored too high."""
    todo = [e for e in entries if not last or e.occurred_on.day <= REVIEWED_UNTIL_DAY]
    adjusted: set[int] = set()
    if index in ADJUST_MONTHS or last:
        lead = next((e for e in todo if e.item_code == "ZF-01"), None)
        if lead is not None:  # the officer assisted rather than led: scored as 协办 (ZF-02, 2 分)
            cases.review(session, demo.reviewer, lead.id, "adjusted", points_tenths=20,
                         reason="经法制大队复核，该民警在本案中为协办，按协办计分")
            adjusted.add(lead.id)
        custody = next((e for e in todo if e.item_code == "ZF-03" and e.quantity >= 2), None)
        if custody is not None:
            cases.review(session, demo.reviewer, custody.id, "adjusted", points_tenths=custody.points_tenths - 20,
                         reason="其中一名犯罪嫌疑人刑事拘留后变更为取保候审，按实际刑拘人数计分")
            adjusted.add(custody.id)
    for e in todo:
        if e.id not in adjusted:
            cases.review(session, demo.reviewer, e.id, "confirmed")
