"""Backups with SQLite's online backup API, their rotation, and restoring one.

Backups live beside the database in `<名称>-备份/` (for jifen.db: `jifen-备份/`), named
`<名称>-20260305-143000-<reason>.db`. The program makes one on close, before every migration
and before every import (`automatic`); the clerk makes one with `jifen backup` or the GUI.
Rotation keeps the newest `KEEP_LATEST` and the newest of each of the last `KEEP_MONTHS`
months. Restoring checks the backup first (integrity_check, schema revision, core tables,
audit chain) and keeps the file it replaces, so a restore can itself be undone.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import create_engine
from sqlalchemy.orm import Session

from desktop.models.db import known_revisions, open_database
from desktop.services import audit, integrity
from desktop.services.actor import Actor
from desktop.services.errors import JifenError, NotFound, ValidationError

KEEP_LATEST = 10
KEEP_MONTHS = 12
REASONS = {
    "manual": "手动备份",
    "close": "关闭程序时",
    "migrate": "升级数据库前",
    "import": "导入前",
    "restore": "恢复前保留",
}
# Tables every jifen database has had since the first revision.
CORE_TABLES = frozenset({"alembic_version", "stations", "departments", "people", "catalogue_versions",
                         "catalogue_items", "entries", "periods", "users", "audit_events"})
_STAMP = "%Y%m%d-%H%M%S"


class BackupRefused(JifenError):
    """The file offered for restoring is damaged or is not a jifen database; nothing was changed."""


@dataclass(frozen=True)
class BackupFile:
    path: Path
    taken_at: dt.datetime  # local time, from the file name
    reason: str

    def label(self) -> str:
        return f"{self.taken_at:%Y-%m-%d %H:%M:%S}（{REASONS.get(self.reason, self.reason)}）"


def backup_dir(db_path: str | Path) -> Path:
    db_path = Path(db_path).resolve()
    return db_path.parent / f"{db_path.stem}-备份"


def _pattern(db_path: Path) -> re.Pattern[str]:
    return re.compile(rf"^{re.escape(db_path.stem)}-(\d{{8}}-\d{{6}})(?:-(\d+))?-([a-z]+)\.db$")


def list_backups(db_path: str | Path) -> list[BackupFile]:
    """This database's backups in its backup folder, newest first."""
    folder = backup_dir(db_path)
    if not folder.is_dir():
        return []
    pattern = _pattern(Path(db_path).resolve())
    found = []
    for child in folder.iterdir():
        m = pattern.match(child.name)
        if m and child.is_file():
            try:
                taken = dt.datetime.strptime(m[1], _STAMP)
            except ValueError:
                continue
            found.append((taken, int(m[2] or 0), BackupFile(child, taken, m[3])))
    found.sort(key=lambda t: (t[0], t[1]), reverse=True)
    return [b for _, _, b in found]


def _new_backup_path(db_path: Path, reason: str, now: dt.datetime | None = None) -> Path:
    folder = backup_dir(db_path)
    folder.mkdir(parents=True, exist_ok=True)
    stamp = (now or dt.datetime.now()).strftime(_STAMP)
    target = folder / f"{db_path.stem}-{stamp}-{reason}.db"
    n = 1
    while target.exists():  # two backups in the same second
        target = folder / f"{db_path.stem}-{stamp}-{n}-{reason}.db"
        n += 1
    return target


def copy_database(source: Path, target: Path) -> None:
    """Copy a live database with the online backup API: a consistent snapshot even while
    another connection writes. The copy is a single file (rollback journal, not WAL)."""
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
        problems = integrity.quick_check(partial)
        if problems:
            raise integrity.DatabaseDamaged(f"备份“{target.name}”写入后检查未通过：{'；'.join(problems[:3])}")
        os.replace(partial, target)
    except sqlite3.DatabaseError as exc:
        raise integrity.DatabaseDamaged(f"无法备份“{source}”：{exc}") from exc
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
        out.parent.mkdir(parents=True, exist_ok=True)
    copy_database(db_path, out)
    if target is None:
        rotate(db_path)
    return out


def automatic(db_path: str | Path, reason: str) -> Path | None:
    """The backup the program makes by itself: on close ("close"), before a migration
    ("migrate"), before an import ("import"). Skipped (None) when the database is new and
    empty, or unchanged since the newest backup."""
    db_path = Path(db_path).resolve()
    if not has_data(db_path):
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
    """Delete the backups rotation does not keep; returns what was deleted."""
    backups = list_backups(db_path)
    keep = to_keep(backups, today)
    removed = []
    for b in backups:
        if b.path not in keep:
            b.path.unlink(missing_ok=True)
            removed.append(b.path)
    return removed


@dataclass(frozen=True)
class BackupInfo:
    path: Path
    revision: str
    audit_events: int


@dataclass(frozen=True)
class RestoreReport:
    source: Path
    kept: Path | None  # the database as it was before the restore (None: there was none)
    info: BackupInfo


def inspect_backup(source: str | Path) -> BackupInfo:
    """Check a file offered for restoring; raise `BackupRefused` saying what is wrong with it."""
    source = Path(source).resolve()
    if not source.is_file():
        raise NotFound(f"备份文件“{source}”不存在")
    refused = f"“{source.name}”不能用于恢复，当前数据库未作任何改动"
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
    revision = str(row[0]) if row else ""
    if revision not in known_revisions():
        raise BackupRefused(f"{refused}：数据库版本“{revision or '无'}”不是本程序建立的，可能来自更新版本的程序，请先升级程序")
    engine = create_engine("sqlite://", creator=lambda: integrity.connect_readonly(source))
    try:
        with Session(engine) as session:
            chain = audit.verify(session)
    finally:
        engine.dispose()
    if not chain.ok:
        raise BackupRefused(f"{refused}：审计记录哈希链断裂（{chain.reason}），备份可能被改动过")
    return BackupInfo(source, revision, chain.checked)


def _keep_damaged(db_path: Path) -> Path:
    """Copy a damaged database (and its WAL) aside under a name rotation and restore never pick."""
    folder = backup_dir(db_path)
    folder.mkdir(parents=True, exist_ok=True)
    kept = folder / f"损坏-{db_path.stem}-{dt.datetime.now():{_STAMP}}.db"
    for suffix in ("", "-wal"):
        part = Path(str(db_path) + suffix)
        if part.exists():
            shutil.copy2(part, Path(str(kept) + suffix))
    return kept


def restore(db_path: str | Path, source: str | Path, *, lock: integrity.WriterLock | None = None,
            actor: Actor | None = None) -> RestoreReport:
    """Replace the database with a checked backup, keeping the current file in the backup folder.

    The caller must have closed every connection to `db_path` and hold its writer lock (pass
    it as `lock`); without one, the lock is taken here for the duration.
    """
    db_path = Path(db_path).resolve()
    source = Path(source).resolve()
    if source == db_path:
        raise ValidationError("备份文件不能是数据库本身")
    info = inspect_backup(source)
    own_lock = lock is None
    held = integrity.acquire_writer_lock(db_path) if own_lock else lock
    staging = db_path.with_name(db_path.name + ".restoring")
    try:
        copy_database(source, staging)
        kept: Path | None = None
        if db_path.exists():
            if integrity.quick_check(db_path):
                kept = _keep_damaged(db_path)
            else:  # not rotated now: rotation might take away the very backup being restored
                kept = _new_backup_path(db_path, "restore")
                copy_database(db_path, kept)
        for suffix in ("-wal", "-shm", "-journal"):  # a stale WAL would be replayed onto the new file
            Path(str(db_path) + suffix).unlink(missing_ok=True)
        os.replace(staging, db_path)
        db = open_database(db_path)  # migrates an older backup to head (backing it up first)
        try:
            with db.transaction() as session:
                audit.record(session, actor or Actor.system("restore"), "backup.restore", "database", "",
                             source=str(source), kept=str(kept or ""), revision=info.revision)
        finally:
            db.dispose()
    finally:
        staging.unlink(missing_ok=True)
        if own_lock and held is not None:
            held.release()
    return RestoreReport(source, kept, info)


def check_against_backups(db_path: str | Path, limit: int = 3) -> list[str]:
    """Compare the audit trail with the newest backups taken since the last restore.

    A hash chain cannot show that its newest events were cut off, or that the whole chain was
    recomputed after an edit; a backup can: the event it ends with must still be in the database
    with the same hash.
    """
    db_path = Path(db_path).resolve()
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
            head = _audit_head(b.path)
            if head is None:
                continue
            checked += 1
            found = conn.execute("SELECT hash FROM audit_events WHERE id = ?", (head[0],)).fetchone()
            if found is None:
                problems.append(f"备份 {b.label()} 中有第 {head[0]} 条审计记录，数据库中却没有：最近的记录被删除")
            elif found[0] != head[1]:
                problems.append(f"第 {head[0]} 条审计记录与备份 {b.label()} 中的不同：记录被改写")
        return problems
    finally:
        conn.close()
