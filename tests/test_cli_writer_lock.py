"""Command-line writes take the one-writer lock: `demo --force` over an existing database and a
real `import` are refused while another program has the file open; a dry run only reads."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from desktop.cli import main
from desktop.models.db import open_database
from desktop.services import integrity
from tests.exchange import messy


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def held_db(tmp_path: Path):  # type: ignore[no-untyped-def]
    path = tmp_path / "jifen.db"
    open_database(path).dispose()
    with integrity.acquire_writer_lock(path):  # the desktop program, still open
        yield path


def test_demo_force_is_refused_while_the_database_is_open(held_db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    before = _digest(held_db)
    assert main(["--db", str(held_db), "demo", "--force"]) == 2
    assert "正由另一个程序使用" in capsys.readouterr().err
    assert _digest(held_db) == before


def test_import_is_refused_while_the_database_is_open_but_a_dry_run_reads(
        held_db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    book = messy.roster_book(tmp_path / "名册.xlsx")
    before = _digest(held_db)
    assert main(["--db", str(held_db), "import", str(book)]) == 2
    assert "正由另一个程序使用" in capsys.readouterr().err
    assert _digest(held_db) == before
    assert main(["--db", str(held_db), "import", str(book), "--dry-run"]) in (0, 1)
    assert "正由另一个程序使用" not in capsys.readouterr().err


def test_a_refused_import_into_a_new_file_leaves_no_lock_file(tmp_path: Path) -> None:
    new = tmp_path / "typo.db"
    assert main(["--db", str(new), "import", str(messy.roster_book(tmp_path / "r.xlsx"))]) == 1
    assert list(tmp_path.glob("typo*")) == []
