"""The bench dataset's schemes beside the person scheme: 党建工作, 基层基础, 执法办案, 队伍管理.

As in the demo station (`services.demo_schemes`), the four 汉阴 presets are installed through
`scheme_registry.install` (each with its catalogue), and the units are made through `units`:
a 所队室 or 警务室 mirroring every department, a 党支部 of each department's police and an
执法办案单位 for each case-handling 中队. Memberships are bulk-inserted, as are the monthly
entries, which follow the demo's sheets: the posts' and offices' monthly marks on every
indicator (full marks unless a unit fell short), a post's occasional bonuses and deductions, a
branch's monthly tasks, and the 执法办案 officers' case entries, reviewed by 法制大队 except in
the second half of the last month. Items that need an evidence file are left out: the bulk rows
carry none.

Their random draws come from a generator of their own, so the person scheme's entries are the
same with or without them. Against a county's ~34,000 person entries a month they add ~900.
"""

from __future__ import annotations

import datetime as dt
import random
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import insert

from desktop.models.enums import DepartmentKind, EntrySource, Identity, PointsMode, Role
from desktop.models.units import CaseReview, UnitMember
from desktop.services import accounts, catalogue, roster, scheme_registry, units
from desktop.services.actor import Actor
from desktop.services.periods import PeriodSpec

SCHEMES = ("dangjian", "jiceng", "zhifa", "duiwu")
OFFICER = ("minjing", "minjing123")  # the officer account the self-report case saves as
CASE_SEQUENCES = ("执法办案", "治安管理")  # the police of these sequences handle cases
REVIEWED_UNTIL_DAY = 15  # the last month's cases after this day wait for 法制大队's review
# (item code, chance a month, quantities) of a 警务室's bonuses and deductions (基层基础).
POST_EXTRAS = (("JC-14", 0.2, range(5, 41)), ("JC-11", 0.1, (1, 2)), ("JC-12", 0.05, (1,)),
               ("JC-22", 0.15, range(1, 9)), ("JC-26", 0.06, (1,)), ("JC-27", 0.03, (1,)))
# (item code, chance a month, quantities) of a 党支部's monthly tasks (党建工作); DJ-02 is quarterly.
PARTY_TASKS = (("DJ-01", 1.0, (1,)), ("DJ-09", 0.85, (1,)), ("DJ-15", 1.0, (1,)), ("DJ-17", 0.85, (3, 4)),
               ("DJ-18", 0.85, (1,)), ("DJ-27", 0.12, (1, 2)))
NOTES = {"JC-14": "查获漏登流动人口、出租房屋并补录", "JC-11": "当场抓获盗窃现行违法嫌疑人",
         "JC-12": "提供线索协助破获刑事案件", "JC-22": "县局抽查发现流动人口漏登", "JC-26": "警情未按规定反馈",
         "JC-27": "督察抽查警务室民警未按规定驻室", "DJ-27": "党建信息被县局刊物采用",
         "ZF-22": "法制大队抽查：询问笔录未载明权利义务告知"}
CRIMES = ("盗窃案", "电信网络诈骗案", "故意伤害案", "寻衅滋事案", "危险驾驶案")
OFFENCES = ("殴打他人案", "盗窃案（治安）", "赌博案", "扰乱公共秩序案", "故意损毁财物案")


def _uuid(rng: random.Random) -> str:
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


def install(session: Any, actor: Actor, first: dt.date) -> None:
    """The four schemes and their catalogues, in force from the first month."""
    for code in SCHEMES:
        scheme_registry.install(session, actor, code, catalogue_from=first)


@dataclass
class Units:
    """What the monthly entries need: unit ids by kind, and the officers who handle cases."""

    posts: list[int] = field(default_factory=list)
    offices: list[int] = field(default_factory=list)
    branches: list[int] = field(default_factory=list)
    case_officers: list[dict[str, Any]] = field(default_factory=list)  # person rows


def make_units(session: Any, actor: Actor, people: list[dict[str, Any]], first: dt.date,
               rng: random.Random) -> Units:
    """A unit mirroring every department, a 党支部 per department and an 执法办案单位 per case
    中队 (through `units`), their heads and members bulk-inserted."""
    made = Units()
    members: list[dict[str, Any]] = []
    for n, dept in enumerate(roster.get_station(session).departments, start=1):
        post = dept.kind == DepartmentKind.POST.value
        unit = units.for_department(session, actor, dept, code=f"{'JWS' if post else 'SD'}-{n:02d}")
        (made.posts if post else made.offices).append(unit.id)
        staff = [p for p in people if p["department_id"] == dept.id]
        police = [p for p in staff if p["identity"] == Identity.POLICE.value]
        if not police:
            continue
        head = police[0]  # the 所长 or 中队长 (the dataset puts the head first)
        if not head["is_head"]:  # a 一把手 leads his unit without a row (units.head_on)
            members.append(_member(rng, unit.id, head, "head", first))
        branch = units.add_unit(session, actor, units.UnitInput(code=f"DZB-{n:02d}", name=f"{dept.name}党支部",
                                                                kind="branch"))
        made.branches.append(branch.id)
        members += [_member(rng, branch.id, p, "head" if p is head else "member", first) for p in police]
        sequence = staff[0]["sequence"]
        if sequence in CASE_SEQUENCES:
            team = units.add_unit(session, actor, units.UnitInput(
                code=f"ZFDW-{n:02d}", name=f"{dept.name}办案组", kind="enforcement", sequence="派出所序列"))
            members += [_member(rng, team.id, p, "head" if p is head else "member", first) for p in police]
            made.case_officers += [p for p in police if p is not head]
    if members:
        session.execute(insert(UnitMember), members)
    return made


def _member(rng: random.Random, unit_id: int, person: dict[str, Any], role: str, first: dt.date) -> dict[str, Any]:
    start = max(first, person["active_from"])
    return {"uuid": _uuid(rng), "unit_id": unit_id, "person_id": person["id"], "role": role, "start": start,
            "end": person["active_to"]}


def add_officer(session: Any, actor: Actor, people: list[dict[str, Any]], first: dt.date) -> str:
    """An officer's account (a police officer on the roster all year, not a head), for self-reports."""
    person = next(p for p in people if p["identity"] == Identity.POLICE.value and not p["is_head"]
                  and p["active_to"] is None and p["active_from"] < first)
    accounts.create_user(session, actor, OFFICER[0], person["name"], Role.OFFICER, OFFICER[1],
                         person_id=person["id"])
    return OFFICER[0]


class UnitLedger:
    """A month of the schemes' entries, appended to the person ledger's rows (same ids, one insert)."""

    def __init__(self, session: Any, made: Units, rng: random.Random, clerk_id: int,
                 new_id: Callable[[], int]) -> None:
        self.made, self.rng, self.clerk_id, self.new_id = made, rng, clerk_id, new_id
        self.items: dict[str, Any] = {}  # item code -> catalogue item (one version per scheme)
        self.scheme: dict[str, str] = {}  # item code -> scheme code
        for code in SCHEMES:
            for version in catalogue.list_versions(session, code):
                for item in version.items:
                    session.expunge(item)
                    self.items[item.code], self.scheme[item.code] = item, code
        self.reviews: list[dict[str, Any]] = []

    def row(self, code: str, day: dt.date, *, unit_id: int | None = None, person_id: int | None = None,
            quantity: int = 1, points: int | None = None, note: str = "", case: tuple[str, str] = ("", "")
            ) -> dict[str, Any]:
        item = self.items[code]
        if points is None:
            per = (self.rng.randrange(item.min_tenths, item.max_tenths + 1, 5)
                   if item.points_mode == PointsMode.RANGE.value else item.points_tenths)
            points = per * quantity
        return {
            "id": self.new_id(), "uuid": _uuid(self.rng), "occurred_on": day, "person_id": person_id,
            "unit_id": unit_id, "scheme": self.scheme[code], "case_no": case[0],
            "case_type": case[1], "item_id": item.id, "item_code": code, "item_name": item.name,
            "category": item.category, "component": item.component, "veto": item.veto, "quantity": quantity,
            "points_tenths": points, "note": note or NOTES.get(code, ""), "source": EntrySource.MANUAL.value,
            "batch_uuid": None, "reverses_id": None, "recorded_by_id": self.clerk_id, "recorded_by_name": "内勤",
            "recorded_at": dt.datetime.combine(day, dt.time(16, self.rng.randint(0, 59))),
        }

    def month(self, month: PeriodSpec, last: bool, active: Callable[[dict[str, Any], dt.date], bool]
              ) -> list[dict[str, Any]]:
        rows = self._marks(("JC-01", "JC-02", "JC-03", "JC-04", "JC-05", "JC-06", "JC-07"), self.made.posts,
                           _day(month, 28), shortfall=0.08, step=10, note="派出所月度考核评分")
        rows += self._marks(tuple(f"DW-{n:02d}" for n in range(1, 23)), self.made.offices, _day(month, 27),
                            shortfall=0.03, step=5, note="政工室月度考评")
        rows += self._post_extras(month) + self._party(month)
        rows += self._cases(month, last, active)
        return rows

    def _marks(self, codes: tuple[str, ...], unit_ids: list[int], day: dt.date, *, shortfall: float, step: int,
               note: str) -> list[dict[str, Any]]:
        """Every indicator marked for every unit: full marks unless the unit fell short."""
        rows = []
        for code in codes:
            top = self.items[code].max_tenths or self.items[code].points_tenths
            for unit_id in unit_ids:
                lost = step * self.rng.randint(1, 4) if self.rng.random() < shortfall else 0
                rows.append(self.row(code, day, unit_id=unit_id, points=max(5, top - lost), note=note))
        return rows

    def _post_extras(self, month: PeriodSpec) -> list[dict[str, Any]]:
        rows = []
        for unit_id in self.made.posts:
            day = _day(month, self.rng.randint(3, 26))
            for code, chance, quantities in POST_EXTRAS:
                if self.rng.random() < chance:
                    rows.append(self.row(code, day, unit_id=unit_id, quantity=self.rng.choice(quantities)))
        return rows

    def _party(self, month: PeriodSpec) -> list[dict[str, Any]]:
        rows = []
        for unit_id in self.made.branches:
            for code, chance, quantities in PARTY_TASKS:
                if self.rng.random() < chance:
                    rows.append(self.row(code, _day(month, self.rng.randint(3, 27)), unit_id=unit_id,
                                         quantity=self.rng.choice(quantities)))
            if month.number % 3 == 0:
                rows.append(self.row("DJ-02", _day(month, 26), unit_id=unit_id, note="分析研判本支部意识形态领域情况"))
        return rows

    def _cases(self, month: PeriodSpec, last: bool, active: Callable[[dict[str, Any], dt.date], bool]
               ) -> list[dict[str, Any]]:
        """Each officer's cases of the month (most handle none or one), then 法制大队's reviews."""
        rng, rows, numbers = self.rng, [], {"XS": 0, "XZ": 0}
        span = (month.end - month.start).days
        for officer in self.made.case_officers:
            day = month.start + dt.timedelta(days=rng.randint(0, span))
            if not active(officer, day):
                continue
            criminal = officer["sequence"] == "执法办案"
            for _ in range(rng.choice((0, 1, 1))):
                prefix = "XS" if criminal else "XZ"
                numbers[prefix] += 1
                case = (f"{prefix}{month.year}{month.number:02d}{numbers[prefix]:04d}",
                        "刑事案件" if criminal else "行政案件")
                what = rng.choice(CRIMES if criminal else OFFENCES)
                mine = [self.row("ZF-01" if criminal else "ZF-06", day, person_id=officer["id"], case=case,
                                 note=f"主办{what}")]
                roll = rng.random()
                if criminal and roll < 0.35:
                    mine.append(self.row("ZF-03", day, person_id=officer["id"], quantity=rng.randint(1, 3),
                                         case=case, note=f"{what}刑事拘留犯罪嫌疑人"))
                elif criminal and roll < 0.55:
                    mine.append(self.row("ZF-05", day, person_id=officer["id"], case=case, note=f"{what}移送审查起诉"))
                elif not criminal and roll < 0.3:
                    mine.append(self.row("ZF-08", day, person_id=officer["id"], quantity=rng.randint(1, 2),
                                         case=case, note=f"{what}裁决行政拘留"))
                if rng.random() < 0.03:
                    mine.append(self.row("ZF-22", day, person_id=officer["id"], case=case))
                rows += mine
        for row in rows:
            if not (last and row["occurred_on"].day > REVIEWED_UNTIL_DAY):
                self.reviews.append({"uuid": _uuid(rng), "entry_id": row["id"], "state": "confirmed",
                                     "points_tenths": None, "reason": "", "reviewed_by_id": self.clerk_id,
                                     "reviewed_by_name": "内勤", "reviewed_at": row["recorded_at"]})
        return rows

    def insert_reviews(self, session: Any) -> None:
        """After the month's entries (a review points at its entry)."""
        if self.reviews:
            session.execute(insert(CaseReview), self.reviews)
        self.reviews = []


def _day(month: PeriodSpec, day: int) -> dt.date:
    return min(month.start + dt.timedelta(days=day - 1), month.end)
