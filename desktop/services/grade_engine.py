"""Grade engine: turns one ranking group's scores into grades (等次) under a grade policy.

Pure functions over plain data: no Qt, no database. Points are integer tenths (84.5 points
= 845) and shares are `Decimal`, so quota arithmetic is exact and never depends on floats.
The engine never draws lots: people whose scores cannot be told apart get the same grade and
are flagged ``tie_at_line`` when they sit on a quota line, for the chief to decide.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_CEILING, ROUND_FLOOR, ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from desktop.paths import resource

ROUNDINGS = {"floor": ROUND_FLOOR, "ceil": ROUND_CEILING, "half_up": ROUND_HALF_UP}
TIE_BREAKS = ("fewer_deductions", "higher_base")
FLAGS = frozenset({"veto", "excluded", "tie_at_line"})
_POLICY_KEYS = set("code name description levels veto_grade exclude_heads min_active_share tie_break".split())
_LEVEL_KEYS = {"code", "label", "max_share", "min_share", "min_score", "rounding"}


class PolicyError(ValueError):
    """A grade policy is malformed; the message (Chinese) names the field and the reason."""


def _fail(field: str, why: str) -> PolicyError:
    return PolicyError(f"等次方案字段 {field}：{why}")


@dataclass(frozen=True)
class Candidate:
    """One person to grade. `total`, `base` and `deductions` are tenths of a point."""

    key: int
    total: int
    base: int
    deductions: int
    vetoed: bool = False
    excluded: str = ""  # non-empty reason → not graded and not counted in quotas


@dataclass(frozen=True)
class GradeLevel:
    """One grade of a scale, with its optional quota share(s) and score threshold."""

    code: str
    label: str
    max_share: Decimal | None = None  # at most this share of n (rounded down by default)
    min_share: Decimal | None = None  # last level only: at least this share (rounded up by default)
    min_score: int | None = None  # tenths; total must reach this to get the level
    rounding: str | None = None  # "floor" | "ceil" | "half_up" overrides the default rounding

    def max_count(self, n: int) -> int | None:
        """Most people allowed in this level out of `n` graded, or None if unlimited."""
        return None if self.max_share is None else _apply(n * self.max_share, self.rounding or "floor")

    def min_count(self, n: int) -> int | None:
        """Fewest people required in this level out of `n` graded, or None if no minimum."""
        return None if self.min_share is None else _apply(n * self.min_share, self.rounding or "ceil")


def _apply(value: Decimal, rounding: str) -> int:
    return int(value.to_integral_value(rounding=ROUNDINGS[rounding]))


@dataclass(frozen=True)
class Policy:
    """A grade scale (best level first) with quotas, veto grade, exclusions and tie-breaks.

    Constructing one validates it, so an invalid policy can never reach `grade_group`.
    """

    code: str
    name: str
    levels: tuple[GradeLevel, ...]
    veto_grade: str
    exclude_heads: bool = True
    min_active_share: Decimal = Decimal("0.5")
    tie_break: tuple[str, ...] = ("fewer_deductions", "higher_base")
    description: str = ""

    def __post_init__(self) -> None:
        if not self.code or len(self.code) > 32:
            raise _fail("code", "方案代码不能为空，且不超过 32 个字符")
        if not self.name or len(self.name) > 100:
            raise _fail("name", "方案名称不能为空，且不超过 100 个字符")
        if len(self.levels) < 2:
            raise _fail("levels", "至少需要两个等次")
        seen: set[str] = set()
        last = len(self.levels) - 1
        for i, lv in enumerate(self.levels):
            where = f"levels[{i}]"
            if not lv.code or len(lv.code) > 16:
                raise _fail(f"{where}.code", "等次代码不能为空，且不超过 16 个字符")
            if lv.code in seen:
                raise _fail(f"{where}.code", f"等次代码“{lv.code}”重复")
            seen.add(lv.code)
            if not lv.label:
                raise _fail(f"{where}.label", "等次名称不能为空")
            _check_share(lv.max_share, f"{where}.max_share")
            _check_share(lv.min_share, f"{where}.min_share")
            if lv.min_share is not None and i != last:
                raise _fail(f"{where}.min_share", "只有最后一个（最低）等次可以设最低比例")
            if i == last and (lv.max_share is not None or lv.min_score is not None):
                raise _fail(f"{where}", "最后一个等次收容其余所有人员，不能设最高比例或分数线")
            if lv.rounding is not None and lv.rounding not in ROUNDINGS:
                raise _fail(
                    f"{where}.rounding", f"取整方式只能是 floor、ceil 或 half_up，不能是“{lv.rounding}”"
                )
        if self.veto_grade not in seen:
            raise _fail("veto_grade", f"“{self.veto_grade}”不是本方案的等次代码")
        _check_share(self.min_active_share, "min_active_share")
        if not set(self.tie_break) <= set(TIE_BREAKS) or len(set(self.tie_break)) != len(self.tie_break):
            raise _fail(
                "tie_break", f"只能是 {'、'.join(TIE_BREAKS)} 中不重复的几项，实际为 {list(self.tie_break)}"
            )

    @property
    def worst(self) -> GradeLevel:
        """The last (lowest) level; everyone not placed elsewhere ends up here."""
        return self.levels[-1]

    def codes(self) -> list[str]:
        return [lv.code for lv in self.levels]

    def level(self, code: str) -> GradeLevel:
        for lv in self.levels:
            if lv.code == code:
                return lv
        raise KeyError(f"等次方案“{self.name}”中没有等次“{code}”")

    @classmethod
    def from_json(cls, data: str | dict[str, Any]) -> Policy:
        """Parse and validate the JSON form (points as decimal strings, shares as strings)."""
        if isinstance(data, str):
            try:
                data = json.loads(data)
            except json.JSONDecodeError as exc:
                raise PolicyError(f"等次方案不是有效的 JSON：第 {exc.lineno} 行第 {exc.colno} 列") from exc
        if not isinstance(data, dict):
            raise PolicyError("等次方案必须是一个 JSON 对象")
        _no_unknown(data, _POLICY_KEYS, "")
        raw_levels = data.get("levels")
        if not isinstance(raw_levels, list):
            raise _fail("levels", "必须是等次列表（从高到低）")
        levels = tuple(_level_from(raw, f"levels[{i}]") for i, raw in enumerate(raw_levels))
        tie_break = data.get("tie_break", list(TIE_BREAKS))
        if not isinstance(tie_break, list) or not all(isinstance(t, str) for t in tie_break):
            raise _fail("tie_break", "必须是字符串列表")
        exclude_heads = data.get("exclude_heads", True)
        if not isinstance(exclude_heads, bool):
            raise _fail("exclude_heads", "必须是 true 或 false")
        worst = levels[-1].code if levels else ""
        return cls(
            code=_text(data, "code", "", ""),
            name=_text(data, "name", "", ""),
            levels=levels,
            veto_grade=_text(data, "veto_grade", "", worst),
            exclude_heads=exclude_heads,
            min_active_share=_decimal(data.get("min_active_share", "0.5"), "min_active_share"),
            tie_break=tuple(tie_break),
            description=_text(data, "description", "", ""),
        )

    def to_json(self) -> str:
        """The JSON form; `Policy.from_json(p.to_json()) == p`."""
        levels = []
        for lv in self.levels:
            extra = {"max_share": lv.max_share, "min_share": lv.min_share, "rounding": lv.rounding}
            extra["min_score"] = None if lv.min_score is None else points_text(lv.min_score)
            levels.append(
                {"code": lv.code, "label": lv.label} | {k: str(v) for k, v in extra.items() if v is not None}
            )
        data = {
            "code": self.code,
            "name": self.name,
            "description": self.description,
            "levels": levels,
            "veto_grade": self.veto_grade,
            "exclude_heads": self.exclude_heads,
            "min_active_share": str(self.min_active_share),
            "tie_break": list(self.tie_break),
        }
        return json.dumps(data, ensure_ascii=False, indent=2)


def _no_unknown(data: dict[str, Any], allowed: set[str], where: str) -> None:
    unknown = sorted(set(data) - allowed)
    if unknown:
        raise _fail(where + unknown[0], f"未知字段（允许的字段：{'、'.join(sorted(allowed))}）")


def _text(data: dict[str, Any], key: str, where: str, default: str) -> str:
    value = data.get(key, default)
    if not isinstance(value, str):
        raise _fail(where + key, "必须是文字")
    return value.strip()


def _decimal(value: Any, field: str) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise _fail(field, f"必须是数字或数字文字，实际为 {value!r}")
    try:
        result = Decimal(str(value).strip())
    except InvalidOperation:
        result = Decimal("NaN")
    if not result.is_finite():
        raise _fail(field, f"不是有效的数字：{value!r}")
    return result


def _check_share(share: Decimal | None, field: str) -> None:
    if share is not None and not Decimal(0) <= share <= Decimal(1):
        raise _fail(field, f"比例必须在 0 到 1 之间，实际为 {share}")


def _level_from(raw: Any, where: str) -> GradeLevel:
    if not isinstance(raw, dict):
        raise _fail(where, "每个等次必须是一个 JSON 对象")
    _no_unknown(raw, _LEVEL_KEYS, where + ".")
    code = _text(raw, "code", where + ".", "")
    min_score = None
    if raw.get("min_score") is not None:
        points = _decimal(raw["min_score"], where + ".min_score")
        tenths = points * 10
        if tenths != tenths.to_integral_value():
            raise _fail(where + ".min_score", f"分数最多一位小数，实际为 {raw['min_score']}")
        min_score = int(tenths)
    return GradeLevel(
        code=code,
        label=_text(raw, "label", where + ".", code) or code,
        max_share=None if raw.get("max_share") is None else _decimal(raw["max_share"], where + ".max_share"),
        min_share=None if raw.get("min_share") is None else _decimal(raw["min_share"], where + ".min_share"),
        min_score=min_score,
        rounding=_text(raw, "rounding", where + ".", "") or None,
    )


def points_text(tenths: int) -> str:
    """Tenths as a points string without a trailing ".0": 600 → "60", 595 → "59.5"."""
    sign = "-" if tenths < 0 else ""
    whole, frac = divmod(abs(tenths), 10)
    return f"{sign}{whole}" if frac == 0 else f"{sign}{whole}.{frac}"


@dataclass(frozen=True)
class Outcome:
    """The engine's grade for one person (None when excluded) and why it may need a look."""

    key: int
    grade: str | None
    flags: frozenset[str]


def sort_key(policy: Policy, c: Candidate) -> tuple[int, ...]:
    """Ascending sort puts the best first: higher total, then the policy's tie-breaks."""
    key = [-c.total]
    for rule in policy.tie_break:
        key.append(c.deductions if rule == "fewer_deductions" else -c.base)
    return tuple(key)


SortKeys = Mapping[int, tuple[int, ...]]  # candidate key → its `sort_key`, made once by a caller


def _tie_groups(policy: Policy, candidates: Sequence[Candidate], keys: SortKeys | None = None
                ) -> list[list[Candidate]]:
    """Best first; members of one group have equal full sort keys (key order inside is stable).
    `keys` (the `sort_key` of every candidate) spares a caller ranking the same people several
    ways from working the keys out again each time."""
    groups: list[list[Candidate]] = []
    last: tuple[int, ...] | None = None
    ordered = sorted((sort_key(policy, c) if keys is None else keys[c.key], c.key, c) for c in candidates)
    for k, _key, c in ordered:
        if groups and k == last:
            groups[-1].append(c)
        else:
            groups.append([c])
        last = k
    return groups


def competition_ranks(policy: Policy, candidates: Sequence[Candidate], keys: SortKeys | None = None
                      ) -> dict[int, int]:
    """Standard competition ranks (1, 2, 2, 4) of the non-excluded; true ties share a rank."""
    ranks: dict[int, int] = {}
    position = 1
    for group in _tie_groups(policy, [c for c in candidates if not c.excluded], keys):
        for c in group:
            ranks[c.key] = position
        position += len(group)
    return ranks


def quota_counts(policy: Policy, n: int) -> dict[str, tuple[int | None, int | None]]:
    """Per level (min_count, max_count) for `n` graded people; None means no bound."""
    return {lv.code: (lv.min_count(n), lv.max_count(n)) for lv in policy.levels}


def grade_group(policy: Policy, candidates: Sequence[Candidate], keys: SortKeys | None = None
                ) -> dict[int, Outcome]:
    """Grade one ranking group. Deterministic, never by lot; see module docstring for flags.

    Vetoed people count in n and occupy their veto grade's quota (so they count toward the
    worst level's minimum). The worst level's minimum is filled first from the bottom with
    whole tie groups; then the other levels are filled best first with whole tie groups that
    meet the score line and fit under the cap; whoever is left gets the worst level.
    """
    if len({c.key for c in candidates}) != len(candidates):
        raise ValueError("grade_group: 同一人员出现了多次")
    graded = [c for c in candidates if not c.excluded]
    n = len(graded)
    grades = {c.key: policy.veto_grade for c in graded if c.vetoed}
    flags: dict[int, set[str]] = {c.key: {"veto"} if c.vetoed else set() for c in graded}
    groups = _tie_groups(policy, [c for c in graded if not c.vetoed], keys)

    def put(group: list[Candidate], code: str | None, flag: bool = False) -> None:
        for c in group:
            if code is not None:
                grades[c.key] = code
            if flag:
                flags[c.key].add("tie_at_line")

    worst = policy.worst
    min_count = worst.min_count(n)
    if min_count is not None:  # fill the minimum from the bottom, whole tie groups only
        need = min_count - sum(1 for g in grades.values() if g == worst.code)
        taken = 0
        while groups and taken < need:
            group = groups.pop()
            taken += len(group)
            put(group, worst.code, flag=taken > need and len(group) > 1)

    # A better level is never easier to reach than a worse one: if 合格 needs 60 points,
    # so do 良好 and 优秀, even when only the lower level states the threshold.
    upper = policy.levels[:-1]
    thresholds = [max((v.min_score for v in upper[i:] if v.min_score is not None), default=None)
                  for i in range(len(upper))]
    index = 0
    for lv, threshold in zip(upper, thresholds, strict=True):
        cap = lv.max_count(n)
        count = sum(1 for g in grades.values() if g == lv.code)  # vetoed people already here
        while index < len(groups):
            group = groups[index]
            meets_score = threshold is None or all(c.total >= threshold for c in group)
            if not meets_score or (cap is not None and count + len(group) > cap):
                put(group, None, flag=meets_score and cap is not None and count < cap)
                break
            put(group, lv.code)
            count += len(group)
            index += 1
    for group in groups[index:]:
        put(group, worst.code)

    out = {c.key: Outcome(c.key, None, frozenset({"excluded"})) for c in candidates if c.excluded}
    out.update((c.key, Outcome(c.key, grades[c.key], frozenset(flags[c.key]))) for c in graded)
    return out


def preset_codes() -> list[str]:
    """Codes of the bundled policy presets (file names in resources/policies)."""
    return sorted(p.stem for p in resource("policies").glob("*.json"))


def load_preset(code: str) -> Policy:
    """Load and validate a bundled preset such as "abcd", "five_level" or "four_level"."""
    path = resource("policies", f"{code}.json")
    if code not in preset_codes():
        raise PolicyError(f"没有名为“{code}”的预设等次方案")
    return Policy.from_json(path.read_text(encoding="utf-8"))
