"""Small builders for test data on a real temporary database (SQLite, or PostgreSQL's test cluster)."""

from __future__ import annotations

import datetime as dt
import itertools
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, create_engine
from sqlalchemy.orm import Session
from sqlalchemy.pool import NullPool

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


def db_arg(db: Database) -> str:
    """What `jifen --db` takes for this database: its file, or its server address."""
    if db.path is not None:
        return str(db.path)
    return db.engine.url.render_as_string(hide_password=False)


_PG_NAMES = itertools.count()


@contextmanager
def pg_admin(cluster: Any) -> Iterator[Connection]:
    """A connection to the cluster's maintenance database, outside any transaction (CREATE
    DATABASE cannot run inside one)."""
    engine = create_engine(cluster.url(), isolation_level="AUTOCOMMIT", poolclass=NullPool)
    try:
        with engine.connect() as conn:
            yield conn
    finally:
        engine.dispose()


def new_pg_db(cluster: Any, template: str, name: str = "") -> tuple[Database, Callable[[], None]]:
    """A fresh database on the test cluster, a copy of `template`, and how to drop it."""
    name = name or f"t{os.getpid()}_{next(_PG_NAMES)}"
    with pg_admin(cluster) as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')

    def drop() -> None:
        with pg_admin(cluster) as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    return open_database(cluster.url(name)), drop


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


def period_scores(url: str | Path) -> dict[str, list[tuple[object, ...]]]:
    """Every period's results, person by person, as a comparison of two stores needs them."""
    from sqlalchemy import select

    from desktop.models.periods import Period
    from desktop.services import scoring

    db = open_database(url)
    try:
        with db.session() as session:
            out = {}
            for period in session.scalars(select(Period).order_by(Period.code)):
                out[period.code] = [(r.badge, r.department, r.total, r.ranked_total, r.rank_department,
                                     r.rank_sequence, r.grade, r.excluded_reason)
                                    for r in scoring.results(session, period)]
            return out
    finally:
        db.dispose()
