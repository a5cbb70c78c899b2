"""The station, its departments and sign-off chain, and the roster of people."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from desktop.models.enums import DepartmentKind, Identity, Role
from desktop.models.people import Person
from desktop.models.station import Department, SignoffStep, Station
from desktop.services import audit, department_moves, id_numbers
from desktop.services.actor import Actor, require
from desktop.services.errors import NotFound, ValidationError

DEFAULT_CHAIN = (("中队长审核", Role.CHIEF), ("教导员签字", Role.CHIEF))


def get_station(session: Session) -> Station:
    station = session.scalar(select(Station).order_by(Station.id).limit(1))
    if station is None:
        raise NotFound("数据库中还没有单位，请先创建单位或打开演示单位")
    return station


def has_station(session: Session) -> bool:
    return session.scalar(select(Station.id).limit(1)) is not None


def create_station(session: Session, actor: Actor, *, code: str, name: str, county_bureau: str = "",
                   chain: tuple[tuple[str, Role], ...] = DEFAULT_CHAIN) -> Station:
    require(actor, "station.edit")
    if has_station(session):
        raise ValidationError("本数据库已有单位，一个数据库只保存一个单位")
    if not code.strip() or not name.strip():
        raise ValidationError("单位代码和单位名称不能为空")
    station = Station(code=code.strip(), name=name.strip(), county_bureau=county_bureau.strip())
    session.add(station)
    session.flush()
    for seq, (title, role) in enumerate(chain, start=1):
        session.add(SignoffStep(station_id=station.id, seq=seq, title=title, role=role.value))
    audit.record(session, actor, "station.create", "station", station.uuid, code=code, name=name)
    return station


@dataclass(frozen=True)
class ChainStep:
    """One step as configured: signed by any account of `role` (signer "role"), by each
    department's head or leader in charge (scope "department"), or by the named person."""

    title: str
    role: Role = Role.CHIEF
    signer: str = "role"  # role | head | leader | person
    badge: str = ""  # signer "person": the signer's badge

    @property
    def scope(self) -> str:
        return "department" if self.signer in ("head", "leader") else "station"


def set_signoff_chain(session: Session, actor: Actor, chain: list[tuple[str, Role]] | list[ChainStep]) -> None:
    require(actor, "station.edit")
    steps = [c if isinstance(c, ChainStep) else ChainStep(c[0], c[1]) for c in chain]
    if not steps:
        raise ValidationError("签核流程至少需要一个环节")
    # The settings screen enforces these two; here so every caller (the command line too) does.
    if any(not step.title.strip() for step in steps):
        raise ValidationError("签核流程的每个环节都要有名称")
    if any(step.signer == "role" and step.role == Role.OFFICER for step in steps):
        raise ValidationError("签核环节不能由民警签字，应为所长/教导员、内勤或管理员")
    for step in steps:
        if step.signer not in ("role", "head", "leader", "person"):
            raise ValidationError(f"签核环节“{step.title}”的签字人“{step.signer}”不对")
        if step.signer == "person":
            person_by_badge(session, step.badge)  # a named signer must be on the roster
    scopes = [step.scope for step in steps]
    if "department" in scopes and "station" in scopes[:scopes.index("department")]:
        raise ValidationError("各部门的签核环节（部门负责人、分管领导）须排在全所的签核环节之前")
    station = get_station(session)
    for old in list(station.signoff_steps):
        session.delete(old)
    session.flush()
    for seq, step in enumerate(steps, start=1):
        session.add(SignoffStep(station_id=station.id, seq=seq, title=step.title.strip(), role=step.role.value,
                                scope=step.scope, signer=step.signer, signer_badge=step.badge.strip()))
    audit.record(session, actor, "station.chain", "station", station.uuid,
                 chain=[(s.title.strip(), s.role.value, s.signer, s.badge) for s in steps])


def add_department(session: Session, actor: Actor, name: str, *, kind: DepartmentKind = DepartmentKind.OFFICE,
                   post_class: int | None = None, code: str = "") -> Department:
    require(actor, "roster.edit")
    station = get_station(session)
    name = name.strip()
    if not name:
        raise ValidationError("部门名称不能为空")
    if session.scalar(select(Department).where(Department.name == name)):
        raise ValidationError(f"部门“{name}”已存在")
    if kind == DepartmentKind.POST and post_class not in (1, 2, 3):
        raise ValidationError(f"警务室“{name}”需要指定类别：一类、二类或三类")
    count = len(station.departments)
    dept = Department(station_id=station.id, name=name, kind=kind.value,
                      post_class=post_class if kind == DepartmentKind.POST else None,
                      code=code or f"D{count + 1:02d}", sort_order=count + 1)
    session.add(dept)
    session.flush()
    audit.record(session, actor, "department.create", "department", dept.uuid, name=name, kind=kind.value,
                 post_class=post_class)
    return dept


def department_by_name(session: Session, name: str) -> Department:
    dept = session.scalar(select(Department).where(Department.name == name.strip()))
    if dept is None:
        raise NotFound(f"没有部门“{name}”")
    return dept


@dataclass
class PersonInput:
    """What a clerk types for a person; validated by `add_person` / `update_person`."""

    badge: str
    name: str
    identity: Identity
    department_id: int
    position: str = ""
    sequence: str = ""
    is_head: bool = False
    active_from: dt.date | None = None
    active_to: dt.date | None = None
    phone: str = ""
    extra: dict[str, str] = field(default_factory=dict)
    # 身份证号, checked and normalised by `id_numbers.normalise`; None keeps what is stored (the
    # person screen never shows the full number, so leaving its field empty must not erase it).
    id_number: str | None = None
    # 调动生效日期 of a department change (department_moves); None: from the first open day.
    moved_on: dt.date | None = None


def _check_person(session: Session, data: PersonInput, existing_id: int | None = None) -> None:
    if not data.badge.strip():
        raise ValidationError("警号不能为空")
    if not data.name.strip():
        raise ValidationError(f"警号 {data.badge} 的姓名不能为空")
    clash = session.scalar(select(Person).where(Person.badge == data.badge.strip()))
    if clash is not None and clash.id != existing_id:
        raise ValidationError(f"警号 {data.badge} 已属于 {clash.name}，警号不能重复")
    if session.get(Department, data.department_id) is None:
        raise ValidationError(f"{data.name} 的部门不存在")
    if data.active_from and data.active_to and data.active_to < data.active_from:
        raise ValidationError(f"{data.name} 的离岗日期早于在岗日期")
    number = id_numbers.normalise(data.id_number) if data.id_number is not None else ""
    if number:
        twin = session.scalar(select(Person).where(Person.id_number == number))
        if twin is not None and twin.id != existing_id:
            raise ValidationError(f"身份证号 {id_numbers.mask(number)} 已属于 {twin.name}（{twin.badge}），不能重复")


def add_person(session: Session, actor: Actor, data: PersonInput) -> Person:
    require(actor, "roster.edit")
    _check_person(session, data)
    person = Person(
        badge=data.badge.strip(), name=data.name.strip(), identity=data.identity.value,
        position=data.position.strip(), department_id=data.department_id, sequence=data.sequence.strip(),
        is_head=data.is_head, active_from=data.active_from, active_to=data.active_to, phone=data.phone,
        id_number=id_numbers.normalise(data.id_number or ""),
    )
    session.add(person)
    session.flush()
    audit.record(session, actor, "person.create", "person", person.uuid, badge=person.badge, name=person.name)
    return person


PERSON_FIELDS = ("badge", "name", "identity", "position", "department_id", "sequence", "is_head",
                 "active_from", "active_to", "phone", "id_number")


def update_impact(session: Session, person_id: int, data: PersonInput) -> list[str]:
    """What saving `data` would do to months already recorded (`roster_impact`), to show first."""
    from desktop.services.roster_impact import change_impact

    person = session.get(Person, person_id)
    if person is None:
        raise NotFound("人员不存在")
    wanted = {"badge": data.badge.strip(), "name": data.name.strip(), "department_id": data.department_id,
              "active_from": data.active_from, "active_to": data.active_to}
    changes = {k: v for k, v in wanted.items() if getattr(person, k) != v}
    return change_impact(session, person, changes, moved_on=data.moved_on)


def update_person(session: Session, actor: Actor, person_id: int, data: PersonInput) -> Person:
    require(actor, "roster.edit")
    person = session.get(Person, person_id)
    if person is None:
        raise NotFound("人员不存在")
    _check_person(session, data, existing_id=person_id)
    moved_on = None
    if data.department_id != person.department_id:
        moved_on = department_moves.record_move(session, actor, person, data.department_id, data.moved_on)
    elif data.moved_on is not None:
        raise ValidationError(f"{person.name} 的部门没有改变：只有调动部门时才填写调动生效日期")
    before = {f: getattr(person, f) for f in PERSON_FIELDS}
    person.badge, person.name = data.badge.strip(), data.name.strip()
    person.identity, person.position = data.identity.value, data.position.strip()
    person.department_id, person.sequence, person.is_head = data.department_id, data.sequence.strip(), data.is_head
    person.active_from, person.active_to, person.phone = data.active_from, data.active_to, data.phone
    if data.id_number is not None:
        person.id_number = id_numbers.normalise(data.id_number)
    after = {f: getattr(person, f) for f in PERSON_FIELDS}
    changed = {k: [before[k], after[k]] for k in PERSON_FIELDS if before[k] != after[k]}
    if "id_number" in changed:  # the audit trail is read by more people than the roster: masked there too
        changed["id_number"] = [id_numbers.mask(v) for v in changed["id_number"]]
    extra = {"moved_on": moved_on} if moved_on is not None else {}
    audit.record(session, actor, "person.update", "person", person.uuid, changes=changed, **extra)
    return person


PHOTO_MAGIC = (b"\xff\xd8\xff", b"\x89PNG", b"BM")


def set_photo(session: Session, actor: Actor, person_id: int, data: bytes, mime: str) -> None:
    require(actor, "roster.edit")
    person = session.get(Person, person_id)
    if person is None:
        raise NotFound("人员不存在")
    if len(data) > 5 * 1024 * 1024:
        raise ValidationError("照片不能超过 5 MB")
    # The people screen only offers files Qt can show; the same rule without Qt: JPEG, PNG or BMP.
    if not data.startswith(PHOTO_MAGIC):
        raise ValidationError("照片应为 JPEG、PNG 或 BMP 图片")
    person.photo, person.photo_mime = data, mime
    audit.record(session, actor, "person.photo", "person", person.uuid, size=len(data))


def person_by_badge(session: Session, badge: str) -> Person:
    person = session.scalar(select(Person).where(Person.badge == badge.strip()))
    if person is None:
        raise NotFound(f"没有警号为 {badge} 的人员")
    return person


def list_people(session: Session, *, active_on: dt.date | None = None,
                department_id: int | None = None) -> list[Person]:
    query = select(Person).join(Department).order_by(Department.sort_order, Person.is_head.desc(), Person.badge)
    if department_id is not None:
        query = query.where(Person.department_id == department_id)
    people = list(session.scalars(query))
    if active_on is not None:
        people = [p for p in people if p.active_on(active_on)]
    return people


def update_station(session: Session, actor: Actor, *, name: str, county_bureau: str,
                   starting_score_tenths: int | None) -> Station:
    """Rename the station or change its bureau and starting score. The code stays: it keys workbooks."""
    require(actor, "station.edit")
    station = get_station(session)
    if not name.strip():
        raise ValidationError("单位名称不能为空")
    if starting_score_tenths is not None and not 0 <= starting_score_tenths <= 10000:
        raise ValidationError("基础分应在 0 到 1000 分之间")
    before = (station.name, station.county_bureau, station.starting_score_tenths)
    station.name, station.county_bureau = name.strip(), county_bureau.strip()
    station.starting_score_tenths = starting_score_tenths
    audit.record(session, actor, "station.update", "station", station.uuid, before=before,
                 after=(station.name, station.county_bureau, station.starting_score_tenths))
    return station


def update_department(session: Session, actor: Actor, department_id: int, *, name: str,
                      kind: DepartmentKind, post_class: int | None, active: bool = True) -> Department:
    require(actor, "roster.edit")
    dept = session.get(Department, department_id)
    if dept is None:
        raise NotFound("部门不存在")
    name = name.strip()
    if not name:
        raise ValidationError("部门名称不能为空")
    clash = session.scalar(select(Department).where(Department.name == name, Department.id != department_id))
    if clash is not None:
        raise ValidationError(f"部门“{name}”已存在")
    if kind == DepartmentKind.POST and post_class not in (1, 2, 3):
        raise ValidationError(f"警务室“{name}”需要指定类别：一类、二类或三类")
    if not active and session.scalar(select(Person.id).where(
            Person.department_id == department_id, Person.active_to.is_(None)).limit(1)) is not None:
        raise ValidationError(f"“{dept.name}”还有在岗人员，先调整他们的部门或离岗日期再停用")
    before = (dept.name, dept.kind, dept.post_class, dept.active)
    dept.name, dept.kind = name, kind.value
    dept.post_class = post_class if kind == DepartmentKind.POST else None
    dept.active = active
    audit.record(session, actor, "department.update", "department", dept.uuid, before=before,
                 after=(dept.name, dept.kind, dept.post_class, dept.active))
    return dept
