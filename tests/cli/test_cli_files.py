"""`jifen files`: everyone's 政绩档案 of a year into a folder, never over other files unasked."""

from __future__ import annotations

from pathlib import Path

import pytest

from desktop.services import backup
from tests.cli.conftest import run
from tests.services.builders import World


def _db(w: World) -> Path:
    assert w.db.path is not None
    return w.db.path


def test_files_for_everyone_go_into_a_new_folder(station: World, tmp_path: Path,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    folder = tmp_path / "2026年政绩档案"
    assert run(_db(station), "files", "--year", "2026", "-o", str(folder)) == 0
    out = capsys.readouterr().out
    names = sorted(p.name for p in folder.iterdir())
    assert len(names) >= 2 and all(n.endswith("2026年度政绩档案.pdf") for n in names)
    assert any("张三" in n for n in names) and f"已生成 {len(names)} 个政绩档案" in out
    assert all((folder / n).read_bytes().startswith(b"%PDF") for n in names)


def test_an_existing_file_of_the_same_name_is_replaced_only_with_force(station: World, tmp_path: Path,
                                                                       capsys: pytest.CaptureFixture[str]) -> None:
    folder = tmp_path / "档案"
    assert run(_db(station), "files", "--year", "2026", "--person", "101", "-o", str(folder)) == 0
    (only,) = folder.iterdir()
    only.write_bytes(b"kept")
    assert run(_db(station), "files", "--year", "2026", "--person", "101", "-o", str(folder)) == 2
    err = capsys.readouterr().err
    assert "已有 1 个同名的政绩档案" in err and "--force" in err and only.read_bytes() == b"kept"
    assert run(_db(station), "files", "--year", "2026", "--person", "101", "-o", str(folder), "--force") == 0
    assert only.read_bytes().startswith(b"%PDF")


@pytest.mark.parametrize(("args", "message"), [
    (("--person", "999"), "没有警号为 999 的人员"),
    (("--year", "1999"), "年份“1999”不对"),
], ids=["unknown-person", "bad-year"])
def test_bad_input_is_refused_with_exit_2_and_no_folder(station: World, tmp_path: Path, args: tuple[str, ...],
                                                        message: str, capsys: pytest.CaptureFixture[str]) -> None:
    folder = tmp_path / "档案"
    year = () if "--year" in args else ("--year", "2026")
    assert run(_db(station), "files", *year, *args, "-o", str(folder)) == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err and not folder.exists()


def test_a_file_or_the_backup_folder_as_the_output_is_refused(station: World, tmp_path: Path,
                                                             capsys: pytest.CaptureFixture[str]) -> None:
    a_file = tmp_path / "x.pdf"
    a_file.write_bytes(b"x")
    assert run(_db(station), "files", "--year", "2026", "-o", str(a_file)) == 2
    assert "是文件，请给出保存政绩档案的文件夹" in capsys.readouterr().err
    backups = backup.backup_dir(_db(station))
    backups.mkdir(exist_ok=True)
    assert run(_db(station), "files", "--year", "2026", "-o", str(backups), "--force") == 2
    assert "备份文件夹" in capsys.readouterr().err and list(backups.iterdir()) == []
