"""Builders for service tests: a ready station with an actor per role, and terse entry helpers.

`world()` is `tests.factories.station()` without the five scrypt hashes (one cached hash is
shared by every user), so a test pays ~50 ms for its database instead of ~250 ms.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from desktop.models.accounts import User
from desktop.models.db import Database
from desktop.models.enums import EntrySource, Identity, Role
from desktop.models.ledger import Entry
from desktop.models.people import Person
from desktop.models.periods import Period
from desktop.models.station import Department
from desktop.services import accounts, audit, catalogue, ledger, periods, policies, roster, scoring, signoff
from desktop.services.actor import Actor
from desktop.services.scoring import ScoreRow
from tests import factories

PASSWORD = factories.PASSWORD
SYSTEM = factories.SYSTEM
MARCH = dt.date(2026, 3, 2)  # a Monday in the month most tests use
PDF = b"%PDF-1.4\n% test evidence\n"


@functools.cache
def password_hash() -> str:
    """scrypt of PASSWORD, computed once per test run."""
    return accounts.hash_password(PASSWORD)


@dataclass
class World:
    """A station with the preset catalogue (from 2026-01-01), the policy presets and one user per role."""

    db: Database
    dept: Department
    admin: Actor
    chief: Actor
    jdy: Actor  # 教导员, the second chief of the default sign-off chain
    clerk: Actor
    officer: Actor

    @contextmanager
    def tx(self) -> Iterator[Session]:
        with self.db.transaction() as session:
            yield session


def add_user(session: Session, username: str, role: Role, person_id: int | None = None) -> Actor:
    user = User(username=username, display_name=username, role=role.value, password_hash=password_hash(),
                person_id=person_id)
    session.add(user)
    session.flush()
    audit.record(session, SYSTEM, "user.create", "user", user.uuid, username=username, role=role.value)
    return Actor.of(user)


def world_of(db: Database) -> World:
    """The `World` of a database that `world(db)` built (a copy of a template made with it)."""
    from sqlalchemy import select

    from desktop.models.accounts import User
    from desktop.models.station import Department

    with db.session() as session:
        dept = session.scalars(select(Department).where(Department.name == "治安中队")).one()
        users = {u.username: Actor.of(u) for u in session.scalars(select(User))}
    return World(db=db, dept=dept, **{name: users[name] for name in ("admin", "chief", "jdy", "clerk", "officer")})


def world(db: Database, *, starting_score: int | None = None, policy: str = "abcd") -> World:
    with db.transaction() as session:
        st = roster.create_station(session, SYSTEM, code="150302", name="测试派出所", county_bureau="测试县公安局")
        st.starting_score_tenths = starting_score
        policies.install_presets(session, SYSTEM)
        policies.set_station_policy(session, SYSTEM, policy)
        catalogue.install_preset(session, SYSTEM, dt.date(2026, 1, 1))
        dept = factories.department(session, "治安中队")
        users = {name: add_user(session, name, role) for name, role in (
            ("admin", Role.ADMIN), ("chief", Role.CHIEF), ("jdy", Role.CHIEF), ("clerk", Role.CLERK),
            ("officer", Role.OFFICER))}
    return World(db=db, dept=dept, **users)


def overrides_may_break_quotas(w: World) -> None:
    """The station's policy, with chief overrides allowed past the quotas (printed as a breach):
    for tests of the override mechanics in groups too small to have room in every level."""
    with w.tx() as session:
        policy = policies.policy_for(session)
        policies.set_policy(session, SYSTEM, dataclasses.replace(policy, allow_over_quota=True),
                            policies.FROM_START)


def person(session: Session, dept: Department, badge: str, **kw: object) -> Person:
    return factories.person(session, dept, badge, **kw)  # type: ignore[arg-type]


def auxiliary(session: Session, dept: Department, badge: str, **kw: object) -> Person:
    return factories.person(session, dept, badge, f"辅警{badge}", identity=Identity.AUXILIARY, **kw)  # type: ignore[arg-type]


def evidence(name: str = "证明材料.pdf", data: bytes = PDF) -> ledger.Evidence:
    return ledger.Evidence(name, data, "application/pdf")


def entry_input(people: Person | Iterable[Person], code: str, day: dt.date = MARCH, *, qty: int = 1,
                points: int | None = None, with_evidence: bool = False, note: str = "",
                source: EntrySource = EntrySource.MANUAL) -> ledger.EntryInput:
    members = [people] if isinstance(people, Person) else list(people)
    return ledger.EntryInput(
        person_ids=[p.id for p in members], item_code=code, occurred_on=day, quantity=qty,
        points_tenths=points, note=note, evidence=[evidence()] if with_evidence else [], source=source,
    )


def rec(session: Session, actor: Actor, people: Person | Iterable[Person], code: str, day: dt.date = MARCH,
        *, times: int = 1, **kw: object) -> list[Entry]:
    """Record the same event `times` times (each a separate entry)."""
    out: list[Entry] = []
    for _ in range(times):
        out += ledger.record(session, actor, entry_input(people, code, day, **kw))  # type: ignore[arg-type]
    return out


def period(session: Session, code: str) -> Period:
    return periods.get_or_create(session, code)


def row_of(rows: list[ScoreRow], who: Person | int) -> ScoreRow:
    pid = who if isinstance(who, int) else who.id
    return next(r for r in rows if r.person_id == pid)


def count(session: Session, model: type) -> int:
    return session.scalar(select(func.count()).select_from(model)) or 0


def to_review(session: Session, w: World, code: str) -> Period:
    p = period(session, code)
    periods.start_review(session, w.clerk, p)
    return p


def confirm_everyone(session: Session, actor: Actor, p: Period) -> None:
    """Every member's confirmation (the clerk records the paper ones): a sheet with a member
    unconfirmed and no reason cannot be signed."""
    from desktop.services import review

    done = review.confirmations(session, p)
    for row in scoring.calculate(session, p):
        if row.person_id not in done:
            review.confirm(session, actor, p, row.person_id, "本人已签字确认（纸质）")


def locked(session: Session, w: World, code: str) -> Period:
    """A period put under review by the clerk, signed along the chain (所长, 教导员) and so locked."""
    p = to_review(session, w, code)
    confirm_everyone(session, w.clerk, p)
    signoff.sign(session, w.chief, p, PASSWORD)
    signoff.sign(session, w.jdy, p, PASSWORD)
    return p


def five_people(session: Session, w: World, day: dt.date = MARCH) -> list[Person]:
    """Five 民警 in w.dept with 5, 4, 3, 2, 1 on-time arrivals (ZB-01, 1.0 each) that month.

    With a starting score of 100 their totals are 105 … 101: grades A B B C C under abcd.
    """
    people = [person(session, w.dept, f"00{i}") for i in range(1, 6)]
    for i, p in enumerate(people):
        rec(session, w.clerk, p, "ZB-01", day, qty=5 - i)
    return people


def person_input(p: Person, **changes: object) -> roster.PersonInput:
    """The person as stored, as the dialog would hand it back, with `changes` made."""
    import dataclasses

    base = roster.PersonInput(badge=p.badge, name=p.name, identity=Identity(p.identity),
                              department_id=p.department_id, position=p.position, sequence=p.sequence,
                              is_head=p.is_head, active_from=p.active_from, active_to=p.active_to)
    return dataclasses.replace(base, **changes)  # type: ignore[arg-type]
