"""Grade engine: turns one ranking group's scores into grades (等次) under a grade policy.

Pure functions over plain data: no Qt, no database. Points are integer tenths (84.5 points
= 845) and shares are `Decimal`, so quota arithmetic is exact and never depends on floats.
The engine never draws lots: people whose scores cannot be told apart get the same grade and
are flagged ``tie_at_line`` when they sit on a quota line, for the chief to decide. Each
outcome says why (``reason``), which `grade_why` turns into words.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence
from operator import attrgetter
from typing import Any, NamedTuple

from desktop.services.grade_policy import (
    ROUNDINGS,
    TIE_BREAKS,
    GradeLevel,
    Policy,
    PolicyError,
    load_preset,
    points_text,
    preset_codes,
)

__all__ = ["ROUNDINGS", "TIE_BREAKS", "Candidate", "GradeLevel", "Outcome", "Policy", "PolicyError",
           "competition_ranks", "grade_group", "load_preset", "points_text", "preset_codes", "quota_counts",
           "sort_key"]

FLAGS = frozenset({"veto", "excluded", "tie_at_line"})
_NO_FLAGS: frozenset[str] = frozenset()
# Why a person got the grade they got, relative to the level above it.
REASONS = frozenset({"veto", "top", "threshold", "cap", "ceiling", "min_fill", "excluded"})


class Candidate(NamedTuple):
    """One person to grade. `total`, `base`, `deductions` and `bonuses` are tenths of a point;
    `total` is the figure ranked and compared (pro-rated where the period asks for it).
    A named tuple, not a frozen dataclass: as immutable, and a county month makes thousands of
    them, where a frozen dataclass costs twice as much to build."""

    key: int
    total: int
    base: int
    deductions: int
    vetoed: bool = False
    excluded: str = ""  # non-empty reason → not graded and not counted in quotas
    bonuses: int = 0
    ceiling: int = 0  # index of the best level this person may get (0 = any)


class Outcome(NamedTuple):
    """The engine's grade for one person (None when excluded), its flags, and why: `reason`
    says what kept the person out of `missed`, the level just above the grade (see REASONS).
    A named tuple for the same reason as `Candidate`."""

    key: int
    grade: str | None
    flags: frozenset[str]
    reason: str = "top"
    missed: str | None = None


def sort_key(policy: Policy, c: Candidate) -> tuple[int, ...]:
    """Ascending sort puts the best first: higher total, then the policy's tie-breaks."""
    key = [-c.total]
    for rule in policy.tie_break:
        key.append(c.deductions if rule == "fewer_deductions" else -c.base if rule == "higher_base"
                   else -c.bonuses)
    return tuple(key)


SortKeys = Mapping[int, tuple[int, ...]]  # candidate key → its `sort_key`, made once by a caller
_KEY = attrgetter("key")
_CEILING = attrgetter("ceiling")


def _tie_groups(policy: Policy, candidates: Sequence[Candidate], keys: SortKeys | None = None,
                by_ceiling: bool = False) -> list[list[Candidate]]:
    """Best first; members of one group have equal full sort keys (key order inside is stable).
    `keys` (the `sort_key` of every candidate) spares a caller ranking the same people several
    ways from working the keys out again each time. `by_ceiling` puts people allowed a better
    level first (a grade derived from the months outranks the period total)."""
    if keys is None:
        keys = {c.key: sort_key(policy, c) for c in candidates}
    # By key, then stably by sort key (then by ceiling): the order of (ceiling, sort key, key)
    # without building those tuples and comparing them nested, half the time of one such sort.
    ordered = sorted(candidates, key=_KEY)
    ordered.sort(key=lambda c: keys[c.key])
    if by_ceiling:
        ordered.sort(key=_CEILING)
    groups: list[list[Candidate]] = []
    last: Any = None
    for c in ordered:
        full = (c.ceiling, keys[c.key]) if by_ceiling else keys[c.key]
        if groups and full == last:
            groups[-1].append(c)
        else:
            groups.append([c])
        last = full
    return groups


def competition_ranks(policy: Policy, candidates: Sequence[Candidate], keys: SortKeys | None = None
                      ) -> dict[int, int]:
    """Standard competition ranks (1, 2, 2, 4) of the non-excluded; true ties share a rank."""
    live = [c for c in candidates if not c.excluded]
    found = keys if keys is not None else {c.key: sort_key(policy, c) for c in live}
    return {key: ranks[0] for key, ranks in grouped_ranks(found, {c.key: (None,) for c in live}).items()}


def grouped_ranks(keys: SortKeys, groups: Mapping[int, Sequence[Hashable]]) -> dict[int, tuple[int, ...]]:
    """Competition ranks of each candidate in each of several groupings at once, from one sort:
    `groups[key]` names the candidate's group in every grouping (its department, its sequence,
    its ranking group …) and the result holds its rank in each, in that order. Only the
    candidates in `groups` are ranked; true ties (equal `keys`) share a rank."""
    if not groups:
        return {}
    ids = sorted(groups)  # by key, then stably by sort key: as `_tie_groups`
    ids.sort(key=keys.__getitem__)
    sort_keys = [keys[key] for key in ids]
    columns: list[list[int]] = []
    # One pass per grouping over the one sorted order, a column at a time: a county month ranks
    # 2,000 people three ways, and the column's own loop is a third of the per-person lookups.
    for column in zip(*(groups[key] for key in ids), strict=True):
        seen: dict[Hashable, list[Any]] = {}  # group -> [ranked so far, last key, last rank]
        ranks: list[int] = []
        put = ranks.append
        for k, group in zip(sort_keys, column, strict=True):
            state = seen.get(group)
            if state is None:
                seen[group] = [1, k, 1]
                put(1)
                continue
            state[0] += 1
            if k != state[1]:
                state[1], state[2] = k, state[0]
            put(state[2])
        columns.append(ranks)
    return dict(zip(ids, zip(*columns, strict=True), strict=True))


def quota_counts(policy: Policy, n: int) -> dict[str, tuple[int | None, int | None]]:
    """Per level (min_count, max_count) for `n` graded people; None means no bound."""
    return {lv.code: (lv.min_count(n), lv.max_count(n)) for lv in policy.levels}


def scaled_thresholds(policy: Policy, months: int) -> list[int | None]:
    """Per level, the total it needs over a period of `months` months (n × the monthly line)."""
    return [None if t is None else t * months for t in policy.thresholds()]


def grade_group(policy: Policy, candidates: Sequence[Candidate], keys: SortKeys | None = None, *,
                months: int = 1, use_thresholds: bool = True) -> dict[int, Outcome]:
    """Grade one ranking group. Deterministic, never by lot; see module docstring for flags.

    Vetoed people count in n and occupy their veto grade's quota (so they count toward the
    worst level's minimum). The worst level's minimum is filled first from the bottom with
    whole tie groups; then the other levels are filled best first with whole tie groups that
    meet the score line (scaled by `months`), are allowed the level (`Candidate.ceiling`) and
    fit under the cap; whoever is left gets the worst level.
    """
    if len({c.key for c in candidates}) != len(candidates):
        raise ValueError("grade_group: 同一人员出现了多次")
    graded = [c for c in candidates if not c.excluded]
    n = len(graded)
    grades = {c.key: policy.veto_grade for c in graded if c.vetoed}
    reasons: dict[int, str] = {c.key: "veto" for c in graded if c.vetoed}
    # Only the flagged have an entry: most of a county's people have no flag at all.
    flags: dict[int, set[str]] = {c.key: {"veto"} for c in graded if c.vetoed}
    ceilings = any(c.ceiling for c in graded)
    groups = _tie_groups(policy, [c for c in graded if not c.vetoed], keys, by_ceiling=ceilings)

    def put(group: list[Candidate], code: str | None, flag: bool = False) -> None:
        for c in group:
            if code is not None:
                grades[c.key] = code
            if flag:
                flags.setdefault(c.key, set()).add("tie_at_line")

    worst = policy.worst
    min_count = worst.min_count(n)
    if min_count is not None:  # fill the minimum from the bottom, whole tie groups only
        need = min_count - sum(1 for g in grades.values() if g == worst.code)
        taken = 0
        while groups and taken < need:
            group = groups.pop()
            taken += len(group)
            put(group, worst.code, flag=taken > need and len(group) > 1)
            reasons.update((c.key, "min_fill") for c in group)

    thresholds = scaled_thresholds(policy, months) if use_thresholds else [None] * len(policy.levels)
    index = 0
    for i, lv in enumerate(policy.levels[:-1]):
        threshold = thresholds[i]
        cap = lv.max_count(n)
        count = sum(1 for g in grades.values() if g == lv.code)  # vetoed people already here
        while index < len(groups):
            group = groups[index]
            allowed = all(c.ceiling <= i for c in group)
            meets_score = threshold is None or all(c.total >= threshold for c in group)
            if not allowed or not meets_score or (cap is not None and count + len(group) > cap):
                put(group, None, flag=allowed and meets_score and cap is not None and count < cap)
                break
            put(group, lv.code)
            count += len(group)
            index += 1
    worst_code = worst.code
    for group in groups[index:]:  # most of a county's groups: inline, not a call of `put` each
        for c in group:
            grades[c.key] = worst_code

    levels, positions = policy.levels, policy.positions
    out = {c.key: Outcome(c.key, None, frozenset({"excluded"}), "excluded") for c in candidates if c.excluded}
    for c in graded:
        key = c.key
        grade = grades[key]
        reason, missed = reasons.get(key), None
        position = positions[grade] if grade in positions else policy.index(grade)  # the latter raises
        if reason is None and position > 0:
            above = position - 1
            missed = levels[above].code
            line = thresholds[above]
            if c.ceiling > above:
                reason = "ceiling"
            elif line is not None and c.total < line:
                reason = "threshold"
            else:
                reason = "cap"
        elif reason in ("veto", "min_fill") and position > 0:
            missed = levels[position - 1].code
        found = flags.get(key)
        out[key] = Outcome(key, grade, frozenset(found) if found else _NO_FLAGS, reason or "top", missed)
    return out
