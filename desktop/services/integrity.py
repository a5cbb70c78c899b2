"""Is the database file sound, and is this the only program writing to it?

`quick_check` runs when a database is opened (`desktop.models.db.open_database`); a damaged
file raises `DatabaseDamaged`, whose message lists the backups and the restore command.
`acquire_writer_lock` keeps a second copy of the program from writing to the same file: the
lock is an OS lock on `<数据库>.lock`, so a crashed program never leaves a stale lock behind.
`storage_error` turns SQLite's disk faults (read-only file, full disk) into one Chinese line.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from types import TracebackType

from filelock import FileLock, Timeout

from desktop.services.errors import JifenError

# integrity_check stops after this many problems; a clerk needs the first few, not thousands.
MAX_PROBLEMS = 20


class DatabaseDamaged(JifenError):
    """The file is not a database, or SQLite's check found damaged pages or indexes."""


class DatabaseBusy(JifenError):
    """Another copy of the program holds the writer lock."""


class DatabaseTooNew(JifenError):
    """The database was made by a newer program: its schema revision is unknown here."""


class StorageError(JifenError):
    """The disk refused: a read-only file or folder, a full disk, a file that cannot be opened."""


# SQLite's messages (sqlite3.OperationalError, also inside SQLAlchemy's OperationalError) for
# faults of the disk rather than of the program, and what to tell the user about each.
_STORAGE_FAULTS = (
    ("readonly database", "数据库文件“{path}”是只读的（或它所在的文件夹不允许写入），不能写入；"
                          "请检查文件属性中的“只读”和文件夹的权限后再试。本次没有写入任何内容"),
    ("disk is full", "磁盘已满，无法写入“{path}”；本次操作已撤销，没有写入任何内容。请清理磁盘空间后再试"),
    ("unable to open database file", "无法打开数据库文件“{path}”（文件或文件夹不存在、无权访问，或 U 盘已拔出）"),
    ("disk i/o error", "读写“{path}”时磁盘出错（disk I/O error）；本次操作已撤销。请检查磁盘或 U 盘后再试"),
)


def storage_error(exc: BaseException, path: str | Path | None) -> StorageError | None:
    """The Chinese error for a disk fault behind `exc`, or None when `exc` is something else
    (which the caller then re-raises: an unknown error must not be dressed up as a known one)."""
    orig = getattr(exc, "orig", None)  # SQLAlchemy wraps the DB-API error
    error = orig if isinstance(orig, sqlite3.Error) else exc
    if not isinstance(error, sqlite3.DatabaseError):
        return None
    text = str(error).lower()
    for needle, message in _STORAGE_FAULTS:
        if needle in text:
            return StorageError(message.format(path=path or "数据库"))
    return None


def connect_readonly(path: Path) -> sqlite3.Connection:
    # mode=ro: a check never creates, migrates or repairs anything.
    uri = path.resolve().as_uri()
    conn = sqlite3.connect(f"{uri}?mode=ro", uri=True, timeout=10)
    try:
        conn.execute("SELECT 1 FROM sqlite_master LIMIT 1")
    except sqlite3.OperationalError as exc:
        # A WAL database in a folder nobody may write to: SQLite cannot make its -shm file and
        # says "readonly database", which a check would report as damage. With no WAL file
        # there is nothing beyond the main file, so reading it as immutable reads it exactly.
        wal = Path(f"{path}-wal")
        if storage_error(exc, path) is None or (wal.exists() and wal.stat().st_size > 0):
            conn.close()
            raise
        conn.close()
        conn = sqlite3.connect(f"{uri}?mode=ro&immutable=1", uri=True, timeout=10)
    except sqlite3.DatabaseError:
        pass  # not a database at all: the caller's first statement says so, as before
    return conn


def check(path: str | Path, *, full: bool = False) -> list[str]:
    """SQLite's own check of the file: [] when sound, else SQLite's findings (English, verbatim).

    `full` runs integrity_check (also compares every index with its table; for a backup about
    to be restored); the default quick_check is the fast check run on every open.
    """
    path = Path(path)
    pragma = "integrity_check" if full else "quick_check"
    try:
        conn = connect_readonly(path)
        try:
            rows = conn.execute(f"PRAGMA {pragma}({MAX_PROBLEMS})").fetchall()
        finally:
            conn.close()
    except sqlite3.DatabaseError as exc:  # "file is not a database", "database disk image is malformed"
        return [str(exc)]
    findings = [str(row[0]) for row in rows]
    return [] if findings == ["ok"] else findings


def quick_check(path: str | Path) -> list[str]:
    return check(path, full=False)


def ensure_sound(path: str | Path) -> None:
    """Raise `DatabaseDamaged` (with the way back: backups and the restore command) if the check fails."""
    path = Path(path)
    problems = quick_check(path)
    if problems:
        raise DatabaseDamaged(damaged_message(path, problems))


def damaged_message(path: Path, problems: list[str]) -> str:
    # Imported here: backup imports this module for its checks.
    from desktop.services import backup

    found = "；".join(problems[:3])
    lines = [f"数据库文件“{path}”已损坏，不能打开（SQLite 检查结果：{found}）。"]
    backups = backup.list_backups(path)
    if backups:
        newest = backups[0]
        lines.append(
            f"找到 {len(backups)} 个备份，最近的是 {newest.label()}：{newest.path}。"
            f"恢复方法：在命令行运行 jifen --db \"{path}\" restore \"{newest.path}\""
            "（恢复前会先保留损坏的文件），或在程序的“备份与恢复”中选择该备份。"
        )
    else:
        lines.append(
            f"备份文件夹“{backup.backup_dir(path)}”中没有备份。请找出 U 盘或其他位置保存的备份，"
            f"用 jifen --db \"{path}\" restore 备份文件 恢复；不要删除损坏的文件，可交技术人员抢救。"
        )
    return "\n".join(lines)


class WriterLock:
    """Proof that this process is the one writer of a database; release on close (or at exit)."""

    def __init__(self, db_path: Path, lock: FileLock) -> None:
        self.db_path = db_path
        self._lock = lock

    @property
    def held(self) -> bool:
        return self._lock.is_locked

    def release(self) -> None:
        if self._lock.is_locked:
            self._lock.release(force=True)

    def __enter__(self) -> WriterLock:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.release()


def lock_path(db_path: str | Path) -> Path:
    db_path = Path(db_path).resolve()
    return db_path.with_name(db_path.name + ".lock")


class ServerLock:
    """A server database has no file to lock: its transactions (row locks, and the audit chain's
    advisory lock) keep concurrent writers apart. Held and released like a `WriterLock`."""

    held = True

    def release(self) -> None:
        self.held = False

    def __enter__(self) -> ServerLock:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.release()


def server_lock() -> ServerLock:
    return ServerLock()


def acquire_writer_lock(db_path: str | Path) -> WriterLock:
    """Take the one-writer lock of `db_path` at once or raise `DatabaseBusy`.

    The lock is held by the returned handle until `release()` or the end of the process
    (the OS drops it even after a crash or kill -9). Reading needs no lock.
    """
    db_path = Path(db_path).resolve()
    # thread_local=False: the GUI takes the lock on its main thread and may release it elsewhere.
    lock = FileLock(lock_path(db_path), timeout=0, thread_local=False)
    try:
        lock.acquire()
    except Timeout:
        raise DatabaseBusy(
            f"数据库“{db_path}”正由另一个程序使用（可能是另一个已打开的积分考核台账窗口或命令）。"
            "为防止两处同时写入损坏数据，本次不能写入；请先关闭另一个程序后再试。"
        ) from None
    except OSError as exc:
        raise DatabaseBusy(f"无法在“{db_path.parent}”建立数据库锁文件（{exc.strerror or exc}），请检查文件夹权限") from exc
    return WriterLock(db_path, lock)
