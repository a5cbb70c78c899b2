"""The demo station's 汉阴 积分制 beside its person scheme: 党建工作, 基层基础, 执法办案, 队伍管理.

`setup` (inside the demo's first transaction) installs the four presets, adds two more 警务室
(so 基层基础 ranks two posts in each class) and makes the units: 所队室 and 警务室 mirroring
the departments, three 党支部 of the station's Party-member officers and two 执法办案单位.
`HanyinDemo.fill` then writes each month's unit sheets as the offices that keep them would
(政工室's 党建 and 队伍管理 sheets, the station's monthly 基层基础 marks of its posts), and
`finish`, once the person months are written, the 队伍管理 problem below and the 执法办案 case
ledger (`demo_cases`).

The story the figures tell, so rankings mean something:
- 一类 and 二类 posts compete within class; 滨河警务室 has one month far above 100 (bonuses are
  uncapped) and 城南警务室 one month pulled very low by a 民转刑 case (deductions unfloored);
- 综合室 keeps its 队伍管理 sheet nearly full, the two 中队 trail it; one 中队 is criticised by
  the county bureau for officers leaving their posts and ranks last that month, so its 中队长
  drops a grade in the person scheme (领导带领责任, written into the grade's reason);
- the three branches work with different diligence, so 党建 ranks them.

Randomness comes from a generator seeded from the demo's seed, apart from the person scheme's:
the original roster keeps its names and badges (the new posts' officers are drawn after it), and
the unit sheets do not shift the person scheme's draws; the person entries themselves differ
from a demo without the new posts, because their officers join the daily duty sheet.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from desktop.models.db import Database
from desktop.models.enums import DepartmentKind, EntrySource, Identity
from desktop.models.ledger import Entry
from desktop.models.people import Person
from desktop.models.portable import any_true, month_key
from desktop.models.station import Department
from desktop.services import ledger, roster, scheme_registry, units
from desktop.services.actor import Actor
from desktop.services.demo_people import MORE_POSTS, more_posts_plan
from desktop.services.ledger import EntryInput, Evidence
from desktop.services.periods import PeriodSpec

SCHEMES = ("dangjian", "jiceng", "zhifa", "duiwu")
# Which month (index in the demo's twelve) carries each scripted event.
VETO_MONTH = 8  # the person scheme's disciplinary veto (demo._month_events); 队伍管理 follows it
BONUS_MONTH, LOW_MONTH = 7, 4

# 党支部: code, name, the departments whose Party-member officers belong, the 书记's position
# and department, and how diligently it works (the chance a monthly task is done).
BRANCHES = (
    ("DZB-01", "机关党支部", ("综合室",), ("教导员", "综合室"), 0.96),
    ("DZB-02", "一线党支部", ("治安管理中队", "案件办理中队"), ("副中队长", "治安管理中队"), 0.78),
    ("DZB-03", "警务室联合党支部", ("滨河警务室", "新村警务室", "河西警务室", "城南警务室"),
     ("警务室长", "滨河警务室"), 0.88),
)
# 执法办案单位 (汉阴: units in 序列, ranked by their officers' sum): the two case-handling 中队.
ENFORCEMENT = (("ZFDW-01", "刑事案件办理组", "案件办理中队"), ("ZFDW-02", "治安案件办理组", "治安管理中队"))
# How often a 所队室 or 警务室 falls short on an indicator (the rest earn full marks).
OFFICE_SHORTFALL = {"综合室": 0.01, "治安管理中队": 0.04, "案件办理中队": 0.035}
POST_SHORTFALL = {"滨河警务室": 0.05, "河西警务室": 0.1, "新村警务室": 0.08, "城南警务室": 0.14}

# 党建 monthly tasks: item, quantities to choose from, whether every branch does it, day, note.
PARTY_TASKS = (
    ("DJ-01", (1,), True, 27, "支部书记履行意识形态工作第一责任人职责"),
    ("DJ-09", (1,), False, 3, "召开支部委员会"),
    ("DJ-15", (1,), True, 10, "收缴党费"),
    ("DJ-17", (3, 4), False, 18, "落实“三会一课”"),
    ("DJ-18", (1,), False, 6, "开展主题党日活动"),
)
# 基层基础 基础分 indicators and 队伍管理 基础积分 indicators: item code -> full marks (tenths).
POST_BASE = {"JC-01": 200, "JC-02": 150, "JC-03": 100, "JC-04": 150, "JC-05": 150, "JC-06": 100, "JC-07": 150}
TEAM_BASE = {f"DW-{n:02d}": 50 for n in range(1, 23)} | {"DW-13": 30, "DW-14": 40, "DW-15": 30, "DW-16": 40,
                                                         "DW-17": 40, "DW-18": 40, "DW-19": 30}


@dataclass
class HanyinDemo:
    """What the monthly fillers need: the units (by department or code) and the roster."""

    rng: random.Random
    months: list[PeriodSpec]
    actor: Actor
    reviewer: Actor  # 法制大队 works under the station clerk's account (actor.PERMISSIONS)
    people: list[Person] = field(default_factory=list)  # the new posts' officers, for the duty sheets
    officers: list[Person] = field(default_factory=list)  # police who handle cases (执法办案, 治安管理)
    heads: dict[str, Person] = field(default_factory=dict)  # 中队 name -> its 中队长 (the 所队室 head)
    offices: dict[str, int] = field(default_factory=dict)  # department name -> 所队室 unit id
    posts: dict[str, int] = field(default_factory=dict)  # department name -> 警务室 unit id
    branches: dict[str, int] = field(default_factory=dict)  # branch code -> unit id
    count: int = 0

    def finish(self, db: Database) -> None:
        """Once the person months are written: the 队伍管理 problem a head answers for, the cases."""
        from desktop.services import demo_cases  # builds on HanyinDemo, so imported late

        self._unit_problem(db)
        demo_cases.fill_cases(db, self)

    def _unit_problem(self, db: Database) -> None:
        """领导带领责任 made visible: a 中队 whose officers left their posts on duty is criticised
        by the county bureau and ranks last in 队伍管理 that month, and its 中队长 drops a grade.
        The month is the one where the 中队长 stands best in the person scheme, so the drop shows
        (a head already at the lowest grade has nowhere to fall)."""
        index, dept = _problem_month(db, self)
        month, unit_id = self.months[index], self.offices[dept]
        inputs = [_proved("DW-47", _day(month, 12), unit_id, None, "值班期间民警脱岗，被县局督察通报批评"),
                  _proved("DW-41", _day(month, 13), unit_id, None, "两名脱岗民警受到诫勉", quantity=2)]
        with db.transaction() as session:
            self.count += len(ledger.record_many(session, self.actor, inputs))

    def fill(self, db: Database, month: PeriodSpec, index: int) -> None:
        """One month of the unit sheets, in one transaction (one batch per sheet)."""
        with db.transaction() as session:
            for inputs in (self._party(month), self._posts(month, index), self._team(month, index)):
                if inputs:
                    self.count += len(ledger.record_many(session, self.actor, inputs))

    # -- 党建工作, per 党支部 ----------------------------------------------------------------
    def _party(self, month: PeriodSpec) -> list[EntryInput]:
        rng, inputs = self.rng, []
        for code, quantities, everyone, day, note in PARTY_TASKS:
            done: dict[int, list[int]] = defaultdict(list)
            for branch, unit_id in self.branches.items():
                if everyone or rng.random() < _diligence(branch):
                    done[rng.choice(quantities)].append(unit_id)
            inputs += [EntryInput((), code, _day(month, day), quantity=q, note=note, unit_ids=ids)
                       for q, ids in sorted(done.items())]
        if month.number % 3 == 0:  # quarterly analysis of ideology work
            inputs.append(EntryInput((), "DJ-02", _day(month, 26), note="分析研判本支部意识形态领域情况",
                                     unit_ids=list(self.branches.values())))
        if month.number == 1:  # the year's 组织生活会 and 发展党员 plan
            inputs.append(EntryInput((), "DJ-19", _day(month, 15), note="召开年度组织生活会，开展民主评议党员",
                                     unit_ids=list(self.branches.values())))
            inputs.append(EntryInput((), "DJ-21", _day(month, 20), note="制定年度发展党员计划",
                                     unit_ids=[self.branches["DZB-01"], self.branches["DZB-03"]]))
        for branch, unit_id in self.branches.items():  # 绩效积分: what went beyond the task list
            if rng.random() < 0.15 * _diligence(branch):
                inputs.append(EntryInput((), "DJ-27", _day(month, rng.randint(5, 25)), quantity=rng.randint(1, 2),
                                         note="党建信息被县局刊物采用", unit_ids=[unit_id]))
            if rng.random() < 0.06:
                inputs.append(_proved("DJ-16", _day(month, 22), unit_id, rng.choice((20, 30)),
                                      "党员民警先进事迹被县级媒体宣传"))
        if month.number == 12:
            inputs.append(_proved("DJ-12", _day(month, 28), self.branches["DZB-01"], 80,
                                  "被县委政法委评为先进基层党组织"))
        return inputs

    # -- 基层基础, per 警务室 ----------------------------------------------------------------
    def _posts(self, month: PeriodSpec, index: int) -> list[EntryInput]:
        rng = self.rng
        inputs = _marks(rng, POST_BASE, self.posts, POST_SHORTFALL, _day(month, 28), step=10,
                        note="派出所月度考核评分")
        for unit_id in self.posts.values():
            day = _day(month, rng.randint(3, 26))
            for code, chance, quantities, note in (
                    ("JC-14", 0.2, range(5, 41), "查获漏登流动人口、出租房屋并补录"),
                    ("JC-11", 0.1, (1, 2), "当场抓获盗窃现行违法嫌疑人"),
                    ("JC-12", 0.05, (1,), "提供线索协助破获刑事案件"),
                    ("JC-22", 0.15, range(1, 9), "县局抽查发现流动人口漏登"),
                    ("JC-26", 0.06, (1,), "警情未按规定反馈"),
                    ("JC-27", 0.03, (1,), "督察抽查警务室民警未按规定驻室")):
                if rng.random() < chance:
                    inputs.append(EntryInput((), code, day, quantity=rng.choice(quantities), note=note,
                                             unit_ids=[unit_id]))
            if rng.random() < 0.05:
                inputs.append(_proved("JC-15", day, unit_id, None, "辖区群众赠送锦旗"))
        if index == BONUS_MONTH:  # a month far above 100: bonuses are uncapped
            unit_id, day = self.posts["滨河警务室"], _day(month, 16)
            inputs += [_proved("JC-16", day, unit_id, 100, "“警格+网格”工作经验被市局推广"),
                       _proved("JC-13", day, unit_id, 50, "排查化解一起土地纠纷，防止群体性事件"),
                       EntryInput((), "JC-11", day, quantity=4, note="夜查当场抓获盗窃电动车团伙",
                                  unit_ids=[unit_id])]
        if index == LOW_MONTH:  # a month pulled very low: deductions have no floor
            unit_id, day = self.posts["城南警务室"], _day(month, 19)
            inputs += [_proved("JC-24", day, unit_id, 100, "邻里纠纷排查调处不到位，引发“民转刑”案件"),
                       EntryInput((), "JC-23", day, quantity=10, note="重点人口失控漏管", unit_ids=[unit_id]),
                       EntryInput((), "JC-21", day, points_tenths=80, note="辖区入室盗窃发案同比上升",
                                  unit_ids=[unit_id]),
                       EntryInput((), "JC-22", day, quantity=24, note="县局抽查出租房屋漏登", unit_ids=[unit_id]),
                       _proved("JC-28", day, unit_id, 50, "群众投诉警务室推诿不办，经核实")]
        return inputs

    # -- 队伍管理, per 所队室 ----------------------------------------------------------------
    def _team(self, month: PeriodSpec, index: int) -> list[EntryInput]:
        rng = self.rng
        inputs = _marks(rng, TEAM_BASE, self.offices, OFFICE_SHORTFALL, _day(month, 27), step=5,
                        note="政工室月度考评")
        for unit_id in self.offices.values():
            if rng.random() < 0.08:
                inputs.append(_proved("DW-34", _day(month, rng.randint(5, 25)), unit_id, None,
                                      "民警受到县局嘉奖", quantity=rng.randint(1, 2)))
        if index == 6:
            inputs.append(_proved("DW-35", _day(month, 11), self.offices["案件办理中队"], None,
                                  "民警侦破系列盗窃案荣立个人三等功"))
        if index == VETO_MONTH:  # the 治安 officer's 警告处分 (demo._month_events) also counts against the unit
            inputs.append(_proved("DW-42", _day(month, 15), self.offices["治安管理中队"], None,
                                  "民警违反工作纪律受到警告处分"))
        if index == 9:
            inputs.append(_proved("DW-31", _day(month, 20), self.offices["综合室"], None,
                                  "被县局评为“平安建设先进集体”"))
        return inputs


def setup(session: Session, actor: Actor, months: list[PeriodSpec], people: list[Person], seed: int) -> HanyinDemo:
    """Install the four schemes and make the units, within the demo's setup transaction."""
    from desktop.models.accounts import User

    first = months[0].start
    for code in SCHEMES:
        scheme_registry.install(session, actor, code, catalogue_from=first)
    clerk = session.scalar(select(User).where(User.username == "neiqin"))
    reviewer = Actor.of(clerk) if clerk is not None else actor
    demo = HanyinDemo(random.Random(f"汉阴积分制-{seed}"), months, actor, reviewer)
    demo.people = _more_posts(session, actor, demo.rng, first, people)
    everyone = people + demo.people
    depts = list(session.scalars(select(Department).order_by(Department.sort_order)))
    by_dept: dict[int, list[Person]] = defaultdict(list)
    for person in everyone:
        by_dept[person.department_id].append(person)
    offices = posts = 0
    for dept in depts:
        post = dept.kind == DepartmentKind.POST.value
        offices, posts = offices + (not post), posts + post
        unit = units.for_department(session, actor, dept, code=f"JWS-{posts:02d}" if post else f"SD-{offices:02d}")
        (demo.posts if post else demo.offices)[dept.name] = unit.id
        # The 中队长 / 警务室长 heads the unit (综合室's is the 所长, the roster's 一把手).
        head = _by_position(by_dept[dept.id], "警务室长" if post else "中队长")
        if head is not None:
            units.add_member(session, actor, unit.code, head.badge, start=_start(head, first), role="head")
            if not post:
                demo.heads[dept.name] = head
    names = {d.id: d.name for d in depts}
    police = [p for p in everyone if p.identity == Identity.POLICE.value]
    demo.officers = sorted((p for p in police if p.sequence in ("执法办案", "治安管理") and not p.is_head),
                           key=lambda p: p.badge)
    for code, name, members, (position, dept_name), _ in BRANCHES:
        unit = units.add_unit(session, actor, units.UnitInput(code=code, name=name, kind="branch"))
        demo.branches[code] = unit.id
        secretary = next(p for p in police if p.position == position and names[p.department_id] == dept_name)
        for person in (p for p in police if names[p.department_id] in members):
            units.add_member(session, actor, code, person.badge, start=_start(person, first), end=person.active_to,
                             role="head" if person is secretary else "member")
    for code, name, dept_name in ENFORCEMENT:
        units.add_unit(session, actor, units.UnitInput(code=code, name=name, kind="enforcement",
                                                       sequence="派出所序列"))
        for person in (p for p in police if names[p.department_id] == dept_name):
            role = "head" if person.position == "中队长" else "member"
            units.add_member(session, actor, code, person.badge, start=_start(person, first), end=person.active_to,
                             role=role)
    return demo


def _problem_month(db: Database, demo: HanyinDemo) -> tuple[int, str]:
    """(month index, 中队) where the 中队长 ranks best in his department on the person ledger
    (an estimate of his grade: signed sums, no caps), never the last month, nor a vetoed one."""
    first, last = demo.months[0].start, demo.months[-1].end
    depts = {head.department_id: name for name, head in demo.heads.items()}
    with db.session() as session:
        staff = list(session.scalars(select(Person).where(Person.department_id.in_(depts), Person.is_head.is_(False))))
        sums = session.execute(
            select(Entry.person_id, month_key(Entry.occurred_on), Entry.component,
                   func.sum(Entry.points_tenths), any_true(Entry.veto))
            .where(Entry.scheme == "person", Entry.person_id.in_([p.id for p in staff]),
                   Entry.occurred_on.between(first, last))
            .group_by(Entry.person_id, month_key(Entry.occurred_on), Entry.component)).all()
    totals: defaultdict[tuple[int, str], int] = defaultdict(int)
    vetoed: set[tuple[int, str]] = set()
    for person_id, key, component, points, veto in sums:
        month = f"{key // 100}-{key % 100:02d}"
        totals[(person_id, month)] += -points if component in ("dept_deduction", "higher_deduction") else points
        if veto:
            vetoed.add((person_id, month))
    best: tuple[int, int, str] | None = None
    for index, month in enumerate(demo.months[1:-1], start=1):
        for name, head in sorted(demo.heads.items()):
            if (head.id, month.code) in vetoed or not head.active_on(month.end):
                continue
            mine = totals[(head.id, month.code)]
            rank = 1 + sum(1 for p in staff if p.department_id == head.department_id and p.active_on(month.end)
                           and totals[(p.id, month.code)] > mine)
            if best is None or (rank, index) < best[:2]:
                best = (rank, index, name)
    return (best[1], best[2]) if best else (1, next(iter(demo.heads)))


def _more_posts(session: Session, actor: Actor, rng: random.Random, first: dt.date,
                people: list[Person]) -> list[Person]:
    plans = more_posts_plan(rng, {p.name for p in people}, [p.badge for p in people])
    depts = {plan.name: roster.add_department(session, actor, plan.name, kind=DepartmentKind.POST,
                                              post_class=plan.post_class) for plan in MORE_POSTS}
    return [roster.add_person(session, actor, roster.PersonInput(
        badge=plan.badge, name=plan.name, identity=plan.identity, department_id=depts[plan.department].id,
        position=plan.position, sequence=plan.sequence, is_head=False,
        active_from=first - dt.timedelta(days=rng.randint(400, 4000)))) for plan in plans]


def _marks(rng: random.Random, full: dict[str, int], subjects: dict[str, int], shortfall: dict[str, float],
           day: dt.date, *, step: int, note: str) -> list[EntryInput]:
    """An assessor's monthly marks on every indicator: full marks unless a unit fell short. Units
    with the same mark on an item share one event (one line on the sheet, several units)."""
    inputs = []
    for code, top in full.items():
        same: dict[int, list[int]] = defaultdict(list)
        for name, unit_id in subjects.items():
            lost = step * rng.randint(1, 4) if rng.random() < shortfall[name] else 0
            same[max(5, top - lost)].append(unit_id)
        inputs += [EntryInput((), code, day, points_tenths=points, note=note, unit_ids=ids)
                   for points, ids in sorted(same.items(), reverse=True)]
    return inputs


def _proved(code: str, day: dt.date, unit_id: int, points: int | None, note: str, quantity: int = 1) -> EntryInput:
    """An entry whose item needs evidence: the office's scanned notice, as a small text file."""
    scan = Evidence(f"{code}-{day:%Y%m%d}-通报.txt", f"{code} {day} {note}".encode(), "text/plain")
    return EntryInput((), code, day, quantity=quantity, points_tenths=points, note=note, evidence=[scan],
                      source=EntrySource.MANUAL, unit_ids=[unit_id])


def _diligence(branch: str) -> float:
    return next(b[4] for b in BRANCHES if b[0] == branch)


def _day(month: PeriodSpec, day: int) -> dt.date:
    return min(month.start + dt.timedelta(days=day - 1), month.end)


def _start(person: Person, first: dt.date) -> dt.date:
    return max(first, person.active_from)


def _by_position(people: Iterable[Person], position: str) -> Person | None:
    return next((p for p in sorted(people, key=lambda p: p.badge) if p.position == position and not p.is_head), None)
