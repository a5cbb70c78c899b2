"""Stations the bureau-workbook tests import into."""

from __future__ import annotations

from pathlib import Path

import pytest

from desktop.models.db import Database
from desktop.services.exchange.import_ import import_file
from tests.exchange import messy
from tests.services.builders import World, world


@pytest.fixture
def w(db: Database) -> World:
    return world(db)


@pytest.fixture
def staffed(w: World, tmp_path: Path) -> World:
    """The station after importing the bureau's roster (150001 王伟, 150002 李娜, 150003 张强 and
    150004 赵敏 of 治安中队)."""
    import_file(w.db, w.clerk, messy.roster_book(tmp_path / "roster.xlsx"))
    return w
