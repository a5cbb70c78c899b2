"""Ledger entries from a workbook: another copy's 积分明细, or the bureau's 上级加分/减分 rows.

Entries are appended, never changed. Each carries a UUID: a copy's rows bring their own, a
bureau row without one gets a deterministic uuid5 of its natural key (警号, 日期, 项目, 分值,
说明 and how many identical rows came before it), so the same workbook imported twice adds
nothing; the same record on two sheets is a problem. A row dated in a locked period is a
problem, and nothing is written.

A copy's 积分明细 rows are checked in `plan_copy` (they obey the catalogue exactly as an entry
typed in does); this module holds what both kinds of rows share: the entries already stored,
and the bulk insert of the planned ones, person and unit entries alike.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections import Counter
from collections.abc import Iterator
from typing import Any

from sqlalchemy import insert, select

from desktop.models.bulk_sums import DeferredSums
from desktop.models.enums import EntrySource
from desktop.models.ledger import Entry
from desktop.models.people import Person
from desktop.models.units import PERSON_SCHEME, Unit
from desktop.services.exchange.cells import fold
from desktop.services.exchange.plan import ItemRef, PersonRef, Plan, UnitRef
from desktop.services.exchange.reader import Row, Table, effective_date_above, month_end_above
from desktop.services.text import cn_date

NAMESPACE = uuid.UUID("6f1c5a52-3a0e-4c55-9a57-0c1f2b7e9d41")  # jifen bureau rows
LABEL = "积分记录"
CHUNK = 900  # SQLite bound-parameter limit friendly
AUTHORS = "workbook_recorded_by"  # plan.memo key: the workbook's 录入人 → rows, for the audit event


def existing_entries(plan: Plan, uuids: list[str]) -> dict[str, tuple[dt.date, str, int, int]]:
    """uuid → (date, owner, points, id) for the entries already in the database; the owner is
    the person's badge, or “unit:代码” for an entry against a unit."""
    found: dict[str, tuple[dt.date, str, int, int]] = {}
    for i in range(0, len(uuids), CHUNK):
        chunk = uuids[i:i + CHUNK]
        query = (select(Entry.uuid, Entry.occurred_on, Person.badge, Unit.code, Entry.points_tenths, Entry.id)
                 .outerjoin(Person, Person.id == Entry.person_id).outerjoin(Unit, Unit.id == Entry.unit_id)
                 .where(Entry.uuid.in_(chunk)))
        for uid, day, badge, code, points, entry_id in plan.session.execute(query):
            found[uid] = (day, badge or f"unit:{code}", points, entry_id)
    return found


def reversed_originals(plan: Plan, ids: list[int]) -> set[int]:
    out: set[int] = set()
    for i in range(0, len(ids), CHUNK):
        out |= set(plan.session.scalars(select(Entry.reverses_id).where(Entry.reverses_id.in_(ids[i:i + CHUNK]))))
    return out


def _same(known: tuple[dt.date, str, int, int], day: dt.date, badge: str, points: int) -> bool:
    return known[0] == day and known[1] == badge and known[2] == points


def report_authorship(plan: Plan, table: Table, added: list[dict[str, Any]]) -> None:
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


def report_evidence(plan: Plan, table: Table, added: list[dict[str, Any]]) -> None:
    """A typed-in entry of an item that needs evidence has it attached (`ledger.check_entry`); a
    workbook carries no files, so such rows come in without it, and the report says which."""
    needing = [e for e in added if e["_item"].evidence_required and e["source"] == EntrySource.MANUAL.value]
    if needing:
        items = "、".join(sorted({f"{e['item_code']}“{e['item_name']}”" for e in needing})[:5])
        plan.report.notice(table.sheet, None, f"{len(needing)} 条记录的项目需附证明材料（{items}）：工作簿不带证明材料，"
                           "这些记录导入后没有附件，材料仍在原来录入的电脑上")


def apply_entries(plan: Plan) -> int:
    """Bulk-insert the planned entries: originals first, then reversals pointing at them."""
    if not plan.new_entries:
        return 0
    session = plan.session

    def records(rows: list[dict[str, Any]], reverses: dict[str, int]) -> Iterator[dict[str, Any]]:
        for e in rows:
            person: PersonRef | None = e["_person"]
            unit: UnitRef | None = e.get("_unit")  # a unit entry has no person (bureau rows never have a unit)
            item: ItemRef = e["_item"]
            assert item.id is not None and (person or unit) is not None
            # Every row the same keys (one executemany): a bureau row has no scheme or case of its own.
            yield {"scheme": PERSON_SCHEME, "case_no": "", "case_type": ""} | {
                k: val for k, val in e.items() if not k.startswith("_")} | {
                "person_id": person.id if person else None, "unit_id": unit.id if unit else None,
                "item_id": item.id, "reverses_id": reverses[e["_reverses"]] if e["_reverses"] else None}

    first = [e for e in plan.new_entries if not e["_reverses"]]
    later = [e for e in plan.new_entries if e["_reverses"]]
    # The month sums of all these rows in one statement at the end, not a trigger call a row.
    with DeferredSums(session) as sums:
        if first:
            session.execute(insert(Entry.__table__), list(records(first, {})))
            sums.inserted(e["uuid"] for e in first)
        if later:
            targets = sorted({e["_reverses"] for e in later})
            ids = {uid: found[3] for uid, found in existing_entries(plan, targets).items()}
            session.execute(insert(Entry.__table__), list(records(later, ids)))
            sums.inserted(e["uuid"] for e in later)
    return len(plan.new_entries)


def plan_adjustments(plan: Plan, table: Table) -> None:
    """The bureau's 上级加分 / 上级减分 rows become entries of the matching 上级考评 items."""
    from desktop.services.exchange.plan_bureau import bureau_row

    counts = plan.report.count(LABEL)
    if not table.has("item"):
        plan.report.notice(table.sheet, None, "没有“项目”列：各行按事由对应考核细则中的上级考评项目，对不上的记入"
                           "“其他上级加分”或“其他上级减分”；请在预览的“入账项目”一列中核对")
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

