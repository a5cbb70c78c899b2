"""积分明细 of another copy of the program (or of this station's own export), row by row.

A copy's row obeys the catalogue exactly as an entry typed in does (`ledger.check_entry`): its
item must exist in its scheme's version in force on its date (or the version it cites), its
points and quantity must be what the item allows, and its 项目名称, 类别, 积分组成 and 一票否决
cells may restate the item but never change it. Its 录入人 is the importing account: the
workbook's 录入人 only goes into the import's audit event (a restore keeps it, as the station's
own history).

A row names a person (警号) or, for a unit scheme (党建, 基层基础, 队伍管理), a unit (单位代码) of
the kind its scheme assesses, never both; 积分制 names the scheme (blank: the person scheme), and
a case entry (执法办案) carries its 案件编号 and 案件类型 under the ledger's rules.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from desktop.models.enums import Component, EntrySource
from desktop.models.units import PERSON_SCHEME, UNIT_KIND_LABELS
from desktop.services.errors import ValidationError
from desktop.services.exchange import vocab
from desktop.services.exchange.cells import CellError, fold
from desktop.services.exchange.plan import ItemRef, Plan
from desktop.services.exchange.plan_entries import (
    LABEL,
    existing_entries,
    report_authorship,
    report_evidence,
    reversed_originals,
)
from desktop.services.exchange.reader import Row, Table
from desktop.services.ledger import MAX_QUANTITY, check_entry
from desktop.services.points import fmt
from desktop.services.text import cn_date

CASE_TEXT = 40  # the ledger's limit on 案件编号 and 案件类型


def owner_of(plan: Plan, v: dict[str, Any]) -> str | None:
    """Whose entry a row is, as `existing_entries` names owners: the badge, or “unit:代码”."""
    if v.get("unit_code"):
        unit = plan.unit(v["unit_code"])
        return f"unit:{unit.code}" if unit is not None else None
    person = plan.person(v.get("badge") or "")
    return person.badge if person is not None else None


def plan_copy_entries(plan: Plan, table: Table) -> None:
    """积分明细 of another copy of the program (or of this station's own export)."""
    counts = plan.report.count(LABEL)
    rows = [r for r in table.rows if r.ok]
    counts.add("rejected", len(table.rows) - len(rows))
    known = existing_entries(plan, [r.values["uuid"] for r in rows if r.values.get("uuid")])
    originals = {r.values["uuid"]: r.values for r in rows
                 if r.values.get("uuid") and not r.values.get("reverses_uuid")}
    reversed_in_db = reversed_originals(plan, [k[3] for k in known.values()])
    seen: dict[str, int] = {}
    reversal_of: dict[str, int] = {}
    before = len(plan.new_entries)
    for row in rows:
        v = row.values
        outcome = _copy_row(plan, table, row, known, seen)
        if outcome != "new":
            counts.add(outcome)
            continue
        target = v.get("reverses_uuid")
        if target:
            problem = None
            if target in reversal_of:
                problem = f"与第 {reversal_of[target]} 行冲正的是同一条记录"
            elif target not in originals and target not in known:
                problem = "被冲正的原记录既不在本表中，也不在数据库中"
            elif target in known and known[target][3] in reversed_in_db:
                problem = "被冲正的原记录在数据库中已经冲正过了"
            else:
                problem = _unlike_original(plan, v, originals.get(target), known.get(target))
            if problem:
                plan.cell_problem(table, row.number, "reverses_uuid", problem, target)
                plan.new_entries.pop()
                counts.add("rejected")
                continue
            reversal_of[target] = row.number
        counts.add("new")
    report_authorship(plan, table, plan.new_entries[before:])
    report_evidence(plan, table, plan.new_entries[before:])


def _unlike_original(plan: Plan, v: dict[str, Any], original: dict[str, Any] | None,
                     stored: tuple[dt.date, str, int, int] | None) -> str | None:
    """Why a reversal does not cancel its original exactly (same person, date and item, the
    negated points), or None when it does."""
    owner = owner_of(plan, v)
    if stored is not None:  # the original is in the database: that is what it cancels
        same = owner is not None and owner == stored[1] and stored[0] == v["date"]
        points: int | None = stored[2]
    elif original is not None:
        same = (owner_of(plan, original) == owner and original.get("date") == v["date"]
                and original.get("item_code") == v["item_code"])
        points = original.get("points")
    else:
        return None
    if not same:
        return "冲正记录的警号（或单位代码）、日期和项目编号应与被冲正的原记录相同"
    if points is None or v["points"] != -points:
        return f"冲正记录的分值应为原记录分值（{fmt(points)}）的相反数"
    return None


def _copy_row(plan: Plan, table: Table, row: Row, known: dict[str, Any], seen: dict[str, int]) -> str:
    v = row.values
    for key, what in (("uuid", "记录UUID"), ("date", "日期"), ("item_code", "项目编号"), ("points", "分值")):
        if v.get(key) is None:
            plan.cell_problem(table, row.number, key, f"{what}不能为空")
            return "rejected"
    uid, day, points = v["uuid"], v["date"], v["points"]
    if uid in seen:
        plan.cell_problem(table, row.number, "uuid", f"记录UUID与第 {seen[uid]} 行重复", uid)
        return "rejected"
    seen[uid] = row.number
    if not plan.claim_entry(table, row.number, uid):
        return "rejected"
    scheme = plan.scheme(v.get("scheme"))
    if uid in known:
        if owner_of(plan, v) == known[uid][1] and known[uid][0] == day and known[uid][2] == points:
            return "unchanged"
        plan.cell_problem(table, row.number, "uuid", "数据库中已有这条记录但内容不同（积分账本只追加、不修改）", uid)
        return "rejected"
    if scheme is None:
        plan.cell_problem(table, row.number, "scheme", "本单位没有运行这个积分制（见“积分制”表；安装积分制须由管理员"
                          "在“设置”中进行）", v.get("scheme"))
        return "rejected"
    owner = _owner(plan, table, row, scheme)
    if owner is None:
        return "rejected"
    person, unit = owner
    item = _item(plan, table, row, scheme.code)
    checked = _against_item(plan, table, row, item, scheme) if item is not None else None
    if item is None or checked is None or not _case_ok(plan, table, row):
        return "rejected"
    quantity, source = checked
    if (reason := plan.locked_reason(day)) is not None:
        plan.cell_problem(table, row.number, "date", reason, day)
        return "rejected"
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    if plan.restore:  # rebuilding the station: its entries keep the authors they were exported with
        author: dict[str, Any] = {"recorded_by_id": None, "recorded_by_name": v.get("recorded_by") or "",
                                  "recorded_at": v.get("recorded_at") or now}
    else:  # an import: the entry is on the importer's account, whatever the workbook says
        author = {"recorded_by_id": plan.actor.user_id, "recorded_by_name": plan.actor.display_name,
                  "recorded_at": now}
    plan.new_entries.append({
        "uuid": uid, "occurred_on": day, "_person": person, "_unit": unit, "_item": item, "item_code": item.code,
        "item_name": item.name, "category": item.category, "component": item.component, "veto": item.veto,
        "quantity": quantity, "points_tenths": points, "note": v.get("note") or "", "source": source,
        "batch_uuid": v.get("batch_uuid"), "_reverses": v.get("reverses_uuid"), "scheme": scheme.code,
        "case_no": v.get("case_no") or "", "case_type": v.get("case_type") or "",
        "_claimed_by": v.get("recorded_by"), "_claimed_at": v.get("recorded_at"), **author,
    })
    return "new"


def _owner(plan: Plan, table: Table, row: Row, scheme: Any) -> tuple[Any, Any] | None:
    """(person ref, None) or (None, unit ref) for the row, after the ledger's rules for each."""
    v = row.values
    badge, code = v.get("badge"), v.get("unit_code")
    if badge and code:
        plan.cell_problem(table, row.number, "unit_code", "一条记录要么记给人员（警号），要么记给单位（单位代码），"
                          "不能同时填写两者", code)
        return None
    if code:
        unit = plan.unit(code)
        if unit is None:
            plan.cell_problem(table, row.number, "unit_code", "“单位”表和数据库中都没有这个单位代码", code)
            return None
        if scheme.code == PERSON_SCHEME:
            plan.cell_problem(table, row.number, "unit_code", "个人积分的记录不能记给单位", code)
            return None
        if unit.kind != scheme.subject:
            plan.cell_problem(table, row.number, "unit_code", f"积分制“{scheme.name}”只能记给"
                              f"{UNIT_KIND_LABELS.get(scheme.subject, scheme.subject)}，“{unit.name}”是"
                              f"{UNIT_KIND_LABELS[unit.kind]}", code)
            return None
        return None, unit
    if not badge:
        plan.cell_problem(table, row.number, "badge", "警号不能为空（单位的记录请填写单位代码）")
        return None
    person = plan.person(badge)
    if person is None:
        plan.cell_problem(table, row.number, "badge", "人员名册中没有这个警号", badge)
        return None
    return person, None


def _case_ok(plan: Plan, table: Table, row: Row) -> bool:
    v = row.values
    for key, what in (("case_no", "案件编号"), ("case_type", "案件类型")):
        if v.get(key) and len(v[key]) > CASE_TEXT:
            plan.cell_problem(table, row.number, key, f"{what}不能超过 {CASE_TEXT} 字", v[key])
            return False
    if v.get("case_type") and not v.get("case_no"):
        plan.cell_problem(table, row.number, "case_no", "填写了案件类型，请同时填写案件编号")
        return False
    return True


def _item(plan: Plan, table: Table, row: Row, scheme: str) -> ItemRef | None:
    """The catalogue item the row cites (项目UUID), else its code in the scheme's version in force that day."""
    v = row.values
    code, day, cited = v["item_code"], v["date"], v.get("item_uuid")
    catalogue = plan.catalogue_of(scheme)
    item = catalogue.by_uuid.get(cited) if cited else None
    if item is not None:
        if item.code != code:
            plan.cell_problem(table, row.number, "item_code", f"项目UUID对应的项目是 {item.code}“{item.name}”，"
                              "与项目编号不符", code)
            return None
        return item
    version = catalogue.in_force(day)
    item = None if version is None else version.get(code)
    if item is None:
        plan.cell_problem(table, row.number, "item_code", f"{cn_date(day)}生效的考核细则中没有这个项目编号", code)
    return item


def _against_item(plan: Plan, table: Table, row: Row, item: ItemRef, scheme: Any) -> tuple[int, str] | None:
    """(quantity, source) when the row is an entry the item allows; otherwise each problem is reported."""
    v, ok = row.values, True
    where = f"{item.code}“{item.name}”"

    def bad(key: str, reason: str, value: Any = None) -> None:
        nonlocal ok
        ok = False
        plan.cell_problem(table, row.number, key, reason, value)

    # Cells that restate the item: the catalogue decides; a workbook cannot re-label an item.
    for key, ours, what in (("item_name", item.name, "项目名称"), ("category", item.category, "类别")):
        if v.get(key) and fold(v[key]) != fold(ours):
            bad(key, f"{what}与考核细则不符：{where}的{what}是“{ours}”", v[key])
    if v.get("component"):
        try:
            person = scheme.code == PERSON_SCHEME
            given = vocab.component(v["component"]).value if person else vocab.scheme_component(scheme, v["component"])
            if given != item.component:
                label = Component(item.component).label if person else scheme.component(item.component).label
                bad("component", f"积分组成与考核细则不符：{where}属于“{label}”", v["component"])
        except CellError as exc:
            bad("component", str(exc), v["component"])
    if v.get("veto") is not None and v["veto"] != item.veto:
        bad("veto", f"一票否决与考核细则不符：{where}{'是' if item.veto else '不是'}一票否决项目",
            "是" if v["veto"] else "否")
    reversal = bool(v.get("reverses_uuid"))
    source = EntrySource.REVERSAL.value if reversal else EntrySource.IMPORT.value
    if v.get("source"):
        try:
            source = vocab.entry_source(v["source"]).value
        except CellError as exc:
            bad("source", str(exc), v["source"])
    if ok and reversal != (source == EntrySource.REVERSAL.value):
        bad("source", "填写了冲正记录UUID的记录，来源应为“冲正”" if reversal else "来源为“冲正”的记录须填写冲正记录UUID",
            v.get("source"))
    quantity = 1 if v.get("quantity") is None else v["quantity"]
    if not 1 <= quantity <= MAX_QUANTITY:
        bad("quantity", f"数量应为 1 到 {MAX_QUANTITY} 之间的整数", quantity)
        return None
    # Points are the row's total, negative only for a reversal; the rule is the ledger's own.
    points = v["points"]
    magnitude = -points if reversal else points
    if magnitude < 0:
        bad("points", "冲正记录的分值应为负数（原记录分值的相反数）" if reversal
            else "分值应为正数：扣分、减分项也写正数，只有冲正记录为负数", fmt(points))
        return None
    per, rest = divmod(magnitude, quantity)
    try:
        if rest:
            raise ValidationError(f"“{item.name}”的分值 {fmt(magnitude)} 不是数量 {quantity} 的整数倍")
        # Evidence files never travel in a workbook, so the typed-in entry's evidence rule cannot
        # apply here (as for the bureau's rows); `plan_copy_entries` does not pretend otherwise.
        check_entry(item, quantity, per, source=EntrySource.IMPORT)
    except ValidationError as exc:
        bad("points", f"{exc}（本行数量 {quantity}，分值 {fmt(points)}）", fmt(points))
    return (quantity, source) if ok else None


