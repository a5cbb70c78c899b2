"""Grade policies (等次政策): the scale, its quotas, thresholds, exclusions, tie-breaks and the
rule for longer periods, with validation that names the field in Chinese.

A policy is plain data; `grade_engine` applies it. Points are integer tenths and shares are
`Decimal`, so quota arithmetic is exact. The JSON form is what `jifen policy show` prints and
`jifen policy set` reads.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from decimal import ROUND_CEILING, ROUND_FLOOR, ROUND_HALF_UP, Decimal, InvalidOperation
from functools import cached_property
from typing import Any

from desktop.paths import resource

ROUNDINGS = {"floor": ROUND_FLOOR, "ceil": ROUND_CEILING, "half_up": ROUND_HALF_UP}
ROUNDING_LABELS = {"floor": "向下取整", "ceil": "向上取整", "half_up": "四舍五入"}
TIE_BREAKS = ("fewer_deductions", "higher_base", "higher_bonus")
TIE_BREAK_LABELS = {"fewer_deductions": "扣分少者在前", "higher_base": "基础工作积分高者在前",
                    "higher_bonus": "加分多者在前"}
# How a quarter, half-year or year is graded: on its (pro-rated) total against n × the monthly
# thresholds, or from the months' own grades.
PERIOD_RULES = {"scaled": "按周期总分评定（分数线按月数放大，部分在岗者折算）", "from_months": "由各月等次推定"}
MONTH_RULES = {"most_frequent": "取出现次数最多的月等次（次数相同取较低者）", "lowest": "取各月中最低的等次"}
_POLICY_KEYS = set(
    "code name description levels veto_grade exclude_heads min_active_share tie_break period_rule month_rule "
    "allow_over_quota long_leave_days new_hire_months rated_by probation_cap".split()
)
RATED_BY = ("points", "reviewer")
_LEVEL_KEYS = {"code", "label", "max_share", "min_share", "min_score", "rounding", "min_one_from"}


class PolicyError(ValueError):
    """A grade policy is malformed; the message (Chinese) names the field and the reason."""


def _fail(field: str, why: str) -> PolicyError:
    return PolicyError(f"等次方案字段 {field}：{why}")


def _apply(value: Decimal, rounding: str) -> int:
    return int(value.to_integral_value(rounding=ROUNDINGS[rounding]))


@dataclass(frozen=True)
class GradeLevel:
    """One grade of a scale, with its optional quota share(s) and score threshold."""

    code: str
    label: str
    max_share: Decimal | None = None  # at most this share of n (rounded down by default)
    min_share: Decimal | None = None  # last level only: at least this share (rounded up by default)
    min_score: int | None = None  # tenths, per month; total must reach this to get the level
    rounding: str | None = None  # "floor" | "ceil" | "half_up" overrides the default rounding
    # Small groups: with at least this many graded people the level holds (max) or needs (min)
    # at least one, so a post of 4 can have an A although floor(4 × 20%) = 0.
    min_one_from: int | None = None

    def max_count(self, n: int) -> int | None:
        """Most people allowed in this level out of `n` graded, or None if unlimited."""
        if self.max_share is None:
            return None
        count = _apply(n * self.max_share, self.rounding or "floor")
        return max(count, 1) if self.min_one_from is not None and n >= self.min_one_from else count

    def min_count(self, n: int) -> int | None:
        """Fewest people required in this level out of `n` graded, or None if no minimum."""
        if self.min_share is None:
            return None
        count = _apply(n * self.min_share, self.rounding or "ceil")
        return max(count, 1) if self.min_one_from is not None and n >= self.min_one_from else count

    def rounding_label(self, default: str) -> str:
        return ROUNDING_LABELS[self.rounding or default]


@dataclass(frozen=True)
class Policy:
    """A grade scale (best level first) with quotas, veto grade, exclusions and tie-breaks.

    Constructing one validates it, so an invalid policy can never reach the engine.
    """

    code: str
    name: str
    levels: tuple[GradeLevel, ...]
    veto_grade: str
    exclude_heads: bool = True
    min_active_share: Decimal = Decimal("0.5")
    tie_break: tuple[str, ...] = ("fewer_deductions", "higher_base")
    description: str = ""
    period_rule: str = "scaled"
    month_rule: str = "most_frequent"
    allow_over_quota: bool = False  # may a chief's override break a quota (then printed as a breach)?
    long_leave_days: int | None = None  # leave beyond this many days per month → not graded
    new_hire_months: int | None = None  # not graded until this many months of service at period end
    # "points": the engine grades from the points; "reviewer": each person's reviewer sets the
    # month's level (科尔沁 五级), with the engine's grade beside it as the suggestion.
    rated_by: str = "points"
    # The best grade a person on probation (试岗) can have for the year; None: one below the best.
    probation_cap: str | None = None

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
            _check_level(lv, f"levels[{i}]", i == last, seen)
            seen.add(lv.code)
        if self.veto_grade not in seen:
            raise _fail("veto_grade", f"“{self.veto_grade}”不是本方案的等次代码")
        _check_share(self.min_active_share, "min_active_share")
        if not set(self.tie_break) <= set(TIE_BREAKS) or len(set(self.tie_break)) != len(self.tie_break):
            raise _fail(
                "tie_break", f"只能是 {'、'.join(TIE_BREAKS)} 中不重复的几项，实际为 {list(self.tie_break)}"
            )
        if self.period_rule not in PERIOD_RULES:
            raise _fail("period_rule", f"只能是 {'、'.join(PERIOD_RULES)}，不能是“{self.period_rule}”")
        if self.month_rule not in MONTH_RULES:
            raise _fail("month_rule", f"只能是 {'、'.join(MONTH_RULES)}，不能是“{self.month_rule}”")
        _check_count(self.long_leave_days, "long_leave_days", 1, 31)
        _check_count(self.new_hire_months, "new_hire_months", 1, 24)
        if self.rated_by not in RATED_BY:
            raise _fail("rated_by", f"只能是 {'、'.join(RATED_BY)}，不能是“{self.rated_by}”")
        if self.probation_cap is not None and self.probation_cap not in seen:
            raise _fail("probation_cap", f"“{self.probation_cap}”不是本方案的等次代码")

    @property
    def worst(self) -> GradeLevel:
        """The last (lowest) level; everyone not placed elsewhere ends up here."""
        return self.levels[-1]

    # A policy never changes once made, so what the engine and the reasons ask of it for every
    # one of a county's 2,000 people is worked out once (cached_property writes the instance's
    # __dict__ directly, which a frozen dataclass allows).
    @cached_property
    def _codes(self) -> tuple[str, ...]:
        return tuple(lv.code for lv in self.levels)

    @cached_property
    def positions(self) -> dict[str, int]:
        """level code -> its `index` (the first level of a code), for callers that look up many;
        not to be changed."""
        return {code: i for i, code in reversed(list(enumerate(self._codes)))}

    @cached_property
    def _labels(self) -> dict[str, str]:
        return {lv.code: lv.label for lv in reversed(self.levels)}  # the first level of a code wins

    @cached_property
    def _thresholds(self) -> tuple[int | None, ...]:
        upper = self.levels[:-1]
        found = [max((v.min_score for v in upper[i:] if v.min_score is not None), default=None)
                 for i in range(len(upper))]
        return (*found, None)

    def codes(self) -> list[str]:
        return list(self._codes)

    def index(self, code: str) -> int:
        found = self.positions.get(code)
        if found is None:
            raise ValueError(f"{code!r} is not a level of {self.code}")
        return found

    def label_of(self, code: str | None) -> str:
        return self._labels.get(code, code or "") if code is not None else ""

    def level(self, code: str) -> GradeLevel:
        for lv in self.levels:
            if lv.code == code:
                return lv
        raise KeyError(f"等次方案“{self.name}”中没有等次“{code}”")

    def thresholds(self) -> list[int | None]:
        """Per level, the monthly score it needs. A better level is never easier to reach than
        a worse one: if 合格 needs 60, so do 良好 and 优秀, even when only 合格 states it."""
        return list(self._thresholds)

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
        tie_break = data.get("tie_break", ["fewer_deductions", "higher_base"])
        if not isinstance(tie_break, list) or not all(isinstance(t, str) for t in tie_break):
            raise _fail("tie_break", "必须是字符串列表")
        worst = levels[-1].code if levels else ""
        return cls(
            code=_text(data, "code", "", ""),
            name=_text(data, "name", "", ""),
            levels=levels,
            veto_grade=_text(data, "veto_grade", "", worst),
            exclude_heads=_bool(data, "exclude_heads", True),
            min_active_share=_decimal(data.get("min_active_share", "0.5"), "min_active_share"),
            tie_break=tuple(tie_break),
            description=_text(data, "description", "", ""),
            period_rule=_text(data, "period_rule", "", "scaled"),
            month_rule=_text(data, "month_rule", "", "most_frequent"),
            allow_over_quota=_bool(data, "allow_over_quota", False),
            long_leave_days=_int_or_none(data.get("long_leave_days"), "long_leave_days"),
            new_hire_months=_int_or_none(data.get("new_hire_months"), "new_hire_months"),
            rated_by=_text(data, "rated_by", "", "points"),
            probation_cap=_text(data, "probation_cap", "", "") or None,
        )

    def to_dict(self) -> dict[str, Any]:
        levels = []
        for lv in self.levels:
            extra: dict[str, Any] = {"max_share": lv.max_share, "min_share": lv.min_share, "rounding": lv.rounding}
            extra["min_score"] = None if lv.min_score is None else points_text(lv.min_score)
            level = {"code": lv.code, "label": lv.label} | {k: str(v) for k, v in extra.items() if v is not None}
            if lv.min_one_from is not None:
                level["min_one_from"] = lv.min_one_from
            levels.append(level)
        return {
            "code": self.code,
            "name": self.name,
            "description": self.description,
            "levels": levels,
            "veto_grade": self.veto_grade,
            "exclude_heads": self.exclude_heads,
            "min_active_share": str(self.min_active_share),
            "long_leave_days": self.long_leave_days,
            "new_hire_months": self.new_hire_months,
            "tie_break": list(self.tie_break),
            "period_rule": self.period_rule,
            "month_rule": self.month_rule,
            "allow_over_quota": self.allow_over_quota,
        } | ({"rated_by": self.rated_by} if self.rated_by != "points" else {}) | (
            {"probation_cap": self.probation_cap} if self.probation_cap else {})

    @property
    def capped_on_probation(self) -> str:
        """The best grade of a year on probation."""
        return self.probation_cap or self.levels[1].code

    def to_json(self) -> str:
        """The JSON form; `Policy.from_json(p.to_json()) == p`."""
        return json.dumps(self.to_dict(), ensure_ascii=False, indent=2)


def _check_level(lv: GradeLevel, where: str, is_last: bool, seen: set[str]) -> None:
    if not lv.code or len(lv.code) > 16:
        raise _fail(f"{where}.code", "等次代码不能为空，且不超过 16 个字符")
    if lv.code in seen:
        raise _fail(f"{where}.code", f"等次代码“{lv.code}”重复")
    if not lv.label:
        raise _fail(f"{where}.label", "等次名称不能为空")
    _check_share(lv.max_share, f"{where}.max_share")
    _check_share(lv.min_share, f"{where}.min_share")
    if lv.min_share is not None and not is_last:
        raise _fail(f"{where}.min_share", "只有最后一个（最低）等次可以设最低比例")
    if is_last and (lv.max_share is not None or lv.min_score is not None):
        raise _fail(f"{where}", "最后一个等次收容其余所有人员，不能设最高比例或分数线")
    if lv.rounding is not None and lv.rounding not in ROUNDINGS:
        raise _fail(f"{where}.rounding", f"取整方式只能是 floor、ceil 或 half_up，不能是“{lv.rounding}”")
    if lv.min_score is not None and not 0 <= lv.min_score <= 100_000:
        raise _fail(f"{where}.min_score", "分数线应在 0 到 10000 分之间")
    _check_count(lv.min_one_from, f"{where}.min_one_from", 1, 1000)
    if lv.min_one_from is not None and lv.max_share is None and lv.min_share is None:
        raise _fail(f"{where}.min_one_from", "只有设了比例的等次才能设“满 N 人至少 1 人”")


def _no_unknown(data: dict[str, Any], allowed: set[str], where: str) -> None:
    unknown = sorted(set(data) - allowed)
    if unknown:
        raise _fail(where + unknown[0], f"未知字段（允许的字段：{'、'.join(sorted(allowed))}）")


def _text(data: dict[str, Any], key: str, where: str, default: str) -> str:
    value = data.get(key, default)
    if not isinstance(value, str):
        raise _fail(where + key, "必须是文字")
    return value.strip()


def _bool(data: dict[str, Any], key: str, default: bool) -> bool:
    value = data.get(key, default)
    if not isinstance(value, bool):
        raise _fail(key, "必须是 true 或 false")
    return value


def _int_or_none(value: Any, field: str) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise _fail(field, f"必须是整数，实际为 {value!r}")
    try:
        return int(str(value).strip())
    except ValueError as exc:
        raise _fail(field, f"必须是整数，实际为 {value!r}") from exc


def _check_count(value: int | None, field: str, low: int, high: int) -> None:
    if value is not None and not low <= value <= high:
        raise _fail(field, f"应在 {low} 到 {high} 之间，实际为 {value}")


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
        min_one_from=_int_or_none(raw.get("min_one_from"), where + ".min_one_from"),
    )


def points_text(tenths: int) -> str:
    """Tenths as a points string without a trailing ".0": 600 → "60", 595 → "59.5"."""
    sign = "-" if tenths < 0 else ""
    whole, frac = divmod(abs(tenths), 10)
    return f"{sign}{whole}" if frac == 0 else f"{sign}{whole}.{frac}"


def share_text(share: Decimal) -> str:
    """0.20 → "20%", 0.125 → "12.5%"."""
    pct = (share * 100).normalize()
    return f"{pct:f}%"


def preset_codes() -> list[str]:
    """Codes of the bundled policy presets (file names in resources/policies)."""
    return sorted(p.stem for p in resource("policies").glob("*.json"))


def load_preset(code: str) -> Policy:
    """Load and validate a bundled preset such as "abcd", "five_level" or "four_level"."""
    if code not in preset_codes():
        raise PolicyError(f"没有名为“{code}”的预设等次方案（可选：{'、'.join(preset_codes())}）")
    return Policy.from_json(resource("policies", f"{code}.json").read_text(encoding="utf-8"))
