"""Units (单位) and their dated heads and members (单位成员) from a workbook.

A bureau's list of 警务室 or 党支部 comes with title rows, merged headers and its own words
(单位名称 or 名称, 警务室类别 or 类别 — “类别” may hold the kind or, for posts, the class:
the value decides). New units are added and known ones (by 代码, or 单位UUID in an export)
updated; a unit never changes its kind through an import, because the schemes that score it
and the entries recorded against it depend on it. Members follow `units.add_member`'s rules:
a 所队室 or 警务室 that mirrors a department has that department's people as its members, so
only its head is listed; a new head ends an open head's term the day before (said in a notice);
overlapping terms of one person in one unit, or of two heads, are problems.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from sqlalchemy import insert, select

from desktop.models.people import Person
from desktop.models.station import Department
from desktop.models.units import UNIT_KIND_LABELS, Unit, UnitMember
from desktop.services.exchange import vocab
from desktop.services.exchange.cells import CellError, fold
from desktop.services.exchange.plan import Plan, UnitRef
from desktop.services.exchange.reader import Row, Table, effective_date_above
from desktop.services.text import cn_date

LABEL = "单位"
MEMBER_LABEL = "单位成员"
ROLE_LABELS = {"head": "负责人", "member": "成员"}
EXCLUSIVE_KINDS = ("post", "branch", "enforcement")  # one person, one post (branch, team) at a time


def _title_kind(table: Table) -> str | None:
    """The kind a sheet's name or title gives its rows (“全县警务室一览表”), when it names one only."""
    text = fold(table.sheet + " ".join(table.above))
    found = {kind for kind, names in vocab.UNIT_KIND_TEXT.items()
             if any(fold(n) in text for n in names[:1] + names[2:] if len(n) > 1)}
    return found.pop() if len(found) == 1 else None


def plan_units(plan: Plan, table: Table) -> None:
    if not table.rows:  # an export of a station without units: nothing to say
        return
    counts = plan.report.count(LABEL)
    seen: dict[str, int] = {}
    default = _title_kind(table)
    for row in table.rows:
        counts.add(_plan_unit(plan, table, row, seen, default) if row.ok else "rejected")
    if table.has("head") and not plan.authoritative:
        plan.report.notice(table.sheet, None, "“负责人”一列只作核对（警号须在人员名册中）；负责人和成员的任职起止"
                           "请在“单位成员”表中填写", header=table.where("head")[1])


def _plan_unit(plan: Plan, table: Table, row: Row, seen: dict[str, int], default: str | None) -> str:
    v = row.values

    def bad(key: str, reason: str, value: Any = None) -> str:
        plan.cell_problem(table, row.number, key, reason, value)
        return "rejected"

    code, name = v.get("code"), v.get("name")
    if not code:
        return bad("code", "单位代码不能为空")
    if len(code) > 32:
        return bad("code", "单位代码最多 32 个字符", code)
    if code in seen:
        return bad("code", f"单位代码与第 {seen[code]} 行重复", code)
    seen[code] = row.number
    by_uuid = next((u for u in plan.units.values() if v.get("uuid") and u.uuid == v["uuid"]), None)
    existing = by_uuid or plan.units.get(code)
    if by_uuid is not None and by_uuid.code != code and code in plan.units:
        return bad("code", f"单位代码已属于另一个单位“{plan.units[code].name}”", code)
    name = name or (existing.name if existing else None)
    if not name or len(name) > 100:
        return bad("name", "单位名称不能为空，且不超过 100 字", name)
    kind, klass = (existing.kind if existing else default), None
    if v.get("kind"):
        try:
            kind, klass = vocab.unit_kind(v["kind"])
        except CellError as exc:
            return bad("kind", str(exc), v["kind"])
    if v.get("post_class"):
        try:
            given = vocab.post_class(v["post_class"])
        except CellError as exc:
            return bad("post_class", str(exc), v["post_class"])
        if klass is not None and given != klass:
            return bad("post_class", f"与“类别”中的{vocab.post_class_label(klass)}不符", v["post_class"])
        klass, kind = given, kind or "post"
    if kind is None:
        return bad("kind", "缺少类别：请填写 所队室、警务室、党支部 或 执法办案单位")
    if existing is not None and existing.kind != kind:
        return bad("kind", f"单位“{existing.name}”在本数据库中是{UNIT_KIND_LABELS[existing.kind]}，导入不能改为"
                   f"{UNIT_KIND_LABELS[kind]}（按单位类别计分的积分制和已有记录都依赖它）", v.get("kind"))
    if kind == "post" and klass is None:
        if existing is None or existing.post_class is None or plan.authoritative:
            return bad("post_class", "警务室须填写警务室类别：一类、二类或三类")
        klass = existing.post_class
    if kind != "post" and klass is not None:
        return bad("post_class", f"只有警务室分类别，{UNIT_KIND_LABELS[kind]}“{name}”不能填写警务室类别",
                   v.get("post_class") or v.get("kind"))
    sequence = v.get("sequence") or (existing.sequence if existing and not plan.authoritative else "")
    if kind == "enforcement" and not sequence:
        return bad("sequence", "执法办案单位须填写序列（如 刑事侦查序列）")
    department = _department(plan, table, row, kind, existing)
    if department is False or not _head_known(plan, table, row):
        return "rejected"
    values: dict[str, Any] = {"code": code, "name": name, "kind": kind, "post_class": klass,
                              "sequence": sequence or "", "department_id": department}
    for key in ("sort_order", "active"):
        if v.get(key) is not None:
            values[key] = v[key]
    if existing is None:
        ref = UnitRef(code, v.get("uuid") or str(uuid.uuid4()), name, kind, klass, sequence or "", department)
        plan.units[code] = ref
        plan.new_units.append({"uuid": ref.uuid, "sort_order": len(plan.units), "active": True} | values)
        return "new"
    changes = _changes(plan, existing, values)
    if not changes:
        return "unchanged"
    if existing.id is not None:
        plan.unit_updates[existing.id] = changes
    if existing.code != code:
        plan.units.pop(existing.code, None)
        plan.units[code] = existing
    existing.code, existing.name, existing.post_class = code, name, klass
    existing.sequence, existing.department_id = sequence or "", department
    return "updated"


def _department(plan: Plan, table: Table, row: Row, kind: str, existing: UnitRef | None) -> Any:
    """The department a 所队室 or 警务室 mirrors (its id, or the UUID of one this import adds),
    None for none, False after a problem."""
    text = row.values.get("department")
    if not text:
        return existing.department_id if existing is not None and not plan.authoritative else None
    if kind not in ("department", "post"):
        plan.cell_problem(table, row.number, "department", "只有所队室和警务室对应部门", text)
        return False
    ref = plan.departments.get(fold(text))
    if ref is None:
        plan.cell_problem(table, row.number, "department", "没有这个部门；请先建立该部门，或改成已有的部门名称", text)
        return False
    key = ref.id if ref.id is not None else ref.uuid
    other = next((u for u in plan.units.values() if u.department_id == key and u is not existing
                  and u.code != row.values.get("code")), None)
    if other is not None:
        plan.cell_problem(table, row.number, "department", f"部门“{ref.name}”已对应单位“{other.name}”（{other.code}）", text)
        return False
    return key


def _head_known(plan: Plan, table: Table, row: Row) -> bool:
    """The 负责人 cell (“150302 张伟”, a badge or a name) must name someone on the roster."""
    text = row.values.get("head")
    if not text:
        return True
    first = text.split()[0]
    if plan.person(first) is not None or len(plan.people_named(text)) == 1:
        return True
    plan.cell_problem(table, row.number, "head", "负责人不在人员名册中（请写警号和姓名，如“150302 张伟”）", text)
    return False


def _changes(plan: Plan, ref: UnitRef, values: dict[str, Any]) -> dict[str, Any]:
    row = plan.session.get(Unit, ref.id) if ref.id is not None else None
    if row is None:
        return {}
    return {k: val for k, val in values.items() if getattr(row, k) != val}


# --- members -------------------------------------------------------------------------------------

def _known_terms(plan: Plan) -> list[dict[str, Any]]:
    """Every membership row in the database, as the checks below compare them."""
    query = (select(UnitMember, Unit.code, Unit.kind, Person.badge)
             .join(Unit, Unit.id == UnitMember.unit_id).join(Person, Person.id == UnitMember.person_id))
    return [{"id": m.id, "uuid": m.uuid, "unit": code, "kind": kind, "badge": badge, "role": m.role,
             "start": m.start, "end": m.end, "where": "数据库中已有的记录"}
            for m, code, kind, badge in plan.session.execute(query)]


def _overlap(a: dict[str, Any], start: dt.date, end: dt.date | None) -> bool:
    return (a["end"] is None or a["end"] >= start) and (end is None or a["start"] <= end)


def _term(t: dict[str, Any]) -> str:
    return f"{cn_date(t['start'])}至{cn_date(t['end']) if t['end'] else '今'}"


def plan_members(plan: Plan, table: Table) -> None:
    if not table.rows:
        return
    counts = plan.report.count(MEMBER_LABEL)
    if "unit_terms" not in plan.memo:  # read once; the rows each members sheet plans are added to it
        plan.memo["unit_terms"] = _known_terms(plan)
    terms = plan.memo["unit_terms"]
    default_start = effective_date_above(table)
    for row in table.rows:
        counts.add(_plan_member(plan, table, row, terms, default_start) if row.ok else "rejected")


def _plan_member(plan: Plan, table: Table, row: Row, terms: list[dict[str, Any]],
                 default_start: dt.date | None) -> str:
    v = row.values

    def bad(key: str, reason: str, value: Any = None) -> str:
        plan.cell_problem(table, row.number, key, reason, value)
        return "rejected"

    if not v.get("unit"):
        return bad("unit", "单位不能为空")
    unit = plan.unit(v["unit"])
    if unit is None:
        return bad("unit", "“单位”表和数据库中都没有这个单位（请写单位代码）", v["unit"])
    person = _person(plan, table, row)
    if person is None:
        return "rejected"
    try:
        role = vocab.unit_role(v["role"]) if v.get("role") else "member"
    except CellError as exc:
        return bad("role", str(exc), v["role"])
    start, end = v.get("start") or default_start, v.get("end")
    if start is None:
        return bad("start", "起始日期不能为空")
    if end is not None and end < start:
        return bad("end", f"截止日期早于起始日期 {cn_date(start)}", end)
    if unit.department_id is not None and role == "member":
        return bad("role", f"“{unit.name}”对应部门，其成员就是该部门的人员（请在人员名册中调整部门），"
                   "这里只能登记负责人", v.get("role"))
    # Where a clash of terms is shown: the date column the sheet has (a bureau's may have only 止).
    when, value = ("start", start) if table.has("start") or not table.has("end") else ("end", end)
    term = {"id": None, "uuid": v.get("uuid"), "unit": unit.code, "kind": unit.kind, "badge": person.badge,
            "role": role, "start": start, "end": end, "where": f"第 {row.number} 行"}
    same = next((t for t in terms if t["id"] is not None and (
        (term["uuid"] and t["uuid"] == term["uuid"]) or
        (t["unit"], t["badge"], t["role"], t["start"]) == (unit.code, person.badge, role, start))), None)
    if same is not None and (same["unit"], same["badge"], same["role"], same["start"]) != (
            unit.code, person.badge, role, start):
        return bad("uuid", "数据库中已有这条成员记录，但单位、警号、角色或起始日期不同", term["uuid"])
    others = [t for t in terms if t is not same]
    for t in others:
        if (t["unit"], t["badge"], t["role"]) == (unit.code, person.badge, role) and _overlap(t, start, end):
            return bad(when, f"{person.name}在“{unit.name}”的{ROLE_LABELS[role]}任期与{t['where']}"
                       f"（{_term(t)}）重叠", value)
    if role == "head":
        for t in others:
            if t["unit"] == unit.code and t["role"] == "head" and t["badge"] != person.badge and _overlap(t, start, end):
                if t["id"] is not None and t["end"] is None and t["start"] < start and not plan.restore:
                    plan.member_ends[t["id"]] = start - dt.timedelta(days=1)
                    t["end"] = start - dt.timedelta(days=1)
                    plan.report.notice(table.sheet, row.number, f"“{unit.name}”原负责人（警号 {t['badge']}）的任期"
                                       f"结束于 {cn_date(t['end'])}，由{person.name}接任")
                    continue
                return bad(when, f"同一时间“{unit.name}”已有负责人（警号 {t['badge']}，{t['where']}，{_term(t)}）",
                           value)
    elif unit.kind in EXCLUSIVE_KINDS:
        for t in others:
            if t["badge"] == person.badge and t["kind"] == unit.kind and t["unit"] != unit.code \
                    and t["role"] == "member" and _overlap(t, start, end):
                reason = (f"{person.name}同一时间已是“{t['unit']}”的成员（{t['where']}，{_term(t)}），"
                          f"一人同时只能属于一个{UNIT_KIND_LABELS[unit.kind]}")
                if plan.restore:  # the station's own history, as it was recorded: kept, but said
                    plan.report.notice(table.sheet, row.number, reason)
                    break
                return bad(when, reason, value)
    if same is not None:
        if same["end"] == end:
            return "unchanged"
        plan.member_ends[same["id"]] = end
        same["end"] = end
        return "updated"
    terms.append(term)
    plan.new_members.append({"uuid": term["uuid"] or str(uuid.uuid4()), "_unit": unit.code, "_badge": person.badge,
                             "role": role, "start": start, "end": end})
    return "new"


def _person(plan: Plan, table: Table, row: Row) -> Any:
    v = row.values
    badge, name = v.get("badge"), v.get("name")
    if badge:
        person = plan.person(badge)
        if person is None:
            plan.cell_problem(table, row.number, "badge", "人员名册中没有这个警号", badge)
        elif name and fold(name) != fold(person.name):
            plan.cell_problem(table, row.number, "name", f"警号 {person.badge} 在名册中是“{person.name}”，姓名不符", name)
            return None
        return person
    if not name:
        plan.cell_problem(table, row.number, "badge", "警号和姓名不能都为空")
        return None
    same = plan.people_named(name)
    if len(same) == 1:
        return same[0]
    plan.cell_problem(table, row.number, "name", "人员名册中没有这个姓名" if not same else
                      f"名册中有 {len(same)} 人同名，请填写警号", name)
    return None


def apply_units(plan: Plan) -> None:
    """Insert new units and members, apply the updates, and fill in the new units' ids."""
    session = plan.session
    if not (plan.new_units or plan.unit_updates or plan.new_members or plan.member_ends):
        return
    departments = dict(session.execute(select(Department.uuid, Department.id)).all())

    def dept(value: Any) -> int | None:
        return departments.get(value) if isinstance(value, str) else value

    if plan.new_units:
        session.execute(insert(Unit), [u | {"department_id": dept(u["department_id"])} for u in plan.new_units])
    for unit_id, changes in plan.unit_updates.items():
        row = session.get(Unit, unit_id)
        assert row is not None
        for key, value in changes.items():
            setattr(row, key, dept(value) if key == "department_id" else value)
    for member_id, end in plan.member_ends.items():
        member = session.get(UnitMember, member_id)
        assert member is not None
        member.end = end
    session.flush()
    ids = dict(session.execute(select(Unit.code, Unit.id)).all())
    for ref in plan.units.values():
        ref.id = ids.get(ref.code, ref.id)
    if plan.new_members:
        rows = []
        for m in plan.new_members:
            person = plan.person(m["_badge"])
            assert person is not None and person.id is not None
            rows.append({k: val for k, val in m.items() if not k.startswith("_")}
                        | {"unit_id": ids[m["_unit"]], "person_id": person.id})
        session.execute(insert(UnitMember), rows)
        session.flush()
