"""Scores of a non-person scheme (党建, 基层基础, 执法办案, 队伍管理): totals, ranks, grades.

The person scheme keeps its own, tuned scorer (`scoring`); every other scheme is scored here
from its own entries, by its own definition (`schemes.Scheme`):

- a subject is a person (执法办案) or a unit of the scheme's kind (党支部, 警务室, 所队室 …);
- each component is summed per month, then capped (`monthly_cap_tenths`, None: uncapped) or
  floored (`floor`, None: unfloored), then signed into the total, plus the starting score for
  every month;
- a unit's points come from entries against it (`unit_entries`), from its members' entries
  (`members`: sum or average of the people in it at the month's end), or both;
- case entries (`case_tracking`) count only once the reviewing unit has confirmed or adjusted
  them (`cases.counted_points`); pending points are reported beside the total;
- subjects are ranked within their class, their sequence or all together (`rank_within`) and
  graded by the scheme's policy with the same engine as persons.

`members_take_unit` flows a unit's total back to its people (the post's score is its officers'
score); `leader_penalties` names the heads whose unit had a veto-class event or ranked last.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from desktop.models.catalogue import CatalogueItem
from desktop.models.ledger import Entry
from desktop.models.people import Person
from desktop.models.units import Unit
from desktop.services import cases, gc_pause, scheme_awards, units
from desktop.services.grade_engine import Candidate, competition_ranks, grade_group
from desktop.services.periods import PeriodSpec, parse_period

Key = tuple[str, int]  # ("person" | "unit", id)


@dataclass
class SubjectRow:
    key: int
    code: str  # badge or unit code
    name: str
    kind: str  # "person" or the unit kind
    klass: int | None
    sequence: str
    components: dict[str, int]
    total: int
    pending: int = 0  # case points awaiting review, not in the total
    vetoed: bool = False
    rank: int | None = None
    grade: str | None = None
    group: str = ""
    why: str = ""
    head_id: int | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    def as_json(self, scheme: Any) -> dict[str, Any]:
        from desktop.services.points import to_decimal

        out: dict[str, Any] = {"code": self.code, "name": self.name, "kind": self.kind, "class": self.klass,
                               "sequence": self.sequence}
        for component in scheme.components:
            out[component.key] = to_decimal(self.components.get(component.key, 0))
        out |= {"total": to_decimal(self.total), "pending": to_decimal(self.pending), "rank": self.rank,
                "grade": self.grade, "why": self.why, "vetoed": self.vetoed,
                "award": self.extra.get("award", ""), "eligible": not self.extra.get("loses_eligibility", False),
                "reports": bool(self.extra.get("reports", False))}
        return out


# What `score` and `cases.counted_points` read of an entry, by the same attribute names.
_ENTRY_COLUMNS = (Entry.id, Entry.person_id, Entry.unit_id, Entry.occurred_on, Entry.component, Entry.item_id,
                  Entry.points_tenths, Entry.case_no, Entry.veto, Entry.reverses_id)


@gc_pause.pausing
def score(session: Session, scheme: Any, period_code: str) -> list[SubjectRow]:
    spec = parse_period(period_code)
    months = spec.months()
    # Plain rows of the columns scoring reads, not ORM entries: a county's year is 100,000 of them.
    # Each entry's item cap joined in: one statement fewer than reading the caps after.
    entries = list(session.execute(select(*_ENTRY_COLUMNS, CatalogueItem.monthly_cap_tenths.label("item_cap"))
                                   .outerjoin(CatalogueItem, CatalogueItem.id == Entry.item_id).where(
        Entry.scheme == scheme.code, Entry.occurred_on.between(spec.start, spec.end))))
    # A person scheme ranks only the officers it has something on: an 辅警 or a 内勤 who handled
    # no case is not in the 执法办案 ranking (they would all tie first on zero in their sequence).
    subjects, found_units = _subjects(session, scheme, spec, {e.person_id for e in entries if e.person_id is not None})
    reversed_ids = {e.reverses_id for e in entries if e.reverses_id is not None}
    reviews = cases.reviews_of(session, [e.id for e in entries if e.case_no]) if scheme.case_tracking else {}
    # (subject key, month index, component) -> signed-by-entry points; pending separately.
    sums: defaultdict[tuple[int, int, str], int] = defaultdict(int)
    pending: defaultdict[int, int] = defaultdict(int)
    vetoed: set[int] = set()
    month_of = {(m.start.year, m.start.month): i for i, m in enumerate(months)}
    by_person: defaultdict[tuple[int, int, str], int] = defaultdict(int)
    # ("own" for the subject's own entries | "member" for a unit member's, owner id, month, component, item)
    per_item: defaultdict[tuple[str, int, int, str, int], int] = defaultdict(int)
    for e in entries:
        day = e.occurred_on
        index = month_of[(day.year, day.month)]
        points = _points(e, scheme, reviews, reversed_ids)
        if scheme.case_tracking and e.case_no and cases.state_of(e, reviews, reversed_ids) == "pending":
            owner = e.person_id if scheme.subject == "person" else e.unit_id
            if owner is not None:
                pending[owner] += e.points_tenths
        if e.veto and e.id not in reversed_ids and e.reverses_id is None:
            vetoed.add(e.person_id if scheme.subject == "person" else (e.unit_id or -1))
        if scheme.subject == "person":
            if e.person_id is not None:
                per_item[("own", e.person_id, index, e.component, e.item_id)] += points
        elif e.unit_id is not None and scheme.unit_entries:
            per_item[("own", e.unit_id, index, e.component, e.item_id)] += points
        elif e.person_id is not None:
            per_item[("member", e.person_id, index, e.component, e.item_id)] += points
    # An item's monthly cap (考核细则“月上限”, e.g. DJ-13 4 分, DW-01 5 分) holds in every scheme,
    # as in the person scheme: a subject's month of one item counts up to it, reversals included.
    caps = {e.item_id: e.item_cap for e in entries if e.item_cap is not None}
    for (whose, owner, index, component, item_id), value in per_item.items():
        cap = caps.get(item_id)
        target = sums if whose == "own" else by_person
        target[(owner, index, component)] += value if cap is None else min(value, cap)
    if scheme.subject != "person" and scheme.members in ("sum", "average"):
        _from_members(session, scheme, subjects, found_units, months, by_person, sums, vetoed, entries)
    rows = []
    for subject in subjects:
        components: dict[str, int] = {}
        for component in scheme.components:
            total = 0
            for index in range(len(months)):
                value = sums.get((subject.key, index, component.key), 0)
                if component.monthly_cap_tenths is not None:
                    value = min(value, component.monthly_cap_tenths)
                if component.floor is not None:
                    value = max(value, component.floor)
                total += value
            components[component.key] = total
        start = (scheme.starting_tenths or 0) * len(months)
        subject.components = components
        subject.total = start + sum(c.sign * components[c.key] for c in scheme.components)
        subject.pending = pending.get(subject.key, 0)
        subject.vetoed = subject.key in vetoed
        rows.append(subject)
    _rank_and_grade(scheme, rows, len(months))
    scheme_awards.annotate(session, scheme, rows, spec)
    return rows


def _points(e: Any, scheme: Any, reviews: dict, reversed_ids: set[int]) -> int:
    if scheme.case_tracking and e.case_no:
        return cases.counted_points(e, reviews, reversed_ids)
    return e.points_tenths


def _subjects(session: Session, scheme: Any, spec: PeriodSpec, scored: set[int]) -> tuple[list[SubjectRow], list[Unit]]:
    """The scheme's subjects in the period: its active units, or the people of `scored` (those
    with entries in it) on the roster then; and the units themselves, in the same order (none
    for a person scheme), held here because the identity map holds them only weakly."""
    if scheme.subject == "person":
        people = session.scalars(select(Person).where(Person.id.in_(scored)).order_by(Person.badge))
        return [SubjectRow(p.id, p.badge, p.name, "person", None, p.sequence, {}, 0)
                for p in people if p.active_days(spec.start, spec.end) > 0], []
    found = [unit for unit in units.list_units(session, scheme.subject) if unit.active]
    heads = units.head_ids_by_unit(session, found, spec.end)
    return [SubjectRow(unit.id, unit.code, unit.name, unit.kind, unit.post_class, unit.sequence, {}, 0,
                       head_id=heads[unit.id]) for unit in found], found


def _from_members(session: Session, scheme: Any, subjects: list[SubjectRow], found: list[Unit],
                  months: list[PeriodSpec], by_person: dict[tuple[int, int, str], int], sums: defaultdict[tuple[int, int, str], int],
                  vetoed: set[int], entries: list[Any]) -> None:
    """A unit's points from its members' entries in this scheme, month by month."""
    vetoed_people = {e.person_id for e in entries if e.veto and e.person_id is not None and e.reverses_id is None}
    # A sum needs only the members with points or a veto (the rest add zero); an average counts everyone.
    among = {pid for pid, _index, _component in by_person} | vetoed_people if scheme.members == "sum" else None
    for index, month in enumerate(months):
        # every unit's at once, a month at a time
        members = units.members_by_unit(session, found, month.end, among)
        for subject in subjects:
            people = [p.id for p in members[subject.key]]
            if vetoed_people & set(people):
                vetoed.add(subject.key)
            for component in scheme.components:
                values = [by_person.get((pid, index, component.key), 0) for pid in people]
                if not values:
                    continue
                value = sum(values) if scheme.members == "sum" else round(sum(values) / len(values))
                sums[(subject.key, index, component.key)] += value


def _units(session: Session, unit_ids: list[int]) -> list[Unit]:
    """The units of `unit_ids`, in that order, in one query (the identity map holds them only
    weakly, so the ones a caller listed before may be gone)."""
    found = {unit.id: unit for unit in session.scalars(select(Unit).where(Unit.id.in_(unit_ids)))}
    return [found[unit_id] for unit_id in unit_ids]


def policy_of(scheme: Any) -> Any:
    """The scheme's grade policy: a preset code or an inline policy."""
    from desktop.services import grade_policy

    if isinstance(scheme.policy, str):
        return grade_policy.load_preset(scheme.policy)
    return scheme.policy


def group_of(scheme: Any, row: SubjectRow) -> str:
    if scheme.rank_within == "class":
        return f"class:{row.klass or 0}"
    if scheme.rank_within == "sequence":
        return f"sequence:{row.sequence}"
    return "all"


def _rank_and_grade(scheme: Any, rows: list[SubjectRow], months: int) -> None:
    policy = policy_of(scheme)
    groups: defaultdict[str, list[SubjectRow]] = defaultdict(list)
    for row in rows:
        row.group = group_of(scheme, row)
        groups[row.group].append(row)
    for members in groups.values():
        candidates = [Candidate(key=r.key, total=r.total, base=r.components.get(scheme.components[0].key, 0),
                                deductions=sum(r.components[c.key] for c in scheme.components if c.sign < 0),
                                vetoed=r.vetoed) for r in members]
        ranks = competition_ranks(policy, candidates)
        outcomes = grade_group(policy, candidates, months=months, use_thresholds=False)
        for r in members:
            r.rank = ranks.get(r.key)
            outcome = outcomes.get(r.key)
            r.grade = outcome.grade if outcome else None
            r.why = _why(policy, r, len(members), outcome.reason if outcome else "")


def _why(policy: Any, row: SubjectRow, size: int, reason: str) -> str:
    label = policy.label_of(row.grade) if row.grade else "不评等次"
    if row.vetoed:
        return f"{label}：本期有一票否决事项"
    return f"{label}：本组 {size} 个，排第 {row.rank} 名" + ("（按比例）" if reason in ("cap", "top") else "")


def members_take_unit(session: Session, scheme: Any, rows: list[SubjectRow], day: dt.date) -> dict[int, SubjectRow]:
    """person id -> their unit's row, for a scheme whose unit score is its members' score."""
    if scheme.members != "members_take_unit":
        return {}
    out: dict[int, SubjectRow] = {}
    members = units.members_by_unit(session, _units(session, [row.key for row in rows]), day)
    for row in rows:
        for person in members[row.key]:
            out[person.id] = row
    return out


def leader_penalties(scheme: Any, rows: list[SubjectRow]) -> dict[int, tuple[int, str]]:
    """head person id -> (levels to lower, reason) under the scheme's 领导带领责任 rule."""
    rule = scheme.leader_rule
    if rule is None or scheme.subject == "person":
        return {}
    out: dict[int, tuple[int, str]] = {}
    groups: defaultdict[str, list[SubjectRow]] = defaultdict(list)
    for row in rows:
        groups[row.group].append(row)
    for members in groups.values():
        worst = max((r.rank or 0) for r in members)
        for row in members:
            if row.head_id is None:
                continue
            if rule.on_veto and row.vetoed:
                out[row.head_id] = (rule.levels, f"领导带领责任：所负责的“{row.name}”本期有一票否决事项（{scheme.name}）")
            elif rule.on_last and len(members) > 1 and row.rank == worst and worst > 1:
                # worst > 1: when every unit ties, none of them is last
                out[row.head_id] = (rule.levels, f"领导带领责任：所负责的“{row.name}”在{scheme.name}中排名末位")
    return out


def unit_ranking(session: Session, scheme: Any, period_code: str,
                 rows: list[SubjectRow] | None = None) -> list[SubjectRow]:
    """A person scheme's units (执法办案单位), each the sum or average of its members' totals on
    this scheme at the period's end, ranked and graded within the scheme's `unit_ranking` rule.
    Empty when the scheme ranks no units."""
    rule = scheme.unit_ranking
    if rule is None or scheme.subject != "person":
        return []
    spec = parse_period(period_code)
    people = {r.key: r for r in (rows if rows is not None else score(session, scheme, period_code))}
    out = []
    found = [unit for unit in units.list_units(session, rule.kind) if unit.active]
    memberships, heads = units.members_by_unit(session, found, spec.end), units.heads_by_unit(session, found, spec.end)
    for unit in found:
        # Every member counts (one with nothing in the scheme adds zero to a sum, and to an average).
        members = [people.get(p.id) or SubjectRow(p.id, p.badge, p.name, "person", None, p.sequence, {}, 0)
                   for p in memberships[unit.id]]
        head = heads[unit.id]
        row = SubjectRow(unit.id, unit.code, unit.name, unit.kind, unit.post_class, unit.sequence, {}, 0,
                         head_id=head.id if head else None)
        for component in scheme.components:
            values = [m.components.get(component.key, 0) for m in members]
            row.components[component.key] = _combine(values, rule.members)
        row.total = _combine([m.total for m in members], rule.members)
        row.pending = sum(m.pending for m in members)
        row.vetoed = any(m.vetoed for m in members)
        row.extra["members"] = len(members)
        out.append(row)
    unit_scheme = _as_unit_scheme(scheme)
    _rank_and_grade(unit_scheme, out, len(spec.months()))
    return out


def _combine(values: list[int], how: str) -> int:
    if not values:
        return 0
    return sum(values) if how == "sum" else round(sum(values) / len(values))


def _as_unit_scheme(scheme: Any) -> Any:
    """The scheme as its unit ranking sees it: ranked as `unit_ranking.rank_within` says."""
    import dataclasses

    return dataclasses.replace(scheme, subject=scheme.unit_ranking.kind, rank_within=scheme.unit_ranking.rank_within)
