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
from tests.services.builders import World, world


@pytest.fixture(params=["sqlite", "postgresql"])
def db(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    if request.param == "sqlite":
        database = new_db(tmp_path)
        yield database
        database.dispose()
        return
    database, drop = new_pg_db(request.getfixturevalue("pg_cluster"), request.getfixturevalue("pg_template"))
    yield database
    database.dispose()
    drop()


@pytest.fixture
def w(db: Database) -> World:
    """A station with the preset catalogue, the abcd policy, one department and one actor per role."""
    return world(db)
