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
IDENTITY_VARIANTS = {"警察": Identity.POLICE, "公安民警": Identity.POLICE, "辅警人员": Identity.AUXILIARY,
                     "警务辅助人员": Identity.AUXILIARY, "聘用人员": Identity.CONTRACT, "合同制": Identity.CONTRACT}
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
