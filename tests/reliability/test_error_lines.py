"""Bad surroundings, one Chinese line: a database of a newer program, a read-only file or
folder, a full disk. Exit status 2, no traceback, and nothing already stored changed."""

from __future__ import annotations

import io
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy.exc
from sqlalchemy.engine.default import DefaultDialect

from desktop.models.db import open_database
from desktop.services import backup, integrity, roster
from tests.reliability.conftest import file_digest, run_cli
from tests.services.builders import PASSWORD

ROOT = Path(__file__).resolve().parents[2]
LEAVE = ("leave", "add", "--person", "100", "--from", "2026-03-02", "--to", "2026-03-06", "--kind", "病假",
         "--user", "clerk")
NOBODY = 65534


def jifen(db: Path, *argv: str, password: str | None = None, prefix: tuple[str, ...] = (),
          env: dict[str, str] | None = None) -> tuple[int, str, str]:
    proc = subprocess.run([*prefix, sys.executable, "-m", "desktop", "--db", str(db), *argv], cwd=ROOT, text=True,
                          input=(password + "\n") if password is not None else "", capture_output=True,
                          env={**os.environ, "PYTHONPATH": str(ROOT), **(env or {})}, timeout=120)
    return proc.returncode, proc.stdout, proc.stderr


def one_line(err: str) -> bool:
    return len(err.strip().splitlines()) == 1 and err.startswith("错误：") and "Traceback" not in err


def count(path: Path, table: str) -> int:
    conn = sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True)
    try:
        return conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
    finally:
        conn.close()


# -- a database made by a newer program -----------------------------------------------------------
@pytest.fixture
def newer_db(station_db: Path) -> Path:
    conn = sqlite3.connect(station_db)
    conn.execute("UPDATE alembic_version SET version_num = '9999_future'")
    conn.commit()
    conn.close()
    return station_db


@pytest.mark.parametrize("argv", [("people",), ("audit", "verify"), ("score", "--period", "2026-03"), LEAVE],
                         ids=["people", "audit-verify", "score", "leave-add"])
def test_a_database_of_a_newer_program_is_one_line_for_every_command(newer_db: Path, argv: tuple[str, ...]) -> None:
    before = file_digest(newer_db)
    code, out, err = jifen(newer_db, *argv, password=PASSWORD)
    assert code == 2 and out == "" and one_line(err), err
    assert "更新版本" in err and "9999_future" in err and "未作任何改动" in err
    assert file_digest(newer_db) == before and not backup.backup_dir(newer_db).exists()  # not even a backup


def test_the_desktop_start_shows_a_newer_database_in_one_message(newer_db: Path, qapp,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    from PySide6.QtWidgets import QMessageBox  # noqa: TID251

    from desktop.ui import app
    from desktop.ui.opening import DatabaseOpening, peek_station

    shown: list[tuple[str, str]] = []
    monkeypatch.setattr(QMessageBox, "critical", staticmethod(
        lambda _p, title, text, *a, **k: shown.append((title, text)) or QMessageBox.StandardButton.Ok))
    before = file_digest(newer_db)
    station = peek_station(newer_db)
    assert station is not None and not app.needs_setup(newer_db)  # no wizard: it goes to the login
    lock = integrity.acquire_writer_lock(newer_db)
    try:
        opening = DatabaseOpening.start(newer_db, station)  # as behind the login window
        assert app._opened(opening, lock) is None
    finally:
        lock.release()
    assert isinstance(opening.error, integrity.DatabaseTooNew)
    assert len(shown) == 1 and shown[0][0] == "无法打开数据库" and "更新版本" in shown[0][1]
    assert file_digest(newer_db) == before


# -- a read-only file or folder -------------------------------------------------------------------
@pytest.fixture
def exposed(station_db: Path) -> Iterator[tuple[Path, tuple[str, ...], dict[str, str]]]:
    """The station database in a folder an unprivileged user can reach, and how to run as one.

    Root writes through any permission, so under root the command runs as `nobody` (setpriv).
    """
    prefix: tuple[str, ...] = ()
    if os.geteuid() == 0:
        if shutil.which("setpriv") is None:
            pytest.skip("running as root without setpriv: permissions cannot be tested")
        prefix = ("setpriv", f"--reuid={NOBODY}", f"--regid={NOBODY}", "--clear-groups")
    top = Path(tempfile.mkdtemp(prefix="jifen-ro-"))
    try:
        top.chmod(0o755)
        home = top / "home"
        home.mkdir()
        home.chmod(0o777)
        folder = top / "站"
        folder.mkdir()
        path = folder / "jifen.db"
        shutil.copy(station_db, path)
        env = {"HOME": str(home), "XDG_DATA_HOME": str(home), "XDG_CONFIG_HOME": str(home)}
        yield path, prefix, env
    finally:
        for p in top.rglob("*"):
            if p.is_dir():
                p.chmod(0o755)
        shutil.rmtree(top, ignore_errors=True)


def test_a_read_only_database_file_is_one_line_for_a_write(exposed) -> None:
    path, prefix, env = exposed
    path.parent.chmod(0o777)
    path.chmod(0o444)
    before = file_digest(path)
    code, out, err = jifen(path, *LEAVE, password=PASSWORD, prefix=prefix, env=env)
    assert code == 2 and out == "" and one_line(err), err
    assert "只读" in err and str(path) in err
    assert file_digest(path) == before and count(path, "absences") == 0
    code, out, err = jifen(path, "backup", prefix=prefix, env=env)  # reading it is fine
    assert code == 0 and "已备份到" in out, err


def test_a_read_only_folder_is_one_line_for_a_write(exposed) -> None:
    path, prefix, env = exposed
    path.chmod(0o666)
    path.parent.chmod(0o555)
    before = file_digest(path)
    code, out, err = jifen(path, "backup", prefix=prefix, env=env)
    assert code == 2 and out == "" and one_line(err), err
    assert "无法建立备份文件夹" in err
    code, out, err = jifen(path, *LEAVE, password=PASSWORD, prefix=prefix, env=env)
    assert code == 2 and out == "" and one_line(err), err
    assert "只读" in err or "无法打开" in err
    assert file_digest(path) == before and not backup.backup_dir(path).exists()


# -- a full disk ----------------------------------------------------------------------------------
def test_a_full_disk_is_one_line_and_the_write_is_rolled_back(station_db: Path, capsys: pytest.CaptureFixture[str],
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    commits = {"n": 0}
    real_commit = DefaultDialect.do_commit

    def commit(self, dbapi_connection) -> None:  # type: ignore[no-untyped-def]
        commits["n"] += 1
        if commits["n"] > 1:  # the sign-in commits; the leave itself finds the disk full
            raise sqlite3.OperationalError("database or disk is full")
        real_commit(self, dbapi_connection)

    events = count(station_db, "audit_events")
    monkeypatch.setattr(DefaultDialect, "do_commit", commit)
    monkeypatch.setattr(sys, "stdin", io.StringIO(PASSWORD + "\n"))
    code, out, err = run_cli(capsys, "--db", str(station_db), *LEAVE)
    assert code == 2 and out == "" and one_line(err), err
    assert "磁盘已满" in err and "没有写入任何内容" in err
    monkeypatch.undo()
    assert count(station_db, "absences") == 0
    assert count(station_db, "audit_events") == events + 1  # the sign-in only
    assert integrity.check(station_db, full=True) == []


def test_only_known_disk_faults_are_dressed_as_one_line(station_db: Path, capsys: pytest.CaptureFixture[str],
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    """A read that meets a disk fault outside any transaction is caught in `main`; an unknown
    SQLite error is a defect and keeps its traceback."""
    def fault(message: str):  # type: ignore[no-untyped-def]
        def raise_it(*_a, **_k):  # type: ignore[no-untyped-def]
            raise sqlalchemy.exc.OperationalError("SELECT …", {}, sqlite3.OperationalError(message))
        return raise_it

    monkeypatch.setattr(roster, "list_people", fault("disk I/O error"))
    code, _, err = run_cli(capsys, "--db", str(station_db), "people")
    assert code == 2 and one_line(err) and "磁盘出错" in err
    monkeypatch.setattr(roster, "list_people", fault("no such column: people.nickname"))
    with pytest.raises(sqlalchemy.exc.OperationalError, match="no such column"):
        run_cli(capsys, "--db", str(station_db), "people")
    open_database(station_db).dispose()  # and the database is as it was
