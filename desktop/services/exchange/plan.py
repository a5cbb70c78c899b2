"""The import plan: what the database holds now, and what the workbook would add or change.

Planning reads the database once into small indexes (departments, people, catalogue items,
locked periods) and collects pending writes as plain dicts. Nothing is written until every
sheet has been checked and no problem was found; then `import_` applies the plan in one
transaction with bulk inserts.
"""

from __future__ import annotations

import bisect
import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from desktop.models.catalogue import CatalogueItem, CatalogueVersion
from desktop.models.enums import PeriodState
from desktop.models.people import Person
from desktop.models.periods import Period
from desktop.models.station import Department
from desktop.models.units import PERSON_SCHEME, Unit
from desktop.services import scheme_registry
from desktop.services.actor import Actor
from desktop.services.exchange.cells import fold
from desktop.services.exchange.reader import Table, Workbook
from desktop.services.exchange.report import ImportReport
from desktop.services.periods import spec_of
from desktop.services.schemes import PERSON
from desktop.services.text import cn_date


@dataclass
class DeptRef:
    name: str
    uuid: str
    kind: str
    post_class: int | None
    id: int | None = None  # None until a new department is inserted


@dataclass
class PersonRef:
    badge: str
    uuid: str
    name: str
    department: str  # folded department name
    active_from: dt.date | None = None
    active_to: dt.date | None = None
    id: int | None = None
    id_number: str = ""  # 身份证号, normalised; "" when the roster has none

    def active_on(self, day: dt.date) -> bool:
        return (self.active_from is None or self.active_from <= day) and (
            self.active_to is None or self.active_to >= day)


@dataclass
class ItemRef:
    uuid: str
    code: str
    name: str
    category: str
    component: str
    points_mode: str
    points_tenths: int
    min_tenths: int | None
    max_tenths: int | None
    veto: bool
    unit: str = "次"
    id: int | None = None
    evidence_required: bool = False


@dataclass
class CatalogueIndex:
    """Catalogue versions by effective date (existing and planned), to find the item in force."""

    starts: list[dt.date] = field(default_factory=list)
    versions: list[dict[str, ItemRef]] = field(default_factory=list)  # code → item, per version
    by_uuid: dict[str, ItemRef] = field(default_factory=dict)

    def add(self, start: dt.date, items: list[ItemRef]) -> None:
        pos = bisect.bisect_left(self.starts, start)
        self.starts.insert(pos, start)
        self.versions.insert(pos, {i.code: i for i in items})
        self.by_uuid.update((i.uuid, i) for i in items)

    def in_force(self, day: dt.date) -> dict[str, ItemRef] | None:
        pos = bisect.bisect_right(self.starts, day) - 1
        return self.versions[pos] if pos >= 0 else None


@dataclass
class UnitRef:
    code: str
    uuid: str
    name: str
    kind: str
    post_class: int | None
    sequence: str
    department_id: int | str | None  # a department's id, or the UUID of one the same import adds
    id: int | None = None


@dataclass
class Plan:
    session: Session
    actor: Actor
    report: ImportReport
    book: Workbook
    restore: bool  # rebuilding a whole station into an empty database
    authoritative: bool  # a jifen export: blank cells mean "empty", not "not given"
    batch_uuid: str
    departments: dict[str, DeptRef] = field(default_factory=dict)  # folded name → ref
    people: dict[str, PersonRef] = field(default_factory=dict)  # badge → ref
    catalogue: CatalogueIndex = field(default_factory=CatalogueIndex)
    locked: list[Period] = field(default_factory=list)
    station: dict[str, Any] | None = None  # restore: the station to create
    new_departments: list[dict[str, Any]] = field(default_factory=list)
    department_updates: dict[int, dict[str, Any]] = field(default_factory=dict)
    new_people: list[dict[str, Any]] = field(default_factory=list)
    person_updates: dict[int, dict[str, Any]] = field(default_factory=dict)
    new_versions: list[tuple[dict[str, Any], list[dict[str, Any]]]] = field(default_factory=list)
    new_entries: list[dict[str, Any]] = field(default_factory=list)  # with "_badge", "_item", "_reverses"
    period_records: Any = None  # restore.PeriodRecords when a period's sign-offs travel along
    memo: dict[Any, Any] = field(default_factory=dict)  # per-import caches (item names already matched)
    # Entry UUID → (sheet, row) that planned it: one record met on two sheets is reported, not inserted twice.
    entry_rows: dict[str, tuple[str, int]] = field(default_factory=dict)
    # Units and schemes (issue #14). A scheme other than the person scheme has a catalogue of its own.
    catalogues: dict[str, CatalogueIndex] = field(default_factory=dict)  # scheme code → versions
    schemes: dict[str, Any] = field(default_factory=dict)  # code → services.schemes.Scheme (run or planned)
    units: dict[str, UnitRef] = field(default_factory=dict)  # unit code → ref
    new_units: list[dict[str, Any]] = field(default_factory=list)
    unit_updates: dict[int, dict[str, Any]] = field(default_factory=dict)
    new_members: list[dict[str, Any]] = field(default_factory=list)  # with "_unit", "_person"
    member_ends: dict[int, Any] = field(default_factory=dict)  # member row id → new end (a head replaced)
    new_schemes: list[Any] = field(default_factory=list)  # Scheme, installed by a restore
    new_reviews: list[dict[str, Any]] = field(default_factory=list)  # case reviews, restore only

    def load(self) -> None:
        """Read the database's current state into the indexes."""
        s = self.session
        for d in s.scalars(select(Department)):
            self.departments[fold(d.name)] = DeptRef(d.name, d.uuid, d.kind, d.post_class, d.id)
        names = {d.id: fold(d.name) for d in s.scalars(select(Department))}
        for p in s.scalars(select(Person)):
            self.people[p.badge] = PersonRef(p.badge, p.uuid, p.name, names[p.department_id], p.active_from,
                                             p.active_to, p.id, p.id_number)
        items: dict[int, list[ItemRef]] = {}
        for it in s.scalars(select(CatalogueItem)):
            items.setdefault(it.version_id, []).append(ItemRef(
                it.uuid, it.code, it.name, it.category, it.component, it.points_mode, it.points_tenths,
                it.min_tenths, it.max_tenths, it.veto, it.unit, it.id, it.evidence_required))
        for v in s.scalars(select(CatalogueVersion)):
            self.catalogue_of(v.scheme).add(v.effective_from, items.get(v.id, []))
        self.schemes = {scheme.code: scheme for scheme in scheme_registry.active(s)}
        for u in s.scalars(select(Unit)):
            self.units[u.code] = UnitRef(u.code, u.uuid, u.name, u.kind, u.post_class, u.sequence, u.department_id,
                                         u.id)
        self.locked = list(s.scalars(select(Period).where(Period.state == PeriodState.LOCKED.value)))
        self._zero_free = _unique_by(self.people, lambda b: b.lstrip("0"))

    def catalogue_of(self, scheme: str | None) -> CatalogueIndex:
        """The catalogue versions of a scheme (the person scheme's when None or blank)."""
        if not scheme or scheme == PERSON_SCHEME:
            return self.catalogue
        return self.catalogues.setdefault(scheme, CatalogueIndex())

    def scheme(self, text: str | None) -> Any:
        """The scheme a cell names by its code or its name (blank: the person scheme), or None."""
        if not text:
            return self.schemes.get(PERSON_SCHEME) or PERSON
        key = fold(text)
        for scheme in self.schemes.values():
            if key in (fold(scheme.code), fold(scheme.name)):
                return scheme
        return None

    def unit(self, text: str | None) -> UnitRef | None:
        """A unit by its code, else by its name when only one unit has it."""
        if not text:
            return None
        found = self.units.get(text.strip())
        key = fold(text)
        for test in (lambda u: fold(u.code) == key, lambda u: fold(u.name) == key):
            if found is None:  # a code typed in full-width (ＪＷＳ－０１), or the unit's name
                named = [u for u in self.units.values() if test(u)]
                found = named[0] if len(named) == 1 else None
        return found

    def person(self, badge: str) -> PersonRef | None:
        """By 警号; a badge that lost its leading zeros in a number cell still finds its owner."""
        ref = self.people.get(badge)
        if ref is None and badge.isdigit():
            ref = self._zero_free.get(badge.lstrip("0"))
        return ref

    def people_named(self, name: str) -> list[PersonRef]:
        key = fold(name)
        return [p for p in self.people.values() if fold(p.name) == key]

    def person_with_id(self, number: str) -> PersonRef | None:
        """By 身份证号 (already normalised), when the roster holds it."""
        if not number:
            return None
        found = self.memo.get("by_id_number")
        if found is None or len(found) != sum(1 for p in self.people.values() if p.id_number):
            found = self.memo["by_id_number"] = {p.id_number: p for p in self.people.values() if p.id_number}
        return found.get(number)

    def locked_reason(self, day: dt.date) -> str | None:
        for period in self.locked:
            if period.start <= day <= period.end:
                return (f"{spec_of(period).label}已锁定，不能再导入 {cn_date(day)} 的积分；"
                        "如确需更正，请所长先解锁该周期并填写理由")
        return None

    def claim_entry(self, table: Table, number: int, uid: str, *, derived: bool = False) -> bool:
        """Reserve an entry UUID for this row; False (and a problem naming both places) when another
        row already stands for the same record. `derived`: the UUID was computed from the row's
        content (a bureau row without 记录UUID), so "the same record" means the same row."""
        first = self.entry_rows.get(uid)
        if first is None:
            self.entry_rows[uid] = (table.sheet, number)
            return True
        key = "badge" if derived and table.has("badge") else "name" if derived else "uuid"
        if first[0] == table.sheet:
            reason = f"记录UUID与第 {first[1]} 行重复"
        elif derived:
            reason = (f"与工作表“{first[0]}”第 {first[1]} 行是同一条记录（警号、日期、项目、分值和说明都相同）："
                      f"同一行不能既在“{first[0]}”又在“{table.sheet}”中，请删去其中一行；如确是两次，请在说明中注明区别")
        else:
            reason = f"与工作表“{first[0]}”第 {first[1]} 行的记录UUID相同：同一条记录不能出现在两张表中，请删去其中一行"
        self.cell_problem(table, number, key, reason, None if derived else uid)
        return False

    def cell_problem(self, table: Table, number: int, key: str, reason: str, value: Any = None) -> None:
        letter, header = table.where(key)
        text = "" if value is None else str(value)
        self.report.problem(table.sheet, number, reason, column=letter, header=header, value=text)


def _unique_by(people: dict[str, PersonRef], key: Any) -> dict[str, PersonRef]:
    seen: dict[str, PersonRef | None] = {}
    for badge, ref in people.items():
        if badge.isdigit():
            k = key(badge)
            seen[k] = None if k in seen else ref
    return {k: v for k, v in seen.items() if v is not None}
