"""`--db` is a file name, never a URL: %-sequences in it are not decoded."""

from __future__ import annotations

from pathlib import Path

import pytest

from desktop.models.db import Database, open_database
from tests.cli.conftest import run


@pytest.mark.parametrize("name", ["a%20b.db", "100%.db", "x%2Fy.db", "a#b?c=1.db"])
def test_a_database_is_created_under_exactly_its_name(tmp_path: Path, name: str) -> None:
    db: Database = open_database(tmp_path / name)
    try:
        assert db.path == (tmp_path / name).resolve()
    finally:
        db.dispose()
    assert sorted(p.name for p in tmp_path.iterdir() if p.suffix == ".db") == [name]


def test_demo_into_a_percent_named_file(tmp_path: Path, capsys: pytest.CaptureFixture[str], quick_demo: None) -> None:
    path = tmp_path / "a%20b.db"
    assert run(path, "demo", "--until", "2026-03") == 0
    assert path.is_file() and not (tmp_path / "a b.db").exists()
    assert run(path, "people", "--format", "csv") == 0
    assert "张三丰" in capsys.readouterr().out
