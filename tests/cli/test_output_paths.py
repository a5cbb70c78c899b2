"""No `-o` writes over the database, its companion files or its backups; an existing file only with --force."""

from __future__ import annotations

from pathlib import Path

import pytest

from desktop.cli.paths import guard_output
from desktop.services import backup
from desktop.services.errors import ValidationError
from tests.cli.conftest import digest, run
from tests.services.builders import World

MARCH = "2026-03"


def _db(w: World) -> Path:
    assert w.db.path is not None
    return w.db.path


def test_grade_sheet_over_the_database_is_refused(station: World, capsys: pytest.CaptureFixture[str]) -> None:
    path = _db(station)
    before = digest(path)
    for force in ((), ("--force",)):
        assert run(path, "grade-sheet", "--period", MARCH, "-o", str(path), *force) == 2
        err = capsys.readouterr().err
        assert str(path.resolve()) in err and "数据库文件本身" in err and len(err.strip().splitlines()) == 1
    assert digest(path) == before


@pytest.mark.parametrize("suffix", ["-wal", "-shm", "-journal"])
def test_the_database_companion_files_are_refused(station: World, suffix: str,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    path = _db(station)
    target = path.with_name(path.name + suffix)
    before = digest(path)
    assert run(path, "board", "--period", MARCH, "-o", str(target), "--force") == 2
    err = capsys.readouterr().err
    assert target.name in err and "附属文件" in err
    assert not target.exists() and digest(path) == before


def test_the_backup_folder_is_refused(station: World, capsys: pytest.CaptureFixture[str]) -> None:
    path = _db(station)
    kept = backup.backup(path)
    before = digest(kept)
    assert run(path, "grade-sheet", "--period", MARCH, "-o", str(kept), "--force") == 2
    assert "备份文件夹" in capsys.readouterr().err
    assert run(path, "export", "--period", MARCH, "-o", str(kept.parent / "x.xlsx")) == 2
    assert "备份文件夹" in capsys.readouterr().err
    assert run(path, "backup", "-o", str(kept.parent)) == 2
    assert "备份文件夹" in capsys.readouterr().err
    assert digest(kept) == before and not (kept.parent / "x.xlsx").exists()


def test_an_existing_output_is_replaced_only_with_force(station: World, tmp_path: Path,
                                                        capsys: pytest.CaptureFixture[str]) -> None:
    path = _db(station)
    out = tmp_path / "评定表.pdf"
    out.write_bytes(b"keep me")
    assert run(path, "grade-sheet", "--period", MARCH, "-o", str(out)) == 2
    err = capsys.readouterr().err
    assert str(out) in err and "--force" in err
    assert out.read_bytes() == b"keep me"
    assert run(path, "grade-sheet", "--period", MARCH, "-o", str(out), "--force") == 0
    assert out.read_bytes().startswith(b"%PDF")


def test_export_merge_and_backup_refuse_an_existing_file_without_force(station: World, tmp_path: Path,
                                                                      capsys: pytest.CaptureFixture[str]) -> None:
    path = _db(station)
    book = tmp_path / "导出.xlsx"
    assert run(path, "export", "--period", MARCH, "-o", str(book)) == 0
    first = digest(book)
    assert run(path, "export", "--period", MARCH, "-o", str(book)) == 2
    assert "已存在" in capsys.readouterr().err and digest(book) == first
    assert run(path, "export", "--period", MARCH, "-o", str(book), "--force") == 0

    county = tmp_path / "县局.xlsx"
    county.write_bytes(b"old")
    assert run(path, "county", "merge", str(book), "-o", str(county)) == 2
    assert county.read_bytes() == b"old"
    assert run(path, "county", "merge", str(book), "-o", str(county), "--force") == 0
    assert county.read_bytes() != b"old"
    assert run(path, "county", "merge", str(book), "-o", str(path), "--force") == 2
    assert "数据库文件本身" in capsys.readouterr().err

    copy = tmp_path / "U盘.db"
    copy.write_bytes(b"old")
    assert run(path, "backup", "-o", str(copy)) == 2
    assert copy.read_bytes() == b"old"
    assert run(path, "backup", "-o", str(copy), "--force") == 0
    assert copy.read_bytes().startswith(b"SQLite format 3")
    assert run(path, "backup", "-o", str(path), "--force") == 2
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []  # no stray temporary copy


def test_guard_sees_through_other_spellings_of_the_database(station: World, tmp_path: Path,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    path = _db(station)
    monkeypatch.chdir(path.parent)
    for spelling in (path.name, f"./{path.name}", f"sub/../{path.name}"):
        (path.parent / "sub").mkdir(exist_ok=True)
        with pytest.raises(ValidationError, match="数据库文件本身"):
            guard_output(path, spelling, force=True)
    link = tmp_path / "link.pdf"
    link.symlink_to(path)
    with pytest.raises(ValidationError, match="数据库文件本身"):
        guard_output(path, link, force=True)
    hard = tmp_path / "hard.pdf"
    hard.hardlink_to(path)
    with pytest.raises(ValidationError, match="数据库文件本身"):
        guard_output(path, hard, force=True)
