"""The closed vocabularies of a scheme (积分制) and the rules a scheme definition must obey.

Kept apart from `schemes` (the dataclasses and their JSON form) so the rules read as one list.
Every refusal is a `SchemeError` whose message starts with the scheme's name, names the field
in Chinese and says why, e.g. "积分制“党建工作”：组成“绩效积分”的符号应为 + 或 −".
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

from desktop.models.enums import Component, Identity, PeriodKind, Role
from desktop.models.units import PERSON_SCHEME, UNIT_KIND_LABELS, UNIT_KINDS
from desktop.services.errors import JifenError
from desktop.services.grade_policy import preset_codes as policy_codes

if TYPE_CHECKING:
    from desktop.services.schemes import Scheme

# Units take their kinds from the data model, so a scheme can only name a unit kind that exists.
SUBJECTS = ("person", *UNIT_KINDS)
SUBJECT_LABELS = {"person": "人员", **UNIT_KIND_LABELS}
CLASS_SUBJECTS = frozenset({"post"})  # only 警务室 have a class (一/二/三类)
SEQUENCE_SUBJECTS = frozenset({"person", "enforcement"})  # officers and 执法办案单位 have a sequence
MEMBERS = {
    "none": "不从成员计分",
    "sum": "成员积分相加",
    "average": "成员积分取平均",
    "members_take_unit": "单位成绩即成员成绩（每名成员取单位总分）",
}
# "department" is today's person scheme: each person ranked within their department, a post's
# people within the post class. The other three are the 汉阴 schemes' rankings.
RANK_WITHIN = {
    "department": "在所在部门内排名（警务室按类别）",
    "class": "同类别内排名",
    "sequence": "同序列内排名",
    "all": "全部一起排名",
}
PERIODS = tuple(k.value for k in PeriodKind)  # month, quarter, half, year, in this order
PERIOD_LABELS = {k.value: k.label for k in PeriodKind}
AWARD_PERIODS = ("month", "quarter", "year")
AWARD_PER = {"sequence": "每个序列", "class": "每个类别", "all": "全部"}
ROLE_LABELS = {r.value: r.label for r in Role}
# As `roster.set_signoff_chain`: a sheet is signed by those who check it, never by the assessed.
SIGNING_ROLES = frozenset({Role.ADMIN.value, Role.CHIEF.value, Role.CLERK.value})
IDENTITY_LABELS = {i.value: i.label for i in Identity}

KEY_RE = re.compile(r"^[a-z][a-z0-9_]{0,23}$")  # scheme codes and component keys (schemes.code is 24)
PREFIX_RE = re.compile(r"^[A-Z]{1,4}-$")
CATALOGUE_RE = re.compile(r"^[a-z0-9_]{1,40}\.json$")
MAX_TENTHS = 100_000  # 10000 分: no real cap, floor or starting score comes near it


class SchemeError(JifenError):
    """A scheme definition is malformed; the message (Chinese) names the field and the reason."""


def fail(scheme: str, why: str) -> SchemeError:
    return SchemeError(f"积分制“{scheme or '?'}”：{why}")


def check(s: Scheme) -> None:
    """Every rule of one scheme, in the order a clerk reads the definition."""
    name = s.name or s.code
    if not KEY_RE.match(s.code):
        raise fail(name, f"代码“{s.code}”应为小写英文字母开头的字母、数字或下划线，不超过 24 个字符")
    if not s.name.strip() or len(s.name) > 100:
        raise fail(name, "名称不能为空，且不超过 100 个字")
    if s.subject not in SUBJECTS:
        raise fail(name, f"考核对象“{s.subject}”不对，应为 {_choices(SUBJECT_LABELS)} 之一")
    _check_components(s, name)
    if s.starting_tenths is not None and not 0 <= s.starting_tenths <= MAX_TENTHS:
        raise fail(name, "起始分应在 0 到 10000 分之间（不设起始分请写 null）")
    _check_catalogue_fields(s, name)
    if not s.periods or len(set(s.periods)) != len(s.periods) or not set(s.periods) <= set(PERIODS):
        raise fail(name, f"考核周期应为 {_choices(PERIOD_LABELS)} 中不重复的一项或几项")
    _check_members(s, name)
    _check_ranking(s, name)
    _check_policy(s, name)
    _check_signoff(s, name)
    _check_leader_rule(s, name)
    _check_awards(s, name)
    if s.case_tracking and not s.reviewer.strip():
        raise fail(name, "案件追溯的积分制须写明复核单位（如 法制大队）")
    if len(s.reviewer) > 50:
        raise fail(name, "复核单位名称不超过 50 个字")


def _check_components(s: Scheme, name: str) -> None:
    if not s.components:
        raise fail(name, "积分组成不能为空，至少需要一项（如 基础分）")
    keys: set[str] = set()
    labels: set[str] = set()
    for c in s.components:
        label = c.label or c.key
        if not KEY_RE.match(c.key):
            raise fail(name, f"组成“{label}”的代码“{c.key}”应为小写英文字母、数字或下划线")
        if c.key in keys:
            raise fail(name, f"组成代码“{c.key}”重复")
        if not c.label.strip():
            raise fail(name, f"组成“{c.key}”的名称不能为空")
        if c.label in labels:
            raise fail(name, f"组成名称“{c.label}”重复")
        if c.sign not in (1, -1):
            raise fail(name, f"组成“{label}”的符号应为 + 或 −")
        if c.monthly_cap_tenths is not None and not 0 < c.monthly_cap_tenths <= MAX_TENTHS:
            raise fail(name, f"组成“{label}”的月上限应大于 0（不封顶请写 null）")
        if c.floor is not None and not -MAX_TENTHS <= c.floor <= MAX_TENTHS:
            raise fail(name, f"组成“{label}”的下限超出范围（不设底请写 null）")
        if c.floor is not None and c.monthly_cap_tenths is not None and c.floor > c.monthly_cap_tenths:
            raise fail(name, f"组成“{label}”的下限不能高于月上限")
        keys.add(c.key)
        labels.add(c.label)
    if s.code == PERSON_SCHEME and [c.key for c in s.components] != [c.value for c in Component]:
        # The person scheme's ledger, sums and workbooks are built on exactly these five.
        raise fail(name, "个人积分制的组成必须是 " + "、".join(c.label for c in Component))


def _check_catalogue_fields(s: Scheme, name: str) -> None:
    if not s.categories or any(not c.strip() for c in s.categories):
        raise fail(name, "考核类别不能为空，每个类别都要有名称")
    if len(set(s.categories)) != len(s.categories):
        raise fail(name, "考核类别有重复")
    if s.catalogue and not CATALOGUE_RE.match(s.catalogue):
        raise fail(name, f"细则预设“{s.catalogue}”应为 resources/catalogue 下的文件名，如 dangjian.json")
    if s.item_prefix and not PREFIX_RE.match(s.item_prefix):
        raise fail(name, f"项目编号前缀“{s.item_prefix}”应为 1–4 个大写字母加“-”，如 DJ-")
    if not s.item_prefix and s.code != PERSON_SCHEME:
        # Codes carry their scheme's prefix so an item code names one scheme's item only.
        raise fail(name, "项目编号前缀不能为空（如 DJ-），以免与其他积分制的项目编号重复")


def _check_members(s: Scheme, name: str) -> None:
    if s.members not in MEMBERS:
        raise fail(name, f"成员计分方式“{s.members}”不对，应为 {'、'.join(MEMBERS)} 之一")
    if s.subject == "person":
        if s.members == "members_take_unit":
            raise fail(name, "考核对象是人员，没有“单位成绩即成员成绩”（members_take_unit），只有单位积分制可以这样设")
        if s.members != "none" or s.unit_entries:
            raise fail(name, "考核对象是人员，成员计分方式应为 none，且不能记给单位（unit_entries 为 false）")
        return
    if s.members in ("none", "members_take_unit") and not s.unit_entries:
        raise fail(name, "单位既不记分（unit_entries 为 false）也不从成员计分，积分无从产生")


def _check_ranking(s: Scheme, name: str) -> None:
    label = SUBJECT_LABELS.get(s.subject, s.subject)
    if s.rank_within not in RANK_WITHIN:
        raise fail(name, f"排名范围“{s.rank_within}”不对，应为 {'、'.join(RANK_WITHIN)} 之一")
    if s.rank_within == "class" and s.subject not in CLASS_SUBJECTS:
        raise fail(name, f"排名范围为同类别（class），但{label}没有类别，只有警务室分一、二、三类")
    if s.rank_within == "sequence" and s.subject not in SEQUENCE_SUBJECTS:
        raise fail(name, f"排名范围为同序列（sequence），但{label}没有考核序列")
    if s.rank_within == "department" and s.subject != "person":
        raise fail(name, "排名范围为所在部门（department）只适用于人员积分制")
    if s.sequences and s.subject not in SEQUENCE_SUBJECTS:
        raise fail(name, f"{label}没有考核序列，不能列出序列")
    if len(set(s.sequences)) != len(s.sequences) or any(not q.strip() for q in s.sequences):
        raise fail(name, "考核序列名称不能为空，也不能重复")
    r = s.unit_ranking
    if r is None:
        return
    if s.subject != "person":
        raise fail(name, "单位汇总排名（unit_ranking）只适用于人员积分制：单位积分制本身就给单位排名")
    if r.kind not in UNIT_KINDS:
        raise fail(name, f"单位汇总排名的单位类型“{r.kind}”不对，应为 {_choices(UNIT_KIND_LABELS)} 之一")
    if r.members not in ("sum", "average"):
        raise fail(name, "单位汇总排名的计分方式应为 sum（相加）或 average（平均）")
    if r.rank_within not in ("class", "sequence", "all") or (
            r.rank_within == "class" and r.kind not in CLASS_SUBJECTS) or (
            r.rank_within == "sequence" and r.kind not in SEQUENCE_SUBJECTS):
        raise fail(name, f"单位汇总排名的排名范围“{r.rank_within}”不适用于{UNIT_KIND_LABELS.get(r.kind, r.kind)}")


def _check_policy(s: Scheme, name: str) -> None:
    # An inline policy was validated when it was built (Policy validates itself); a code must
    # name a bundled preset.
    if isinstance(s.policy, str) and s.policy not in policy_codes():
        raise fail(name, f"等次方案“{s.policy}”不是预设方案（可选：{'、'.join(policy_codes())}），"
                         "或直接写出方案内容")


def _check_signoff(s: Scheme, name: str) -> None:
    if not s.signoff:
        raise fail(name, "签核流程至少需要一个环节")
    for i, step in enumerate(s.signoff, start=1):
        if not step.title.strip() or len(step.title) > 50:
            raise fail(name, f"签核流程第 {i} 个环节的名称不能为空，且不超过 50 个字")
        if step.role not in ROLE_LABELS:
            raise fail(name, f"签核环节“{step.title}”的角色“{step.role}”不对，应为 {_choices(ROLE_LABELS)} 之一")
        if step.role not in SIGNING_ROLES:
            raise fail(name, f"签核环节“{step.title}”不能由{ROLE_LABELS[step.role]}签字，应为所长/教导员、内勤或管理员")


def _check_leader_rule(s: Scheme, name: str) -> None:
    rule = s.leader_rule
    if rule is None:
        return
    if s.subject == "person":
        raise fail(name, "领导带领责任适用于单位积分制：考核对象是人员时没有单位负责人可追究")
    if not 1 <= rule.levels <= 3:
        raise fail(name, f"领导带领责任的降等级数应为 1 到 3，实际为 {rule.levels}")
    if not (rule.on_veto or rule.on_last):
        raise fail(name, "领导带领责任至少要在一票否决（on_veto）或排名末位（on_last）时适用")


def _check_awards(s: Scheme, name: str) -> None:
    label = SUBJECT_LABELS.get(s.subject, s.subject)
    seen: set[tuple[str, str]] = set()
    for a in s.awards:
        where = f"奖励“{a.title}”"
        if not a.title.strip() or len(a.title) > 50:
            raise fail(name, "奖励名称不能为空，且不超过 50 个字")
        if (a.title, a.period) in seen:
            raise fail(name, f"{where}重复")
        seen.add((a.title, a.period))
        if a.per not in AWARD_PER:
            raise fail(name, f"{where}的评选范围“{a.per}”不对，应为 {_choices(AWARD_PER)} 之一")
        if a.per == "sequence" and s.subject not in SEQUENCE_SUBJECTS:
            raise fail(name, f"{where}按序列评选，但{label}没有考核序列")
        if a.per == "class" and s.subject not in CLASS_SUBJECTS:
            raise fail(name, f"{where}按类别评选，但{label}没有类别")
        if a.period not in AWARD_PERIODS:
            raise fail(name, f"{where}的评选周期应为 月、季度 或 年度（month、quarter、year）")
        if a.period not in s.periods:
            raise fail(name, f"{where}按{PERIOD_LABELS[a.period]}评选，但本积分制不按{PERIOD_LABELS[a.period]}考核")
        if a.top is not None and not 1 <= a.top <= 1000:
            raise fail(name, f"{where}的名额应为 1 到 1000（不限名额请写 null）")
        if a.identity and (a.identity not in IDENTITY_LABELS or s.subject != "person"):
            raise fail(name, f"{where}的身份限定“{a.identity}”不对：只有人员积分制可限定 民警、辅警 或 聘用")
    if not 0 <= s.bottom_loses_eligibility <= 100:
        raise fail(name, "末位取消评先评优资格的单位数应为 0 到 100（0 表示不取消）")
    if (s.bottom_loses_eligibility or s.bottom_reports) and s.subject == "person":
        raise fail(name, "末位取消评先评优资格、表态发言只适用于单位积分制")
    if s.bottom_loses_eligibility and "year" not in s.periods:
        raise fail(name, "末位取消的是年度评先评优资格，本积分制须按年度考核")


def check_catalogue(s: Scheme, data: Any, file: str = "") -> None:
    """A catalogue preset (the JSON of resources/catalogue/*.json) fits scheme `s`: every item
    code has the scheme's prefix, cites one of its components and one of its categories."""
    name, where = s.name or s.code, file or f"细则预设“{s.catalogue}”"
    if not isinstance(data, dict) or not isinstance(data.get("items"), list) or not data["items"]:
        raise fail(name, f"{where}应为含 name 和 items（项目列表）的 JSON 对象，且至少有一个项目")
    if data.get("scheme", s.code) != s.code:
        raise fail(name, f"{where}属于积分制“{data['scheme']}”，不是“{s.code}”")
    keys = [c.key for c in s.components]
    codes: set[str] = set()
    for raw in data["items"]:
        code = str(raw.get("code", "")) if isinstance(raw, dict) else ""
        if not code:
            raise fail(name, f"{where}中有项目缺少编号")
        if code in codes:
            raise fail(name, f"{where}中项目编号 {code} 重复")
        codes.add(code)
        if not code.startswith(s.item_prefix):
            raise fail(name, f"{where}中项目 {code} 的编号应以“{s.item_prefix}”开头")
        if raw.get("component") not in keys:
            raise fail(name, f"{where}中项目 {code} 的积分组成“{raw.get('component')}”不是本积分制的组成"
                             f"（{'、'.join(keys)}）")
        if raw.get("category") not in s.categories:
            raise fail(name, f"{where}中项目 {code} 的类别“{raw.get('category')}”不在本积分制的考核类别中")


def check_together(schemes: Sequence[Scheme]) -> None:
    """Schemes one station runs side by side: codes unique, item prefixes unique (a prefix ends
    in "-", so two different prefixes never overlap), hence item codes unique across schemes."""
    for what, values in (("积分制代码", [s.code for s in schemes]),
                         ("项目编号前缀", [s.item_prefix for s in schemes if s.item_prefix])):
        dupes = sorted({v for v in values if values.count(v) > 1})
        if dupes:
            raise SchemeError(f"{what}重复：{'、'.join(dupes)}")


def _choices(labels: dict[str, str] | Iterable[str]) -> str:
    if isinstance(labels, dict):
        return "、".join(f"{k}（{v}）" for k, v in labels.items())
    return "、".join(labels)
