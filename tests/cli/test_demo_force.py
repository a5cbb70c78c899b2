"""`jifen demo --force` keeps a copy of the database it replaces."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from desktop.models.db import open_database
from desktop.models.people import Person
from desktop.services import backup
from tests.cli.conftest import digest, run
from tests.services.builders import World


def test_demo_force_backs_up_the_database_first(station: World, capsys: pytest.CaptureFixture[str],
                                                 quick_demo: None) -> None:
    path = station.db.path
    assert path is not None
    assert run(path, "demo", "--until", "2026-03", "--force") == 0
    out = capsys.readouterr().out
    kept = backup.list_backups(path)
    assert len(kept) == 1 and str(kept[0].path) in out and "已备份到" in out
    copy = open_database(kept[0].path, migrate_to_head=False)
    try:
        with copy.session() as s:
            assert set(s.scalars(select(Person.badge))) == {"101", "102"}  # the station as it was
    finally:
        copy.dispose()


def test_demo_force_over_a_file_it_cannot_copy_replaces_nothing(tmp_path: Path,
                                                                capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "jifen.db"
    path.write_bytes(b"not a database, but somebody's file" * 100)
    before = digest(path)
    assert run(path, "demo", "--until", "2026-03", "--force") == 2
    assert len(capsys.readouterr().err.strip().splitlines()) == 1
    assert digest(path) == before


def test_demo_force_over_an_empty_file_needs_no_backup(tmp_path: Path, quick_demo: None) -> None:
    path = tmp_path / "jifen.db"
    path.touch()
    assert run(path, "demo", "--until", "2026-03", "--force") == 0
    assert backup.list_backups(path) == []
