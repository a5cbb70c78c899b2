"""Fixtures of the reliability tests: a small station on a real file, and running `jifen`."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from pathlib import Path

import pytest

from desktop import cli
from desktop.models.db import open_database
from tests.services.builders import World, person, rec, world


@pytest.fixture
def station_db(tmp_path: Path) -> Iterator[Path]:
    """A station database file (with people, entries and an audit trail), closed again."""
    path = tmp_path / "站" / "jifen.db"
    path.parent.mkdir()
    db = open_database(path)
    w: World = world(db)
    with w.tx() as session:
        people = [person(session, w.dept, f"10{i}") for i in range(3)]
        rec(session, w.clerk, people, "ZB-01", times=2)
    db.dispose()
    yield path


def run_cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = cli.main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def file_digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def folder_state(folder: Path) -> dict[str, str]:
    """Every file under `folder` and its digest: to show that nothing changed."""
    return {str(p.relative_to(folder)): file_digest(p) for p in sorted(folder.rglob("*")) if p.is_file()}
