"""Closed vocabularies as workbooks show them (Chinese labels) and as people type them.

Export writes the Chinese label; import accepts the label, the stored code or a common
variant (“加分”, “减分”, “一类”, “1”), compared after NFKC folding.
"""

from __future__ import annotations

import functools
from enum import StrEnum
from typing import TypeVar

from desktop.models.enums import (
    COMPONENT_LABELS,
    Component,
    ConfirmStatus,
    DepartmentKind,
    EntrySource,
    Identity,
    PeriodState,
    PointsMode,
    Role,
)
from desktop.models.station import POST_CLASS_LABELS
from desktop.services.exchange.cells import CellError, fold

COMPONENT_VARIANTS = {
    "基础分": Component.BASE, "基础积分": Component.BASE, "基础工作分": Component.BASE,
    "部门加分项": Component.DEPT_BONUS, "本级加分": Component.DEPT_BONUS,
    "部门减分": Component.DEPT_DEDUCTION, "本级扣分": Component.DEPT_DEDUCTION, "部门扣分项": Component.DEPT_DEDUCTION,
    "上级扣分": Component.HIGHER_DEDUCTION,
}
# 人员类别 as 公安人事 rosters write it. 工勤 (机关工勤人员) and 聘用 staff are neither police nor
# 辅警 in the assessment: they are kept apart as 聘用, which the policy ranks on its own.
IDENTITY_VARIANTS = {"警察": Identity.POLICE, "公安民警": Identity.POLICE, "人民警察": Identity.POLICE,
                     "在编民警": Identity.POLICE, "正式民警": Identity.POLICE, "公务员(人民警察)": Identity.POLICE,
                     "警员": Identity.POLICE, "辅警人员": Identity.AUXILIARY, "警务辅助人员": Identity.AUXILIARY,
                     "勤务辅警": Identity.AUXILIARY, "文职辅警": Identity.AUXILIARY, "协警": Identity.AUXILIARY,
                     "聘用人员": Identity.CONTRACT, "合同制": Identity.CONTRACT, "工勤": Identity.CONTRACT,
                     "工勤人员": Identity.CONTRACT, "机关工勤人员": Identity.CONTRACT, "聘用制": Identity.CONTRACT,
                     "合同工": Identity.CONTRACT, "临时聘用": Identity.CONTRACT}
E = TypeVar("E", bound=StrEnum)
POST_CLASS_TEXT = {1: ("一类", "1", "一类警务室", "i"), 2: ("二类", "2", "二类警务室", "ii"),
                   3: ("三类", "3", "三类警务室", "iii")}


def _lookup(enum: type[E], text: str, labels: dict[E, str], variants: dict[str, E], what: str) -> E:
    key = fold(text)
    for member in enum:
        if key in (fold(member.value), fold(labels[member])):
            return member
    for variant, member in variants.items():
        if key == fold(variant):
            return member
    choices = "、".join(labels[m] for m in enum)
    raise CellError(f"{what}应为 {choices} 之一")


@functools.lru_cache(maxsize=256)
def component(text: str) -> Component:
    return _lookup(Component, text, dict(COMPONENT_LABELS), COMPONENT_VARIANTS, "积分组成")


@functools.lru_cache(maxsize=256)
def points_mode(text: str) -> PointsMode:
    variants = {"固定": PointsMode.FIXED, "按次": PointsMode.FIXED, "按数量": PointsMode.PER_UNIT,
                "计件": PointsMode.PER_UNIT, "区间": PointsMode.RANGE, "酌情": PointsMode.RANGE}
    return _lookup(PointsMode, text, {m: m.label for m in PointsMode}, variants, "计分方式")


@functools.lru_cache(maxsize=256)
def identity(text: str) -> Identity:
    return _lookup(Identity, text, {m: m.label for m in Identity}, IDENTITY_VARIANTS, "身份")


@functools.lru_cache(maxsize=256)
def department_kind(text: str) -> DepartmentKind:
    variants = {"所队": DepartmentKind.OFFICE, "中队": DepartmentKind.OFFICE, "科室": DepartmentKind.OFFICE}
    return _lookup(DepartmentKind, text, {m: m.label for m in DepartmentKind}, variants, "部门类型")


@functools.lru_cache(maxsize=256)
def post_class(text: str) -> int:
    key = fold(text)
    for number, names in POST_CLASS_TEXT.items():
        if key in (fold(n) for n in names):
            return number
    raise CellError("警务室类别应为 一类、二类 或 三类")


def post_class_label(number: int | None) -> str | None:
    return POST_CLASS_LABELS[number][:2] if number else None


@functools.lru_cache(maxsize=256)
def role(text: str) -> Role:
    variants = {"所长": Role.CHIEF, "教导员": Role.CHIEF, "中队长": Role.CHIEF, "内勤": Role.CLERK}
    return _lookup(Role, text, {m: m.label for m in Role}, variants, "签核角色")


@functools.lru_cache(maxsize=256)
def period_state(text: str) -> PeriodState:
    return _lookup(PeriodState, text, {m: m.label for m in PeriodState}, {}, "周期状态")


@functools.lru_cache(maxsize=256)
def confirm_status(text: str) -> ConfirmStatus:
    return _lookup(ConfirmStatus, text, {m: m.label for m in ConfirmStatus}, {}, "确认状态")


@functools.lru_cache(maxsize=256)
def entry_source(text: str) -> EntrySource:
    return _lookup(EntrySource, text, {m: m.label for m in EntrySource}, {}, "来源")


# Units (issue #14): the kinds as a bureau's lists name them. A post's class may come with its
# kind (“一类警务室”), so `unit_kind` gives the class too when the text names one.
UNIT_KIND_TEXT = {
    "department": ("所队室", "department", "所队", "科所队", "部门", "科室", "中队", "大队"),
    "post": ("警务室", "post", "社区警务室", "农村警务室", "驻村警务室"),
    "branch": ("党支部", "branch", "支部", "党小组"),
    "enforcement": ("执法办案单位", "enforcement", "执法办案", "办案单位", "执法单位"),
}
UNIT_ROLE_TEXT = {"head": ("负责人", "head", "单位负责人", "支部书记", "书记", "所长", "警务室负责人", "组长"),
                  "member": ("成员", "member", "民警", "党员", "队员", "组员")}
CASE_STATE_TEXT = {"confirmed": ("已确认", "confirmed", "确认"), "adjusted": ("已调整", "adjusted", "调整")}


@functools.lru_cache(maxsize=256)
def unit_kind(text: str) -> tuple[str, int | None]:
    """(kind, post class or None) of a 类别 cell: 党支部 → branch; 二类警务室 → post, 2."""
    key = fold(text)
    for kind, names in UNIT_KIND_TEXT.items():
        if key in (fold(n) for n in names):
            return kind, None
    for number, names in POST_CLASS_TEXT.items():
        name = fold(names[0])
        if key.startswith(name) and key[len(name):] in (fold(n) for n in UNIT_KIND_TEXT["post"]):
            return "post", number  # 二类警务室, 一类社区警务室
    try:
        return "post", post_class(text)  # a bare class (一类, 2): only posts have one
    except CellError:
        pass
    raise CellError("类别应为 所队室、警务室、党支部 或 执法办案单位 之一（警务室可写 一类、二类、三类）")


@functools.lru_cache(maxsize=256)
def unit_role(text: str) -> str:
    key = fold(text)
    for role, names in UNIT_ROLE_TEXT.items():
        if key in (fold(n) for n in names):
            return role
    raise CellError("角色应为 负责人 或 成员")


@functools.lru_cache(maxsize=64)
def case_state(text: str) -> str:
    key = fold(text)
    for state, names in CASE_STATE_TEXT.items():
        if key in (fold(n) for n in names):
            return state
    raise CellError("审核结果应为 已确认 或 已调整")


def scheme_component(scheme: object, text: str) -> str:
    """The key of the scheme's component a cell names, by its label (基础分) or its key (base)."""
    key = fold(text)
    components = getattr(scheme, "components", ())
    for c in components:
        if key in (fold(c.label), fold(c.key)):
            return str(c.key)
    choices = "、".join(c.label for c in components)
    raise CellError(f"积分组成应为 {choices} 之一（积分制“{getattr(scheme, 'name', '')}”）")
