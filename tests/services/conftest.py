"""Fixtures of the service tests: a ready station on the `db` fixture's temporary database."""

from __future__ import annotations

import pytest

from desktop.models.db import Database
from tests.services.builders import World, world


@pytest.fixture
def w(db: Database) -> World:
    """A station with the preset catalogue, the abcd policy, one department and one actor per role."""
    return world(db)
