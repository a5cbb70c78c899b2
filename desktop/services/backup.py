"""Backups with SQLite's online backup API, their rotation, and which of them to believe.

Backups live beside the database in `<名称>-备份/` (for jifen.db: `jifen-备份/`), named
`<名称>-20260305-143000-<reason>.db`. The program makes one on close, before every migration
and before every import (`automatic`); the clerk makes one with `jifen backup` or the GUI.
Rotation keeps the newest `KEEP_LATEST` and the newest of each of the last `KEEP_MONTHS`
months, and never deletes a copy kept before a restore or a demo rebuild.

A file in the folder is believed only when it is this station's and not dated in the future:
anyone can drop a file there, and "the newest backup" is what a damaged database is restored
from and what `audit verify` compares the trail with. Restoring is in `backup_restore`.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import sqlite3
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from desktop.services import integrity
from desktop.services.errors import JifenError, NotFound, ValidationError

KEEP_LATEST = 10
KEEP_MONTHS = 12
REASONS = {
    "manual": "手动备份",
    "close": "关闭程序时",
    "migrate": "升级数据库前",
    "import": "导入前",
    "restore": "恢复前保留",
    "demo": "重建演示前",
}
# The database as it was before a restore or a `demo --force`: the only way back from either,
# so rotation never takes them (damaged copies, `损坏-…db`, do not match the pattern at all).
NEVER_ROTATED = frozenset({"restore", "demo"})
OTHER_STATION = "来自其他单位"
FUTURE = "日期在未来"
# A clock may be a little ahead of another's; a backup dated minutes from now is not a forgery.
FUTURE_SLACK = dt.timedelta(minutes=5)
_STAMP = "%Y%m%d-%H%M%S"
# A backup staged beside the database while it is restored (`backup_restore`): opening it
# migrates it, and that migration needs no backup of its own, its source being the backup.
STAGING_SUFFIX = ".restoring"


@dataclass(frozen=True)
class Station:
    uuid: str
    name: str
    code: str

    def label(self) -> str:
        return f"“{self.name}”（代码 {self.code}）"


@dataclass(frozen=True)
class BackupFile:
    path: Path
    taken_at: dt.datetime  # local time, from the file name
    reason: str
    doubt: str = ""  # OTHER_STATION or FUTURE: listed, never taken as "the newest backup"

    def label(self) -> str:
        why = REASONS.get(self.reason, self.reason)
        return f"{self.taken_at:%Y-%m-%d %H:%M:%S}（{why}{'，' + self.doubt if self.doubt else ''}）"


def backup_dir(db_path: str | Path) -> Path:
    db_path = Path(db_path).resolve()
    return db_path.parent / f"{db_path.stem}-备份"


def _pattern(db_path: Path) -> re.Pattern[str]:
    return re.compile(rf"^{re.escape(db_path.stem)}-(\d{{8}}-\d{{6}})(?:-(\d+))?-([a-z]+)\.db$")


def station_of(path: str | Path) -> Station | None:
    """The station a database file belongs to; None when it has none or cannot be read."""
    path = Path(path)
    if not path.is_file() or path.stat().st_size == 0:
        return None
    try:
        conn = integrity.connect_readonly(path)
        try:
            row = conn.execute("SELECT uuid, name, code FROM stations ORDER BY id LIMIT 1").fetchone()
        finally:
            conn.close()
    except sqlite3.DatabaseError:
        return None
    return Station(str(row[0]), str(row[1]), str(row[2])) if row else None


def newest_event_at(path: Path) -> dt.datetime | None:
    """The time (UTC) of a file's newest audit event; None when it has none or cannot be read."""
    try:
        conn = integrity.connect_readonly(path)
        try:
            row = conn.execute("SELECT max(at) FROM audit_events").fetchone()
        finally:
            conn.close()
        return dt.datetime.fromisoformat(str(row[0])) if row and row[0] else None
    except (sqlite3.DatabaseError, ValueError):
        return None


def other_station(path: Path, station: Station | None) -> bool:
    theirs = station_of(path)
    return station is not None and theirs is not None and theirs.uuid != station.uuid


def doubt_of(path: Path, taken_at: dt.datetime, station: Station | None, reason: str = "",
             now: dt.datetime | None = None) -> str:
    """Why a backup of this database is not to be believed ("" when it is).

    The copy `demo --force` keeps is by nature another station's (the demo is a new one) and
    is not marked for that; it still takes an administrator's confirmation to restore, and is
    never compared with the trail (`check_against_backups` skips every other station's file).
    """
    now = now or dt.datetime.now()
    if taken_at > now + FUTURE_SLACK:
        return FUTURE
    if reason != "demo" and other_station(path, station):
        return OTHER_STATION
    newest = newest_event_at(path)
    utc_now = now.astimezone(dt.UTC).replace(tzinfo=None)
    if newest is not None and newest > utc_now + FUTURE_SLACK:
        return FUTURE
    return ""


def list_backups(db_path: str | Path, *, doubtful: bool = False) -> list[BackupFile]:
    """This database's backups in its backup folder, newest first.

    Only those to believe, unless `doubtful`: then also those from another station or dated in
    the future, each marked (`BackupFile.doubt`) and after all the believable ones, so the first
    in the list is never one of them.
    """
    folder = backup_dir(db_path)
    if not folder.is_dir():
        return []
    db_path = Path(db_path).resolve()
    pattern = _pattern(db_path)
    station = station_of(db_path)
    found = []
    for child in folder.iterdir():
        m = pattern.match(child.name)
        if m and child.is_file():
            try:
                taken = dt.datetime.strptime(m[1], _STAMP)
            except ValueError:
                continue
            b = BackupFile(child, taken, m[3])
            b = replace(b, doubt=doubt_of(child, taken, station, m[3]))
            found.append((taken, int(m[2] or 0), b))
    found.sort(key=lambda t: (t[0], t[1]), reverse=True)
    trusted = [b for _, _, b in found if not b.doubt]
    return trusted + [b for _, _, b in found if b.doubt] if doubtful else trusted


def _new_backup_path(db_path: Path, reason: str, now: dt.datetime | None = None) -> Path:
    folder = backup_dir(db_path)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise JifenError(f"无法建立备份文件夹“{folder}”（{exc.strerror or exc}），请检查文件夹权限或磁盘空间") from exc
    stamp = (now or dt.datetime.now()).strftime(_STAMP)
    target = folder / f"{db_path.stem}-{stamp}-{reason}.db"
    n = 1
    while target.exists():  # two backups in the same second
        target = folder / f"{db_path.stem}-{stamp}-{n}-{reason}.db"
        n += 1
    return target


def fsync_file(path: Path) -> None:
    """Force a file to the disk: a copy kept "to go back to" must survive a power cut too."""
    with open(path, "rb+") as f:  # Windows refuses fsync on a read-only handle
        os.fsync(f.fileno())


def fsync_dir(folder: Path) -> None:
    """Make a rename in `folder` durable (POSIX; Windows has no directory handles to sync)."""
    if os.name != "posix":
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def copy_database(source: Path, target: Path, *, check: bool = True) -> None:
    """Copy a live database with the online backup API: a consistent snapshot even while
    another connection writes. The copy is a single file (rollback journal, not WAL), on the
    disk (fsync) before it takes its name; `check` runs quick_check on it first."""
    partial = target.with_name(target.name + ".partial")
    partial.unlink(missing_ok=True)
    try:
        src = integrity.connect_readonly(source)
        try:
            dst = sqlite3.connect(partial)
            try:
                src.backup(dst)  # all pages in one step, under one read transaction
                dst.execute("PRAGMA journal_mode=DELETE")
            finally:
                dst.close()
        finally:
            src.close()
        problems = integrity.quick_check(partial) if check else []
        if problems:
            raise integrity.DatabaseDamaged(f"备份“{target.name}”写入后检查未通过：{'；'.join(problems[:3])}")
        fsync_file(partial)
        os.replace(partial, target)
        fsync_dir(target.parent)
    except sqlite3.DatabaseError as exc:
        mapped = integrity.storage_error(exc, target)
        raise mapped or integrity.DatabaseDamaged(f"无法备份“{source}”：{exc}") from exc
    except OSError as exc:
        raise JifenError(f"无法写入备份“{target}”：{exc.strerror or exc}") from exc
    finally:
        partial.unlink(missing_ok=True)


def _audit_head(path: Path) -> tuple[int, str] | None:
    """The newest audit event (id, hash): every write appends one, so it marks the data's state."""
    try:
        conn = integrity.connect_readonly(path)
        try:
            row = conn.execute("SELECT id, hash FROM audit_events ORDER BY id DESC LIMIT 1").fetchone()
        finally:
            conn.close()
    except sqlite3.DatabaseError:
        return None
    return (int(row[0]), str(row[1])) if row else None


def has_data(db_path: str | Path) -> bool:
    """True when the file holds at least one row in a jifen table (a new, empty file needs no backup)."""
    path = Path(db_path)
    if not path.is_file() or path.stat().st_size == 0:
        return False
    try:
        conn = integrity.connect_readonly(path)
        try:
            names = [r[0] for r in conn.execute(
                "SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%' "
                "AND name <> 'alembic_version'")]
            return any(conn.execute(f'SELECT 1 FROM "{name}" LIMIT 1').fetchone() for name in names)
        finally:
            conn.close()
    except sqlite3.DatabaseError:
        return True  # unreadable: let the caller's check report it, but do not skip a backup silently


def backup(db_path: str | Path, target: str | Path | None = None, *, reason: str = "manual") -> Path:
    """Back up `db_path` to `target` (a file or a folder) or, by default, into its backup folder."""
    db_path = Path(db_path).resolve()
    if not db_path.is_file():
        raise NotFound(f"数据库“{db_path}”不存在，无法备份")
    if reason not in REASONS:
        raise ValueError(f"unknown backup reason {reason!r}")
    if target is None:
        out = _new_backup_path(db_path, reason)
    else:
        out = Path(target).resolve()
        if out.is_dir():
            out = out / f"{db_path.stem}-{dt.datetime.now():{_STAMP}}.db"
        if out.exists():
            raise ValidationError(f"“{out}”已存在，为免覆盖，请换一个文件名")
        if out == db_path:
            raise ValidationError("备份文件不能是数据库本身")
        try:
            out.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise JifenError(f"无法建立文件夹“{out.parent}”（{exc.strerror or exc}）") from exc
    copy_database(db_path, out)
    if target is None:
        rotate(db_path)
    return out


def automatic(db_path: str | Path, reason: str) -> Path | None:
    """The backup the program makes by itself: on close ("close"), before a migration
    ("migrate"), before an import ("import"). Skipped (None) when the database is new and
    empty, or unchanged since the newest backup."""
    db_path = Path(db_path).resolve()
    if db_path.name.endswith(STAGING_SUFFIX) or not has_data(db_path):
        return None
    existing = list_backups(db_path)
    head = _audit_head(db_path)
    if existing and head is not None and _audit_head(existing[0].path) == head:
        return None
    return backup(db_path, reason=reason)


def to_keep(backups: list[BackupFile], today: dt.date | None = None) -> set[Path]:
    """Rotation: the newest KEEP_LATEST, plus the newest backup of each of the last KEEP_MONTHS months."""
    keep = {b.path for b in backups[:KEEP_LATEST]}
    today = today or dt.date.today()
    first = (today.year * 12 + today.month - 1) - (KEEP_MONTHS - 1)
    seen: set[int] = set()
    for b in backups:  # newest first, so the first seen of a month is its newest
        month = b.taken_at.year * 12 + b.taken_at.month - 1
        if month >= first and month not in seen:
            seen.add(month)
            keep.add(b.path)
    return keep


def rotate(db_path: str | Path, today: dt.date | None = None) -> list[Path]:
    """Delete the backups rotation does not keep; returns what was deleted.

    Only believable backups take part: a file dated in the future would otherwise count as
    one of the newest ten and push real ones out, and a file that is not this station's is
    not ours to delete. Copies kept before a restore or demo rebuild are never deleted.
    """
    backups = [b for b in list_backups(db_path) if b.reason not in NEVER_ROTATED]
    keep = to_keep(backups, today)
    removed = []
    for b in backups:
        if b.path not in keep:
            b.path.unlink(missing_ok=True)
            removed.append(b.path)
    return removed


def check_against_backups(db_path: str | Path, limit: int = 3) -> list[str]:
    """What `compare_with_backups` found wrong (an empty list also when there was nothing to compare)."""
    return compare_with_backups(db_path, limit)[0]


def compare_with_backups(db_path: str | Path, limit: int = 3) -> tuple[list[str], int]:
    """(problems, backups compared): compare the audit trail with the newest believable backups taken since the last restore.

    A hash chain cannot show that its newest events were cut off, or that the whole chain was
    recomputed after an edit; a backup can: the event it ends with must still be in the database
    with the same hash. A backup from another station or dated in the future is no authority.
    """
    db_path = Path(db_path).resolve()
    station = station_of(db_path)
    conn = integrity.connect_readonly(db_path)
    try:
        row = conn.execute("SELECT max(at) FROM audit_events WHERE action = 'backup.restore'").fetchone()
        restored_at = dt.datetime.fromisoformat(row[0]).replace(tzinfo=dt.UTC) if row and row[0] else None
        problems: list[str] = []
        checked = 0
        for b in list_backups(db_path):
            if checked >= limit:
                break
            if restored_at is not None and b.taken_at.astimezone(dt.UTC) <= restored_at:
                break  # older backups may hold events the restore rightly took away
            if other_station(b.path, station):
                continue  # another station's trail says nothing about this one
            head = _audit_head(b.path)
            if head is None:
                continue
            checked += 1
            found = conn.execute("SELECT hash FROM audit_events WHERE id = ?", (head[0],)).fetchone()
            if found is None:
                problems.append(f"备份 {b.label()} 中有第 {head[0]} 条审计记录，数据库中却没有：最近的记录被删除")
            elif found[0] != head[1]:
                problems.append(f"第 {head[0]} 条审计记录与备份 {b.label()} 中的不同：记录被改写")
        return problems, checked
    finally:
        conn.close()


# Checking and restoring a backup live in backup_restore; these names stay importable from here.
_RESTORE_NAMES = frozenset({"BackupRefused", "BackupInfo", "RestoreReport", "inspect_backup", "restore"})


def __getattr__(name: str) -> Any:
    if name in _RESTORE_NAMES:
        from desktop.services import backup_restore

        return getattr(backup_restore, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
