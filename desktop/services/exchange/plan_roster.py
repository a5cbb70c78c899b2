"""Departments and the roster from a workbook: new people are added, known ones (by 警号) updated.

In a bureau workbook a blank cell or a missing column means "not given" and keeps what the
station has; in a jifen export the sheet is the whole truth, so a blank clears the field.
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import insert, select

from desktop.models.enums import DepartmentKind, Identity
from desktop.models.people import Person
from desktop.models.station import Department, Station
from desktop.services import department_moves, id_numbers
from desktop.services.errors import ValidationError
from desktop.services.exchange import vocab
from desktop.services.exchange.cells import CellError, fold
from desktop.services.exchange.plan import DeptRef, PersonRef, Plan
from desktop.services.exchange.reader import Row, Table
from desktop.services.roster_impact import change_impact

PERSON_FIELDS = ("name", "identity", "position", "department", "sequence", "is_head", "active_from", "active_to",
                 "phone", "id_number")
DEPT_LABEL = "部门"
PEOPLE_LABEL = "人员"


def plan_departments(plan: Plan, table: Table) -> None:
    counts = plan.report.count(DEPT_LABEL)
    by_uuid = {ref.uuid: ref for ref in plan.departments.values()}
    seen: dict[str, int] = {}
    next_order = len(plan.departments) + 1
    for row in table.rows:
        v = row.values
        name = v["name"]
        if not row.ok:
            counts.add("rejected")
            continue
        if not name:
            plan.cell_problem(table, row.number, "name", "部门名称不能为空")
            counts.add("rejected")
            continue
        if fold(name) in seen:
            plan.cell_problem(table, row.number, "name", f"与第 {seen[fold(name)]} 行的部门重名", name)
            counts.add("rejected")
            continue
        seen[fold(name)] = row.number
        try:
            kind = vocab.department_kind(v["kind"]) if v.get("kind") else DepartmentKind.OFFICE
            post_class = vocab.post_class(v["post_class"]) if v.get("post_class") else None
        except CellError as exc:
            key = "kind" if "类型" in str(exc) else "post_class"
            plan.cell_problem(table, row.number, key, str(exc), v.get(key))
            counts.add("rejected")
            continue
        if kind == DepartmentKind.POST and post_class is None:
            plan.cell_problem(table, row.number, "post_class", "警务室需要填写类别：一类、二类或三类")
            counts.add("rejected")
            continue
        if kind != DepartmentKind.POST:
            post_class = None
        existing = by_uuid.get(v.get("uuid") or "") or plan.departments.get(fold(name))
        clash = plan.departments.get(fold(name))
        if existing is not None and clash is not None and clash is not existing:
            plan.cell_problem(table, row.number, "name", "改名后与另一个已有部门重名", name)
            counts.add("rejected")
            continue
        values = {"name": name, "kind": kind.value, "post_class": post_class}
        for key in ("code", "sort_order", "active"):
            if v.get(key) is not None:
                values[key] = v[key]
        if existing is None:
            ref = DeptRef(name, v.get("uuid") or str(uuid.uuid4()), kind.value, post_class)
            plan.departments[fold(name)] = ref
            plan.new_departments.append({"uuid": ref.uuid, "code": v.get("code") or f"D{next_order:02d}",
                                         "sort_order": v.get("sort_order") or next_order,
                                         "active": True if v.get("active") is None else v["active"]} | values)
            next_order += 1
            counts.add("new")
            continue
        changed = _department_changes(plan, existing, values)
        if existing.id is not None and changed:
            plan.department_updates[existing.id] = changed
            if "name" in changed:
                plan.departments.pop(fold(existing.name), None)
                existing.name = name
                plan.departments[fold(name)] = existing
            counts.add("updated")
        else:
            counts.add("unchanged")


def _department_changes(plan: Plan, ref: DeptRef, values: dict[str, Any]) -> dict[str, Any]:
    row = plan.session.get(Department, ref.id) if ref.id is not None else None
    if row is None:
        return {}
    return {k: val for k, val in values.items() if getattr(row, k) != val}


def plan_people(plan: Plan, table: Table) -> None:
    counts = plan.report.count(PEOPLE_LABEL)
    # Badge → (sheet, row) across every roster sheet: one sheet per department is common, and a
    # person on two of them is refused with both places named rather than the last one winning.
    seen: dict[str, tuple[str, int]] = plan.memo.setdefault("roster_rows", {})
    if not table.has("identity") and not plan.authoritative:
        plan.report.notice(table.sheet, None, "没有“身份”列：新增人员按“民警”登记")
    for row in table.rows:
        outcome = _plan_person(plan, table, row, seen)
        counts.add(outcome)


def _plan_person(plan: Plan, table: Table, row: Row, seen: dict[str, tuple[str, int]]) -> str:
    v = row.values
    badge = v.get("badge")
    if not badge and v.get("id_number"):  # a 公安人事 list may leave 警号 blank: the 身份证号 finds the person
        try:
            known = plan.person_with_id(id_numbers.normalise(v["id_number"]))
        except ValidationError:
            known = None  # reported with the other fields below
        badge = known.badge if known is not None else None
    if not badge:
        reason = "警号不能为空" if not v.get("id_number") else "名册中没有这个身份证号的人，新增人员需要填写警号"
        plan.cell_problem(table, row.number, "badge", reason)
        return "rejected"
    badge = (plan.person(badge).badge if plan.person(badge) else badge)  # 0150001 and 150001 are one person
    if badge in seen:
        sheet, number = seen[badge]
        where = f"第 {number} 行" if sheet == table.sheet else f"工作表“{sheet}”第 {number} 行"
        plan.cell_problem(table, row.number, "badge", f"警号与{where}重复：同一人只能写一行，请删去其中一行或核对警号",
                          badge)
        return "rejected"
    seen[badge] = (table.sheet, row.number)
    if not row.ok:
        return "rejected"
    given = _given_fields(plan, table, row)
    if given is None:
        return "rejected"
    existing = plan.person(badge)
    if existing is None:
        return _new_person(plan, table, row, badge, given)
    if existing.id is None:  # two rows for one new person are caught above; nothing to compare
        return "unchanged"
    person = plan.session.get(Person, existing.id)
    assert person is not None
    changes = {k: val for k, val in given.items() if not k.startswith("_") and getattr(person, k) != val}
    start, end = changes.get("active_from", person.active_from), changes.get("active_to", person.active_to)
    if start and end and end < start:
        plan.cell_problem(table, row.number, "active_to", "离岗日期早于在岗日期", end)
        return "rejected"
    # 调动日期 dates a department change; on a row whose department is unchanged it only says
    # since when (many rosters fill 任现部门时间 for everyone) and is left alone.
    moved_on = row.values.get("moved_on")
    if "department_id" in changes:
        try:  # the same checks as a move made on the person screen: not into a locked period
            department_moves.check_move(plan.session, person,
                                        department_moves.effective_day(plan.session, person, moved_on))
        except ValidationError as exc:
            plan.cell_problem(table, row.number, "moved_on" if moved_on else "department", str(exc), moved_on)
            return "rejected"
        plan.memo.setdefault("moves", {})[existing.id] = moved_on
    if not changes:
        return "unchanged"
    known = {k: v for k, v in changes.items() if k != "department_id" or isinstance(v, int)}
    impact = change_impact(plan.session, person, known, moved_on=moved_on)  # reaching into recorded months
    for line in impact:
        plan.report.notice(table.sheet, row.number, f"{person.name}（{person.badge}）{line}")
    if impact:
        plan.report.derive(table.sheet, row.number, "变动影响", "；".join(impact))
    plan.person_updates[existing.id] = changes
    existing.name = changes.get("name", existing.name)
    existing.active_from, existing.active_to = start, end
    if "department_id" in changes:
        existing.department = fold(given["_department"])
    existing.id_number = changes.get("id_number", existing.id_number)
    return "updated"


def _given_fields(plan: Plan, table: Table, row: Row) -> dict[str, Any] | None:
    """The person's fields this row provides, in the database's form; None after a problem."""
    v = dict(row.values)
    given: dict[str, Any] = {}
    if not v.get("department") and (dept := department_of_sheet(plan, table, row)) is not None:
        v["department"] = dept.name  # one sheet (or one block) per department: its title is the department
    for key in PERSON_FIELDS:
        if key not in v or (v[key] is None and not plan.authoritative):
            continue
        value = v[key]
        if key == "identity":
            if value is None:
                continue
            try:
                value = vocab.identity(value).value
            except CellError as exc:
                plan.cell_problem(table, row.number, key, str(exc), value)
                return None
        elif key == "department":
            if value is None:
                continue
            ref = plan.departments.get(fold(value))
            if ref is None:
                plan.cell_problem(table, row.number, key, "没有这个部门；请先在程序里建立该部门，或改成已有的部门名称",
                                  value)
                return None
            given["_department"] = ref.name
            key, value = "department_id", ref.id if ref.id is not None else ref.uuid
        elif key == "is_head":
            value = bool(value)
        elif key == "id_number":
            try:
                value = id_numbers.normalise(value)
            except ValidationError as exc:
                plan.cell_problem(table, row.number, key, str(exc).replace(f"“{value}”", ""), id_numbers.mask(value))
                return None
            twin = plan.person_with_id(value)
            if twin is not None and value and twin.badge != v.get("badge") and v.get("badge"):
                plan.cell_problem(table, row.number, key, f"这个身份证号在名册中属于 {twin.name}（{twin.badge}）",
                                  id_numbers.mask(value))
                return None
        elif key in ("position", "sequence", "phone"):
            value = value or ""
        given[key] = value
    start, end = given.get("active_from"), given.get("active_to")
    if start and end and end < start:
        plan.cell_problem(table, row.number, "active_to", "离岗日期早于在岗日期", end)
        return None
    return given


SHEET_WORDS = ("人员名册", "花名册", "名册", "人员名单", "民警名单", "名单", "人员", "民警", "辅警", "信息")


def department_of_sheet(plan: Plan, table: Table, row: Row) -> DeptRef | None:
    """The department a sheet or block without a 部门 column is about: the block's title row
    (“一、治安中队”) or the sheet's name (“治安中队”, “治安中队名册”), when it names exactly one."""
    if plan.authoritative:
        return None  # a jifen export always has its 部门 column
    for text in (row.section, table.sheet):
        if not text:
            continue
        key = fold(text)
        for word in SHEET_WORDS:
            key = key.removesuffix(fold(word))
        key = key.lstrip("0123456789一二三四五六七八九十、.（）()")
        exact = plan.departments.get(key)
        if exact is not None:
            return exact
        inside = [d for name, d in plan.departments.items() if name and name in key]
        if len(inside) == 1:
            return inside[0]
    return None


def _new_person(plan: Plan, table: Table, row: Row, badge: str, given: dict[str, Any]) -> str:
    if not given.get("name"):
        plan.cell_problem(table, row.number, "name", "新增人员的姓名不能为空")
        return "rejected"
    if "department_id" not in given:
        plan.cell_problem(table, row.number, "department", "新增人员需要填写部门")
        return "rejected"
    row_uuid = row.values.get("uuid")
    taken = {p.uuid for p in plan.people.values()}
    person_uuid = row_uuid if row_uuid and row_uuid not in taken else str(uuid.uuid4())
    record = {"uuid": person_uuid, "badge": badge, "identity": Identity.POLICE.value, "position": "",
              "sequence": "", "is_head": False, "active_from": None, "active_to": None, "phone": "", "id_number": ""}
    record |= {k: val for k, val in given.items() if not k.startswith("_")}
    plan.new_people.append(record)
    plan.people[badge] = PersonRef(badge, person_uuid, given["name"], fold(given["_department"]),
                                   record["active_from"], record["active_to"], id_number=record.get("id_number", ""))
    return "new"


def apply_roster(plan: Plan) -> None:
    """Insert new departments and people, update changed ones, and fill in the new ids."""
    session = plan.session
    station_id = session.scalar(select(Station.id).order_by(Station.id).limit(1))
    if plan.new_departments:
        session.execute(insert(Department), [d | {"station_id": station_id} for d in plan.new_departments])
    for dept_id, changes in plan.department_updates.items():
        row = session.get(Department, dept_id)
        assert row is not None
        for key, value in changes.items():
            setattr(row, key, value)
    session.flush()
    ids = dict(session.execute(select(Department.uuid, Department.id)).all())
    for ref in plan.departments.values():
        ref.id = ids.get(ref.uuid, ref.id)

    def dept_id(value: int | str) -> int:
        return value if isinstance(value, int) else ids[value]

    if plan.new_people:
        session.execute(insert(Person), [p | {"department_id": dept_id(p["department_id"])} for p in plan.new_people])
    moves = plan.memo.get("moves", {})
    for person_id, changes in plan.person_updates.items():
        person = session.get(Person, person_id)
        assert person is not None
        if "department_id" in changes:  # dated as the row says, else from the first open day
            department_moves.record_move(session, plan.actor, person, dept_id(changes["department_id"]),
                                         moves.get(person_id))
        for key, value in changes.items():
            setattr(person, key, dept_id(value) if key == "department_id" else value)
    session.flush()
    person_ids = dict(session.execute(select(Person.badge, Person.id)).all())
    for ref in plan.people.values():
        ref.id = person_ids.get(ref.badge, ref.id)
