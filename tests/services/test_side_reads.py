"""Reads beside the caller on a server (`SideRead`): the same answer as on the caller's own
connection, including what the caller's transaction has written and not yet committed."""

from __future__ import annotations

import pytest
from sqlalchemy import Connection, func, select

from desktop.models.ledger import Entry
from desktop.models.side_reads import SideRead
from desktop.services import periods, scoring
from tests.services.builders import World, person, rec


def entries_in(connection: Connection) -> int:
    return connection.execute(select(func.count()).select_from(Entry)).scalar_one()


def test_a_clean_session_reads_beside_on_a_server_and_gets_the_same_answer(w: World) -> None:
    with w.tx() as s:
        rec(s, w.clerk, person(s, w.dept, "901"), "ZB-01", qty=3)
    with w.db.session() as s:
        side = SideRead(s, entries_in)
        assert side.beside is w.db.is_server  # SQLite reads on the caller's own connection
        assert side.result() == entries_in(s.connection()) == 1


def test_what_the_callers_transaction_wrote_is_in_the_answer(w: World) -> None:
    with w.tx() as s:
        officer = person(s, w.dept, "901")
        rec(s, w.clerk, officer, "ZB-01", qty=3)
    with w.tx() as s:
        side = SideRead(s, entries_in)  # started before the write: the other connection cannot see it
        rec(s, w.clerk, officer, "ZB-01", qty=2)
        assert side.result() == 2
        # Started after a write: never read beside an unfinished transaction's own rows.
        assert SideRead(s, entries_in).result() == 2
    with w.db.session() as s:
        assert SideRead(s, entries_in).result() == 2


def test_an_object_waiting_to_be_flushed_keeps_the_read_on_the_callers_connection(w: World) -> None:
    from desktop.models.people import Person

    with w.db.session() as s:
        s.add(Person(badge="902", name="待存", department_id=w.dept.id))  # the next query would flush it
        side = SideRead(s, entries_in)
        assert not side.beside
        assert side.result() == 0
        s.rollback()


def test_an_error_in_the_read_reaches_the_caller(w: World) -> None:
    def broken(connection: Connection) -> int:
        raise ValueError("读不出")

    with w.db.session() as s:
        side = SideRead(s, broken)
        with pytest.raises(ValueError, match="读不出"):
            side.result()


def test_a_score_read_beside_matches_the_score_read_in_one_transaction(w: World) -> None:
    with w.tx() as s:
        people = [person(s, w.dept, f"90{i}") for i in range(4)]
        for i, p in enumerate(people):
            rec(s, w.clerk, p, "ZB-01", qty=4 - i)
        month = periods.get_or_create(s, "2026-03")
        inside = [r.as_json() for r in scoring.calculate(s, month)]  # uncommitted: on its own connection
    with w.db.session() as s:
        month = periods.find_period(s, "2026-03")
        assert month is not None
        assert [r.as_json() for r in scoring.calculate(s, month)] == inside


def test_an_engine_without_a_pool_reads_on_the_callers_connection(w: World) -> None:
    from sqlalchemy.orm import Session

    from desktop.models import stores

    if not w.db.is_server:
        pytest.skip("the bureau board's engines (one connection per use) are on a server only")
    engine = stores.schema_engine(w.db.engine.url, "public")  # the test database's station is in public
    try:
        with Session(engine) as s:
            side = SideRead(s, entries_in)
            assert not side.beside
            assert side.result() == 0
    finally:
        engine.dispose()


def test_a_side_read_inside_a_side_read_runs_in_place(w: World) -> None:
    """Two workers serve every side read: one that waited on another could wait forever."""
    from sqlalchemy.orm import Session

    def nested(connection: Connection) -> tuple[bool, int]:
        with Session(bind=w.db.engine) as inner:
            side = SideRead(inner, entries_in)
            return side.beside, side.result()

    with w.db.session() as s:
        assert SideRead(s, nested).result() == (False, 0)
