"""`jifen export`, `jifen import [--dry-run]` and `jifen county merge` from the command line."""

from __future__ import annotations

import io
import sys
from pathlib import Path

import pytest

from desktop.cli import main
from tests.exchange import messy
from tests.exchange.stations import results, station
from tests.services.builders import PASSWORD


@pytest.fixture
def exported(tmp_path: Path) -> tuple[Path, Path]:
    st = station(tmp_path, "150301", "城关派出所", db_name="station.db")
    st.db.dispose()
    book = tmp_path / "城关-2026-03.xlsx"
    assert main(["--db", str(tmp_path / "station.db"), "export", "--period", "2026-03", "-o", str(book)]) == 0
    return tmp_path / "station.db", book


def test_export_then_restore_into_a_new_database(exported: tuple[Path, Path], tmp_path: Path,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    """A new PC is rebuilt by `restore-export`; `import` into a database without a station points there."""
    source, book = exported
    assert book.exists()
    fresh = tmp_path / "copy.db"
    assert main(["--db", str(fresh), "import", str(book)]) == 1
    assert "restore-export" in capsys.readouterr().out and not fresh.exists()
    assert main(["--db", str(fresh), "restore-export", str(book), "--dry-run"]) == 0
    assert "试导入（未写入任何数据）：可以导入" in capsys.readouterr().out and not fresh.exists()
    assert main(["--db", str(fresh), "restore-export", str(book)]) == 0
    out = capsys.readouterr().out
    assert "已恢复到空数据库" in out and "user add" in out
    from desktop.models.db import open_database

    assert results(open_database(fresh), "2026-03") == results(open_database(source), "2026-03")


def test_import_with_problems_exits_1_and_lists_them(exported: tuple[Path, Path], tmp_path: Path,
                                                     capsys: pytest.CaptureFixture[str],
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    source, _ = exported
    rows = [[1, "01001", "城关民警1", "2026-03-02", "SJ-02", 3, None, "", None],
            [2, "01001", "城关民警1", "2026-13-02", "SJ-02", 3, None, "", None]]
    bad = messy.adjustments_book(tmp_path / "bad.xlsx", rows=rows)
    assert main(["--db", str(source), "import", str(bad), "--dry-run"]) == 1
    out = capsys.readouterr().out
    assert "新增 1" in out and "有问题 1" in out and "第 6 行 D 列（日期）" in out
    monkeypatch.setattr(sys, "stdin", io.StringIO(PASSWORD + "\n"))
    assert main(["--db", str(source), "import", str(bad), "--user", "clerk150301"]) == 1
    assert "没有写入任何数据" in capsys.readouterr().out


def test_import_refuses_an_unknown_user_and_a_missing_file(exported: tuple[Path, Path], tmp_path: Path,
                                                           capsys: pytest.CaptureFixture[str],
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    source, book = exported
    monkeypatch.setattr(sys, "stdin", io.StringIO(PASSWORD + "\n"))
    assert main(["--db", str(source), "import", str(tmp_path / "none.xlsx"), "--user", "clerk150301"]) == 2
    assert "找不到文件" in capsys.readouterr().err
    monkeypatch.setattr(sys, "stdin", io.StringIO(PASSWORD + "\n"))
    assert main(["--db", str(source), "import", str(book), "--user", "nobody"]) == 2
    assert "用户名或密码错误" in capsys.readouterr().err


def test_county_merge(exported: tuple[Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _, book = exported
    other = station(tmp_path, "150302", "滨河派出所", db_name="other.db")
    other.db.dispose()
    second = tmp_path / "滨河-2026-03.xlsx"
    assert main(["--db", str(tmp_path / "other.db"), "export", "--period", "2026-03", "-o", str(second)]) == 0
    county = tmp_path / "county.xlsx"
    assert main(["county", "merge", str(book), str(second), "-o", str(county)]) == 0
    assert county.exists() and "已合并 2 个单位" in capsys.readouterr().out
    assert main(["county", "merge", str(book), str(second), "-o", str(county)]) == 2
    assert "已存在" in capsys.readouterr().err  # an earlier summary is replaced only with --force
    assert main(["county", "merge", str(book), str(book), "-o", str(county), "--force"]) == 2
    assert "出现了 2 次" in capsys.readouterr().err


def test_a_refused_or_dry_run_import_leaves_no_new_database(exported: tuple[Path, Path], tmp_path: Path,
                                                           capsys: pytest.CaptureFixture[str]) -> None:
    """An import needs a station: a path that does not exist is refused and never created."""
    _, book = exported
    new = tmp_path / "typo.db"
    assert main(["--db", str(new), "import", str(messy.roster_book(tmp_path / "r.xlsx"))]) == 1
    assert not new.exists()
    assert main(["--db", str(new), "import", str(book), "--dry-run"]) == 1
    assert "restore-export" in capsys.readouterr().out
    assert list(tmp_path.glob("typo*")) == []
