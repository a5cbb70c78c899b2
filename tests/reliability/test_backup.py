"""Backups (online API, rotation, automatic), restore, and the check when a database is opened."""

from __future__ import annotations

import datetime as dt
import io
import sqlite3
import sys
from pathlib import Path

import pytest
from sqlalchemy import func, select, text

from desktop.models.audit import AuditEvent
from desktop.models.db import make_engine, migrate, open_database
from desktop.models.ledger import Entry
from desktop.services import backup, integrity
from desktop.services.errors import NotFound, ValidationError
from tests.reliability.conftest import file_digest, folder_state, run_cli
from tests.services.builders import PASSWORD


def restore_cli(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, db: Path, source: Path,
                *extra: str, user: str = "chief") -> tuple[int, str, str]:
    """`jifen restore` signed in as `user` (the password on standard input, as a script gives it)."""
    monkeypatch.setattr(sys, "stdin", io.StringIO(PASSWORD + "\n"))
    return run_cli(capsys, "--db", str(db), "restore", str(source), "--user", user, *extra)


def count(path: Path, table: str) -> int:
    conn = sqlite3.connect(path)
    try:
        return conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
    finally:
        conn.close()


def test_backup_is_a_sound_single_file_copy(station_db: Path) -> None:
    out = backup.backup(station_db)
    assert out.parent == station_db.parent / "jifen-备份"
    assert out.name.startswith("jifen-") and out.name.endswith("-manual.db")
    assert integrity.check(out, full=True) == []
    assert count(out, "entries") == count(station_db, "entries") == 6
    assert sqlite3.connect(out).execute("PRAGMA journal_mode").fetchone()[0] == "delete"
    assert [b.path for b in backup.list_backups(station_db)] == [out]


def test_backup_while_another_connection_writes(station_db: Path) -> None:
    """The online API copies a consistent snapshot: the writer's open transaction is not in it."""
    writer = sqlite3.connect(station_db)
    writer.execute("BEGIN IMMEDIATE")
    writer.execute("UPDATE people SET name = '改名中' WHERE badge = '100'")
    out = backup.backup(station_db)
    writer.commit()
    writer.close()
    names = {r[0] for r in sqlite3.connect(out).execute("SELECT name FROM people")}
    assert "改名中" not in names


def test_backup_to_a_chosen_file_refuses_to_overwrite(station_db: Path, tmp_path: Path) -> None:
    usb = tmp_path / "U盘"
    usb.mkdir()
    first = backup.backup(station_db, usb)
    assert first.parent == usb and integrity.quick_check(first) == []
    target = usb / "复制.db"
    backup.backup(station_db, target)
    with pytest.raises(ValidationError, match="已存在"):
        backup.backup(station_db, target)
    with pytest.raises(NotFound):
        backup.backup(tmp_path / "没有.db")


def test_rotation_keeps_last_ten_and_one_per_month_for_a_year(station_db: Path) -> None:
    folder = backup.backup_dir(station_db)
    folder.mkdir()
    # Relative to the real clock: a backup dated after it is not believed, and not rotated either.
    now = dt.datetime.now().replace(microsecond=0) - dt.timedelta(hours=1)
    today = now.date()
    stamps = [now - dt.timedelta(days=d) for d in range(0, 600, 3)]
    for n, at in enumerate(stamps):
        (folder / f"jifen-{at:%Y%m%d-%H%M%S}-close.db").write_bytes(b"x")
        if n == 0:
            (folder / f"jifen-{at:%Y%m%d-%H%M%S}-1-close.db").write_bytes(b"x")
    (folder / "别的文件.txt").write_text("留着")
    (folder / "jifen-old-20250101-000000-close.db").write_bytes(b"x")  # another database's backup
    backup.rotate(station_db, today)
    kept = backup.list_backups(station_db)
    newest = sorted(kept, key=lambda b: b.taken_at, reverse=True)
    assert len({b.path for b in newest[:10]}) == 10
    months = {(b.taken_at.year, b.taken_at.month) for b in kept}
    first = today.year * 12 + today.month - 1 - 11
    assert len(months) == 12 and min(months) == (first // 12, first % 12 + 1)
    assert len(kept) == 10 + 12 - len({(b.taken_at.year, b.taken_at.month) for b in newest[:10]})
    for b in kept:  # each month's survivor beyond the last ten is that month's newest
        same_month = [s for s in stamps if (s.year, s.month) == (b.taken_at.year, b.taken_at.month)]
        assert b.taken_at in same_month
    assert (folder / "别的文件.txt").exists() and (folder / "jifen-old-20250101-000000-close.db").exists()


def test_automatic_backup_skips_empty_and_unchanged(tmp_path: Path, station_db: Path) -> None:
    empty = tmp_path / "new.db"
    open_database(empty).dispose()
    assert backup.automatic(empty, "close") is None
    first = backup.automatic(station_db, "close")
    assert first is not None and first.name.endswith("-close.db")
    assert backup.automatic(station_db, "import") is None  # nothing changed since
    db = open_database(station_db)
    with db.transaction() as session:
        session.execute(text("UPDATE people SET name = '王伟' WHERE badge = '100'"))
        from desktop.services import audit
        from desktop.services.actor import Actor
        audit.record(session, Actor.system("t"), "person.edit", "person", "100")
    db.dispose()
    second = backup.automatic(station_db, "import")
    assert second is not None and second.name.endswith("-import.db")


def test_migration_of_a_database_with_data_is_backed_up_first(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    engine = make_engine(path)
    migrate(engine, "0001")
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO stations (uuid, code, name, county_bureau, pdf_font) "
                          "VALUES ('00000000-0000-0000-0000-000000000001', '1', '旧所', '县局', '')"))
    engine.dispose()
    open_database(path).dispose()
    found = backup.list_backups(path)
    assert [b.reason for b in found] == ["migrate"]
    conn = sqlite3.connect(found[0].path)
    assert conn.execute("SELECT version_num FROM alembic_version").fetchone()[0] == "0001"
    assert conn.execute("SELECT name FROM stations").fetchone()[0] == "旧所"


def corrupt(path: Path) -> None:
    """Overwrite pages in the middle of the file, as a failing disk or a bad copy would."""
    data = bytearray(path.read_bytes())
    page = 4096
    for start in range(page * 2, len(data) - page, page * 3):
        data[start + 8: start + 200] = b"\xde\xad\xbe\xef" * 48
    path.write_bytes(bytes(data))


def test_opening_a_damaged_database_names_the_backups_and_restore_command(station_db: Path) -> None:
    good = backup.backup(station_db)
    corrupt(station_db)
    with pytest.raises(integrity.DatabaseDamaged) as info:
        open_database(station_db)
    message = str(info.value)
    assert "已损坏" in message and str(good) in message and "restore" in message


def test_opening_a_file_that_is_not_a_database(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "jifen.db"
    path.write_bytes(b"this is a spreadsheet, not a database" * 100)
    with pytest.raises(integrity.DatabaseDamaged, match="没有备份"):
        open_database(path)
    code, _, err = run_cli(capsys, "--db", str(path), "audit", "verify")
    assert code == 2 and err.startswith("错误：数据库文件") and "Traceback" not in err


def test_restore_replaces_the_database_and_keeps_the_old_one(station_db: Path, capsys: pytest.CaptureFixture[str],
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    saved = backup.backup(station_db, station_db.parent / "保存.db")
    conn = sqlite3.connect(station_db)
    conn.execute("DELETE FROM evidence_files")
    conn.execute("UPDATE entries SET note = '误操作'")
    conn.commit()
    conn.close()
    before, source = file_digest(station_db), file_digest(saved)
    code, out, err = restore_cli(capsys, monkeypatch, station_db, saved)
    assert code == 0, err
    assert "已从" in out and "恢复前的数据库已保留为" in out
    kept = [b for b in backup.list_backups(station_db) if b.reason == "restore"]
    assert len(kept) == 1
    assert {r[0] for r in sqlite3.connect(kept[0].path).execute("SELECT note FROM entries")} == {"误操作"}
    assert file_digest(saved) == source  # the source is only read
    db = open_database(station_db)
    with db.session() as session:
        assert session.scalar(select(func.count()).select_from(Entry).where(Entry.note == "误操作")) == 0
        last = session.scalars(select(AuditEvent).order_by(AuditEvent.id.desc())).first()
        assert last is not None and last.action == "backup.restore"
    db.dispose()
    assert before != file_digest(station_db)


def test_restore_over_a_damaged_database_keeps_the_damaged_file(station_db: Path) -> None:
    saved = backup.backup(station_db, station_db.parent / "保存.db")
    corrupt(station_db)
    report = backup.restore(station_db, saved)
    assert report.kept is not None and report.kept.name.startswith("损坏-")
    assert integrity.quick_check(station_db) == []
    assert all(not b.path.name.startswith("损坏-") for b in backup.list_backups(station_db))


def _damaged_copy(station_db: Path, tmp_path: Path) -> Path:
    bad = backup.backup(station_db, tmp_path / "坏备份.db")
    corrupt(bad)
    return bad


def _truncated_copy(station_db: Path, tmp_path: Path) -> Path:
    bad = backup.backup(station_db, tmp_path / "半截.db")
    data = bad.read_bytes()
    bad.write_bytes(data[: len(data) // 3])
    return bad


def _not_a_database(station_db: Path, tmp_path: Path) -> Path:
    bad = tmp_path / "照片.db"
    bad.write_bytes(b"\xff\xd8\xff\xe0" + b"\0" * 5000)
    return bad


def _other_sqlite(station_db: Path, tmp_path: Path) -> Path:
    bad = tmp_path / "别的程序.db"
    conn = sqlite3.connect(bad)
    conn.execute("CREATE TABLE notes (x)")
    conn.commit()
    conn.close()
    return bad


def _newer_revision(station_db: Path, tmp_path: Path) -> Path:
    bad = backup.backup(station_db, tmp_path / "新版本.db")
    conn = sqlite3.connect(bad)
    conn.execute("UPDATE alembic_version SET version_num = '9999_future'")
    conn.commit()
    conn.close()
    return bad


def _tampered_audit(station_db: Path, tmp_path: Path) -> Path:
    bad = backup.backup(station_db, tmp_path / "改过.db")
    conn = sqlite3.connect(bad)
    conn.execute("UPDATE audit_events SET username = 'someone' WHERE id = 3")
    conn.commit()
    conn.close()
    return bad


@pytest.mark.parametrize(("make", "reason"), [
    (_damaged_copy, "已损坏"),
    (_truncated_copy, "已损坏"),
    (_not_a_database, "不是数据库"),
    (_other_sqlite, "不是积分考核台账的数据库"),
    (_newer_revision, "更新版本"),
    (_tampered_audit, "哈希链断裂"),
], ids=["damaged-pages", "truncated", "not-a-database", "other-sqlite", "newer-revision", "tampered-audit"])
def test_restore_of_a_bad_backup_is_refused_and_changes_nothing(
        station_db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
        make, reason: str) -> None:
    backup.backup(station_db)  # the folder holds one backup, which must stay as it is
    bad = make(station_db, tmp_path)
    before = folder_state(station_db.parent)
    code, out, err = restore_cli(capsys, monkeypatch, station_db, bad)  # refused before the sign-in writes
    assert code == 2 and out == "" and len(err.strip().splitlines()) == 1
    assert reason in err and "当前数据库未作任何改动" in err and "Traceback" not in err
    after = {k: v for k, v in folder_state(station_db.parent).items() if not k.endswith(".lock")}
    assert after == before


def test_backup_commands(station_db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_cli(capsys, "--db", str(station_db), "backup")
    assert code == 0 and "已备份到" in out and "现有 1 个备份" in out
    code, out, _ = run_cli(capsys, "--db", str(station_db), "backups")
    assert code == 0 and "手动备份" in out and "jifen-备份" in out
    target = tmp_path / "U盘.db"
    assert run_cli(capsys, "--db", str(station_db), "backup", "-o", str(target))[0] == 0
    code, out, err = run_cli(capsys, "--db", str(station_db), "backup", "-o", str(target))
    assert code == 2 and "已存在" in err and out == ""
    code, _, err = run_cli(capsys, "--db", str(tmp_path / "无.db"), "backup")
    assert code == 2 and "不存在" in err
