"""Read-only queries behind the desktop lists: filtered, sorted in SQL, fetched in pages.

The entries list of a station can hold hundreds of thousands of rows, so a list asks for
the ordered ids of its filter first (`entry_ids`) and then the display rows of the few
ids on screen (`entry_rows`). Nothing here writes.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import ColumnElement, Select, case, exists, func, or_, select
from sqlalchemy.orm import Session, aliased

from desktop.models.catalogue import CatalogueItem, CatalogueVersion
from desktop.models.enums import PeriodState
from desktop.models.ledger import Entry, EvidenceFile
from desktop.models.people import Person
from desktop.models.station import Department
from desktop.models.units import PERSON_SCHEME, UNIT_KIND_LABELS, Unit
from desktop.services.periods import find_period


@dataclass(frozen=True)
class EntryFilter:
    """What the clerk narrowed the entries list to; None / "" means no restriction."""

    person_id: int | None = None
    department_id: int | None = None
    item_code: str | None = None
    category: str | None = None
    start: dt.date | None = None
    end: dt.date | None = None
    text: str = ""
    scheme: str | None = None  # one 积分制's entries (person, jiceng …); None: all
    # Publish after review (services.visibility): within these unsigned months only the entries
    # of `own` are listed. Set for an officer by the list itself, never by the clerk's filter.
    hidden_spans: tuple[tuple[dt.date, dt.date], ...] = ()
    own: tuple[int, ...] = ()


@dataclass(frozen=True)
class EntryRow:
    id: int
    occurred_on: dt.date
    badge: str
    name: str
    department: str
    item_code: str
    item_name: str
    category: str
    component: str
    quantity: int
    points_tenths: int
    note: str
    source: str
    recorded_by: str
    recorded_at: dt.datetime
    reverses_id: int | None
    reversed: bool
    evidence: int
    batch_uuid: str | None
    scheme: str = "person"
    component_label: str = ""  # in the entry's scheme's words (基础分, 扣分项 …)
    sign: int = 1  # -1 when the component is subtracted from the total

    @property
    def signed_points(self) -> int:
        return self.sign * self.points_tenths


# Sort keys of the entries list; the id breaks ties so paging is stable.
ENTRY_SORT: dict[str, ColumnElement] = {
    "occurred_on": Entry.occurred_on,
    "badge": func.coalesce(Person.badge, Unit.code),
    "name": func.coalesce(Person.name, Unit.name),
    "department": Department.sort_order,
    "item": Entry.item_code,
    "category": Entry.category,
    "quantity": Entry.quantity,
    "points": Entry.points_tenths,
    "note": Entry.note,
    "source": Entry.source,
    "recorded_by": Entry.recorded_by_name,
    "recorded_at": Entry.recorded_at,
}


def _like(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _filtered(query: Select, f: EntryFilter) -> Select:
    if f.person_id is not None:
        query = query.where(Entry.person_id == f.person_id)
    if f.department_id is not None:
        query = query.where(Person.department_id == f.department_id)
    if f.item_code:
        query = query.where(Entry.item_code == f.item_code)
    if f.category:
        query = query.where(Entry.category == f.category)
    if f.scheme:
        query = query.where(Entry.scheme == f.scheme)
    if f.start is not None:
        query = query.where(Entry.occurred_on >= f.start)
    if f.end is not None:
        query = query.where(Entry.occurred_on <= f.end)
    if f.hidden_spans:
        unsigned = or_(*(Entry.occurred_on.between(a, b) for a, b in f.hidden_spans))
        query = query.where(or_(~unsigned, Entry.person_id.in_(f.own or (-1,))))
    text = f.text.strip()
    if text:
        pattern = _like(text)
        query = query.where(or_(*(col.like(pattern, escape="\\") for col in (
            Entry.note, Entry.item_name, Entry.item_code, Person.name, Person.badge, Unit.name, Unit.code))))
    return query


def _joined(query: Select, f: EntryFilter, sort: str = "") -> Select:
    """The filter, with the person (or unit) and department joined only when the filter or the
    order uses them: without the join an index alone answers. Outer joins: a unit's entry has
    no person (积分制 entries against a 警务室 or 党支部) and must stay in the list."""
    text = bool(f.text.strip())
    if sort in ("badge", "name", "department") or f.department_id is not None or text:
        query = query.outerjoin(Person, Entry.person_id == Person.id)
    if sort in ("badge", "name") or text:
        query = query.outerjoin(Unit, Entry.unit_id == Unit.id)
    if sort == "department" or f.department_id is not None:
        query = query.outerjoin(Department, Person.department_id == Department.id)
    return _filtered(query, f)


def _id_query(f: EntryFilter, sort: str, descending: bool) -> Select:
    key = ENTRY_SORT.get(sort, Entry.occurred_on)
    query = _joined(select(Entry.id), f, sort)
    order = [key.desc(), Entry.id.desc()] if descending else [key.asc(), Entry.id.asc()]
    return query.order_by(*order)


def entry_ids(session: Session, f: EntryFilter, sort: str = "occurred_on", descending: bool = True) -> list[int]:
    """Every id the filter selects, in display order (ints only: cheap even for 400,000 rows)."""
    return list(session.scalars(_id_query(f, sort, descending)))


def indexed_order(f: EntryFilter, sort: str) -> bool:
    """True when an index gives the list's order and its filter, so any stretch of the list is
    a few milliseconds away (`entry_id_range`) and the list need not read every id first."""
    return sort == "occurred_on" and not f.text.strip() and f.department_id is None and not f.item_code \
        and not f.hidden_spans \
        and not f.category


def count_entries(session: Session, f: EntryFilter) -> int:
    return session.scalar(_joined(select(func.count(Entry.id)), f)) or 0


def entry_id_range(session: Session, f: EntryFilter, sort: str, descending: bool, offset: int, limit: int,
                   total: int) -> list[int]:
    """Ids [offset, offset + limit) of the ordered list of `total` ids. The far half is read in the
    opposite order and turned round, so no stretch costs more than half a pass over the index."""
    if offset * 2 <= total:
        return list(session.scalars(_id_query(f, sort, descending).offset(offset).limit(limit)))
    end = min(total, offset + limit)
    ids = list(session.scalars(_id_query(f, sort, not descending).offset(total - end).limit(end - offset)))
    ids.reverse()
    return ids


def entry_rows(session: Session, ids: Sequence[int]) -> dict[int, EntryRow]:
    """The display rows of a page of ids (a few hundred at most)."""
    if not ids:
        return {}
    reversal = aliased(Entry)
    is_reversed = exists().where(reversal.reverses_id == Entry.id)
    evidence = select(func.count(EvidenceFile.id)).where(EvidenceFile.entry_id == Entry.id).scalar_subquery()
    query = (
        select(Entry.id, Entry.occurred_on, func.coalesce(Person.badge, Unit.code), func.coalesce(Person.name, Unit.name),
               func.coalesce(Department.name, _unit_kind_label()), Entry.item_code,
               Entry.item_name, Entry.category, Entry.component, Entry.quantity, Entry.points_tenths,
               Entry.note, Entry.source, Entry.recorded_by_name, Entry.recorded_at, Entry.reverses_id,
               is_reversed, evidence, Entry.batch_uuid, Entry.scheme)
        .outerjoin(Person, Entry.person_id == Person.id)
        .outerjoin(Department, Person.department_id == Department.id)
        .outerjoin(Unit, Entry.unit_id == Unit.id)
        .where(Entry.id.in_(list(ids)))
    )
    from desktop.services.scheme_registry import component_map

    components = component_map(session)
    out = {}
    for row in session.execute(query):
        label, sign = components.get((row[-1], row[8]), (row[8], 1))
        out[row[0]] = EntryRow(*row, component_label=label, sign=sign)
    return out


def _unit_kind_label() -> ColumnElement:
    """A unit entry's "department" column: the unit's kind in words (警务室, 党支部 …)."""
    return case(*((Unit.kind == kind, label) for kind, label in UNIT_KIND_LABELS.items()), else_=Unit.kind)


def entry_count(session: Session) -> int:
    return session.scalar(select(func.count(Entry.id))) or 0


def categories(session: Session) -> list[str]:
    """Every category used by any catalogue version, in catalogue order."""
    rows = session.execute(select(CatalogueItem.category, func.min(CatalogueItem.sort_order))
                           .group_by(CatalogueItem.category).order_by(func.min(CatalogueItem.sort_order)))
    return [r[0] for r in rows]


def item_choices(session: Session) -> list[tuple[str, str]]:
    """(code, name) of every item code in any version, the newest name winning."""
    names: dict[str, str] = {}
    query = (select(CatalogueItem.code, CatalogueItem.name)
             .join(CatalogueVersion, CatalogueItem.version_id == CatalogueVersion.id)
             .order_by(CatalogueVersion.effective_from, CatalogueItem.sort_order))
    for code, name in session.execute(query):
        names[code] = name
    return sorted(names.items())


# -- people ----------------------------------------------------------------------------------
@dataclass(frozen=True)
class PersonRow:
    id: int
    badge: str
    name: str
    identity: str
    department_id: int
    department: str
    position: str
    sequence: str
    is_head: bool
    active_from: dt.date | None
    active_to: dt.date | None
    has_photo: bool

    def active_on(self, day: dt.date) -> bool:
        return (self.active_from is None or self.active_from <= day) and (
            self.active_to is None or self.active_to >= day)


PEOPLE_SORT: dict[str, ColumnElement] = {
    "badge": Person.badge, "name": Person.name, "identity": Person.identity,
    "department": Department.sort_order, "position": Person.position, "sequence": Person.sequence,
    "active_from": Person.active_from, "active_to": Person.active_to,
}


def people_rows(session: Session, *, department_id: int | None = None, text: str = "",
                active_on: dt.date | None = None, sort: str = "department", descending: bool = False) -> list[PersonRow]:
    """The roster for lists and pickers; `active_on` drops people not on the roster that day."""
    query = (
        select(Person.id, Person.badge, Person.name, Person.identity, Person.department_id, Department.name,
               Person.position, Person.sequence, Person.is_head, Person.active_from, Person.active_to,
               Person.photo.is_not(None))
        .join(Department, Person.department_id == Department.id)
    )
    if department_id is not None:
        query = query.where(Person.department_id == department_id)
    if text.strip():
        pattern = _like(text.strip())
        query = query.where(or_(Person.name.like(pattern, escape="\\"), Person.badge.like(pattern, escape="\\"),
                                Person.position.like(pattern, escape="\\")))
    if active_on is not None:
        query = query.where(or_(Person.active_from.is_(None), Person.active_from <= active_on),
                            or_(Person.active_to.is_(None), Person.active_to >= active_on))
    key = PEOPLE_SORT.get(sort, Department.sort_order)
    order = [key.desc() if descending else key.asc()]
    if sort == "department":
        order += [Person.is_head.desc(), Person.badge]
    return [PersonRow(*row) for row in session.execute(query.order_by(*order, Person.id))]


# -- catalogue items ---------------------------------------------------------------------------
ITEM_SORT: dict[str, ColumnElement] = {
    "code": CatalogueItem.sort_order, "category": CatalogueItem.category, "name": CatalogueItem.name,
    "component": CatalogueItem.component, "points": CatalogueItem.points_tenths, "unit": CatalogueItem.unit,
    "cap": CatalogueItem.monthly_cap_tenths,
}


def version_items(session: Session, version_id: int, *, category: str | None = None, text: str = "",
                  sort: str = "code", descending: bool = False) -> list[CatalogueItem]:
    query = select(CatalogueItem).where(CatalogueItem.version_id == version_id)
    if category:
        query = query.where(CatalogueItem.category == category)
    if text.strip():
        pattern = _like(text.strip())
        query = query.where(or_(CatalogueItem.name.like(pattern, escape="\\"),
                                CatalogueItem.code.like(pattern, escape="\\")))
    key = ITEM_SORT.get(sort, CatalogueItem.sort_order)
    query = query.order_by(key.desc() if descending else key.asc(), CatalogueItem.sort_order)
    items = list(session.scalars(query))
    session.expunge_all()  # plain values for the GUI thread; the session closes after this read
    return items


# -- daily duty ------------------------------------------------------------------------------
def day_entries(session: Session, day: dt.date, item_codes: Sequence[str], *,
                sources: Sequence[str] | None = None) -> dict[tuple[int, str], list[tuple[int, int]]]:
    """(person id, item code) -> [(entry id, quantity)] of the day's standing entries
    (reversals and reversed entries left out): what the duty sheet shows as saved.
    `sources` narrows to entries made e.g. on the duty sheet (for copying a day)."""
    reversal = aliased(Entry)
    query = (
        select(Entry.person_id, Entry.item_code, Entry.id, Entry.quantity)
        .where(Entry.occurred_on == day, Entry.item_code.in_(list(item_codes)),
               Entry.reverses_id.is_(None), ~exists().where(reversal.reverses_id == Entry.id))
        .order_by(Entry.id)
    )
    if sources is not None:
        query = query.where(Entry.source.in_(list(sources)))
    found: dict[tuple[int, str], list[tuple[int, int]]] = defaultdict(list)
    for person_id, code, entry_id, quantity in session.execute(query):
        found[(person_id, code)].append((entry_id, quantity))
    return dict(found)


# -- periods ---------------------------------------------------------------------------------
def data_span(session: Session) -> tuple[dt.date | None, dt.date | None]:
    """First and last day with entries (None when the ledger is empty).

    Two queries: SQLite answers a lone min() or max() from the date index in a step, but
    min() and max() together scan the whole ledger (30 ms at 400,000 entries, on every start).
    """
    first = session.scalar(select(func.min(Entry.occurred_on)))
    last = session.scalar(select(func.max(Entry.occurred_on)))
    return first, last


def first_catalogue_day(session: Session) -> dt.date | None:
    return session.scalar(select(func.min(CatalogueVersion.effective_from))
                          .where(CatalogueVersion.scheme == PERSON_SCHEME))


def period_state(session: Session, code: str) -> PeriodState:
    period = find_period(session, code)
    return PeriodState(period.state) if period is not None else PeriodState.OPEN


def person_photo(session: Session, person_id: int) -> tuple[bytes | None, str]:
    """The person's photo bytes and MIME type (photos are deferred: lists never load them)."""
    row = session.execute(select(Person.photo, Person.photo_mime).where(Person.id == person_id)).first()
    return (row[0], row[1]) if row else (None, "")


def sequences(session: Session) -> list[str]:
    """The ranking sequences in use, for the person form's suggestions."""
    return [s for s in session.scalars(select(Person.sequence).distinct().order_by(Person.sequence)) if s]


@dataclass(frozen=True)
class DepartmentRow:
    id: int
    name: str
    kind: str
    post_class: int | None
    people: int  # on the roster today


def department_rows(session: Session, today: dt.date | None = None) -> list[DepartmentRow]:
    today = today or dt.date.today()
    on_roster = (
        select(func.count(Person.id)).where(
            Person.department_id == Department.id,
            or_(Person.active_from.is_(None), Person.active_from <= today),
            or_(Person.active_to.is_(None), Person.active_to >= today))
        .scalar_subquery()
    )
    query = select(Department.id, Department.name, Department.kind, Department.post_class, on_roster)
    return [DepartmentRow(*r) for r in session.execute(query.order_by(Department.sort_order, Department.id))]
