"""“为什么是这个等次”: a reason a chief can read, for every person and period.

Made from the engine's outcome (what kept the person out of the level above), the group and
its quota lines, the scaled threshold, the veto entry, the tie-break that separated equal
totals, the override and the pro-rating. `explain` gives the lines and a JSON-ready dict;
`one_line` is what the score listing, the review screen and the sheets show.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from desktop.models.station import POST_CLASS_LABELS
from desktop.services.grade_policy import (
    MONTH_RULES,
    TIE_BREAK_LABELS,
    GradeLevel,
    Policy,
    points_text,
    share_text,
)

if TYPE_CHECKING:
    from desktop.services.scoring import ScoreRow


def group_label(row: ScoreRow) -> str:
    if row.ranking_group.startswith("post:"):
        return POST_CLASS_LABELS.get(int(row.ranking_group[5:]), "警务室")
    return row.department


def quota_line(policy: Policy, lv: GradeLevel, n: int, *, group_size: bool = True) -> str:
    """"A类 ≤20%（向下取整），本组 9 人，至多 1 人"; the small-group rule when it applied."""
    size = f"本组 {n} 人，" if group_size else ""
    if lv.max_share is not None:
        count = lv.max_count(n)
        line = f"{lv.label} ≤{share_text(lv.max_share)}（{lv.rounding_label('floor')}），{size}至多 {count} 人"
    elif lv.min_share is not None:
        count = lv.min_count(n)
        line = f"{lv.label} ≥{share_text(lv.min_share)}（{lv.rounding_label('ceil')}），{size}至少 {count} 人"
    else:
        return ""
    if lv.min_one_from is not None and n >= lv.min_one_from:
        line += f"（满 {lv.min_one_from} 人至少 1 人）"
    return line


def threshold_line(policy: Policy, index: int, months: int) -> str:
    monthly = policy.thresholds()[index]
    if monthly is None:
        return ""
    label = policy.levels[index].label
    if months == 1:
        return f"{label}分数线 {points_text(monthly)} 分"
    return f"{label}分数线 {points_text(monthly * months)} 分（{points_text(monthly)} 分/月 × {months} 个月）"


@dataclass
class Why:
    """The reason in parts (for JSON and for the screens) and as lines of text."""

    lines: list[str] = field(default_factory=list)
    detail: dict[str, Any] = field(default_factory=dict)

    def one_line(self) -> str:
        return "；".join(self.lines)


@dataclass
class GroupFacts:
    """What every member's reason reads from its ranking group, worked out once per group: a
    county post class has hundreds of members, and doing this per member made the reasons
    quadratic (most of a county month's scoring time)."""

    graded: list[ScoreRow]
    quota: list[str]
    # Graded members by ranked total, in group order, each with its tie-break key.
    by_total: dict[int, list[tuple[ScoreRow, tuple[Any, ...]]]]
    # Each graded member's tie-break key, so a reason does not work it out again.
    keys: dict[int, tuple[Any, ...]] = field(default_factory=dict)
    # The group's lines every member's reason repeats, made on first use: (kind, level) -> text.
    lines: dict[tuple[str, int], str] = field(default_factory=dict)

    def quota_at(self, policy: Policy, index: int) -> str:
        """`quota_line` of level `index` for this group, without the group size."""
        line = self.lines.get(("quota", index))
        if line is None:
            line = self.lines["quota", index] = quota_line(policy, policy.levels[index], len(self.graded),
                                                           group_size=False)
        return line

    def threshold_at(self, policy: Policy, index: int, months: int) -> str:
        line = self.lines.get(("threshold", index))
        if line is None:
            line = self.lines["threshold", index] = threshold_line(policy, index, months)
        return line

    @classmethod
    def of(cls, policy: Policy, members: Sequence[ScoreRow],
           sort_keys: dict[int, tuple[Any, ...]] | None = None) -> GroupFacts:
        """`sort_keys`: the engine's keys of the members, when the caller has them already."""
        from desktop.services.grade_engine import sort_key
        from desktop.services.scoring_grades import candidate

        graded = [m for m in members if not m.excluded_reason]
        by_total: dict[int, list[tuple[ScoreRow, tuple[Any, ...]]]] = {}
        keys: dict[int, tuple[Any, ...]] = {}
        for m in graded:
            key = sort_keys.get(m.person_id) if sort_keys is not None else None
            key = keys[m.person_id] = key if key is not None else tuple(sort_key(policy, candidate(m)))
            by_total.setdefault(m.ranked_total, []).append((m, key))
        quota = [line for lv in policy.levels if (line := quota_line(policy, lv, len(graded)))]
        return cls(graded, quota, by_total, keys)


def _tie_text(policy: Policy, row: ScoreRow, facts: GroupFacts) -> tuple[str, dict[str, Any] | None]:
    """Equal ranked totals: which tie-break put `row` before or after whom, or a full tie."""
    from desktop.services.grade_engine import sort_key
    from desktop.services.scoring_grades import candidate

    same_total = facts.by_total.get(row.ranked_total, ())
    if len(same_total) < 2:  # nobody shares the total: most of a county's people
        return "", None
    mine = facts.keys.get(row.person_id)
    if mine is None:
        mine = tuple(sort_key(policy, candidate(row)))
    before, after, equal = [], [], []
    rule_used = None
    me = row.person_id
    for other, theirs in same_total:
        if theirs == mine:
            if other.person_id != me:
                equal.append(other.name)
            continue
        if rule_used is None:  # the first tie-break that tells the two apart names the rule
            i = 1
            while mine[i] == theirs[i]:
                i += 1
            rule_used = policy.tie_break[i - 1]
        (before if mine < theirs else after).append(other.name)
    parts = []
    if before:
        parts.append(f"与{'、'.join(before)}总分相同，按“{TIE_BREAK_LABELS[rule_used or '']}”排在其前")
    if after:
        parts.append(f"与{'、'.join(after)}总分相同，按“{TIE_BREAK_LABELS[rule_used or '']}”排在其后")
    if equal:
        parts.append(f"与{'、'.join(equal)}完全并列（总分和各项依次比较均相同），同等次，不抽签")
    if not parts:
        return "", None
    return "，".join(parts), {"rule": rule_used, "before": before, "after": after, "equal": equal}


def explain(policy: Policy, row: ScoreRow, members: Sequence[ScoreRow] | GroupFacts, months: int,
            veto_item: str = "", override: dict[str, Any] | None = None) -> Why:
    """Why `row` has its grade, `members` being its ranking group (graded and excluded), or
    that group's `GroupFacts` when the caller explains every member."""
    why = Why()
    facts = members if isinstance(members, GroupFacts) else GroupFacts.of(policy, members)
    n = len(facts.graded)
    # The override's own level: a reason made later must not read a grade a reviewer's rating set since.
    label = policy.label_of(override.get("to", row.grade) if override is not None else row.grade)
    engine_label = policy.label_of(row.engine_grade)
    group = group_label(row)
    detail: dict[str, Any] = {
        "group": group, "group_size": n, "rank": row.rank_group, "months": months,
        "rule": policy.period_rule, "reason": row.reason, "missed": row.missed, "quota": [],
        "threshold": None, "veto": None, "tie": None, "override": override, "prorated": row.prorated,
        "excluded": row.excluded_reason or None, "month_grades": row.month_grades or None,
    }
    if row.excluded_reason:
        why.lines.append(f"不参与排名：{row.excluded_reason}")
        why.detail = detail
        return why
    detail["quota"] = list(facts.quota)
    head = f"{engine_label}：在{group}（{n} 人）排第 {row.rank_group}"
    missed_index = policy.index(row.missed) if row.missed else None
    if row.reason == "veto":
        head = f"{engine_label}：一票否决" + (f"（{veto_item}）" if veto_item else "") + "，只有作废该记录才能解除"
        detail["veto"] = veto_item or True
    elif row.reason == "top":
        line = facts.quota_at(policy, 0)
        head += f"，{line}" if line else ""
    elif row.reason == "cap" and missed_index is not None:
        missed_level = policy.levels[missed_index]
        line = facts.quota_at(policy, missed_index)
        full = ("与并列者一起放不下，同定为下一等" if "tie_at_line" in row.flags
                else "本组没有名额" if missed_level.max_count(n) == 0 else "名额已满")
        head += f"，{line}，{full}"
    elif row.reason == "threshold" and missed_index is not None:
        line = facts.threshold_at(policy, missed_index, months)
        head += f"，{'折算后' if row.prorated else ''}总分 {points_text(row.ranked_total)} 分未达{line}"
        detail["threshold"] = line
    elif row.reason == "min_fill":
        line = facts.quota_at(policy, len(policy.levels) - 1)
        head += f"，{line}，从积分最低者依次确定"
    elif row.reason == "ceiling":
        months_text = "、".join(row.month_grades)
        head = (f"{engine_label}：由各月等次推定（{months_text}，{MONTH_RULES[policy.month_rule]}），"
                f"再按本组比例核定")
    why.lines.append(head)
    tie, tie_detail = _tie_text(policy, row, facts)
    if tie:
        why.lines.append(tie)
        detail["tie"] = tie_detail
    if row.prorated:
        why.lines.append(f"本期在岗 {row.days_present}/{row.period_days} 天，按折算总分 "
                         f"{points_text(row.ranked_total)} 分排名（实得 {points_text(row.total)} 分）")
    if override is not None:
        why.lines.append(f"所长调整为{label}（原为{engine_label}），理由：{override['reason']}")
    why.detail = detail
    return why
