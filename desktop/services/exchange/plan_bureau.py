"""One row of the bureau's 上级加分 / 上级减分 workbook, checked and turned into an entry.

The row names a person (警号, or a name that is unique on the roster), a date, a 上级考评
item (its code or its name, as in the catalogue in force that day) and the row's points,
as 加分 / 减分 columns, a 类型 column or a sign. Points are the row's total: a fixed item's
total must be a whole number of occurrences, a range item's points per occurrence must lie
within the range.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from desktop.models.enums import Component, EntrySource, PointsMode
from desktop.services.errors import ValidationError
from desktop.services.exchange.cells import fold
from desktop.services.exchange.plan import ItemRef, PersonRef, Plan
from desktop.services.exchange.reader import Row, Table
from desktop.services.ledger import MAX_QUANTITY, check_entry
from desktop.services.points import fmt
from desktop.services.text import cn_date

HIGHER = {Component.HIGHER_BONUS.value: 1, Component.HIGHER_DEDUCTION.value: -1}


def _direction(text: str | None) -> int | None:
    key = fold(text or "")
    if not key:
        return None
    if any(w in key for w in ("减", "扣", "-")):
        return -1
    if any(w in key for w in ("加", "奖", "+")):
        return 1
    return 0  # unreadable; reported by the caller


def match_item(items: dict[str, ItemRef], text: str, sign: int | None) -> tuple[ItemRef | None, str]:
    """The 上级考评 item a bureau clerk meant by `text` (code, full name or part of the name)."""
    key = fold(text)
    higher = [i for i in items.values() if i.component in HIGHER]
    for test in (lambda i: fold(i.code) == key, lambda i: fold(i.name) == key,
                 lambda i: key in fold(i.name) or fold(i.name) in key):
        found = [i for i in higher if test(i)]
        if len(found) > 1 and sign:
            found = [i for i in found if HIGHER[i.component] == sign] or found
        if len(found) == 1:
            return found[0], ""
        if len(found) > 1:
            names = "、".join(f"{i.code} {i.name}" for i in found[:5])
            return None, f"对应多个上级考评项目（{names}），请写项目编号"
    other = [i for i in items.values() if fold(i.code) == key or fold(i.name) == key]
    if other:
        return None, f"“{other[0].name}”不是上级考评项目（上级加分、上级减分），不能从上级工作簿导入"
    choices = "、".join(f"{i.code} {i.name}" for i in higher[:8])
    return None, f"考核细则中没有这个上级考评项目；可用的项目有：{choices}" + ("等" if len(higher) > 8 else "")


def _person(plan: Plan, table: Table, row: Row) -> PersonRef | None:
    v = row.values
    badge, name = v.get("badge"), v.get("name")
    if badge:
        person = plan.person(badge)
        if person is None:
            same = plan.people_named(name) if name else []
            hint = f"（名册中{name}的警号是 {same[0].badge}）" if len(same) == 1 else ""
            plan.cell_problem(table, row.number, "badge", f"人员名册中没有这个警号{hint}", badge)
            return None
        if name and fold(name) != fold(person.name):
            plan.cell_problem(table, row.number, "name", f"警号 {person.badge} 在名册中是“{person.name}”，姓名不符",
                              name)
            return None
        return person
    if not name:
        plan.cell_problem(table, row.number, "badge" if table.has("badge") else "name", "警号和姓名不能都为空")
        return None
    same = plan.people_named(name)
    if len(same) == 1:
        return same[0]
    reason = "人员名册中没有这个姓名" if not same else f"名册中有 {len(same)} 人同名，请填写警号"
    plan.cell_problem(table, row.number, "name", reason, name)
    return None


def _points(plan: Plan, table: Table, row: Row) -> tuple[int, int | None] | None:
    """(magnitude, sign from the row or None) of the row's points."""
    v = row.values
    plus, minus = v.get("points"), v.get("minus")
    if plus is not None and minus is not None and plus != 0 and minus != 0:
        plan.cell_problem(table, row.number, "minus", "同一行不能既有加分又有减分，请分成两行", fmt(minus))
        return None
    direction = _direction(v.get("direction"))
    if direction == 0:
        plan.cell_problem(table, row.number, "direction", "类型应写“加分”或“减分”", v.get("direction"))
        return None
    if minus:
        value, sign = abs(minus), -1
    elif plus:
        # A positive number under “加分” (or beside a 减分 column) is a bonus; under “分值” it can be either.
        says_plus = table.has("minus") or "加" in table.headers.get("points", "")
        value, sign = abs(plus), (-1 if plus < 0 else direction or (1 if says_plus else None))
    else:
        key = "points" if table.has("points") else "minus"
        plan.cell_problem(table, row.number, key, "分值不能为空或为 0")
        return None
    if direction and sign and direction != sign:
        plan.cell_problem(table, row.number, "direction", "类型与分值的加减不一致", v.get("direction"))
        return None
    return value, sign


def _quantity(plan: Plan, table: Table, row: Row, item: ItemRef, total: int) -> int | None:
    """How many occurrences the row's total stands for, checked against the item's points."""
    qty = row.values.get("quantity")
    if qty is not None and not 1 <= qty <= MAX_QUANTITY:
        plan.cell_problem(table, row.number, "quantity", f"数量应在 1 到 {MAX_QUANTITY} 之间", qty)
        return None
    key = "points" if row.values.get("points") is not None else "minus"
    if item.points_mode == PointsMode.RANGE.value:
        qty = qty or 1
        per, rest = divmod(total, qty)
        assert item.min_tenths is not None and item.max_tenths is not None
        if rest or not item.min_tenths <= per <= item.max_tenths:
            plan.cell_problem(table, row.number, key, f"“{item.name}”每次应在 {fmt(item.min_tenths)} 至 "
                              f"{fmt(item.max_tenths)} 分之间（本行 {qty} 次共 {fmt(total)} 分）", fmt(total))
            return None
        return qty
    each = item.points_tenths
    if qty is None and each and total % each == 0:
        qty = total // each
    if qty is None or each * qty != total:
        plan.cell_problem(table, row.number, key, f"“{item.name}”每{item.unit} {fmt(each)} 分，"
                          f"本行分值应为它的整数倍", fmt(total))
        return None
    return qty


def bureau_row(plan: Plan, table: Table, row: Row, default_day: dt.date | None = None) -> dict[str, Any] | None:
    """The entry a bureau row stands for, or None after reporting its problems.

    `default_day` stands in for a sheet without a date column (a date or month in its title).
    """
    v = row.values
    day: dt.date | None = v.get("date") or default_day
    if day is None:
        plan.cell_problem(table, row.number, "date", "日期不能为空")
        return None
    person = _person(plan, table, row)
    points = _points(plan, table, row)
    if person is None or points is None:
        return None
    total, sign = points
    if not v.get("item"):
        plan.cell_problem(table, row.number, "item", "项目不能为空")
        return None
    items = plan.catalogue.in_force(day)
    if items is None:
        plan.cell_problem(table, row.number, "date", f"{cn_date(day)}还没有生效的考核细则", day)
        return None
    key = ("item", id(items), v["item"], sign)
    if key not in plan.memo:  # a bureau sheet names the same few items over and over
        plan.memo[key] = match_item(items, v["item"], sign)
    item, reason = plan.memo[key]
    if item is None:
        plan.cell_problem(table, row.number, "item", reason, v["item"])
        return None
    if sign and HIGHER[item.component] != sign:
        word = "减分" if sign < 0 else "加分"
        plan.cell_problem(table, row.number, "item", f"“{item.name}”是{Component(item.component).label}项目，"
                          f"本行却是{word}", v["item"])
        return None
    qty = _quantity(plan, table, row, item, total)
    if qty is None:
        return None
    try:  # the ledger's own rules, so a rule added there holds for the bureau's rows too
        check_entry(item, qty, total // qty, source=EntrySource.IMPORT)
    except ValidationError as exc:
        plan.cell_problem(table, row.number, "points" if v.get("points") is not None else "minus", str(exc),
                          fmt(total))
        return None
    if not person.active_on(day):
        plan.cell_problem(table, row.number, "date", f"{person.name}（{person.badge}）{cn_date(day)}不在岗", day)
        return None
    if (reason := plan.locked_reason(day)) is not None:
        plan.cell_problem(table, row.number, "date", reason, day)
        return None
    return {
        "uuid": v.get("uuid"), "occurred_on": day, "_person": person, "_item": item, "item_code": item.code,
        "item_name": item.name, "category": item.category, "component": item.component, "veto": item.veto,
        "quantity": qty, "points_tenths": total, "note": v.get("note") or "", "source": EntrySource.IMPORT.value,
        "batch_uuid": plan.batch_uuid, "_reverses": None, "recorded_by_id": plan.actor.user_id,
        "recorded_by_name": plan.actor.display_name,
        "recorded_at": dt.datetime.now(dt.UTC).replace(tzinfo=None),
    }
