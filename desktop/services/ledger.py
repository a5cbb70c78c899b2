"""Record, mass-record and reverse diary entries (考核日记). The ledger is append-only."""

from __future__ import annotations

import datetime as dt
import hashlib
import mimetypes
import re
import unicodedata
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from sqlalchemy import select
from sqlalchemy.orm import Session

from desktop.models.catalogue import CatalogueItem
from desktop.models.enums import EntrySource, PointsMode
from desktop.models.ledger import Entry, EvidenceBlob, EvidenceFile
from desktop.models.people import Person
from desktop.services import audit
from desktop.services.actor import Actor, require
from desktop.services.catalogue import item_in_force
from desktop.services.errors import NotFound, ValidationError
from desktop.services.periods import ensure_writable
from desktop.services.points import fmt
from desktop.services.text import cn_date

MAX_QUANTITY = 1000
MAX_EVIDENCE_BYTES = 50 * 1024 * 1024


@dataclass
class Evidence:
    """A file to attach: its bytes are copied into the database, so moving the source is harmless."""

    filename: str
    data: bytes
    mime: str = ""

    @classmethod
    def from_path(cls, path: str | Path) -> Evidence:
        p = Path(path)
        if not p.is_file():
            raise ValidationError(f"证明材料“{p}”不存在或不是文件")
        if p.stat().st_size > MAX_EVIDENCE_BYTES:
            raise ValidationError(f"证明材料“{p.name}”超过 50 MB")
        return cls(p.name, p.read_bytes(), mimetypes.guess_type(p.name)[0] or "")


@dataclass
class EntryInput:
    """What the clerk records: one event, one or more people (mass entry = one entry each)."""

    person_ids: Sequence[int]
    item_code: str
    occurred_on: dt.date
    quantity: int = 1
    points_tenths: int | None = None  # per occurrence; required for range items, else from the catalogue
    note: str = ""
    evidence: list[Evidence] = field(default_factory=list)
    source: EntrySource = EntrySource.MANUAL
    # Units instead of people: an item of a unit scheme recorded against a 党支部, 所队室 …
    unit_ids: Sequence[int] = ()
    case_no: str = ""  # 案件编号 (执法办案): every case entry traceable to its case
    case_type: str = ""


def safe_filename(name: str) -> str:
    """Keep a display name only: no folders, no control characters, at most 120 characters.

    Bytes that were not UTF-8 (os.fsdecode's lone surrogates, which SQLite cannot store) become
    U+FFFD; invisible format characters such as the right-to-left override are dropped.
    """
    name = name.replace("\\", "/").split("/")[-1]
    name = re.sub(r"[\ud800-\udfff]", "\ufffd", name)
    name = "".join(ch for ch in name if unicodedata.category(ch) not in ("Cc", "Cf"))
    name = name.strip().lstrip(".") or "证明材料"
    if len(name) > 120:
        stem, dot, ext = name.rpartition(".")
        name = (stem[: 110] + dot + ext[:9]) if dot and len(ext) <= 9 else name[:120]
    return name


def store_evidence(session: Session, entry: Entry, evidence: Evidence) -> EvidenceFile:
    digest = hashlib.sha256(evidence.data).hexdigest()
    if session.get(EvidenceBlob, digest) is None:
        session.add(EvidenceBlob(sha256=digest, size=len(evidence.data), data=evidence.data))
    name = safe_filename(evidence.filename)
    mime = evidence.mime or mimetypes.guess_type(name)[0] or "application/octet-stream"
    ev = EvidenceFile(entry_id=entry.id, filename=name, sha256=digest, mime=mime)
    session.add(ev)
    return ev


class ItemRules(Protocol):
    """What the entry rules read of a catalogue item: a `CatalogueItem`, or the importer's `ItemRef`."""

    @property
    def name(self) -> str: ...
    @property
    def points_mode(self) -> str: ...
    @property
    def points_tenths(self) -> int: ...
    @property
    def min_tenths(self) -> int | None: ...
    @property
    def max_tenths(self) -> int | None: ...
    @property
    def evidence_required(self) -> bool: ...


def points_for(item: ItemRules, quantity: int, points_tenths: int | None) -> int:
    """The entry's magnitude: catalogue points (or the assessor's pick within range) x quantity."""
    where = f"“{item.name}”"
    if not 1 <= quantity <= MAX_QUANTITY:
        raise ValidationError(f"{where}的数量应在 1 到 {MAX_QUANTITY} 之间")
    if item.points_mode == PointsMode.RANGE.value:
        if points_tenths is None:
            raise ValidationError(f"{where}为区间赋分项目，请填写 {fmt(item.min_tenths)} 至 {fmt(item.max_tenths)} 之间的分值")
        assert item.min_tenths is not None and item.max_tenths is not None
        if not item.min_tenths <= points_tenths <= item.max_tenths:
            raise ValidationError(
                f"{where}的分值 {fmt(points_tenths)} 超出范围，应在 {fmt(item.min_tenths)} 至 {fmt(item.max_tenths)} 之间"
            )
        per = points_tenths
    else:
        if points_tenths is not None and points_tenths != item.points_tenths:
            raise ValidationError(f"{where}的分值固定为 {fmt(item.points_tenths)}，不能改为 {fmt(points_tenths)}")
        per = item.points_tenths
    return per * quantity


def check_entry(item: ItemRules, quantity: int, points_tenths: int | None, *,
                source: EntrySource = EntrySource.MANUAL, evidence: int = 0) -> int:
    """Every rule one entry of `item` must meet, without a session: the magnitude, or ValidationError.

    Shared by `record` and the workbook importer, so an entry that arrives in a workbook obeys
    the same catalogue rules as one typed in. Evidence is required only of what a clerk types
    (`MANUAL`); duty sheets and imports carry none.
    """
    magnitude = points_for(item, quantity, points_tenths)
    if item.evidence_required and not evidence and source in (EntrySource.MANUAL, EntrySource.SELF):
        raise ValidationError(f"“{item.name}”需要附证明材料（扫描件、照片或 PDF）")
    return magnitude


def record(session: Session, actor: Actor, data: EntryInput, *, batch_uuid: str | None = None,
           audit_event: bool = True, permitted: bool = False) -> list[Entry]:
    """Record one event for one or more people (or units); each gets an entry of its own.
    `permitted`: the caller has checked the actor's right itself (a reviewer approving a
    self-report may hold an officer's account)."""
    if not permitted:
        require(actor, "entry.write")
    if data.unit_ids:
        return _record_units(session, actor, data, batch_uuid=batch_uuid, audit_event=audit_event)
    if not data.person_ids:
        raise ValidationError("请至少选择一名人员")
    if len(set(data.person_ids)) != len(data.person_ids):
        raise ValidationError("同一事件中人员重复")
    event = _event(session, data)
    _fits_people(session, event.item)
    people = session.scalars(select(Person).where(Person.id.in_(data.person_ids))).all()
    if len(people) != len(data.person_ids):
        raise NotFound("所选人员中有人不存在")
    for person in people:
        if not person.active_on(data.occurred_on):
            raise ValidationError(f"{person.name}（{person.badge}）在 {cn_date(data.occurred_on)} 不在岗，不能记分")
    ordered = sorted(people, key=lambda p: data.person_ids.index(p.id))
    return _write(session, actor, data, event, [(p.id, None) for p in ordered], batch_uuid, audit_event,
                  people=[p.badge for p in people])


@dataclass(frozen=True)
class _Event:
    """What every entry of one recorded event shares, checked once."""

    item: CatalogueItem
    magnitude: int
    note: str
    case_no: str
    case_type: str


def _event(session: Session, data: EntryInput) -> _Event:
    item = item_in_force(session, data.item_code, data.occurred_on)
    ensure_scheme_writable(session, item.version.scheme, data.occurred_on)
    magnitude = check_entry(item, data.quantity, data.points_tenths, source=data.source,
                            evidence=len(data.evidence))
    note = data.note.strip()
    if len(note) > 1000:
        raise ValidationError("事实说明不能超过 1000 字")
    case_no, case_type = data.case_no.strip(), data.case_type.strip()
    if len(case_no) > 40 or len(case_type) > 40:
        raise ValidationError("案件编号和案件类型各不能超过 40 字")
    if case_type and not case_no:
        raise ValidationError("填写了案件类型，请同时填写案件编号")
    return _Event(item, magnitude, note, case_no, case_type)


def _write(session: Session, actor: Actor, data: EntryInput, event: _Event,
           owners: list[tuple[int | None, int | None]], batch_uuid: str | None, audit_event: bool,
           **subjects: list[str]) -> list[Entry]:
    """One entry per (person id, unit id), their evidence, and the event's audit record."""
    item = event.item
    batch = batch_uuid or (str(uuid.uuid4()) if len(owners) > 1 else None)
    entries = []
    for person_id, unit_id in owners:
        entry = Entry(
            occurred_on=data.occurred_on, person_id=person_id, unit_id=unit_id, item_id=item.id,
            item_code=item.code, item_name=item.name, category=item.category, component=item.component,
            veto=item.veto, quantity=data.quantity, points_tenths=event.magnitude, note=event.note,
            source=data.source.value, batch_uuid=batch, recorded_by_id=actor.user_id,
            recorded_by_name=actor.display_name, scheme=item.version.scheme, case_no=event.case_no,
            case_type=event.case_type,
        )
        session.add(entry)
        entries.append(entry)
    session.flush()
    for entry in entries:
        for ev in data.evidence:
            store_evidence(session, entry, ev)
    if audit_event:
        audit.record(
            session, actor, "entry.record", "entry", entries[0].uuid if len(entries) == 1 else (batch or ""),
            date=data.occurred_on, item=item.code, points=fmt(event.magnitude), quantity=data.quantity,
            **subjects, entries=[e.uuid for e in entries], **({"case": event.case_no} if event.case_no else {}),
        )
    return entries


def _fits_scheme(session: Session, item: CatalogueItem, units: Sequence[Any]) -> None:
    """A unit entry's unit must be of the kind its scheme assesses (a 党建 item for a 党支部)."""
    from desktop.models.units import UNIT_KIND_LABELS
    from desktop.services import scheme_registry

    try:
        scheme = scheme_registry.scheme_of(session, item.version.scheme)
    except NotFound:
        return  # a catalogue whose scheme the station does not run (yet): nothing to compare with
    wrong = [u.name for u in units if u.kind != scheme.subject]
    if wrong:
        raise ValidationError(f"项目 {item.code} 属于积分制“{scheme.name}”，只能记给"
                              f"{UNIT_KIND_LABELS.get(scheme.subject, scheme.subject)}；“{'、'.join(wrong)}”不是")


def _fits_people(session: Session, item: CatalogueItem) -> None:
    """A person's entry must be in a scheme that scores people, or whose units add up their
    members' entries (队伍管理: members sum); a 党建 item belongs to the branch, not to one member."""
    from desktop.models.units import PERSON_SCHEME, UNIT_KIND_LABELS
    from desktop.services import scheme_registry

    if item.version.scheme == PERSON_SCHEME:
        return
    try:
        scheme = scheme_registry.scheme_of(session, item.version.scheme)
    except NotFound:
        return  # a catalogue whose scheme the station does not run (yet): nothing to compare with
    if scheme.subject != "person" and scheme.members not in ("sum", "average"):
        raise ValidationError(f"项目 {item.code} 属于积分制“{scheme.name}”，应记给"
                              f"{UNIT_KIND_LABELS.get(scheme.subject, scheme.subject)}，不能记给个人")


def _record_units(session: Session, actor: Actor, data: EntryInput, *, batch_uuid: str | None,
                  audit_event: bool) -> list[Entry]:
    """One event for one or more units: each unit gets its entry, with no person on it."""
    from desktop.models.units import PERSON_SCHEME, Unit

    if data.person_ids:
        raise ValidationError("一条记录要么记给人员，要么记给单位，不能同时记给两者")
    if len(set(data.unit_ids)) != len(data.unit_ids):
        raise ValidationError("同一事件中单位重复")
    event = _event(session, data)
    if event.item.version.scheme == PERSON_SCHEME:
        raise ValidationError(f"项目 {event.item.code}（{event.item.name}）是个人积分项目，不能记给单位")
    units = session.scalars(select(Unit).where(Unit.id.in_(data.unit_ids))).all()
    if len(units) != len(data.unit_ids):
        raise NotFound("所选单位中有单位不存在")
    _fits_scheme(session, event.item, units)
    inactive = [u.name for u in units if not u.active]
    if inactive:
        raise ValidationError(f"单位“{'、'.join(inactive)}”已停用，不能记分")
    ordered = sorted(units, key=lambda u: list(data.unit_ids).index(u.id))
    return _write(session, actor, data, event, [(None, u.id) for u in ordered], batch_uuid, audit_event,
                  units=[u.code for u in units])


def ensure_scheme_writable(session: Session, scheme: str, day: dt.date) -> None:
    """The person scheme locks with its periods; every other scheme with its own signed results
    (a 基层基础 month signed by 治安大队 is closed even while the person month is still open)."""
    from desktop.models.units import PERSON_SCHEME
    from desktop.services import scheme_signing

    if scheme == PERSON_SCHEME:
        ensure_writable(session, day)
    else:
        scheme_signing.ensure_writable(session, scheme, day)


def record_many(session: Session, actor: Actor, inputs: Sequence[EntryInput], action: str = "entry.batch") -> list[Entry]:
    """Several events saved together (the daily duty sheet): one transaction, one audit event."""
    batch = str(uuid.uuid4())
    entries: list[Entry] = []
    for data in inputs:
        entries.extend(record(session, actor, data, batch_uuid=batch, audit_event=False))
    if entries:
        audit.record(session, actor, action, "entry", batch, count=len(entries),
                     dates=sorted({d.occurred_on.isoformat() for d in inputs}))
    return entries


def reverse(session: Session, actor: Actor, entry_id: int, reason: str) -> Entry:
    """Cancel an entry by appending its negation; both rows stay in the ledger."""
    require(actor, "entry.write")
    original = session.get(Entry, entry_id)
    if original is None:
        raise NotFound("要作废的积分记录不存在")
    if original.reverses_id is not None:
        raise ValidationError("作废记录本身不能再作废；如需恢复，请重新录入")
    if session.scalar(select(Entry.id).where(Entry.reverses_id == original.id)) is not None:
        raise ValidationError("这条积分记录已经作废过了")
    if not reason.strip():
        raise ValidationError("作废需要填写理由")
    ensure_scheme_writable(session, original.scheme, original.occurred_on)
    reversal = Entry(
        occurred_on=original.occurred_on, person_id=original.person_id, item_id=original.item_id,
        item_code=original.item_code, item_name=original.item_name, category=original.category,
        component=original.component, veto=original.veto, quantity=original.quantity,
        points_tenths=-original.points_tenths, note=f"作废：{reason.strip()}",
        source=EntrySource.REVERSAL.value, reverses_id=original.id, recorded_by_id=actor.user_id,
        recorded_by_name=actor.display_name, unit_id=original.unit_id, scheme=original.scheme,
        case_no=original.case_no, case_type=original.case_type,
    )
    session.add(reversal)
    session.flush()
    audit.record(session, actor, "entry.reverse", "entry", original.uuid, reversal=reversal.uuid,
                 reason=reason.strip(), points=fmt(original.points_tenths))
    return reversal


def is_reversed(session: Session, entry_id: int) -> bool:
    return session.scalar(select(Entry.id).where(Entry.reverses_id == entry_id)) is not None


def entries_of(session: Session, person_id: int, start: dt.date, end: dt.date,
               scheme: str | None = "person") -> list[Entry]:
    """A person's entries in the person scheme (the sheets and the file add up its five
    components); `scheme=None` for every scheme's."""
    query = select(Entry).where(Entry.person_id == person_id, Entry.occurred_on >= start, Entry.occurred_on <= end)
    if scheme is not None:
        query = query.where(Entry.scheme == scheme)
    return list(session.scalars(query.order_by(Entry.occurred_on, Entry.id)))
