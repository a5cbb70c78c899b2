"""From a period's score rows to ranks and grades: pro-rating, exclusions, the period rule.

`scoring.calculate` gathers the points; this module decides what is compared. Under every
period rule a person present for part of the period is ranked on a pro-rated total (as if
present throughout), and the policy's monthly thresholds are scaled by the period's months.
Under `from_months` a person's period grade is capped by the grade the months give.
"""

from __future__ import annotations

import calendar
import datetime as dt
import math
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING

from desktop.services.grade_engine import Candidate, Outcome, Policy, grade_group, grouped_ranks, sort_key

if TYPE_CHECKING:
    from desktop.services.scoring import ScoreRow


def prorated(total: int, start_counted: int, start_full: int, period_days: int, days_present: int) -> int:
    """The total as if present all period: the points scaled by period days ÷ days present
    (half up, in tenths), plus the starting score of every month of the period."""
    if days_present <= 0 or days_present >= period_days:
        return total
    points = Decimal(total - start_counted) * period_days / days_present
    return start_full + int(points.to_integral_value(rounding=ROUND_HALF_UP))


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day `months` later (the month's last day where it has fewer days)."""
    year, month0 = divmod(day.year * 12 + day.month - 1 + months, 12)
    return dt.date(year, month0 + 1, min(day.day, calendar.monthrange(year, month0 + 1)[1]))


def exclusion(policy: Policy, *, is_head: bool, days_active: int, period_days: int, months: int,
              active_from: dt.date | None, period_end: dt.date, leave_days: int) -> str:
    """Why a person is not graded this period ('' when graded); the policy's exclusions in order."""
    if is_head and policy.exclude_heads:
        return "一把手不参与本单位排名"
    if days_active < policy.min_active_share * period_days:
        return f"本期在岗时间不足：在岗 {days_active} 天，不到 {policy.min_active_share * 100:.0f}%"
    if policy.new_hire_months and active_from is not None \
            and add_months(active_from, policy.new_hire_months) > period_end + dt.timedelta(days=1):
        return f"新入职未满 {policy.new_hire_months} 个月"
    if policy.long_leave_days and leave_days > policy.long_leave_days * months:
        return f"本期请假 {leave_days} 天，超过 {policy.long_leave_days * months} 天"
    return ""


def surely_graded(policy: Policy, *, period_days: int, months: int, period_end: dt.date
                  ) -> Callable[[bool, int, dt.date | None, int], bool]:
    """A quick test, made once a period, that `exclusion` would find nothing: (is_head, days
    active, active_from, leave days) -> True only when none of the policy's exclusions can
    apply. False means "ask `exclusion`", which gives the reason; a county's 2,000 people
    mostly pass here without it."""
    heads_out = policy.exclude_heads
    # d < share × days for an integer d exactly when d < ⌈share × days⌉
    min_days = math.ceil(policy.min_active_share * period_days)
    # n months later is at most 31 × n days later: anyone who started by then is no new hire
    hired_by = (period_end + dt.timedelta(days=1) - dt.timedelta(days=31 * policy.new_hire_months)
                if policy.new_hire_months else None)
    most_leave = policy.long_leave_days * months if policy.long_leave_days else None

    def graded(is_head: bool, days_active: int, active_from: dt.date | None, leave_days: int) -> bool:
        return (not (is_head and heads_out) and days_active >= min_days
                and (hired_by is None or active_from is None or active_from <= hired_by)
                and (most_leave is None or leave_days <= most_leave))

    return graded


def derived_grade(policy: Policy, month_grades: Iterable[str]) -> str | None:
    """The period grade the months give: the most frequent (ties to the lower) or the lowest."""
    indexes = [policy.index(g) for g in month_grades if g in policy.codes()]
    if not indexes:
        return None
    if policy.month_rule == "lowest":
        return policy.codes()[max(indexes)]
    tally = Counter(indexes)
    best = max(tally.values())
    return policy.codes()[max(i for i, c in tally.items() if c == best)]


def candidate(row: ScoreRow, ceiling: int = 0) -> Candidate:
    # Positional, in Candidate's field order (key, total, base, deductions, vetoed, excluded,
    # bonuses, ceiling): a named tuple built by keyword costs twice as much, 2,000 times a month.
    return Candidate(row.person_id, row.ranked_total, row.base, row.dept_deduction + row.higher_deduction,
                     row.vetoed, row.excluded_reason, row.dept_bonus + row.higher_bonus, ceiling)


def rank_and_grade(rows: list[ScoreRow], policy: Policy, months: int,
                   ceilings: dict[int, int] | None = None,
                   keys: dict[int, tuple[int, ...]] | None = None,
                   candidates: dict[int, Candidate] | None = None) -> dict[int, Outcome]:
    """Ranks within department, sequence and ranking group; grades within ranking group.
    `candidates` (`candidates_of` the rows) and `keys` (`sort_keys` of them) spare a caller that
    needs them too from making them twice."""
    ceilings = ceilings or {}
    by_id = {r.person_id: r for r in rows}
    if candidates is None:
        candidates = candidates_of(rows, ceilings)
    keys = keys if keys is not None else {key: sort_key(policy, c) for key, c in candidates.items()}
    _competition_ranks(by_id, keys)
    groupings: dict[str, list[ScoreRow]] = defaultdict(list)
    for row in rows:
        groupings[row.ranking_group].append(row)
    outcomes: dict[int, Outcome] = {}
    use_thresholds = not (ceilings and policy.period_rule == "from_months")
    for members in groupings.values():
        found = grade_group(policy, [candidates[r.person_id] for r in members], keys, months=months,
                            use_thresholds=use_thresholds)
        for key, outcome in found.items():
            row = by_id[key]
            row.engine_grade = row.grade = outcome.grade
            row.flags = sorted(outcome.flags) if outcome.flags else []
            row.reason, row.missed = outcome.reason, outcome.missed
        outcomes.update(found)
    return outcomes


def candidates_of(rows: Iterable[ScoreRow], ceilings: dict[int, int] | None = None) -> dict[int, Candidate]:
    """person id -> what the engine grades of the row (`ceilings`: person id -> best level index)."""
    ceilings = ceilings or {}
    return {r.person_id: candidate(r, ceilings.get(r.person_id, 0)) for r in rows}


def sort_keys(rows: Iterable[ScoreRow], policy: Policy,
              candidates: dict[int, Candidate] | None = None) -> dict[int, tuple[int, ...]]:
    """person id -> the engine's sort key (best first), shared by ranking, grading and reasons."""
    if candidates is not None:
        return {key: sort_key(policy, c) for key, c in candidates.items()}
    return {r.person_id: sort_key(policy, candidate(r)) for r in rows}


def _competition_ranks(by_id: dict[int, ScoreRow], keys: dict[int, tuple[int, ...]]) -> None:
    """Each graded row's rank within its department, its sequence and its ranking group."""
    groups = {pid: (r.department_id, r.sequence, r.ranking_group) for pid, r in by_id.items() if not r.excluded_reason}
    for person_id, (department, sequence, group) in grouped_ranks(keys, groups).items():
        row = by_id[person_id]
        row.rank_department, row.rank_sequence, row.rank_group = department, sequence, group


def quota_breaches(rows: list[ScoreRow], policy: Policy) -> list[str]:
    """Per ranking group, each level whose count breaks its quota after the chief's overrides."""
    from desktop.services.grade_why import group_label, quota_line

    groups: dict[str, list[ScoreRow]] = defaultdict(list)
    for row in rows:
        if not row.excluded_reason:
            groups[row.ranking_group].append(row)
    lines = []
    for members in groups.values():
        n = len(members)
        tally = Counter(r.grade for r in members)
        for lv in policy.levels:
            low, high = lv.min_count(n), lv.max_count(n)
            count = tally.get(lv.code, 0)
            if (high is not None and count > high) or (low is not None and count < low):
                lines.append(f"{group_label(members[0])}：{quota_line(policy, lv, n)}，实有 {count} 人（所长调整所致）")
    return lines
