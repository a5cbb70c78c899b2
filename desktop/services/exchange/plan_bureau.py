"""One row of the bureau's 上级加分 / 上级减分 workbook, checked and turned into an entry.

The row names a person (警号 with or without leading zeros, 身份证号 when the roster holds it,
or a name unique among the people on duty that day), a date, the row's points (加分 / 减分
columns, a 类型 or 类别 column, or the sign of 分值) and either a 上级考评 item (its code or
name, as in the catalogue in force that day) or only its reason, from which `bureau_items`
chooses the item. Points are the row's total: a fixed item's total must be a whole number of
occurrences, a range item's points per occurrence must lie within the range. The reason, with
the bureau's 依据文件, becomes the entry's note.
"""

from __future__ import annotations

import datetime as dt
import difflib
from typing import Any

from desktop.models.enums import Component, EntrySource
from desktop.services import id_numbers
from desktop.services.errors import ValidationError
from desktop.services.exchange.bureau_items import HIGHER, choose
from desktop.services.exchange.cells import fold
from desktop.services.exchange.plan import PersonRef, Plan
from desktop.services.exchange.reader import Row, Table
from desktop.services.ledger import check_entry
from desktop.services.points import fmt
from desktop.services.text import cn_date

MINUS_WORDS = ("减", "扣", "-", "惩", "罚", "批评", "处分", "问责")
PLUS_WORDS = ("加", "奖", "+", "表扬", "表彰", "嘉奖", "立功")
ITEM_LABEL = "入账项目"


def _direction(text: str | None) -> int | None:
    key = fold(text or "")
    if not key:
        return None
    if any(w in key for w in MINUS_WORDS):
        return -1
    if any(w in key for w in PLUS_WORDS):
        return 1
    return 0  # unreadable; reported by the caller


def _where(plan: Plan, person: PersonRef) -> str:
    dept = plan.departments.get(person.department)
    return f"{person.badge}（{dept.name if dept else person.department}）"


def _person(plan: Plan, table: Table, row: Row, day: dt.date) -> PersonRef | None:
    v = row.values
    badge, name, number = v.get("badge"), v.get("name"), v.get("id_number")
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
    if number:
        return _by_id_number(plan, table, row, number, name)
    if not name:
        key = "badge" if table.has("badge") else "id_number" if table.has("id_number") else "name"
        plan.cell_problem(table, row.number, key, "警号、身份证号和姓名不能都为空")
        return None
    return _by_name(plan, table, row, name, day)


def _by_id_number(plan: Plan, table: Table, row: Row, number: str, name: str | None) -> PersonRef | None:
    try:
        number = id_numbers.normalise(number)
    except ValidationError as exc:
        plan.cell_problem(table, row.number, "id_number", str(exc).replace(f"“{number}”", ""),
                          id_numbers.mask(number))
        return None
    person = plan.person_with_id(number)
    if person is None:
        plan.cell_problem(table, row.number, "id_number", "人员名册中没有登记这个身份证号：请先导入含身份证号的人员名册，"
                          "或在“人员”中为此人登记身份证号；也可以在本表中加一列“警号”", id_numbers.mask(number))
        return None
    if name and fold(name) != fold(person.name):
        plan.cell_problem(table, row.number, "name", f"这个身份证号在名册中是“{person.name}”（{person.badge}），姓名不符",
                          name)
        return None
    return person


def _by_name(plan: Plan, table: Table, row: Row, name: str, day: dt.date) -> PersonRef | None:
    """A name stands for a person when exactly one person of that name is on duty that day."""
    same = plan.people_named(name)
    on_duty = [p for p in same if p.active_on(day)]
    if len(on_duty) == 1:
        return on_duty[0]
    if len(same) == 1:
        return same[0]  # not on duty: `bureau_row` says so with the dates
    if same:
        listed = "、".join(_where(plan, p) for p in same[:6])
        plan.cell_problem(table, row.number, "name", f"名册中有 {len(same)} 人名叫“{name}”：{listed}；请加一列“警号”"
                          "或“身份证号”写明是哪一位", name)
        return None
    close = difflib.get_close_matches(fold(name), {fold(p.name): p for p in plan.people.values()}, n=3, cutoff=0.5)
    near = [p for p in plan.people.values() if fold(p.name) in close][:3]
    hint = "；名册中相近的有：" + "、".join(f"{p.name} {_where(plan, p)}" for p in near) if near else ""
    plan.cell_problem(table, row.number, "name", f"人员名册中没有“{name}”{hint}", name)
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
        plan.cell_problem(table, row.number, "direction", "应写“加分”或“减分”（也可写 上级加分、上级减分、奖励、惩处）",
                          v.get("direction"))
        return None
    if minus:
        value, sign = abs(minus), -1
    elif plus:
        # A positive number under “加分” (or beside a 减分 column) is a bonus; under “分值” it can be either.
        says_plus = table.has("minus") or "加" in table.headers.get("points", "").replace("加减", "")
        value, sign = abs(plus), (-1 if plus < 0 else direction or (1 if says_plus else None))
    else:
        key = "points" if table.has("points") else "minus"
        plan.cell_problem(table, row.number, key, "分值不能为空或为 0")
        return None
    if direction and sign and direction != sign:
        plan.cell_problem(table, row.number, "direction", "类型与分值的加减不一致", v.get("direction"))
        return None
    return value, sign


def _note(row: Row) -> str:
    """The entry's 事实说明: the bureau's reason, and the document it rests on."""
    note, basis = (row.values.get("note") or "").strip(), (row.values.get("basis") or "").strip()
    if basis and basis not in note:
        note = f"{note}（依据：{basis}）" if note else f"依据：{basis}"
    return note[:1000]


def bureau_row(plan: Plan, table: Table, row: Row, default_day: dt.date | None = None) -> dict[str, Any] | None:
    """The entry a bureau row stands for, or None after reporting its problems.

    `default_day` stands in for a sheet without a date column (a date or month in its title).
    """
    v = row.values
    day: dt.date | None = v.get("date") or default_day
    if day is None:
        plan.cell_problem(table, row.number, "date", "日期不能为空")
        return None
    person = _person(plan, table, row, day)
    points = _points(plan, table, row)
    if person is None or points is None:
        return None
    total, sign = points
    items = plan.catalogue.in_force(day)
    if items is None:
        plan.cell_problem(table, row.number, "date", f"{cn_date(day)}还没有生效的考核细则", day)
        return None
    named = v.get("item")
    note = _note(row)
    key = ("item", id(items), named, None if named else note, sign, total, v.get("quantity"))
    if key not in plan.memo:  # a bureau sheet names the same few items and amounts over and over
        plan.memo[key] = choose(items, named, note, sign, total, v.get("quantity"))
    choice, qty, why = plan.memo[key]
    where = "item" if named or table.has("item") else "note" if table.has("note") else "points"
    if choice.item is None:
        plan.cell_problem(table, row.number, where, choice.problem, named or note or None)
        return None
    item = choice.item
    if sign and HIGHER[item.component] != sign:
        word = "减分" if sign < 0 else "加分"
        plan.cell_problem(table, row.number, where, f"“{item.name}”是{Component(item.component).label}项目，"
                          f"本行却是{word}", named or note)
        return None
    if qty is None:
        key = "quantity" if "数量" in why else "points" if v.get("points") is not None else "minus"
        plan.cell_problem(table, row.number, key, why, fmt(total))
        return None
    plan.report.derive(table.sheet, row.number, ITEM_LABEL, f"{item.code} {item.name}（{choice.how}）")
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
        "quantity": qty, "points_tenths": total, "note": note, "source": EntrySource.IMPORT.value,
        "batch_uuid": plan.batch_uuid, "_reverses": None, "recorded_by_id": plan.actor.user_id,
        "recorded_by_name": plan.actor.display_name,
        "recorded_at": dt.datetime.now(dt.UTC).replace(tzinfo=None),
    }
