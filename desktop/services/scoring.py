"""Compute a period's scores: the five components, total, ranks and grades.

Sums are set-based SQL over the ledger grouped by person, item and month, so that a
monthly cap applies per month even when a quarter or a year is computed (a quarter is
the sum of its months). Results of an open period are computed fresh on every read;
a locked period reads the stored, frozen rows.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, fields
from typing import Any

from sqlalchemy import Connection, case, delete, func, select
from sqlalchemy.orm import Session, aliased

from desktop.models.catalogue import CatalogueItem
from desktop.models.enums import Component, PeriodState
from desktop.models.grading import GradeOverride, ScoreResult
from desktop.models.ledger import Entry, EntrySum
from desktop.models.people import Absence, Person, active_days
from desktop.models.periods import Period
from desktop.models.side_reads import SideRead
from desktop.models.station import Department, ranking_group
from desktop.services import audit, department_moves, gc_pause, leader_rule
from desktop.services.actor import Actor, require
from desktop.services.grade_engine import Policy
from desktop.services.grade_why import GroupFacts, explain
from desktop.services.periods import ensure_open_for_results, spec_of
from desktop.services.points import fmt
from desktop.services.policies import policy_for, policy_row_for, version_for
from desktop.services.roster import get_station
from desktop.services.scoring_grades import (
    candidates_of,
    derived_grade,
    exclusion,
    prorated,
    rank_and_grade,
    sort_keys,
    surely_graded,
)
from desktop.services.text import cn_date

FLAG_LABELS = {
    "veto": "一票否决",
    "excluded": "不参与排名",
    "tie_at_line": "并列跨线",
    "override": "等次已调整",
    "leader": "领导带领责任",
    "disputed": "有异议",
    "unconfirmed": "未确认",
    "excused": "未确认（已登记原因）",
    "prorated": "在岗折算",
    "over_quota": "超出比例",
    "rated": "审核人评定",
    "unrated": "待审核人评定",
    "probation": "试岗",
}
COMPONENT_FIELDS = {c: f"{c.value}" for c in Component}
COMPONENT_KEYS = tuple(c.value for c in Component)


@dataclass(slots=True)
class ScoreRow:
    person_id: int
    badge: str
    name: str
    identity: str
    department_id: int
    department: str
    sequence: str
    ranking_group: str
    base: int = 0
    dept_bonus: int = 0
    dept_deduction: int = 0
    higher_bonus: int = 0
    higher_deduction: int = 0
    start: int = 0
    total: int = 0
    rank_department: int | None = None
    rank_sequence: int | None = None
    rank_group: int | None = None
    engine_grade: str | None = None
    grade: str | None = None
    vetoed: bool = False
    excluded_reason: str = ""
    flags: list[str] = field(default_factory=list)
    days_present: int = 0
    period_days: int = 0
    ranked_total: int = 0  # the figure ranks and thresholds used: pro-rated for partial presence
    prorated: bool = False
    reason: str = ""  # the grade engine's reason (grade_engine.REASONS)
    missed: str | None = None  # the level just above the grade, which the reason kept out of reach
    month_grades: list[str] = field(default_factory=list)  # under from_months: "1月A类" …
    why_text: str = ""  # the one-line reason (grade_why) as far as it is made: read `why`
    # The reason still to be made, in front of `why_text`: a county month's 2,000 reasons were a
    # third of its scoring time, and a ranking board or an export reads none of them.
    why_later: Callable[[ScoreRow], str] | None = field(default=None, repr=False, compare=False)

    @property
    def why(self) -> str:
        """The one-line reason, made on first read from what the row held when it was graded."""
        later = self.why_later
        if later is not None:
            self.why_later = None
            made = later(self)
            self.why_text = f"{made}；{self.why_text}" if made and self.why_text else made or self.why_text
        return self.why_text

    @why.setter
    def why(self, text: str) -> None:
        self.why_later = None
        self.why_text = text

    def __eq__(self, other: object) -> bool:  # the reason as read, made or not yet made
        if not isinstance(other, ScoreRow):
            return NotImplemented
        return self.why == other.why and all(
            getattr(self, f.name) == getattr(other, f.name) for f in fields(self) if f.name not in _LAZY)

    @property
    def deductions(self) -> int:
        return self.dept_deduction + self.higher_deduction

    def flag_labels(self) -> list[str]:
        return [FLAG_LABELS.get(f, f) for f in self.flags]

    def as_json(self) -> dict[str, object]:
        """Points as decimal strings turned into JSON numbers by the caller (exact, one decimal)."""
        data = {f.name: getattr(self, f.name) for f in fields(self) if f.name not in _LAZY}
        data["flags"] = list(self.flags)
        data["month_grades"] = list(self.month_grades)
        data["why"] = self.why
        for key in ("base", "dept_bonus", "dept_deduction", "higher_bonus", "higher_deduction", "start", "total",
                    "ranked_total"):
            data[key] = fmt(data[key])
        data["rank"] = self.rank_department
        return data


_LAZY = ("why_text", "why_later")
# The fields `calculate` passes by position, in the dataclass's order; checked here, once, so that
# a field added or moved among them stops the program at its start rather than shifting values.
_CALCULATED = ("person_id", "badge", "name", "identity", "department_id", "department", "sequence",
               "ranking_group", "base", "dept_bonus", "dept_deduction", "higher_bonus", "higher_deduction",
               "start", "total", "rank_department", "rank_sequence", "rank_group", "engine_grade", "grade",
               "vetoed", "excluded_reason", "flags", "days_present", "period_days", "ranked_total", "prorated")
if tuple(f.name for f in fields(ScoreRow))[:len(_CALCULATED)] != _CALCULATED:
    raise RuntimeError("ScoreRow 的字段顺序与 scoring._CALCULATED 不一致")


def _month_spans(start: dt.date, end: dt.date) -> list[tuple[dt.date, dt.date]]:
    """[start, end] cut at month ends: caps apply per month, so each month is summed on its own."""
    spans = []
    first = start
    while first <= end:
        next_month = (first.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
        last = min(end, next_month - dt.timedelta(days=1))
        spans.append((first, last))
        first = last + dt.timedelta(days=1)
    return spans


def _min_cap(a: int | None, b: int | None) -> int | None:
    return b if a is None else a if b is None else min(a, b)


def _month_key(day: dt.date) -> int:
    return day.year * 100 + day.month


def _whole_month(first: dt.date, last: dt.date) -> bool:
    return first.day == 1 and (last + dt.timedelta(days=1)).day == 1


# Per person, over whole months, a column per component (SUM_COLUMNS): every month's sum of an
# item code, cut at the code's monthly cap, added up; then the points of veto entries. `entry_sums`
# is kept by SQLite triggers (see models.ledger.EntrySum), so this is one grouped read of a few
# thousand rows. One row a person, not one a person and component: grouping on the person alone
# is the cheaper aggregate on both engines, and hands Python half the rows.
_CAPPED = "CASE WHEN cap_tenths IS NOT NULL AND points_tenths > cap_tenths THEN cap_tenths ELSE points_tenths END"
# The components' columns in the order `calculate` unpacks them.
SUM_COLUMNS = (Component.BASE.value, Component.DEPT_BONUS.value, Component.DEPT_DEDUCTION.value,
               Component.HIGHER_BONUS.value, Component.HIGHER_DEDUCTION.value)
WHOLE_MONTH_SUMS = (
    "SELECT person_id, "
    + "".join(f"COALESCE(SUM({_CAPPED}) FILTER (WHERE component = '{key}'), 0), " for key in SUM_COLUMNS)
    + f"SUM(veto_tenths) FROM {EntrySum.__tablename__} WHERE month BETWEEN {{0}} AND {{0}} GROUP BY person_id"
)
NO_POINTS = (0,) * len(SUM_COLUMNS)
PLACEHOLDERS = {"qmark": "?", "format": "%s", "pyformat": "%s"}  # sqlite3; psycopg


def _part_month_sums(session: Session, first: dt.date, last: dt.date) -> list[tuple[int, str, int, int]]:
    """The same for a stretch of days that is not a whole month, from the entries themselves.
    (Every period is made of whole months; this keeps `_component_sums` right for any dates.)"""
    caps = {item_id: (code, cap) for item_id, code, cap in session.execute(
        select(CatalogueItem.id, CatalogueItem.code, CatalogueItem.monthly_cap_tenths))}
    veto_points = func.sum(case((Entry.veto.is_(True), Entry.points_tenths), else_=0))
    query = (select(Entry.person_id, Entry.item_id, Entry.component, func.sum(Entry.points_tenths), veto_points)
             .where(Entry.occurred_on >= first, Entry.occurred_on <= last)
             .group_by(Entry.person_id, Entry.item_id, Entry.component))
    merged: dict[tuple[int, str, str], list[Any]] = {}
    for person_id, item_id, component, total, vetoed in session.execute(query):
        code, cap = caps[item_id]
        found = merged.setdefault((person_id, code, component), [0, cap, 0])
        found[0] += int(total or 0)
        found[1] = _min_cap(found[1], cap)
        found[2] += int(vetoed or 0)
    return [(person_id, component, cap if cap is not None and value > cap else value, vetoed)
            for (person_id, _code, component), (value, cap, vetoed) in merged.items()]


def _whole_month_rows(connection: Connection, start: dt.date, end: dt.date) -> list[Any]:
    """The capped sums of the whole months within [start, end], one row per person (`WHOLE_MONTH_SUMS`).

    Only a connection, no session: on a server this runs beside the rest of the score (`SideRead`).
    """
    whole = [first for first, last in _month_spans(start, end) if _whole_month(first, last)]
    if not whole:
        return []
    # Straight from the driver connection: plain integers, for which SQLAlchemy's row objects
    # would cost as much again as the read.
    statement = WHOLE_MONTH_SUMS.format(PLACEHOLDERS[connection.dialect.paramstyle])
    driver = connection.connection.driver_connection
    # fetchall: psycopg's cursor hands rows over a third faster in one call than one by one.
    return driver.execute(statement, (_month_key(whole[0]), _month_key(whole[-1]))).fetchall()  # type: ignore[union-attr, no-any-return]


def _component_sums(session: Session, start: dt.date, end: dt.date,
                    whole_rows: list[Any] | None = None) -> tuple[dict[int, tuple[int, ...]], set[int]]:
    """Per person, the sum of each component (in SUM_COLUMNS order) of entries with each item's
    monthly cap applied per month; and the people with a standing (not reversed) veto entry.

    Items are grouped by code (stable across catalogue versions), so a catalogue revised in the
    middle of a month does not grant a second cap; if the revision changed the cap, the lower applies.
    `whole_rows` are the whole months' rows when already read (`_whole_month_rows`).
    """
    spans = _month_spans(start, end)
    sums: dict[int, tuple[int, ...]] = {}
    veto: dict[int, int] = defaultdict(int)
    rows = _whole_month_rows(session.connection(), start, end) if whole_rows is None else whole_rows
    if rows:
        width = len(SUM_COLUMNS) + 1
        sums = {row[0]: row[1:width] for row in rows}
        for row in rows:
            if row[width]:
                veto[row[0]] += row[width]
    position = {key: n for n, key in enumerate(SUM_COLUMNS)}
    for first, last in spans:
        if _whole_month(first, last):
            continue
        for person_id, component, total, vetoed in _part_month_sums(session, first, last):
            found = list(sums.get(person_id, NO_POINTS))
            found[position[component]] += total
            sums[person_id] = tuple(found)
            if vetoed:
                veto[person_id] += vetoed
    return sums, {person_id for person_id, points in veto.items() if points > 0}


def _latest_overrides(session: Session, period: Period) -> dict[int, GradeOverride]:
    rows = session.scalars(select(GradeOverride).where(GradeOverride.period_id == period.id)
                           .order_by(GradeOverride.id))
    return {row.person_id: row for row in rows}


def _leave_days(session: Session, start: dt.date, end: dt.date) -> dict[int, int]:
    """Per person, days of leave recorded within [start, end]."""
    days: dict[int, int] = defaultdict(int)
    for person_id, first, last in session.execute(
            select(Absence.person_id, Absence.start, Absence.end).where(Absence.start <= end, Absence.end >= start)):
        days[person_id] += (min(last, end) - max(first, start)).days + 1
    return days


def veto_items(session: Session, period: Period, person_ids: set[int] | None = None) -> dict[int, str]:
    """Per person, the standing veto entries of the period: "2026年3月5日 受到党纪处分"."""
    reversal = aliased(Entry)
    query = (select(Entry.person_id, Entry.occurred_on, Entry.item_name)
             .outerjoin(reversal, reversal.reverses_id == Entry.id)
             .where(Entry.veto.is_(True), Entry.reverses_id.is_(None), reversal.id.is_(None),
                    Entry.occurred_on >= period.start, Entry.occurred_on <= period.end)
             .order_by(Entry.occurred_on))
    found: dict[int, list[str]] = defaultdict(list)
    for person_id, day, name in session.execute(query):
        if person_ids is None or person_id in person_ids:
            found[person_id].append(f"{cn_date(day)} {name}")
    return {k: "、".join(v) for k, v in found.items()}


def _month_ceilings(session: Session, period: Period, policy: Policy) -> tuple[dict[int, int], dict[int, list[str]]]:
    """Under `from_months`: per person the best level the months allow, and the months' grades."""
    from desktop.services.periods import find_period, transient

    grades: dict[int, list[str]] = defaultdict(list)
    shown: dict[int, list[str]] = defaultdict(list)
    for month in spec_of(period).months():
        month_period = find_period(session, month.code) or transient(month)
        month_policy = policy_for(session, month_period)
        for row in results(session, month_period):
            if row.grade is not None:
                grades[row.person_id].append(row.grade)
                shown[row.person_id].append(f"{month.number}月{month_policy.label_of(row.grade)}")
    ceilings = {}
    for person_id, month_grades in grades.items():
        derived = derived_grade(policy, month_grades)
        if derived is not None:
            ceilings[person_id] = policy.index(derived)
    return ceilings, shown


def _departments_held(session: Session, people: Sequence[Any], start: dt.date, end: dt.date) -> Sequence[Any]:
    """The people rows with the department each held on the period's last day on the roster, where
    a dated move (department_moves) has changed it since: a move on the 15th ranks that month in
    the new department and the months before in the old one."""
    moves = department_moves.later_moves(session, start)
    if not moves:
        return people
    depts = {row[0]: tuple(row[1:]) for row in session.connection().execute(
        select(Department.id, Department.name, Department.kind, Department.post_class))}
    out: list[tuple[Any, ...]] = []
    for row in people:
        person_id, active_to = row[0], row[7]
        held = department_moves.held_on(moves.get(person_id, []), department_moves.ranking_day(end, active_to))
        out.append((*row[:8], held, *depts[held]) if held is not None else tuple(row))
    return out


@gc_pause.pausing
def calculate(session: Session, period: Period, policy: Policy | None = None) -> list[ScoreRow]:
    """Compute everyone's score and grade for the period, without writing anything."""
    # On a server, the month sums and the unit schemes of 领导带领责任 are read on other connections
    # while this one reads the roster: the server's own work on them is most of their time.
    # Plain values, read here: the other threads must never touch the session's ORM objects.
    start, end, code = period.start, period.end, period.code
    whole_rows = SideRead(session, lambda connection: _whole_month_rows(connection, start, end))
    leader_penalties = SideRead(session, lambda connection: leader_rule.penalties_on(connection, code))
    policy = policy or policy_for(session, period)
    station = get_station(session)
    start_per_month = station.starting_score_tenths or 0
    spec = spec_of(period)
    months = [(m.start, m.end) for m in spec.months()]
    period_days = spec.days
    # Plain rows, not ORM objects: 2,000 people of a county load in a fifth of the time.
    people = session.connection().execute(
        select(Person.id, Person.badge, Person.name, Person.identity, Person.sequence, Person.is_head,
               Person.active_from, Person.active_to, Department.id, Department.name, Department.kind,
               Department.post_class)
        .join(Department, Department.id == Person.department_id)
        .order_by(Department.sort_order, Person.badge)
    ).all()
    people = _departments_held(session, people, start, end)
    sums, vetoed = _component_sums(session, start, end, whole_rows.result())
    leave = _leave_days(session, start, end) if policy.long_leave_days else {}
    rows: list[ScoreRow] = []
    full_start = start_per_month * len(months)
    graded = surely_graded(policy, period_days=period_days, months=len(months), period_end=end)
    groups: dict[int, str] = {}  # department id -> its ranking group
    for (person_id, badge, name, identity, sequence, is_head, active_from, active_to, dept_id, dept_name,
         dept_kind, post_class) in people:
        days_active = active_days(active_from, active_to, start, end)
        if days_active == 0:
            continue
        base, dept_bonus, dept_deduction, higher_bonus, higher_deduction = sums.get(person_id, NO_POINTS)
        # The starting score counts only the months the person was on the roster, so a
        # quarter or a year is exactly the sum of its months (a December hire gets one month).
        if days_active == period_days:  # on the roster throughout: every month counts
            start_tenths = full_start
        else:
            start_tenths = start_per_month * sum(1 for first, last in months
                                                 if active_days(active_from, active_to, first, last) > 0)
        total = start_tenths + base + dept_bonus - dept_deduction + higher_bonus - higher_deduction
        group = groups.get(dept_id)
        if group is None:
            group = groups[dept_id] = ranking_group(dept_id, dept_kind, post_class)
        leave_days = leave.get(person_id, 0)
        # Positionally, in ScoreRow's field order (`_CALCULATED`): binding 21 keywords by name cost
        # 3.2 ms of a county month, positions 1.3 ms.
        rows.append(ScoreRow(
            person_id, badge, name, identity, dept_id, dept_name, sequence, group,
            base, dept_bonus, dept_deduction, higher_bonus, higher_deduction, start_tenths, total,
            None, None, None, None, None,  # ranks and grades: rank_and_grade
            person_id in vetoed,
            "" if graded(is_head, days_active, active_from, leave_days)
            else exclusion(policy, is_head=is_head, days_active=days_active, period_days=period_days,
                           months=len(months), active_from=active_from, period_end=end, leave_days=leave_days),
            [], days_active, period_days,
            total if days_active == period_days
            else prorated(total, start_tenths, full_start, period_days, days_active),
            days_active < period_days,
        ))
    ceilings: dict[int, int] = {}
    if policy.period_rule == "from_months" and len(months) > 1:
        ceilings, shown = _month_ceilings(session, period, policy)
        for row in rows:
            row.month_grades = shown.get(row.person_id, [])
    candidates = candidates_of(rows, ceilings)
    keys = sort_keys(rows, policy, candidates)  # one key per person, for the ranks, the grades and the reasons
    rank_and_grade(rows, policy, len(months), ceilings, keys, candidates)
    leaders = leader_rule.apply(leader_penalties.result(), policy, rows)  # 领导带领责任 of unit schemes
    overrides = _latest_overrides(session, period)
    _apply_overrides(rows, overrides)
    _explain_all(session, period, policy, rows, len(months), overrides, keys)
    _rated_and_probation(session, period, policy, rows)
    for row in rows:
        if row.person_id in leaders:
            row.why = f"{row.why}；{leaders[row.person_id]}" if row.why else leaders[row.person_id]
    return rows


def _explain_all(session: Session, period: Period, policy: Policy, rows: list[ScoreRow], months: int,
                 overrides: dict[int, GradeOverride], keys: dict[int, tuple[int, ...]] | None = None) -> None:
    """Give every row its reason, to be made when first read (`ScoreRow.why`); a group's facts
    are worked out when the first of its reasons is."""
    groups: dict[str, list[ScoreRow]] = defaultdict(list)
    for row in rows:
        groups[row.ranking_group].append(row)
    facts: dict[str, GroupFacts] = {}

    def facts_of(group: str) -> GroupFacts:
        found = facts.get(group)
        if found is None:
            found = facts[group] = GroupFacts.of(policy, groups[group], keys)
        return found

    vetoed = {r.person_id for r in rows if r.vetoed}
    vetoes = veto_items(session, period, vetoed) if vetoed else {}
    for row in rows:
        if row.prorated and not row.excluded_reason:
            row.flags = sorted({*row.flags, "prorated"})
        found = overrides.get(row.person_id)
        override = ({"from": row.engine_grade, "to": found.to_grade, "reason": found.reason}
                    if found is not None and found.to_grade != row.engine_grade else None)
        row.why_later = _reason(policy, facts_of, months, vetoes.get(row.person_id, ""), override)


def _reason(policy: Policy, facts_of: Callable[[str], GroupFacts], months: int, veto_item: str,
            override: dict[str, Any] | None) -> Callable[[ScoreRow], str]:
    """The reason of a row, to be made when first read. What the later steps change (a rated or
    capped grade, flags) is not what the reason reads, so made later it says what it said now."""
    return lambda row: explain(policy, row, facts_of(row.ranking_group), months, veto_item, override).one_line()


def _rated_and_probation(session: Session, period: Period, policy: Policy, rows: list[ScoreRow]) -> None:
    """A reviewer-rated month takes the reviewer's levels; a year caps those on probation."""
    from desktop.services import probation, ratings

    if policy.rated_by == "reviewer" and period.kind == "month":
        ratings.apply(rows, ratings.ratings_of(session, period), True)
        for row in rows:
            if "rated" in row.flags and row.grade != row.engine_grade:
                row.why = "；".join(filter(None, [row.why, f"审核人评定为{policy.label_of(row.grade)}"]))
    if period.kind == "year":
        probation.cap(rows, probation.overlapping(session, period.start, period.end), policy)


def _apply_overrides(rows: list[ScoreRow], overrides: dict[int, GradeOverride]) -> None:
    for row in rows:
        override = overrides.get(row.person_id)
        if override is not None and override.to_grade != row.engine_grade:
            row.grade = override.to_grade
            row.flags = sorted({*row.flags, "override"})


def store(session: Session, actor: Actor, period: Period) -> list[ScoreRow]:
    """Compute and keep the results (before review and signing), replacing earlier ones."""
    require(actor, "period.compute")
    ensure_open_for_results(period)
    version = version_for(session, period)
    policy = policy_for(session, period)
    rows = calculate(session, period, policy)
    session.execute(delete(ScoreResult).where(ScoreResult.period_id == period.id))
    for row in rows:
        session.add(ScoreResult(
            period_id=period.id, person_id=row.person_id, department_id=row.department_id,
            sequence=row.sequence, ranking_group=row.ranking_group, base_tenths=row.base,
            dept_bonus_tenths=row.dept_bonus, dept_deduction_tenths=row.dept_deduction,
            higher_bonus_tenths=row.higher_bonus, higher_deduction_tenths=row.higher_deduction,
            start_tenths=row.start, total_tenths=row.total, rank_department=row.rank_department,
            rank_sequence=row.rank_sequence, rank_group=row.rank_group, engine_grade=row.engine_grade,
            grade=row.grade, vetoed=row.vetoed, excluded_reason=row.excluded_reason, flags=",".join(row.flags),
            ranked_total_tenths=row.ranked_total, days_present=row.days_present, period_days=row.period_days,
            reason=row.reason, missed=row.missed, why=row.why[:1000],
            month_grades=",".join(row.month_grades), person_badge=row.badge, person_name=row.name,
            person_identity=row.identity, department_name=row.department,
        ))
    policy_row = policy_row_for(session, period)
    period.grade_policy_id = policy_row.id if policy_row is not None else None
    period.policy_version_id = version.id if version is not None else None
    period.computed_at = dt.datetime.now()
    session.flush()
    audit.record(session, actor, "period.compute", "period", period.code, people=len(rows),
                 policy=policy.code, policy_version=version.uuid if version is not None else None)
    return rows


def stored(session: Session, period: Period) -> list[ScoreRow]:
    query = (
        select(ScoreResult, Person, Department).join(Person, Person.id == ScoreResult.person_id)
        .join(Department, Department.id == ScoreResult.department_id)
        .where(ScoreResult.period_id == period.id).order_by(Department.sort_order, Person.badge)
    )
    rows = []
    for res, person, dept in session.execute(query):
        rows.append(ScoreRow(  # the names the result was graded under (a later rename changes nothing here)
            person_id=person.id, badge=res.person_badge or person.badge, name=res.person_name or person.name,
            identity=res.person_identity or person.identity, department_id=dept.id,
            department=res.department_name or dept.name, sequence=res.sequence,
            ranking_group=res.ranking_group, base=res.base_tenths, dept_bonus=res.dept_bonus_tenths,
            dept_deduction=res.dept_deduction_tenths, higher_bonus=res.higher_bonus_tenths,
            higher_deduction=res.higher_deduction_tenths, start=res.start_tenths, total=res.total_tenths,
            rank_department=res.rank_department, rank_sequence=res.rank_sequence, rank_group=res.rank_group,
            engine_grade=res.engine_grade, grade=res.grade, vetoed=res.vetoed,
            excluded_reason=res.excluded_reason, flags=[f for f in res.flags.split(",") if f],
            ranked_total=res.total_tenths if res.ranked_total_tenths is None else res.ranked_total_tenths,
            days_present=res.days_present or 0, period_days=res.period_days or 0,
            prorated=bool(res.days_present and res.period_days and res.days_present < res.period_days),
            reason=res.reason or "", missed=res.missed, why_text=res.why or "",
            month_grades=[g for g in (res.month_grades or "").split(",") if g],
        ))
    return rows


def results(session: Session, period: Period) -> list[ScoreRow]:
    """What screens, sheets and exports show: frozen rows once locked, else a fresh computation."""
    if period.state == PeriodState.LOCKED.value:
        return stored(session, period)
    return calculate(session, period)


def by_department(rows: list[ScoreRow]) -> dict[str, list[ScoreRow]]:
    groups: dict[str, list[ScoreRow]] = defaultdict(list)
    for row in rows:
        groups[row.department].append(row)
    for members in groups.values():
        members.sort(key=lambda r: (r.rank_department is None, r.rank_department or 0, r.badge))
    return dict(groups)
