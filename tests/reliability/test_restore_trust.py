"""Restore believes only its own kind: this station's backups, with the program's own schema,
restored by the chief or an administrator, never losing a commit however it is interrupted."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import select

from desktop.models.accounts import User
from desktop.models.db import make_engine, migrate, open_database
from desktop.models.enums import Role
from desktop.models.people import Person
from desktop.services import backup, backup_restore, backup_schema, integrity
from desktop.services.actor import Actor
from desktop.services.errors import PermissionDenied
from tests.reliability.conftest import file_digest, run_cli
from tests.services.builders import PASSWORD, rec, world

ROOT = Path(__file__).resolve().parents[2]
LATE = "备份之后、只在 WAL 中的一条"


def jifen(db: Path, *argv: str, password: str | None = None) -> tuple[int, str, str]:
    """`python -m desktop --db DB …` in a child process, the password (if any) on its stdin."""
    proc = subprocess.run([sys.executable, "-m", "desktop", "--db", str(db), *argv], cwd=ROOT, text=True,
                          input=(password + "\n") if password is not None else "", capture_output=True,
                          env={**os.environ, "PYTHONPATH": str(ROOT)}, timeout=120)
    return proc.returncode, proc.stdout, proc.stderr


def notes(path: Path) -> set[str]:
    conn = sqlite3.connect(path)
    try:
        return {r[0] for r in conn.execute("SELECT note FROM entries")}
    finally:
        conn.close()


def station_row(path: Path) -> tuple[str, str, str]:
    conn = sqlite3.connect(path)
    try:
        return conn.execute("SELECT uuid, name, code FROM stations").fetchone()
    finally:
        conn.close()


def sql(path: Path, *statements: str) -> None:
    conn = sqlite3.connect(path)
    for statement in statements:
        conn.execute(statement)
    conn.commit()
    conn.close()


def one_line(err: str) -> bool:
    return len(err.strip().splitlines()) == 1 and "Traceback" not in err


@pytest.fixture
def other_station(tmp_path: Path) -> Path:
    """A backup of another station (its own uuid, name and code), sound in every other way."""
    path = tmp_path / "别所" / "jifen.db"
    path.parent.mkdir()
    db = open_database(path)
    world(db)
    db.dispose()
    sql(path, "UPDATE stations SET name = '河西派出所', code = '150399'")
    return backup.backup(path, tmp_path / "河西所的备份.db")


# -- 1. another station's database ----------------------------------------------------------------
def test_another_stations_backup_is_refused_unless_an_administrator_confirms(station_db: Path,
                                                                             other_station: Path) -> None:
    ours = station_row(station_db)
    before = file_digest(station_db)
    code, out, err = jifen(station_db, "restore", str(other_station), "--user", "chief", password=PASSWORD)
    assert code == 2 and out == "" and one_line(err)
    assert "来自其他单位" in err and "“河西派出所”（代码 150399）" in err and "“测试派出所”（代码 150302）" in err
    assert "当前数据库未作任何改动" in err and "--other-station" in err
    assert file_digest(station_db) == before  # refused before the sign-in writes anything

    code, _, err = jifen(station_db, "restore", str(other_station), "--other-station", "--user", "chief",
                         password=PASSWORD)
    assert code == 2 and one_line(err) and "只能由管理员确认" in err
    assert station_row(station_db) == ours

    code, out, err = jifen(station_db, "restore", str(other_station), "--other-station", "--user", "admin",
                           password=PASSWORD)
    assert code == 0, err
    assert "其他单位" in out and station_row(station_db)[1:] == ("河西派出所", "150399")
    kept = [b for b in backup.list_backups(station_db, doubtful=True) if b.reason == "restore"]
    assert len(kept) == 1 and station_row(kept[0].path) == ours


def test_a_database_without_a_station_takes_any_sound_backup(tmp_path: Path, other_station: Path) -> None:
    missing = tmp_path / "新电脑" / "jifen.db"
    missing.parent.mkdir()
    code, out, err = jifen(missing, "restore", str(other_station))  # nobody could sign in: no --user
    assert code == 0, err
    assert station_row(missing)[1] == "河西派出所" and "恢复前的数据库" not in out
    empty = tmp_path / "空库" / "jifen.db"
    empty.parent.mkdir()
    open_database(empty).dispose()  # migrated, no station, no accounts
    code, out, err = jifen(empty, "restore", str(other_station))
    assert code == 0, err
    assert station_row(empty)[1] == "河西派出所"


# -- 2. a schema that is not the program's ---------------------------------------------------------
STEAL = ("CREATE TRIGGER tr_steal AFTER INSERT ON entries BEGIN "
         "UPDATE entries SET person_id = (SELECT min(id) FROM people) WHERE id = NEW.id; END")


@pytest.mark.parametrize(("statements", "named"), [
    ([STEAL], "备份中多出触发器“tr_steal”"),
    (["CREATE VIEW v_points AS SELECT person_id, points_tenths FROM entries"], "备份中多出视图“v_points”"),
    (["CREATE TABLE shadow (x)"], "备份中多出数据表“shadow”"),
    (["CREATE INDEX ix_extra ON entries (note)"], "备份中多出索引“ix_extra”"),
    (["DROP TRIGGER tr_entries_sums_insert"], "备份中缺少触发器“tr_entries_sums_insert”"),
    (["DROP TRIGGER tr_entries_sums_insert",
      "CREATE TRIGGER tr_entries_sums_insert AFTER INSERT ON entries BEGIN SELECT 1; END"],
     "备份中的触发器“tr_entries_sums_insert”与本程序的定义不同"),
    (["ALTER TABLE people ADD COLUMN secret TEXT"], "备份中的数据表“people”与本程序的定义不同"),
], ids=["extra-trigger", "extra-view", "extra-table", "extra-index", "missing-trigger", "changed-trigger",
        "changed-table"])
def test_a_backup_whose_schema_is_not_the_programs_is_refused(station_db: Path, tmp_path: Path,
                                                              statements: list[str], named: str) -> None:
    bad = backup.backup(station_db, tmp_path / "改过结构.db")
    sql(bad, *statements)
    assert integrity.check(bad, full=True) == []  # SQLite itself finds nothing wrong
    before = file_digest(station_db)
    code, out, err = jifen(station_db, "restore", str(bad), "--user", "chief", password=PASSWORD)
    assert code == 2 and out == "" and one_line(err)
    assert named in err and "当前数据库未作任何改动" in err
    assert file_digest(station_db) == before
    assert not list(backup.backup_dir(station_db).glob("*-restore.db"))


def test_schema_differences_names_what_the_live_database_gained(station_db: Path) -> None:
    assert backup_schema.schema_differences(station_db) == []
    sql(station_db, STEAL, "DROP INDEX ix_entries_occurred_on")
    assert backup_schema.schema_differences(station_db) == [
        "数据库中多出触发器“tr_steal”", "数据库中缺少索引“ix_entries_occurred_on”"]


def test_a_backup_of_an_older_revision_is_compared_with_that_revision(station_db: Path, tmp_path: Path) -> None:
    """The reference is built per revision: an old, untouched backup passes and is migrated."""
    old = tmp_path / "旧版本.db"
    engine = make_engine(old)
    migrate(engine, "0003")
    engine.dispose()
    uuid = station_row(station_db)[0]
    sql(old, f"INSERT INTO stations (uuid, code, name, county_bureau, pdf_font) "
             f"VALUES ('{uuid}', '150302', '测试派出所', '县局', '')")
    assert backup_schema.schema_differences(old) == []
    report = backup_restore.restore(station_db, old)
    assert report.info.revision == "0003"
    assert backup_schema.schema_differences(station_db) == []  # now at head, as the migrations make it
    assert sorted(p.name for p in station_db.parent.iterdir()) == ["jifen-备份", "jifen.db", "jifen.db.lock"]
    sql(old, STEAL)
    assert backup_schema.schema_differences(old, "备份") == ["备份中多出触发器“tr_steal”"]


# -- 3. the copies kept before a restore are never rotated ---------------------------------------
def test_copies_kept_before_a_restore_or_a_demo_rebuild_are_never_rotated(station_db: Path) -> None:
    folder = backup.backup_dir(station_db)
    folder.mkdir()
    long_ago = dt.datetime.now() - dt.timedelta(days=900)
    for n in range(12):
        for reason in ("restore", "demo"):
            (folder / f"jifen-{long_ago + dt.timedelta(days=n):%Y%m%d-%H%M%S}-{reason}.db").write_bytes(b"x")
    damaged = folder / "损坏-jifen-20200101-000000.db"
    damaged.write_bytes(b"x")
    saved = backup.backup(station_db, station_db.parent / "保存.db")
    kept = backup_restore.restore(station_db, saved).kept
    for _ in range(12):  # ten more backups and then some: rotation runs after each
        backup.backup(station_db)
    left = backup.list_backups(station_db)
    assert kept is not None and kept.exists() and damaged.exists()
    assert sum(b.reason in ("restore", "demo") for b in left) == 25
    assert sum(b.reason == "manual" for b in left) == backup.KEEP_LATEST


def test_demo_force_keeps_the_replaced_database_under_a_real_label(station_db: Path, monkeypatch: pytest.MonkeyPatch,
                                                                   capsys: pytest.CaptureFixture[str]) -> None:
    from desktop.services import demo

    # The demo itself is tests/cli/test_demo_force.py's; here only the copy made before it.
    report = demo.DemoReport(path=station_db, months=["2026-03"])
    monkeypatch.setattr(demo, "build_demo", lambda *a, **k: report)
    code, out, _ = run_cli(capsys, "--db", str(station_db), "demo", "--until", "2026-03", "--force")
    assert code == 0
    [kept] = backup.list_backups(station_db)
    assert kept.reason == "demo" and "重建演示前" in kept.label() and str(kept.path) in out
    assert backup.REASONS["demo"] == "重建演示前" and "demo" in backup.NEVER_ROTATED


# -- 4. a restore killed at any moment ------------------------------------------------------------
KILLER = """
import os, sys
from pathlib import Path
from desktop.services import backup_restore
db, source, step, when = sys.argv[1:5]
original = getattr(backup_restore, step)
def killed(*args, **kwargs):
    if when == "after":
        original(*args, **kwargs)
    os._exit(9)  # as kill -9: no finally, no cleanup
setattr(backup_restore, step, killed)
backup_restore.restore(Path(db), Path(source))
"""


@pytest.fixture
def wal_only(station_db: Path, tmp_path: Path) -> tuple[Path, Path, Path]:
    """(main file, its WAL, a backup from before): the WAL holds a commit the main file has not."""
    source = backup.backup(station_db, tmp_path / "来源.db")
    db = open_database(station_db)
    with db.transaction() as session:
        clerk = Actor.of(session.scalars(select(User).where(User.username == "clerk")).one())
        rec(session, clerk, session.scalars(select(Person)).first(), "ZB-01", note=LATE)
    # The pool keeps its connection open, so nothing has checkpointed the WAL: copy it as it is.
    frozen = tmp_path / "frozen"
    frozen.mkdir()
    shutil.copy(station_db, frozen / "jifen.db")
    shutil.copy(Path(f"{station_db}-wal"), frozen / "jifen.db-wal")
    db.dispose()
    main_only = tmp_path / "main-only.db"
    shutil.copy(frozen / "jifen.db", main_only)
    assert LATE not in notes(main_only)  # the commit is in the WAL only
    return frozen / "jifen.db", frozen / "jifen.db-wal", source


@pytest.mark.parametrize(("step", "when"), [
    ("_stage", "after"), ("_checkpoint", "before"), ("_checkpoint", "after"), ("_keep_current", "after"),
    ("_seal_staging", "after"), ("_clear_sidecars", "after"), ("_swap", "after"),
], ids=["staged", "before-checkpoint", "checkpointed", "kept", "sealed", "sidecars-cleared", "swapped"])
def test_a_restore_killed_at_any_step_loses_no_commit(wal_only: tuple[Path, Path, Path], tmp_path: Path,
                                                      step: str, when: str) -> None:
    main, wal, source = wal_only
    live = tmp_path / "站" / "kill" / "jifen.db"
    live.parent.mkdir(parents=True)
    shutil.copy(main, live)
    shutil.copy(wal, Path(f"{live}-wal"))
    proc = subprocess.run([sys.executable, "-c", KILLER, str(live), str(source), step, when], cwd=ROOT,
                          capture_output=True, text=True, env={**os.environ, "PYTHONPATH": str(ROOT)}, timeout=120)
    assert proc.returncode == 9, proc.stderr

    db = open_database(live)  # opens (a leftover .restoring confuses nothing), migrates nothing
    db.dispose()
    assert integrity.check(live, full=True) == []
    kept = sorted(backup.backup_dir(live).glob("*-restore.db")) if backup.backup_dir(live).exists() else []
    assert LATE in notes(live) or any(LATE in notes(k) for k in kept)
    for k in kept:
        assert integrity.check(k, full=True) == []
    if (step, when) == ("_swap", "after"):
        assert LATE not in notes(live) and len(kept) == 1 and LATE in notes(kept[0])
        conn = sqlite3.connect(live)
        assert conn.execute("SELECT count(*) FROM audit_events WHERE action = 'backup.restore'").fetchone()[0] == 1
        conn.close()
    else:
        assert LATE in notes(live)  # until the swap, the live database is whole

    again = backup_restore.restore(live, source)  # and the next restore just works
    assert again.kept is not None and LATE not in notes(live)
    assert not list(live.parent.glob("jifen.db.restoring*"))


# -- 5. backups dated in the future or from another station --------------------------------------
def test_doubtful_backups_are_listed_marked_and_never_taken_for_the_newest(station_db: Path,
                                                                           other_station: Path) -> None:
    real = backup.backup(station_db)
    folder = backup.backup_dir(station_db)
    ahead = folder / f"jifen-{dt.datetime.now() + dt.timedelta(days=3):%Y%m%d-%H%M%S}-manual.db"
    shutil.copy(real, ahead)
    sql(ahead, "DELETE FROM audit_events WHERE id > 3")  # if believed, audit verify would cry "deleted"
    late_events = folder / f"jifen-{dt.datetime.now() + dt.timedelta(minutes=1):%Y%m%d-%H%M%S}-close.db"
    shutil.copy(real, late_events)
    sql(late_events, "UPDATE audit_events SET at = '2099-01-01 00:00:00.000000'")
    foreign = folder / f"jifen-{dt.datetime.now() + dt.timedelta(minutes=2):%Y%m%d-%H%M%S}-close.db"
    shutil.copy(other_station, foreign)

    assert [b.path for b in backup.list_backups(station_db)] == [real]
    marked = {b.path: b.doubt for b in backup.list_backups(station_db, doubtful=True)}
    assert marked == {real: "", ahead: "日期在未来", late_events: "日期在未来", foreign: "来自其他单位"}
    assert next(iter(marked)) == real
    assert backup.check_against_backups(station_db) == []
    assert str(real) in integrity.damaged_message(station_db, ["test"])
    backup.rotate(station_db)
    assert ahead.exists() and foreign.exists()  # not ours to delete, and not counted as the newest

    code, out, err = jifen(station_db, "backups")
    assert code == 0, err
    lines = [line for line in out.splitlines() if "jifen-备份" in line]
    assert str(real) in lines[0] and "日期在未来" in out and "来自其他单位" in out
    assert "不会被当作最近的备份" in out


# -- 6. who may restore ---------------------------------------------------------------------------
def test_restore_needs_the_chief_or_an_administrator_signed_in(station_db: Path, tmp_path: Path) -> None:
    saved = backup.backup(station_db, tmp_path / "保存.db")
    code, _, err = jifen(station_db, "restore", str(saved))
    assert code == 2 and one_line(err) and "须由所长或管理员" in err and "--user" in err
    code, _, err = jifen(station_db, "restore", str(saved), "--user", "clerk", password=PASSWORD)
    assert code == 2 and one_line(err) and "无权恢复数据库" in err
    code, _, err = jifen(station_db, "restore", str(saved), "--user", "chief", password="wrong")
    assert code == 2 and one_line(err) and "用户名或密码错误" in err
    assert not list(backup.backup_dir(station_db).glob("*-restore.db"))
    code, out, err = jifen(station_db, "restore", str(saved), "--user", "chief", password=PASSWORD)
    assert code == 0 and "已从" in out, err
    conn = sqlite3.connect(station_db)
    assert conn.execute("SELECT username FROM audit_events WHERE action = 'backup.restore'").fetchall() == [
        ("chief",)]
    conn.close()
    clerk = Actor(4, "clerk", "clerk", Role.CLERK)
    with pytest.raises(PermissionDenied, match="无权恢复数据库"):
        backup_restore.restore(station_db, saved, actor=clerk)


def test_the_desktop_program_asks_for_the_password_again(station_db: Path, other_station: Path, qtbot,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    from PySide6.QtWidgets import QInputDialog, QMessageBox  # noqa: TID251

    from desktop.ui.context import AppContext
    from desktop.ui.screens.backups import BackupsPage

    saved = backup.backup(station_db)
    db = open_database(station_db)
    with db.session() as session:
        users = {u.username: Actor.of(u) for u in session.scalars(select(User))}
    asked: list[str] = []
    shown: list[str] = []
    passwords = ["wrong-password", PASSWORD]
    monkeypatch.setattr(QMessageBox, "question", staticmethod(
        lambda _p, _t, text, *a, **k: asked.append(text) or QMessageBox.StandardButton.Yes))
    monkeypatch.setattr(QMessageBox, "warning", staticmethod(
        lambda _p, _t, text, *a, **k: shown.append(text) or QMessageBox.StandardButton.Ok))
    monkeypatch.setattr(QInputDialog, "getText", staticmethod(lambda *a, **k: (passwords.pop(0), True)))
    try:
        ctx = AppContext(db, users["chief"])
        emitted: list[object] = []
        ctx.restore_requested.connect(emitted.append)
        page = BackupsPage(ctx)
        qtbot.addWidget(page)
        page.refresh()
        page.view.selectRow(0)
        page.restore_selected()
        qtbot.waitUntil(lambda: bool(shown), timeout=20000)
        assert emitted == [] and "密码不正确，未恢复" in shown[-1]
        page.restore_selected()
        qtbot.waitUntil(lambda: bool(emitted), timeout=20000)
        assert emitted == [saved] and len(asked) == 2

        page.check_then_restore(other_station, other_station.name)  # another station's: not here at all
        qtbot.waitUntil(lambda: len(shown) == 2, timeout=20000)
        assert "来自其他单位" in shown[-1] and len(asked) == 2 and emitted == [saved]

        clerk_page = BackupsPage(AppContext(db, users["clerk"]))
        qtbot.addWidget(clerk_page)
        assert not clerk_page.restore_button.isEnabled() and not clerk_page.restore_file_button.isEnabled()
    finally:
        db.dispose()
