"""Fixtures of the service tests: a ready station on the `db` fixture's temporary database.

Every service test runs on both stores (issue #19): a SQLite file, as a station runs, and a
database on the test run's own PostgreSQL cluster, as a bureau runs (skipped only where
PostgreSQL is not installed and the run did not ask for it; see tests/conftest.py).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from desktop.models.db import Database
from tests.factories import new_db, new_pg_db
from tests.services.builders import World, world, world_of

WORLD_TEMPLATE = "jifen_world"


@pytest.fixture(scope="session")
def pg_world_template(pg_cluster, pg_template) -> str:  # type: ignore[no-untyped-def]
    """A server database with `world` already built in it. On PostgreSQL every insert is a round
    trip, and building the station (presets, catalogue, users) took 2–3 s a test; a copy of this
    template takes 0.15 s. (On SQLite `world` takes 0.2 s and is built each time.)"""
    database, _drop = new_pg_db(pg_cluster, pg_template, name=WORLD_TEMPLATE)
    world(database)
    database.dispose()
    return WORLD_TEMPLATE


@pytest.fixture(params=["sqlite", "postgresql"])
def db(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    if request.param == "sqlite":
        database = new_db(tmp_path)
        yield database
        database.dispose()
        return
    # A test that asks for this file's `w` gets its station from the world template (a module
    # with a `w` of its own builds its station itself).
    ours = "w" in request.fixturenames and getattr(request.module, "w", None) is None
    template = "pg_world_template" if ours else "pg_template"
    database, drop = new_pg_db(request.getfixturevalue("pg_cluster"), request.getfixturevalue(template))
    yield database
    database.dispose()
    drop()


@pytest.fixture
def w(db: Database) -> World:
    """A station with the preset catalogue, the abcd policy, one department and one actor per role."""
    return world_of(db) if db.is_server else world(db)
