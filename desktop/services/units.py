"""Units as assessed subjects: 所队室, 警务室, 党支部, 执法办案单位, with dated heads and members.

    unit = add_unit(session, actor, UnitInput(code="DZB-01", name="第一党支部", kind="branch"))
    add_member(session, actor, unit.code, "150212", start=dt.date(2026, 1, 1), role="head")
    members_on(session, unit, dt.date(2026, 3, 31))   # who was in it that day
    head_on(session, unit, day)
    members_by_unit(session, units, day), heads_by_unit(session, units, day)   # many units at once

A department or post unit mirrors a department (`for_department`): its members are the
department's people; a branch or enforcement unit keeps its own membership rows, because a
party branch or a case-handling team cuts across departments.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import NamedTuple

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from desktop.models.people import Person
from desktop.models.station import Department
from desktop.models.units import UNIT_KIND_LABELS, UNIT_KINDS, Unit, UnitMember
from desktop.services import audit, department_moves
from desktop.services.actor import Actor, require
from desktop.services.errors import NotFound, ValidationError
from desktop.services.roster import person_by_badge
from desktop.services.text import cn_date

ROLES = {"head": "负责人", "member": "成员"}
CLASS_LABELS = {1: "一类", 2: "二类", 3: "三类"}


@dataclass
class UnitInput:
    code: str
    name: str
    kind: str
    post_class: int | None = None
    sequence: str = ""
    department: str = ""  # the department a department or post unit mirrors (by name)

    def validate(self) -> None:
        if not self.code.strip() or len(self.code.strip()) > 32:
            raise ValidationError("单位代码不能为空，且不超过 32 个字符")
        if not self.name.strip() or len(self.name.strip()) > 100:
            raise ValidationError("单位名称不能为空，且不超过 100 字")
        if self.kind not in UNIT_KINDS:
            kinds = "、".join(f"{k}（{v}）" for k, v in UNIT_KIND_LABELS.items())
            raise ValidationError(f"单位类型“{self.kind}”不对，应为 {kinds}")
        if self.kind == "post":
            if self.post_class not in CLASS_LABELS:
                raise ValidationError(f"警务室“{self.name}”须有类别：1（一类）、2（二类）或 3（三类）")
        elif self.post_class is not None:
            raise ValidationError(f"只有警务室分类别，{UNIT_KIND_LABELS[self.kind]}“{self.name}”不能设类别")
        if self.kind == "enforcement" and not self.sequence.strip():
            raise ValidationError(f"执法办案单位“{self.name}”须写明考核序列")
        if self.department and self.kind not in ("department", "post"):
            raise ValidationError("只有所队室和警务室对应部门")


def add_unit(session: Session, actor: Actor, data: UnitInput) -> Unit:
    require(actor, "roster.edit")
    data.validate()
    code = data.code.strip()
    if session.scalar(select(Unit.id).where(Unit.code == code)) is not None:
        raise ValidationError(f"单位代码“{code}”已被使用")
    department_id = None
    if data.department:
        found = session.scalar(select(Department).where(Department.name == data.department.strip()))
        if found is None:
            raise NotFound(f"没有名为“{data.department}”的部门")
        department_id = found.id
    unit = Unit(code=code, name=data.name.strip(), kind=data.kind, post_class=data.post_class,
                sequence=data.sequence.strip(), department_id=department_id)
    session.add(unit)
    session.flush()
    audit.record(session, actor, "unit.add", "unit", unit.uuid, code=code, name=unit.name, kind=unit.kind,
                 post_class=unit.post_class, sequence=unit.sequence)
    return unit


def for_department(session: Session, actor: Actor, department: Department, code: str | None = None) -> Unit:
    """The unit mirroring a department (所队室) or post (警务室), made on first use."""
    found = session.scalar(select(Unit).where(Unit.department_id == department.id))
    if found is not None:
        return found
    kind = "post" if department.kind == "post" else "department"
    return add_unit(session, actor, UnitInput(code=code or department.code or f"D{department.id:03d}",
                                              name=department.name, kind=kind, post_class=department.post_class
                                              if kind == "post" else None, department=department.name))


def unit_by_code(session: Session, code: str) -> Unit:
    unit = session.scalar(select(Unit).where(Unit.code == code.strip()))
    if unit is None:
        raise NotFound(f"没有代码为“{code}”的考核单位")
    return unit


def list_units(session: Session, kind: str | None = None) -> list[Unit]:
    query = select(Unit).order_by(Unit.kind, Unit.post_class, Unit.sequence, Unit.sort_order, Unit.code)
    if kind is not None:
        query = query.where(Unit.kind == kind)
    return list(session.scalars(query))


SINGLE_MEMBERSHIP = frozenset({"post", "branch", "enforcement"})


def add_member(session: Session, actor: Actor, unit_code: str, badge: str, *, start: dt.date,
               role: str = "member", end: dt.date | None = None) -> UnitMember:
    """Put a person in a unit from `start`; a new head ends the previous head's term the day before."""
    require(actor, "roster.edit")
    if role not in ROLES:
        raise ValidationError(f"成员角色“{role}”不对，应为 head（负责人）或 member（成员）")
    if end is not None and end < start:
        raise ValidationError(f"结束日期 {cn_date(end)} 早于开始日期 {cn_date(start)}")
    unit = unit_by_code(session, unit_code)
    person = person_by_badge(session, badge)
    if unit.department_id is not None and role == "member":
        raise ValidationError(f"“{unit.name}”的成员就是该部门的人员，请在人员名册中调整部门")
    for row in _rows(session, unit.id, person.id):
        if _overlaps(row, start, end) and row.role == role:
            raise ValidationError(f"{person.name}（{person.badge}）在 {cn_date(start)} 已是“{unit.name}”的{ROLES[role]}")
    if role == "member" and unit.kind in SINGLE_MEMBERSHIP:
        # Scores add up members: one officer in two posts (or branches) at once would count twice.
        others = session.scalars(select(UnitMember).join(Unit, Unit.id == UnitMember.unit_id).where(
            UnitMember.person_id == person.id, UnitMember.role == "member", Unit.kind == unit.kind,
            Unit.id != unit.id))
        for other in others:
            if _overlaps(other, start, end):
                raise ValidationError(f"{person.name}（{person.badge}）在 {cn_date(start)} 已是“{other.unit.name}”的成员，"
                                      f"一人同时只能属于一个{UNIT_KIND_LABELS[unit.kind]}")
    if role == "head":
        for row in session.scalars(select(UnitMember).where(UnitMember.unit_id == unit.id, UnitMember.role == "head",
                                                            or_(UnitMember.end.is_(None), UnitMember.end >= start))):
            if row.start >= start:
                raise ValidationError(f"“{unit.name}”自 {cn_date(row.start)} 已有负责人，请先调整")
            row.end = start - dt.timedelta(days=1)
    member = UnitMember(unit_id=unit.id, person_id=person.id, role=role, start=start, end=end)
    session.add(member)
    session.flush()
    audit.record(session, actor, "unit.member", "unit", unit.uuid, badge=person.badge, role=role,
                 start=start, end=end)
    return member


def end_member(session: Session, actor: Actor, unit_code: str, badge: str, end: dt.date) -> None:
    require(actor, "roster.edit")
    unit = unit_by_code(session, unit_code)
    person = person_by_badge(session, badge)
    open_rows = [r for r in _rows(session, unit.id, person.id) if r.end is None or r.end > end]
    if not open_rows:
        raise NotFound(f"{person.name}（{person.badge}）在 {cn_date(end)} 之后不在“{unit.name}”中")
    for row in open_rows:
        if row.start > end:
            raise ValidationError(f"{person.name} 在“{unit.name}”中自 {cn_date(row.start)} 起，不能在此前结束")
        row.end = end
    audit.record(session, actor, "unit.member_end", "unit", unit.uuid, badge=person.badge, end=end)


def members_on(session: Session, unit: Unit, day: dt.date) -> list[Person]:
    """Everyone in the unit on `day`: its department's people, or its own membership rows."""
    ids = [m.id for m in members_by_unit(session, [unit], day)[unit.id]]
    if not ids:
        return []
    people = {p.id: p for p in session.scalars(select(Person).where(Person.id.in_(ids)))}
    return [people[i] for i in ids]


def head_on(session: Session, unit: Unit, day: dt.date) -> Person | None:
    return heads_by_unit(session, [unit], day)[unit.id]


def _mirrors(found: Sequence[Unit]) -> dict[int, list[int]]:
    """department id -> the units mirroring it."""
    out: defaultdict[int, list[int]] = defaultdict(list)
    for unit in found:
        if unit.department_id is not None:
            out[unit.department_id].append(unit.id)
    return dict(out)


class Member(NamedTuple):
    """A unit member as scoring reads one: plain columns, no ORM object (a county's units hold
    its 2,000 people, and building Person objects for them was a fifth of a month's scoring)."""

    id: int
    badge: str
    name: str
    sequence: str


_MEMBER_COLUMNS = (Person.id, Person.badge, Person.name, Person.sequence)


def members_by_unit(session: Session, found: Sequence[Unit], day: dt.date,
                    among: Collection[int] | None = None) -> dict[int, list[Member]]:
    """unit id -> everyone in it on `day` (`members_on`), by badge: a few queries for any number
    of units, where one unit at a time costs a query per unit and one more per member.
    `among`: only these people are looked for (a unit summing its members' points needs only
    those who have some; the other 2,000 of a county would each add zero)."""
    out: dict[int, list[Member]] = {unit.id: [] for unit in found}
    if among is not None and not among:
        return out
    if among is not None and len(among) > 900:  # a long list of ids costs more than it saves (and
        among = None  # an old SQLite takes at most 999 parameters)
    only = [] if among is None else [Person.id.in_(among)]
    mirrors = _mirrors(found)
    if mirrors:  # who held each department that day (dated moves included)
        moves = department_moves.later_moves(session, day)
        held = {pid: dept for pid, m in moves.items() if (dept := department_moves.held_on(m, day)) is not None}
        moved_in = [pid for pid, dept in held.items() if dept in mirrors]
        people = session.execute(
            select(*_MEMBER_COLUMNS, Person.department_id)
            .where(or_(Person.department_id.in_(mirrors), Person.id.in_(moved_in)),
                   or_(Person.active_from.is_(None), Person.active_from <= day),
                   or_(Person.active_to.is_(None), Person.active_to >= day), *only))
        for person_id, badge, name, sequence, department_id in people:
            for unit_id in mirrors.get(held.get(person_id, department_id), ()):
                out[unit_id].append(Member(person_id, badge, name, sequence))
    own = [unit.id for unit in found if unit.department_id is None]
    if own:  # a branch's or a team's own membership rows (a person may hold two: head and member)
        rows = session.execute(select(UnitMember.unit_id, *_MEMBER_COLUMNS).join(
            Person, Person.id == UnitMember.person_id).where(
            UnitMember.unit_id.in_(own), UnitMember.start <= day, or_(UnitMember.end.is_(None), UnitMember.end >= day),
            *only))
        seen: set[tuple[int, int]] = set()
        for unit_id, person_id, badge, name, sequence in rows:
            if (unit_id, person_id) not in seen:
                seen.add((unit_id, person_id))
                out[unit_id].append(Member(person_id, badge, name, sequence))
    for people in out.values():
        people.sort(key=lambda p: p.badge)
    return out


def head_ids_by_unit(session: Session, found: Sequence[Unit], day: dt.date) -> dict[int, int | None]:
    """unit id -> the id of its head on `day` (`head_on`): its head row, else a department's 一把手
    on the roster. Ids from plain columns: scoring asks for every unit's head each month, and
    reads nothing of them but who they are."""
    out: dict[int, int | None] = {unit.id: None for unit in found}
    if not out:
        return out
    rows = session.execute(select(UnitMember.unit_id, UnitMember.person_id).where(
        UnitMember.unit_id.in_(out), UnitMember.role == "head", UnitMember.start <= day,
        or_(UnitMember.end.is_(None), UnitMember.end >= day)).order_by(UnitMember.id))
    for unit_id, person_id in rows:
        out[unit_id] = out[unit_id] or person_id
    mirrors = _mirrors([unit for unit in found if out[unit.id] is None])
    if mirrors:  # a department's 一把手 (on the roster that day) leads its unit
        heads = session.execute(select(Person.id, Person.department_id).where(
            Person.department_id.in_(mirrors), Person.is_head.is_(True),
            or_(Person.active_from.is_(None), Person.active_from <= day),
            or_(Person.active_to.is_(None), Person.active_to >= day)).order_by(Person.badge))
        for person_id, department_id in heads:
            for unit_id in mirrors[department_id]:
                out[unit_id] = out[unit_id] or person_id
    return out


def heads_by_unit(session: Session, found: Sequence[Unit], day: dt.date) -> dict[int, Person | None]:
    """unit id -> its head on `day` (`head_ids_by_unit`), as the person."""
    ids = head_ids_by_unit(session, found, day)
    wanted = {person_id for person_id in ids.values() if person_id is not None}
    people = {p.id: p for p in session.scalars(select(Person).where(Person.id.in_(wanted)))} if wanted else {}
    return {unit_id: people[person_id] if person_id is not None else None for unit_id, person_id in ids.items()}


def _rows(session: Session, unit_id: int, person_id: int) -> list[UnitMember]:
    return list(session.scalars(select(UnitMember).where(UnitMember.unit_id == unit_id,
                                                         UnitMember.person_id == person_id)))


def _overlaps(row: UnitMember, start: dt.date, end: dt.date | None) -> bool:
    return (row.end is None or row.end >= start) and (end is None or row.start <= end)
