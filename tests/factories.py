"""Small builders for test data on a real temporary SQLite database."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from sqlalchemy.orm import Session

from desktop.models.db import Database, open_database
from desktop.models.enums import DepartmentKind, Identity, Role
from desktop.models.people import Person
from desktop.models.station import Department
from desktop.services import accounts, catalogue, policies, roster
from desktop.services.actor import Actor

SYSTEM = Actor.system("test")
PASSWORD = "secret123"


def new_db(tmp_path: Path, name: str = "test.db") -> Database:
    return open_database(tmp_path / name)


def station(session: Session, *, policy: str = "abcd", catalogue_from: dt.date = dt.date(2026, 1, 1),
            starting_score: int | None = None) -> None:
    """A station with the preset catalogue and policies, and one user per role (password PASSWORD)."""
    st = roster.create_station(session, SYSTEM, code="150302", name="测试派出所", county_bureau="测试县公安局")
    st.starting_score_tenths = starting_score
    policies.install_presets(session, SYSTEM)
    policies.set_station_policy(session, SYSTEM, policy)
    catalogue.install_preset(session, SYSTEM, catalogue_from)
    for username, role in (("admin", Role.ADMIN), ("chief", Role.CHIEF), ("jdy", Role.CHIEF),
                           ("clerk", Role.CLERK), ("officer", Role.OFFICER)):
        accounts.create_user(session, SYSTEM, username, username, role, PASSWORD)


def department(session: Session, name: str = "治安中队", *, post_class: int | None = None) -> Department:
    kind = DepartmentKind.POST if post_class else DepartmentKind.OFFICE
    return roster.add_department(session, SYSTEM, name, kind=kind, post_class=post_class)


def person(session: Session, dept: Department, badge: str, name: str | None = None, *,
           identity: Identity = Identity.POLICE, is_head: bool = False, sequence: str = "治安",
           active_from: dt.date | None = None, active_to: dt.date | None = None) -> Person:
    return roster.add_person(session, SYSTEM, roster.PersonInput(
        badge=badge, name=name or f"民警{badge}", identity=identity, department_id=dept.id,
        sequence=sequence, is_head=is_head, active_from=active_from, active_to=active_to,
    ))


def login(session: Session, username: str) -> Actor:
    return accounts.login(session, username, PASSWORD)
