"""Ledger entries from a workbook: another copy's 积分明细, or the bureau's 上级加分/减分 rows.

Entries are appended, never changed. Each carries a UUID: a copy's rows bring their own, a
bureau row without one gets a deterministic uuid5 of its natural key (警号, 日期, 项目, 分值,
说明 and how many identical rows came before it), so the same workbook imported twice adds
nothing. A row dated in a locked period is a problem, and nothing is written.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterator
from typing import Any

from sqlalchemy import insert, select

from desktop.models.enums import EntrySource
from desktop.models.ledger import Entry
from desktop.models.people import Person
from desktop.services.exchange import vocab
from desktop.services.exchange.cells import CellError, fold
from desktop.services.exchange.plan import ItemRef, PersonRef, Plan
from desktop.services.exchange.reader import Row, Table, effective_date_above, month_end_above
from desktop.services.text import cn_date

NAMESPACE = uuid.UUID("6f1c5a52-3a0e-4c55-9a57-0c1f2b7e9d41")  # jifen bureau rows
LABEL = "积分记录"
CHUNK = 900  # SQLite bound-parameter limit friendly


def existing_entries(plan: Plan, uuids: list[str]) -> dict[str, tuple[dt.date, str, int, int]]:
    """uuid → (date, badge, points, id) for the entries already in the database."""
    found: dict[str, tuple[dt.date, str, int, int]] = {}
    for i in range(0, len(uuids), CHUNK):
        chunk = uuids[i:i + CHUNK]
        query = (select(Entry.uuid, Entry.occurred_on, Person.badge, Entry.points_tenths, Entry.id)
                 .join(Person, Person.id == Entry.person_id).where(Entry.uuid.in_(chunk)))
        for uid, day, badge, points, entry_id in plan.session.execute(query):
            found[uid] = (day, badge, points, entry_id)
    return found


def _reversed_originals(plan: Plan, ids: list[int]) -> set[int]:
    out: set[int] = set()
    for i in range(0, len(ids), CHUNK):
        out |= set(plan.session.scalars(select(Entry.reverses_id).where(Entry.reverses_id.in_(ids[i:i + CHUNK]))))
    return out


def _same(known: tuple[dt.date, str, int, int], day: dt.date, badge: str, points: int) -> bool:
    return known[0] == day and known[1] == badge and known[2] == points


def plan_copy_entries(plan: Plan, table: Table) -> None:
    """积分明细 of another copy of the program (or of this station's own export)."""
    counts = plan.report.count(LABEL)
    rows = [r for r in table.rows if r.ok]
    counts.add("rejected", len(table.rows) - len(rows))
    known = existing_entries(plan, [r.values["uuid"] for r in rows if r.values.get("uuid")])
    originals = {r.values["uuid"] for r in rows if r.values.get("uuid") and not r.values.get("reverses_uuid")}
    reversed_in_db = _reversed_originals(plan, [k[3] for k in known.values()])
    seen: dict[str, int] = {}
    reversal_of: dict[str, int] = {}
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
            if problem:
                plan.cell_problem(table, row.number, "reverses_uuid", problem, target)
                plan.new_entries.pop()
                counts.add("rejected")
                continue
            reversal_of[target] = row.number
        counts.add("new")


def _copy_row(plan: Plan, table: Table, row: Row, known: dict[str, Any], seen: dict[str, int]) -> str:
    v = row.values
    for key, what in (("uuid", "记录UUID"), ("date", "日期"), ("badge", "警号"), ("item_code", "项目编号"),
                      ("points", "分值")):
        if v.get(key) is None:
            plan.cell_problem(table, row.number, key, f"{what}不能为空")
            return "rejected"
    uid, day, badge, points = v["uuid"], v["date"], v["badge"], v["points"]
    if uid in seen:
        plan.cell_problem(table, row.number, "uuid", f"记录UUID与第 {seen[uid]} 行重复", uid)
        return "rejected"
    seen[uid] = row.number
    person = plan.person(badge)
    if uid in known:
        if person is not None and _same(known[uid], day, person.badge, points):
            return "unchanged"
        plan.cell_problem(table, row.number, "uuid", "数据库中已有这条记录但内容不同（积分账本只追加、不修改）", uid)
        return "rejected"
    if person is None:
        plan.cell_problem(table, row.number, "badge", "人员名册中没有这个警号", badge)
        return "rejected"
    item = _item(plan, v.get("item_uuid"), v["item_code"], day)
    if item is None:
        plan.cell_problem(table, row.number, "item_code", f"{cn_date(day)}生效的考核细则中没有这个项目编号",
                          v["item_code"])
        return "rejected"
    try:
        component = vocab.component(v["component"]).value if v.get("component") else item.component
        source = vocab.entry_source(v["source"]).value if v.get("source") else EntrySource.IMPORT.value
    except CellError as exc:
        key = "component" if "组成" in str(exc) else "source"
        plan.cell_problem(table, row.number, key, str(exc), v.get(key))
        return "rejected"
    if (reason := plan.locked_reason(day)) is not None:
        plan.cell_problem(table, row.number, "date", reason, day)
        return "rejected"
    plan.new_entries.append({
        "uuid": uid, "occurred_on": day, "_person": person, "_item": item, "item_code": v["item_code"],
        "item_name": v.get("item_name") or item.name, "category": v.get("category") or item.category,
        "component": component, "veto": item.veto if v.get("veto") is None else v["veto"],
        "quantity": v.get("quantity") or 1, "points_tenths": points, "note": v.get("note") or "",
        "source": source, "batch_uuid": v.get("batch_uuid"), "_reverses": v.get("reverses_uuid"),
        "recorded_by_id": None, "recorded_by_name": v.get("recorded_by") or "",
        "recorded_at": v.get("recorded_at") or dt.datetime.now(dt.UTC).replace(tzinfo=None),
    })
    return "new"


def _item(plan: Plan, item_uuid: str | None, code: str, day: dt.date) -> ItemRef | None:
    if item_uuid and item_uuid in plan.catalogue.by_uuid:
        return plan.catalogue.by_uuid[item_uuid]
    version = plan.catalogue.in_force(day)
    return None if version is None else version.get(code)


def apply_entries(plan: Plan) -> int:
    """Bulk-insert the planned entries: originals first, then reversals pointing at them."""
    if not plan.new_entries:
        return 0
    session = plan.session

    def records(rows: list[dict[str, Any]], reverses: dict[str, int]) -> Iterator[dict[str, Any]]:
        for e in rows:
            person: PersonRef = e["_person"]
            item: ItemRef = e["_item"]
            assert person.id is not None and item.id is not None
            yield {k: val for k, val in e.items() if not k.startswith("_")} | {
                "person_id": person.id, "item_id": item.id,
                "reverses_id": reverses[e["_reverses"]] if e["_reverses"] else None}

    first = [e for e in plan.new_entries if not e["_reverses"]]
    later = [e for e in plan.new_entries if e["_reverses"]]
    if first:
        session.execute(insert(Entry.__table__), list(records(first, {})))
    if later:
        targets = sorted({e["_reverses"] for e in later})
        ids = {uid: found[3] for uid, found in existing_entries(plan, targets).items()}
        session.execute(insert(Entry.__table__), list(records(later, ids)))
    return len(plan.new_entries)


def plan_adjustments(plan: Plan, table: Table) -> None:
    """The bureau's 上级加分 / 上级减分 rows become entries of the matching 上级考评 items."""
    from desktop.services.exchange.plan_bureau import bureau_row

    counts = plan.report.count(LABEL)
    if not table.has("item"):
        plan.report.problem(table.sheet, table.header_row, "缺少“项目”列：请写明每行对应的上级考评项目（编号或名称，"
                            "如 SJ-02 或“受到县局（分局）通报表扬”）")
        counts.add("rejected", len(table.rows))
        return
    default_day = None
    if not table.has("date"):
        default_day = effective_date_above(table) or month_end_above(table)
        if default_day is None:
            plan.report.problem(table.sheet, table.header_row, "缺少“日期”列，标题中也没有写明年月：请加一列“日期”，"
                                "或在标题中写明如“2026年3月”")
            counts.add("rejected", len(table.rows))
            return
        plan.report.notice(table.sheet, None, f"没有“日期”列：各行按标题中的日期记为 {cn_date(default_day)}")
    occurrences: dict[str, int] = {}
    given: dict[str, int] = {}
    planned: list[tuple[Row, dict[str, Any]]] = []
    for row in table.rows:
        entry = bureau_row(plan, table, row, default_day) if row.ok else None
        if entry is None:
            counts.add("rejected")
            continue
        person: PersonRef = entry["_person"]
        if entry["uuid"] in given:
            plan.cell_problem(table, row.number, "uuid", f"记录UUID与第 {given[entry['uuid']]} 行重复", entry["uuid"])
            counts.add("rejected")
            continue
        if entry["uuid"]:
            given[entry["uuid"]] = row.number
        else:
            key = "|".join([person.badge, entry["occurred_on"].isoformat(), entry["item_code"],
                            str(entry["points_tenths"]), fold(entry["note"])])
            occurrences[key] = occurrences.get(key, 0) + 1
            entry["uuid"] = str(uuid.uuid5(NAMESPACE, f"{key}|{occurrences[key]}"))
        planned.append((row, entry))
    known = existing_entries(plan, [e["uuid"] for _, e in planned])
    for row, entry in planned:
        found = known.get(entry["uuid"])
        if found is None:
            plan.new_entries.append(entry)
            counts.add("new")
        elif _same(found, entry["occurred_on"], entry["_person"].badge, entry["points_tenths"]):
            counts.add("unchanged")
        else:
            plan.cell_problem(table, row.number, "badge", "这一行的记录UUID在数据库中已属于另一条记录", entry["uuid"])
            counts.add("rejected")

