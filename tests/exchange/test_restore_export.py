"""`jifen restore-export`: rebuild a station on a new PC from its own, unedited export.

Only into an empty database (a new file or one without a station); any edited cell refuses
it; nobody signs in, and the signers of the workbook become accounts that cannot log in.
`jifen import` sends an empty database here, and neither command's dry run creates a file.
"""

from __future__ import annotations

import hashlib
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from sqlalchemy import func, select

from desktop.cli import main
from desktop.models.accounts import User
from desktop.models.db import Database, open_database
from desktop.models.ledger import Entry
from desktop.models.people import Person
from desktop.models.periods import SignOff
from desktop.services import periods
from desktop.services.exchange.export import export_period
from desktop.services.exchange.restore import DISABLED_HASH
from desktop.services.roster import has_station
from tests.exchange.stations import Station, results, sign_and_lock, station

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def locked(tmp_path: Path) -> tuple[Station, Path]:
    """A station whose March 2026 is reviewed, signed by both chiefs and locked; and its export."""
    st = station(tmp_path, db_name="station.db")
    sign_and_lock(st, "2026-03")
    book = tmp_path / "滨河-2026-03.xlsx"
    with st.db.session() as s:
        export_period(s, "2026-03", book)
    return st, book


def count(db: Database, model: type) -> int:
    with db.session() as s:
        return s.scalar(select(func.count()).select_from(model)) or 0


def jifen(db: Path, *argv: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "desktop", "--db", str(db), *argv], cwd=ROOT, text=True,
                          capture_output=True, timeout=300, stdin=subprocess.DEVNULL)


def test_restore_export_rebuilds_the_station_in_a_new_file(locked: tuple[Station, Path], tmp_path: Path) -> None:
    st, book = locked
    fresh = tmp_path / "新电脑" / "jifen.db"
    fresh.parent.mkdir()
    done = jifen(fresh, "restore-export", str(book))
    assert done.returncode == 0, done.stderr
    assert "已恢复到空数据库" in done.stdout and "user add" in done.stdout and "--role admin" in done.stdout
    assert "Traceback" not in done.stderr
    assert sorted(p.name for p in fresh.parent.iterdir() if not p.name.endswith(".lock")) == ["jifen.db"]
    db = open_database(fresh)
    try:
        assert results(db, "2026-03") == results(st.db, "2026-03")
        for model in (Person, Entry, SignOff):
            assert count(db, model) == count(st.db, model), model.__name__
        with db.session() as s:
            period = periods.find_period(s, "2026-03")
            assert period is not None and period.state == "locked"
            users = s.scalars(select(User)).all()
            signers = {x.signer_name for x in s.scalars(select(SignOff))}
            assert signers == {st.chief.display_name, st.jdy.display_name}
            assert users and all(not u.active and u.password_hash == DISABLED_HASH for u in users)
            assert signers <= {u.display_name for u in users}
    finally:
        db.dispose()


def _set(sheet: str, cell: str, value: object) -> Callable[[openpyxl.Workbook], None]:
    def edit(wb: openpyxl.Workbook) -> None:
        wb[sheet][cell] = value
    return edit


def _bump(sheet: str, cell: str) -> Callable[[openpyxl.Workbook], None]:
    def edit(wb: openpyxl.Workbook) -> None:
        wb[sheet][cell] = (wb[sheet][cell].value or 0) + 1
    return edit


def _other_grade(wb: openpyxl.Workbook) -> None:
    cell = wb["积分汇总"]["Q2"]  # 等次
    assert wb["积分汇总"]["Q1"].value == "等次"
    cell.value = "B" if cell.value == "A" else "A"


EDITS: dict[str, Callable[[openpyxl.Workbook], None]] = {
    "entry-note": _set("积分明细", "M2", "改过的说明"),
    "entry-points": _bump("积分明细", "L2"),
    "entry-author": _set("积分明细", "Q2", "所长"),
    "person-name": _set("人员", "C2", "改名"),
    "catalogue-points": _bump("考核细则", "L2"),
    "summary-grade": _other_grade,
    "summary-veto-cell": _set("积分汇总", "R2", "A"),
    "signer": _set("签核", "E2", "别人"),
    "award-title": _set("奖励", "D2", "优秀民警"),
}


@pytest.mark.parametrize("edit", list(EDITS))
def test_an_edited_export_is_refused(locked: tuple[Station, Path], tmp_path: Path, edit: str,
                                     capsys: pytest.CaptureFixture[str]) -> None:
    _, book = locked
    wb = openpyxl.load_workbook(book)
    EDITS[edit](wb)
    wb.save(tmp_path / "edited.xlsx")
    fresh = tmp_path / "fresh.db"
    assert main(["--db", str(fresh), "restore-export", str(tmp_path / "edited.xlsx")]) == 1
    out = capsys.readouterr().out
    assert "数据校验不符" in out and "不能用来重建单位" in out and "没有写入任何数据" in out
    assert list(tmp_path.glob("fresh*")) == []  # no database, no lock file left behind


def _about(book: Path, out: Path, state: str) -> Path:
    wb = openpyxl.load_workbook(book)
    for row in wb["说明"].iter_rows():
        if row[0].value == "周期状态":
            row[1].value = state
    wb.save(out)
    return out


def test_a_forged_period_state_is_refused(locked: tuple[Station, Path], tmp_path: Path,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    """说明 is outside the digest; its 周期状态 must agree with the signatures 签核 holds."""
    st, book = locked
    fresh = tmp_path / "fresh.db"
    assert main(["--db", str(fresh), "restore-export", str(_about(book, tmp_path / "a.xlsx", "录入中"))]) == 1
    assert "与“签核”表不符（2/2 个环节已签核）" in capsys.readouterr().out
    with st.db.transaction() as s:  # an open month, exported, then "locked" in Excel
        period = periods.get_or_create(s, "2026-04")
    with st.db.session() as s:
        export_period(s, "2026-04", tmp_path / "april.xlsx")
    forged = _about(tmp_path / "april.xlsx", tmp_path / "b.xlsx", "已锁定")
    assert main(["--db", str(fresh), "restore-export", str(forged)]) == 1
    assert "与“签核”表不符（0/2 个环节已签核）" in capsys.readouterr().out
    assert not fresh.exists() and period.state == "open"


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_restore_export_refuses_a_database_with_a_station(locked: tuple[Station, Path],
                                                           capsys: pytest.CaptureFixture[str]) -> None:
    st, book = locked
    assert st.db.path is not None
    st.db.dispose()
    before = _digest(st.db.path)
    assert main(["--db", str(st.db.path), "restore-export", str(book)]) == 2
    err = capsys.readouterr().err
    assert "已有单位“测试派出所”" in err and "jifen import" in err and len(err.strip().splitlines()) == 1
    assert _digest(st.db.path) == before
    assert main(["--db", str(st.db.path), "restore-export", str(book), "--user", "admin150302"]) == 2
    assert "不用 --user" in capsys.readouterr().err


def test_import_into_an_empty_database_points_to_restore_export(locked: tuple[Station, Path], tmp_path: Path,
                                                                capsys: pytest.CaptureFixture[str]) -> None:
    _, book = locked
    empty = tmp_path / "empty.db"
    open_database(empty).dispose()  # migrated, no station: as the desktop program leaves it before its wizard
    for extra in ([], ["--dry-run"]):
        assert main(["--db", str(empty), "import", str(book), *extra]) == 1
        out = capsys.readouterr().out
        assert "还没有单位" in out and f"jifen --db {empty} restore-export" in out
    db = open_database(empty)
    try:
        with db.session() as s:
            assert not has_station(s)
    finally:
        db.dispose()
    assert main(["--db", str(empty), "restore-export", str(book)]) == 0  # and that is where it goes in
    assert "已恢复到空数据库" in capsys.readouterr().out


@pytest.mark.parametrize("argv", [["import", "--dry-run"], ["import"], ["restore-export", "--dry-run"]])
def test_nothing_is_created_at_a_new_path(locked: tuple[Station, Path], tmp_path: Path, argv: list[str],
                                          capsys: pytest.CaptureFixture[str]) -> None:
    _, book = locked
    new = tmp_path / "typo.db"
    command, *flags = argv
    expected: dict[str, Any] = {"import": 1, "restore-export": 0}
    assert main(["--db", str(new), command, str(book), *flags]) == expected[command]
    out = capsys.readouterr().out
    assert ("restore-export" in out) if command == "import" else ("可以导入" in out)
    assert list(tmp_path.glob("typo*")) == []
