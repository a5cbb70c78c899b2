"""Who reviews whom, by position (审核人): a department's members by its head (中队长, 警务室长),
department heads by the leader in charge (分管领导), leaders by the chief or 政委.

    who = reviewer_of(session, person, day)        # Reviewer(person, basis)
    mine = reviewed_by(session, reviewer_id, day)  # the people a reviewer answers for

A head is the department unit's head that day (`units.head_on`), else the department's
一把手, else its first person holding a head's position. Leaders are the 一把手 and people in
a leader's position. The leader in charge of each department, the reviewer of leaders and any
single person's reviewer are configured (`reviewer_assignments`); nothing else is stored, so a
new head reviews from the day he takes over.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from desktop.models.accounts import User
from desktop.models.oversight import ReviewerAssignment
from desktop.models.people import Person
from desktop.models.station import Department
from desktop.models.units import Unit
from desktop.services import audit, department_moves
from desktop.services.actor import Actor, require
from desktop.services.errors import NotFound, ValidationError
from desktop.services.roster import person_by_badge

LEADER_POSITIONS = ("所长", "教导员", "政委", "副所长", "副教导员", "指导员", "副政委")
HEAD_POSITIONS = ("中队长", "警务室长", "队长", "主任", "室主任", "警长")
BASIS_LABELS = {"person": "单独指定", "leaders": "所领导由所长/政委审核", "head": "部门负责人",
                "leader": "分管领导", "none": "无（由上级机关审核）"}


@dataclass(frozen=True)
class Reviewer:
    person: Person | None
    basis: str  # BASIS_LABELS

    @property
    def label(self) -> str:
        if self.person is None:
            return BASIS_LABELS["none"]
        return f"{self.person.name}（{BASIS_LABELS[self.basis]}）"


def is_leader(person: Person) -> bool:
    return person.is_head or person.position in LEADER_POSITIONS


def _assignments(session: Session) -> list[ReviewerAssignment]:
    return list(session.scalars(select(ReviewerAssignment).order_by(ReviewerAssignment.id)))


class ReviewMap:
    """Every person's reviewer on one day, worked out once (a queue or a sheet asks for many).

    It reads every person up front; `everyone=False` reads only what one person's reviewer needs
    (his reviewer, the heads, his department's people), for a single lookup such as an officer's
    self-report: 2,000 people on the roster are then not read to save one form."""

    def __init__(self, session: Session, day: dt.date, *, everyone: bool = True) -> None:
        self.session, self.day = session, day
        rows = _assignments(session)
        self._person = {r.person_id: r.reviewer_id for r in rows if r.kind == "person"}
        self._dept = {r.department_id: r.reviewer_id for r in rows if r.kind == "department"}
        leaders = [r.reviewer_id for r in rows if r.kind == "leaders"]
        self._everyone: dict[int, Person] | None = None
        if everyone:
            self._everyone = {p.id: p for p in session.scalars(select(Person))}
        # The department each held on `day`: a move dated after it (department_moves) does not
        # hand a person to the new department's head for a month still ranked in the old one.
        moves = department_moves.later_moves(session, day)
        self._held = {pid: held for pid, m in moves.items() if (held := department_moves.held_on(m, day)) is not None}
        heads = (sorted((p for p in self._everyone.values() if p.is_head), key=lambda p: p.badge)
                 if self._everyone is not None
                 else session.scalars(select(Person).where(Person.is_head.is_(True)).order_by(Person.badge)))
        chief = next((p for p in heads if p.active_on(day)), None)
        self._leaders = leaders[-1] if leaders else (chief.id if chief else None)
        self._heads: dict[int, Person | None] = {}

    @property
    def _people(self) -> dict[int, Person]:
        """Everyone, read now if it was not read up front."""
        if self._everyone is None:
            self._everyone = {p.id: p for p in self.session.scalars(select(Person))}
        return self._everyone

    def _staff(self, department_id: int) -> list[Person]:
        """Who held the department on the day (dated moves included), on the roster then."""
        if self._everyone is not None:
            candidates: Iterable[Person] = self._everyone.values()
        else:
            moved_in = [pid for pid, held in self._held.items() if held == department_id]
            candidates = self.session.scalars(select(Person).where(
                or_(Person.department_id == department_id, Person.id.in_(moved_in))))
        return [p for p in candidates
                if self._held.get(p.id, p.department_id) == department_id and p.active_on(self.day)]

    def department_of(self, person: Person) -> int:
        return self._held.get(person.id, person.department_id)

    def head(self, department_id: int) -> Person | None:
        if department_id not in self._heads:
            self._heads[department_id] = _head(self.session, department_id, self.day, self._staff)
        return self._heads[department_id]

    def leader_in_charge(self, department_id: int) -> Person | None:
        return self._active(self._dept.get(department_id))

    def _active(self, person_id: int | None) -> Person | None:
        """A configured reviewer counts only while on the roster: one who has left reviews nobody."""
        if not person_id:
            return None
        found = self._everyone.get(person_id) if self._everyone is not None else self.session.get(Person, person_id)
        return found if found is not None and found.active_on(self.day) else None

    def of(self, person: Person) -> Reviewer:
        if person.id in self._person and self._active(self._person[person.id]) is not None:
            return Reviewer(self._active(self._person[person.id]), "person")
        if is_leader(person):
            found = self._active(self._leaders)
            return Reviewer(found if found is not None and found.id != person.id else None, "leaders")
        head = self.head(self.department_of(person))
        if head is not None and head.id != person.id:
            return Reviewer(head, "head")
        leader = self.leader_in_charge(self.department_of(person))
        if leader is not None and leader.id != person.id:
            return Reviewer(leader, "leader")
        found = self._active(self._leaders)
        return Reviewer(found if found is not None and found.id != person.id else None, "leaders")

    def reviewed_by(self, reviewer_id: int) -> list[Person]:
        people = [p for p in self._people.values() if p.active_on(self.day)]
        return sorted((p for p in people if (r := self.of(p).person) is not None and r.id == reviewer_id),
                      key=lambda p: p.badge)


def _head(session: Session, department_id: int, day: dt.date,
          staff_of: Callable[[int], list[Person]]) -> Person | None:
    from desktop.services import units

    unit = session.scalar(select(Unit).where(Unit.department_id == department_id))
    if unit is not None:
        found = units.head_on(session, unit, day)
        if found is not None:
            return found
    staff = sorted(staff_of(department_id), key=lambda p: p.badge)
    return (next((p for p in staff if p.is_head), None)
            or next((p for p in staff for pos in HEAD_POSITIONS if p.position == pos), None))


def reviewer_of(session: Session, person: Person, day: dt.date) -> Reviewer:
    return ReviewMap(session, day, everyone=False).of(person)


def reviewed_by(session: Session, reviewer_id: int, day: dt.date) -> list[Person]:
    return ReviewMap(session, day).reviewed_by(reviewer_id)


def accounts_of(session: Session, person_id: int) -> list[User]:
    return list(session.scalars(select(User).where(User.person_id == person_id, User.active.is_(True))))


def reviews_badges(session: Session, user: User, day: dt.date) -> list[str]:
    """The badges an account reviews (its person's people); none for an account of nobody."""
    if user.person_id is None:
        return []
    return [p.badge for p in reviewed_by(session, user.person_id, day)]


def may_review(session: Session, actor: Actor, person: Person, day: dt.date) -> bool:
    """The person's reviewer may decide; so may a chief, for anyone but himself (recorded)."""
    from desktop.models.enums import Role

    if actor.person_id is not None and actor.person_id == person.id:
        return False
    reviewer = reviewer_of(session, person, day).person
    if reviewer is not None and actor.person_id == reviewer.id:
        return True
    return actor.role == Role.CHIEF


# --- configuration (设置 → 审核人) ---------------------------------------------------------------

def _department(session: Session, name: str) -> Department:
    found = session.scalar(select(Department).where(Department.name == name.strip()))
    if found is None:
        raise NotFound(f"没有名为“{name}”的部门")
    return found


def _replace(session: Session, actor: Actor, kind: str, reviewer_badge: str | None, *,
             department_id: int | None = None, person_id: int | None = None, label: str) -> None:
    require(actor, "roster.edit" if kind == "person" else "station.edit")
    old = [r for r in _assignments(session) if r.kind == kind and r.department_id == department_id
           and r.person_id == person_id]
    reviewer = person_by_badge(session, reviewer_badge) if reviewer_badge else None
    if reviewer is not None and person_id is not None and reviewer.id == person_id:
        raise ValidationError("审核人不能是本人")
    for row in old:
        session.delete(row)
    if reviewer is not None:
        session.add(ReviewerAssignment(kind=kind, department_id=department_id, person_id=person_id,
                                       reviewer_id=reviewer.id))
    session.flush()
    audit.record(session, actor, "reviewer.set", "reviewer", kind, subject=label,
                 reviewer=reviewer.badge if reviewer else "")


def set_leader_in_charge(session: Session, actor: Actor, department: str, badge: str | None) -> None:
    """The 分管领导 of a department (reviews its head); None clears it."""
    dept = _department(session, department)
    _replace(session, actor, "department", badge, department_id=dept.id, label=dept.name)


def set_leaders_reviewer(session: Session, actor: Actor, badge: str | None) -> None:
    """Who reviews the station's leaders (the chief or 政委); None: the 一把手."""
    _replace(session, actor, "leaders", badge, label="所领导")


def set_person_reviewer(session: Session, actor: Actor, badge: str, reviewer_badge: str | None) -> None:
    person = person_by_badge(session, badge)
    _replace(session, actor, "person", reviewer_badge, person_id=person.id, label=person.badge)


@dataclass(frozen=True)
class AssignmentRow:
    kind: str
    subject: str  # department name, 所领导, or "姓名（警号）"
    reviewer_badge: str
    reviewer_name: str


def listing(session: Session) -> list[AssignmentRow]:
    rows = []
    for r in _assignments(session):
        reviewer = session.get(Person, r.reviewer_id)
        if r.kind == "department":
            dept = session.get(Department, r.department_id)
            subject = dept.name if dept else "?"
        elif r.kind == "person":
            person = session.get(Person, r.person_id)
            subject = f"{person.name}（{person.badge}）" if person else "?"
        else:
            subject = "所领导"
        rows.append(AssignmentRow(r.kind, subject, reviewer.badge if reviewer else "",
                                  reviewer.name if reviewer else ""))
    return rows
