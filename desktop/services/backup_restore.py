"""Checking a backup and restoring it: only a sound jifen database of this station, by the
chief or an administrator, and never at the cost of anything already committed.

What is believed: SQLite's integrity_check, the core tables, a schema revision this program
knows, a schema exactly as its migrations make it (`backup_schema`), an unbroken audit chain,
and the same station (stations.uuid) as the database it replaces, unless an administrator
confirms (`other_station`). The checks run on the staged copy, the very bytes that are then
put in place, so the file cannot be swapped between the check and the restore.

The order of the steps is what makes a kill at any moment harmless:
1. `_stage`: the backup is copied beside the database (`<db>.restoring`);
2. `_checkpoint`: every commit still in the live database's WAL moves into its main file;
3. `_keep_current`: the live database is copied into the backup folder (fsync'd);
4. `_seal_staging`: the staged copy is migrated and the restore is recorded in its own audit
   trail, and it is made one file again (fsync'd);
5. `_clear_sidecars`: the live database's WAL (empty since step 2) and -shm are removed;
6. `_swap`: the staged copy takes the database's name (atomic rename, then fsync of the folder).
Until step 6 the live database is whole and holds every commit; after it, the restored one is
in place and the kept copy holds what it replaced. A leftover `.restoring` is never read: the
next restore removes it (with any journal of its own) before staging again.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import sqlite3
from dataclasses import dataclass, replace
from pathlib import Path

from sqlalchemy import create_engine
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from desktop.models.enums import Role
from desktop.services import accounts, audit, backup_schema, integrity
from desktop.services.actor import Actor, require
from desktop.services.backup import (
    _STAMP,
    STAGING_SUFFIX,
    Station,
    _new_backup_path,
    backup_dir,
    copy_database,
    fsync_dir,
    fsync_file,
    newest_event_at,
    station_of,
)
from desktop.services.errors import AuthError, JifenError, NotFound, PermissionDenied, ValidationError

# Tables every jifen database has had since the first revision.
CORE_TABLES = frozenset({"alembic_version", "stations", "departments", "people", "catalogue_versions",
                         "catalogue_items", "entries", "periods", "users", "audit_events"})
SIDECARS = ("-wal", "-shm", "-journal")


class BackupRefused(JifenError):
    """The file offered for restoring is damaged, is not a jifen database, or is not to be
    believed (altered schema, another station); nothing was changed."""


@dataclass(frozen=True)
class BackupInfo:
    path: Path
    revision: str
    audit_events: int
    station: Station | None = None
    newest_event: dt.datetime | None = None  # UTC

    def in_future(self) -> bool:
        now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
        return self.newest_event is not None and self.newest_event > now + dt.timedelta(minutes=5)


@dataclass(frozen=True)
class RestoreReport:
    source: Path
    kept: Path | None  # the database as it was before the restore (None: there was none)
    info: BackupInfo
    other_station: bool = False


def _refused(name: str) -> str:
    return f"“{name}”不能用于恢复，当前数据库未作任何改动"


def inspect_backup(source: str | Path, *, shown_as: str | Path | None = None) -> BackupInfo:
    """Check a file offered for restoring; raise `BackupRefused` saying what is wrong with it.
    `shown_as` is the name to use in messages (restore checks its staged copy of the file)."""
    source = Path(source).resolve()
    if not source.is_file():
        raise NotFound(f"备份文件“{source}”不存在")
    refused = _refused(Path(shown_as or source).name)
    problems = integrity.check(source, full=True)
    if problems:
        raise BackupRefused(f"{refused}：文件已损坏或不是数据库（{'；'.join(problems[:3])}）")
    conn = integrity.connect_readonly(source)
    try:
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        missing = sorted(CORE_TABLES - tables)
        if missing:
            raise BackupRefused(f"{refused}：不是积分考核台账的数据库（缺少数据表 {'、'.join(missing)}）")
        row = conn.execute("SELECT version_num FROM alembic_version").fetchone()
    finally:
        conn.close()
    from desktop.models.db import known_revisions

    revision = str(row[0]) if row else ""
    if revision not in known_revisions():
        raise BackupRefused(f"{refused}：数据库版本“{revision or '无'}”不是本程序建立的，可能来自更新版本的程序，请先升级程序")
    differences = backup_schema.schema_differences(source, "备份")
    if differences:
        shown = "；".join(differences[:5]) + ("等" if len(differences) > 5 else "")
        raise BackupRefused(f"{refused}：数据库结构与本程序建立的不符（{shown}），备份可能被改动过")
    engine = create_engine("sqlite://", creator=lambda: integrity.connect_readonly(source))
    try:
        with Session(engine) as session:
            chain = audit.verify(session)
    finally:
        engine.dispose()
    if not chain.ok:
        raise BackupRefused(f"{refused}：审计记录哈希链断裂（{chain.reason}），备份可能被改动过")
    return BackupInfo(source, revision, chain.checked, station_of(source), newest_event_at(source))


def station_refusal(db_path: str | Path, info: BackupInfo) -> str | None:
    """Why this backup is not the current database's station (None when it is, or when either
    has no station: a new or empty database takes any sound jifen backup)."""
    ours = station_of(db_path)
    theirs = info.station
    if ours is None or theirs is None or ours.uuid == theirs.uuid:
        return None
    return (f"{_refused(info.path.name)}：备份来自其他单位 {theirs.label()}，当前数据库是 {ours.label()}。"
            "若确要用其他单位的备份替换本单位的全部数据，须由管理员确认："
            "jifen restore 备份文件 --other-station --user 管理员用户名")


def sign_in_needed(db_path: str | Path) -> bool:
    """True when someone can and must sign in before a restore: the database is sound and has an
    active account. A missing, empty or damaged database has nobody who could sign in to it."""
    path = Path(db_path)
    if not path.is_file() or path.stat().st_size == 0 or integrity.quick_check(path):
        return False
    try:
        conn = integrity.connect_readonly(path)
        try:
            return conn.execute("SELECT 1 FROM users WHERE active LIMIT 1").fetchone() is not None
        finally:
            conn.close()
    except sqlite3.DatabaseError:
        return False


def confirm_restorer(session: Session, actor: Actor, password: str) -> None:
    """The desktop program's re-entered password before a restore: the chief or an administrator
    only; wrong tries count toward the same lock-out as logins."""
    require(actor, "backup.restore")
    try:
        accounts.verify_password(session, actor, password)
    except AuthError as exc:
        raise AuthError(str(exc).replace("未签字", "未恢复")) from None


def _check_station(db_path: Path, info: BackupInfo, actor: Actor | None, other_station: bool) -> bool:
    """True when the backup is another station's and an administrator confirmed it."""
    refusal = station_refusal(db_path, info)
    if refusal is None:
        return False
    if not other_station:
        raise BackupRefused(refusal)
    if actor is None or actor.role is not Role.ADMIN:
        who = f"当前用户“{actor.display_name}”（{actor.role.label}）" if actor else "没有登录的用户"
        raise PermissionDenied(f"{refusal.split('。')[0]}。用其他单位的备份恢复只能由管理员确认，{who}不能确认")
    return True


def staging_path(db_path: Path) -> Path:
    return db_path.with_name(db_path.name + STAGING_SUFFIX)


def _discard(path: Path) -> None:
    for suffix in ("", *SIDECARS):
        Path(str(path) + suffix).unlink(missing_ok=True)


def _stage(source: Path, staging: Path) -> None:
    try:
        copy_database(source, staging)
    except integrity.StorageError:
        raise
    except integrity.DatabaseDamaged as exc:
        raise BackupRefused(f"{_refused(source.name)}：文件已损坏或不是数据库（{exc}）") from exc


def _checkpoint(db_path: Path) -> None:
    """Move every commit out of the WAL into the main file, and empty the WAL."""
    try:
        conn = sqlite3.connect(db_path, timeout=10)
        try:
            busy = conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()[0]
        finally:
            conn.close()
    except sqlite3.DatabaseError as exc:
        raise integrity.storage_error(exc, db_path) or JifenError(f"无法整理数据库“{db_path}”：{exc}") from exc
    if busy:
        raise integrity.DatabaseBusy(f"数据库“{db_path}”正被另一个程序读取，本次没有恢复；请关闭其他程序后再试")


def _keep_damaged(db_path: Path) -> Path:
    """Copy a damaged database (and its WAL) aside under a name rotation and restore never pick."""
    folder = backup_dir(db_path)
    folder.mkdir(parents=True, exist_ok=True)
    kept = folder / f"损坏-{db_path.stem}-{dt.datetime.now():{_STAMP}}.db"
    for suffix in ("", "-wal"):
        part = Path(str(db_path) + suffix)
        if part.exists():
            shutil.copy2(part, Path(str(kept) + suffix))
            fsync_file(Path(str(kept) + suffix))
    fsync_dir(folder)
    return kept


def _keep_current(db_path: Path, sound: bool) -> Path:
    """The database as it is now, in the backup folder (never rotated), on the disk."""
    if not sound:
        return _keep_damaged(db_path)
    kept = _new_backup_path(db_path, "restore")
    copy_database(db_path, kept)
    return kept


def undone_by(db_path: str | Path, info: BackupInfo) -> dict[str, int]:
    """What restoring `info` over `db_path` takes back: the current trail's events after the
    backup's last one, by action (period.sign → 3 …), for the question asked first and for the
    restore's own audit event (the trail that replaces this one keeps that much of it)."""
    path = Path(db_path)
    if not path.is_file():
        return {}
    try:
        conn = integrity.connect_readonly(path)
        try:
            rows = conn.execute("SELECT action, COUNT(*) FROM audit_events WHERE id > ? GROUP BY action",
                                (info.audit_events,)).fetchall()
        finally:
            conn.close()
    except sqlite3.DatabaseError:
        return {}  # a damaged file: there is nothing reliable to say
    return {str(action): int(count) for action, count in rows}


def _seal_staging(staging: Path, actor: Actor | None, source: Path, kept: Path | None, info: BackupInfo,
                  foreign: bool, undone: dict[str, int] | None = None) -> None:
    """Bring the staged copy to this program's schema and record the restore in its own trail,
    so the database that lands is complete; then make it one file again, on the disk."""
    from desktop.models.db import open_database

    # Opened as any database is (migration and what follows it); `automatic` skips the staged
    # copy, and the file was checked just now.
    db = open_database(staging, checked=True)
    try:
        with db.transaction() as session:
            audit.record(session, actor or Actor.system("restore"), "backup.restore", "database", "",
                         source=str(source), kept=str(kept or ""), revision=info.revision,
                         station=info.station.code if info.station else "", other_station=foreign,
                         undone=undone or {})
    finally:
        db.dispose()
    conn = sqlite3.connect(staging)
    try:
        conn.execute("PRAGMA journal_mode=DELETE")  # no WAL of its own may be left behind the rename
    finally:
        conn.close()
    fsync_file(staging)


def _clear_sidecars(db_path: Path, sound: bool) -> None:
    """Remove the live database's WAL and -shm, which must not be replayed onto the new file.
    After the checkpoint the WAL is empty; if it is not, something wrote meanwhile: stop."""
    wal = Path(str(db_path) + "-wal")
    if sound and wal.exists() and wal.stat().st_size > 0:
        raise integrity.DatabaseBusy(f"数据库“{db_path}”刚被另一个程序写入，为免丢失，本次没有恢复；请关闭其他程序后再试")
    for suffix in SIDECARS:
        Path(str(db_path) + suffix).unlink(missing_ok=True)


def _swap(staging: Path, db_path: Path) -> None:
    os.replace(staging, db_path)
    try:
        fsync_dir(db_path.parent)
    except OSError:
        pass  # the rename is done; only its durability across a power cut is less certain


def restore(db_path: str | Path, source: str | Path, *, lock: integrity.WriterLock | None = None,
            actor: Actor | None = None, other_station: bool = False) -> RestoreReport:
    """Replace the database with a checked backup, keeping the current file in the backup folder.

    `actor` is who restores (chief or administrator); None is the program itself, for a database
    nobody can sign in to (missing, or damaged: see `sign_in_needed`). A backup of another
    station is refused unless `other_station` and the actor is an administrator.
    The caller must have closed every connection to `db_path` and hold its writer lock (pass
    it as `lock`); without one, the lock is taken here for the duration.
    """
    db_path = Path(db_path).resolve()
    source = Path(source).resolve()
    if source == db_path:
        raise ValidationError("备份文件不能是数据库本身")
    if actor is not None:
        require(actor, "backup.restore")
    if not source.is_file():
        raise NotFound(f"备份文件“{source}”不存在")
    own_lock = lock is None
    held = integrity.acquire_writer_lock(db_path) if own_lock else lock
    staging = staging_path(db_path)
    try:
        _discard(staging)  # left by a restore killed earlier; its journal must not meet the new copy
        _stage(source, staging)
        info = replace(inspect_backup(staging, shown_as=source), path=source)
        foreign = _check_station(db_path, info, actor, other_station)
        kept: Path | None = None
        sound = True
        undone: dict[str, int] = {}
        if db_path.exists():
            sound = not integrity.quick_check(db_path)
            if sound:
                _checkpoint(db_path)
                undone = undone_by(db_path, info)
            kept = _keep_current(db_path, sound)
        _seal_staging(staging, actor, source, kept, info, foreign, undone)
        _clear_sidecars(db_path, sound)
        _swap(staging, db_path)
    except OSError as exc:
        raise JifenError(f"恢复未完成（{exc.strerror or exc}），当前数据库未作改动") from exc
    except (sqlite3.DatabaseError, DBAPIError) as exc:
        mapped = integrity.storage_error(exc, db_path)
        if mapped is None:
            raise
        raise mapped from exc
    finally:
        _discard(staging)
        if own_lock and held is not None:
            held.release()
    return RestoreReport(source, kept, info, foreign)
