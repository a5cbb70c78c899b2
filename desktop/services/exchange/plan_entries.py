"""Ledger entries from a workbook: another copy's 积分明细, or the bureau's 上级加分/减分 rows.

Entries are appended, never changed. Each carries a UUID: a copy's rows bring their own, a
bureau row without one gets a deterministic uuid5 of its natural key (警号, 日期, 项目, 分值,
说明 and how many identical rows came before it), so the same workbook imported twice adds
nothing; the same record on two sheets is a problem. A row dated in a locked period is a
problem, and nothing is written.

A copy's row obeys the catalogue exactly as an entry typed in does (`ledger.check_entry`): its
item must exist in the version in force on its date (or the version it cites), its points and
quantity must be what the item allows, and its 项目名称, 类别, 积分组成 and 一票否决 cells may
restate the item but never change it. Its 录入人 is the importing account: the workbook's
录入人 only goes into the import's audit event (a restore keeps it, as the station's own history).
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections import Counter
from collections.abc import Iterator
from typing import Any

from sqlalchemy import insert, select

from desktop.models.enums import Component, EntrySource
from desktop.models.ledger import Entry
from desktop.models.people import Person
from desktop.services.errors import ValidationError
from desktop.services.exchange import vocab
from desktop.services.exchange.cells import CellError, fold
from desktop.services.exchange.plan import ItemRef, PersonRef, Plan
from desktop.services.exchange.reader import Row, Table, effective_date_above, month_end_above
from desktop.services.ledger import MAX_QUANTITY, check_entry
from desktop.services.points import fmt
from desktop.services.text import cn_date

NAMESPACE = uuid.UUID("6f1c5a52-3a0e-4c55-9a57-0c1f2b7e9d41")  # jifen bureau rows
LABEL = "积分记录"
CHUNK = 900  # SQLite bound-parameter limit friendly
AUTHORS = "workbook_recorded_by"  # plan.memo key: the workbook's 录入人 → rows, for the audit event


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
    originals = {r.values["uuid"]: r.values for r in rows
                 if r.values.get("uuid") and not r.values.get("reverses_uuid")}
    reversed_in_db = _reversed_originals(plan, [k[3] for k in known.values()])
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
    _report_authorship(plan, table, plan.new_entries[before:])
    _report_evidence(plan, table, plan.new_entries[before:])


def _unlike_original(plan: Plan, v: dict[str, Any], original: dict[str, Any] | None,
                     stored: tuple[dt.date, str, int, int] | None) -> str | None:
    """Why a reversal does not cancel its original exactly (same person, date and item, the
    negated points), or None when it does."""
    if stored is not None:  # the original is in the database: that is what it cancels
        ref = plan.person(v["badge"])
        same = ref is not None and ref.badge == stored[1] and stored[0] == v["date"]
        points: int | None = stored[2]
    elif original is not None:
        same = (plan.person(original.get("badge") or "") is plan.person(v["badge"])
                and original.get("date") == v["date"] and original.get("item_code") == v["item_code"])
        points = original.get("points")
    else:
        return None
    if not same:
        return "冲正记录的警号、日期和项目编号应与被冲正的原记录相同"
    if points is None or v["points"] != -points:
        return f"冲正记录的分值应为原记录分值（{fmt(points)}）的相反数"
    return None


def _report_authorship(plan: Plan, table: Table, added: list[dict[str, Any]]) -> None:
    """The workbook's 录入人 and 录入时间 belong to another copy: say so, and keep them for the audit."""
    claimed = [e.pop("_claimed_by") for e in added]
    stamped = [e.pop("_claimed_at") for e in added]
    names = Counter(name for name in claimed if name)
    plan.memo.setdefault(AUTHORS, Counter()).update(names)
    if plan.restore or not (names or any(stamped)):
        return
    shown = "、".join(f"“{name}”" for name, _ in names.most_common(5))
    plan.report.notice(table.sheet, None, f"“录入人”“录入时间”未采用{f'（工作簿中为{shown}）' if shown else ''}：新增的 "
                       f"{len(added)} 条记录的录入人记为本次导入人“{plan.actor.display_name}”，录入时间为导入时间，"
                       "工作簿中的录入人只记入本次导入的审计记录。签核、锁定、等次和奖励只能由本数据库的账号在本程序中"
                       "完成，记录的录入人也只能是本数据库的账号", header="录入人")


def _report_evidence(plan: Plan, table: Table, added: list[dict[str, Any]]) -> None:
    """A typed-in entry of an item that needs evidence has it attached (`ledger.check_entry`); a
    workbook carries no files, so such rows come in without it, and the report says which."""
    needing = [e for e in added if e["_item"].evidence_required and e["source"] == EntrySource.MANUAL.value]
    if needing:
        items = "、".join(sorted({f"{e['item_code']}“{e['item_name']}”" for e in needing})[:5])
        plan.report.notice(table.sheet, None, f"{len(needing)} 条记录的项目需附证明材料（{items}）：工作簿不带证明材料，"
                           "这些记录导入后没有附件，材料仍在原来录入的电脑上")


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
    if not plan.claim_entry(table, row.number, uid):
        return "rejected"
    person = plan.person(badge)
    if uid in known:
        if person is not None and _same(known[uid], day, person.badge, points):
            return "unchanged"
        plan.cell_problem(table, row.number, "uuid", "数据库中已有这条记录但内容不同（积分账本只追加、不修改）", uid)
        return "rejected"
    if person is None:
        plan.cell_problem(table, row.number, "badge", "人员名册中没有这个警号", badge)
        return "rejected"
    item = _item(plan, table, row)
    checked = _against_item(plan, table, row, item) if item is not None else None
    if item is None or checked is None:
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
        "uuid": uid, "occurred_on": day, "_person": person, "_item": item, "item_code": item.code,
        "item_name": item.name, "category": item.category, "component": item.component, "veto": item.veto,
        "quantity": quantity, "points_tenths": points, "note": v.get("note") or "", "source": source,
        "batch_uuid": v.get("batch_uuid"), "_reverses": v.get("reverses_uuid"),
        "_claimed_by": v.get("recorded_by"), "_claimed_at": v.get("recorded_at"), **author,
    })
    return "new"


def _item(plan: Plan, table: Table, row: Row) -> ItemRef | None:
    """The catalogue item the row cites (项目UUID), else its code in the version in force that day."""
    v = row.values
    code, day, cited = v["item_code"], v["date"], v.get("item_uuid")
    item = plan.catalogue.by_uuid.get(cited) if cited else None
    if item is not None:
        if item.code != code:
            plan.cell_problem(table, row.number, "item_code", f"项目UUID对应的项目是 {item.code}“{item.name}”，"
                              "与项目编号不符", code)
            return None
        return item
    version = plan.catalogue.in_force(day)
    item = None if version is None else version.get(code)
    if item is None:
        plan.cell_problem(table, row.number, "item_code", f"{cn_date(day)}生效的考核细则中没有这个项目编号", code)
    return item


def _against_item(plan: Plan, table: Table, row: Row, item: ItemRef) -> tuple[int, str] | None:
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
            if vocab.component(v["component"]).value != item.component:
                bad("component", f"积分组成与考核细则不符：{where}属于“{Component(item.component).label}”",
                    v["component"])
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
    planned: list[tuple[Row, dict[str, Any]]] = []
    for row in table.rows:
        entry = bureau_row(plan, table, row, default_day) if row.ok else None
        if entry is None:
            counts.add("rejected")
            continue
        person: PersonRef = entry["_person"]
        derived = not entry["uuid"]
        if derived:
            key = "|".join([person.badge, entry["occurred_on"].isoformat(), entry["item_code"],
                            str(entry["points_tenths"]), fold(entry["note"])])
            occurrences[key] = occurrences.get(key, 0) + 1
            entry["uuid"] = str(uuid.uuid5(NAMESPACE, f"{key}|{occurrences[key]}"))
        # Counted per sheet, so the same row on a second sheet has the same UUID: reported, not inserted twice.
        if not plan.claim_entry(table, row.number, entry["uuid"], derived=derived):
            counts.add("rejected")
            continue
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

