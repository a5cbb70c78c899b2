"""Signing in to a database, a bureau office's reading visit to a station included.

On a bureau server each station keeps its own schema and its own accounts (`stores`), and the
bureau's offices (政工室, 考核办, 纪检督察, and the bureau's administrator: whoever holds
`bureau.read`) have theirs in the bureau's own schema. Issue #19 has those offices read every
station: so a name the station does not know, given at a station's address, is tried against the
bureau's accounts, and an office that passes signs in as a *visitor*:

- it may read everything the station's screens and listings show (and the audit trail where its
  role may read it), and write nothing (`actor.can` refuses every other action to a visitor);
- its sign-in is recorded in the bureau's chain, not the station's: the station's schema is a copy
  of the station's file (`server push`), and an event the file lacks would block its next push;
- it has no account in the station: `user_id` and `person_id` are None, so nothing can be signed,
  confirmed or attributed to a station account of the same number.

A station's own account always comes first: a station user named like a bureau office is that
station's user. Unknown names and wrong passwords get the one answer `accounts.login` gives.
"""

from __future__ import annotations

import dataclasses

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from desktop.models import stores
from desktop.models.accounts import User
from desktop.models.db import Database
from desktop.models.station import Station
from desktop.services import accounts, audit
from desktop.services.actor import Actor, can
from desktop.services.errors import AuthError

BUREAU_SCHEMA = "public"


def current_schema(session: Session) -> str | None:
    """The schema a server session works in; None on a station's own file (SQLite)."""
    if session.get_bind().dialect.name != "postgresql":
        return None
    return session.execute(text("SELECT current_schema()")).scalar_one()


def _is_station_schema(session: Session) -> bool:
    schema = current_schema(session)
    return schema is not None and schema.startswith(stores.STATION_SCHEMA_PREFIX)


def _known_here(session: Session, username: str) -> bool:
    return session.scalar(select(User.id).where(User.username == username.strip())) is not None


def login(db: Database, username: str, password: str) -> Actor:
    """The actor `username` signs in as at `db` (see the module docstring); AuthError otherwise."""
    with db.transaction() as session:
        if not _is_station_schema(session) or _known_here(session, username):
            return accounts.login(session, username, password)
        station = session.scalars(select(Station).order_by(Station.id)).first()
        code = station.code if station is not None else ""
        name = station.name if station is not None else code
    return _visit(db, username, password, code, name)


def _visit(db: Database, username: str, password: str, code: str, name: str) -> Actor:
    engine = stores.schema_engine(db.engine.url, BUREAU_SCHEMA)
    bureau = Database(engine)
    try:
        with bureau.transaction() as session:
            if not _has_accounts(session):  # a bare `public`: nobody to sign in as
                accounts.refuse_unknown(password)
            actor = accounts.login(session, username, password)  # lock-out and audit: the bureau's
            if not can(actor, "bureau.read"):
                raise AuthError(f"“{actor.display_name}”是局机关的{actor.role.label}账户，"
                                f"不能查看各派出所的数据：只有政工室、考核办、纪检督察和管理员的账户可以")
            audit.record(session, actor, "bureau.visit", "station", code, station=name)
    finally:
        engine.dispose()
    return dataclasses.replace(actor, user_id=None, person_id=None, visiting=code)


def _has_accounts(session: Session) -> bool:
    """The bureau's schema holds this program's tables (it may be a bare `public`)."""
    found = session.execute(text(
        "SELECT 1 FROM information_schema.tables WHERE table_schema = :s AND table_name = 'users'"),
        {"s": BUREAU_SCHEMA}).first()
    return found is not None
