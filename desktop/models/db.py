"""Engine creation, SQLite pragmas, and opening a database (migrating it to head)."""

from __future__ import annotations

import functools
import re
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import URL, Engine, create_engine, event, text
from sqlalchemy.exc import OperationalError, ProgrammingError
from sqlalchemy.orm import Session, sessionmaker

import desktop.models.registry  # noqa: F401  (every table and mapper, for any database opened here)

if TYPE_CHECKING:
    from alembic.config import Config

# Alembic is imported only when a migration is looked at or run: importing it costs every start
# a tenth of a second, and a database already at head (the usual case) never needs it.
MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
_REVISION = re.compile(r"^revision\s*=\s*['\"]([^'\"]+)['\"]", re.MULTILINE)
_DOWN_REVISION = re.compile(r"^down_revision\s*=\s*(.+)$", re.MULTILINE)


def _set_sqlite_pragmas(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


# PostgreSQL's counterpart of the station file's one-writer lock: a write transaction on the
# server takes this transaction-scoped advisory lock first, so the audit chain is appended by
# one writer at a time (two could otherwise both read head N and both write N + 1) and a
# period's lock cannot fall between a clerk's check that the month is open and his insert.
# Readers never take it. A wait longer than WRITER_WAIT is an error, never a hang.
WRITER_LOCK_KEY = 0x6A6966656E  # "jifen"
WRITER_WAIT = "30s"


def serialise_writer(session: Session) -> None:
    """Take the server's writer lock for the session's transaction (nothing on SQLite, where the
    file lock and SQLite's own single writer do it). Taking it twice is harmless."""
    if session.get_bind().dialect.name != "postgresql":
        return
    session.execute(text(f"SET LOCAL lock_timeout = '{WRITER_WAIT}'"))
    # One lock per schema: each station sharing a bureau database has its own chain, so two
    # stations' clerks never wait for each other.
    session.execute(text("SELECT pg_advisory_xact_lock(:key, hashtext(current_schema()))"),
                    {"key": WRITER_LOCK_KEY & 0x7FFFFFFF})


def make_engine(url_or_path: str | Path, *, password: str | None = None) -> Engine:
    """Create an engine; a plain path means a local SQLite file.

    `password` is for a server the desktop program asked the password of: it stays in this
    process's memory, in the engine's URL, never in the address shown or remembered.
    """
    from desktop.models import stores

    url: str | URL = str(url_or_path)
    connect_args: dict[str, str] = {}
    if stores.is_server(url):
        connect_args = stores.connect_args(url)
        url = stores.server_url(str(url))  # psycopg 3, whatever driver the address named
        if password:
            url = url.set(password=password)
    elif "://" not in url:
        # Built as a URL object, not as text: SQLAlchemy URL-decodes a text URL, so a file named
        # "a%20b.db" would silently open (or create) "a b.db" instead.
        url = URL.create("sqlite", database=str(Path(url).resolve()))
    engine = create_engine(url, connect_args=connect_args)
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _set_sqlite_pragmas)
    return engine


def alembic_config(engine: Engine | None = None) -> Config:
    from alembic.config import Config

    # Alembic's default stdout is whatever sys.stdout was when alembic.config was first imported;
    # imported lazily, that may be a stream long closed (a test's capture), so pass today's.
    cfg = Config(stdout=sys.stdout)
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    if engine is not None:
        # configparser treats % as interpolation; escape it in paths such as %APPDATA%.
        url = engine.url.render_as_string(hide_password=False).replace("%", "%%")
        cfg.set_main_option("sqlalchemy.url", url)
        cfg.attributes["engine"] = engine
    return cfg


def head_revision() -> str:
    from alembic.script import ScriptDirectory

    script = ScriptDirectory.from_config(alembic_config())
    head = script.get_current_head()
    assert head is not None
    return head


def current_revision(engine: Engine) -> str | None:
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def known_revisions() -> set[str]:
    """Every revision this program's migrations know (a backup at any of them can be restored)."""
    from alembic.script import ScriptDirectory

    script = ScriptDirectory.from_config(alembic_config())
    return {rev.revision for rev in script.walk_revisions()}


def migrate(engine: Engine, revision: str = "head") -> None:
    from alembic import command

    command.upgrade(alembic_config(engine), revision)


@functools.cache
def file_head() -> str | None:
    """The head revision read from the migration files as text (no Alembic import); None when
    that is not clear-cut (no sources, a merge, a file it cannot read), and Alembic decides."""
    revisions: set[str] = set()
    parents: set[str] = set()
    for path in (MIGRATIONS_DIR / "versions").glob("*.py"):
        source = path.read_text("utf-8")
        revision, down = _REVISION.search(source), _DOWN_REVISION.search(source)
        if revision is None or down is None:
            return None
        revisions.add(revision[1])
        parents.update(re.findall(r"['\"]([^'\"]+)['\"]", down[1]))
    heads = revisions - parents
    return heads.pop() if len(heads) == 1 else None


def needs_migration(engine: Engine) -> bool:
    head = file_head()
    if head is None:
        return current_revision(engine) != head_revision()
    try:
        with engine.connect() as conn:
            stamped = conn.execute(text("SELECT version_num FROM alembic_version")).scalars().all()
    except (OperationalError, ProgrammingError):  # no alembic_version table (SQLite, PostgreSQL): new or foreign
        return True
    return stamped != [head]


def refuse_newer(engine: Engine, path: str | Path) -> None:
    """`DatabaseTooNew` when the file's revision is one this program's migrations do not know.

    Alembic would fail with "Can't locate revision"; this says it plainly, and before the
    automatic backup that precedes a migration, so nothing at all is written.
    """
    from desktop.services.integrity import DatabaseTooNew

    stamped = current_revision(engine)
    if stamped is not None and stamped not in known_revisions():
        raise DatabaseTooNew(
            f"数据库“{path}”是更新版本的积分考核台账建立或升级过的（数据库版本“{stamped}”），"
            "本程序不认识这个版本，不能打开；请安装新版本的程序后再打开。数据库未作任何改动")


def _storage_error(exc: OperationalError, path: str | Path | None) -> Exception | None:
    """The Chinese error for a disk fault (read-only, full); None when `exc` is not one."""
    from desktop.services.integrity import storage_error

    return storage_error(exc, path)


class Database:
    """An opened, migrated database and the factory for its sessions."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._sessions = sessionmaker(engine, expire_on_commit=False)
        from desktop.services import seals  # the models layer must not import services at load

        seals.install(self._sessions)

    @property
    def path(self) -> Path | None:
        """The SQLite file; None in memory and on a database server (no file of ours to back up)."""
        if self.engine.dialect.name != "sqlite":
            return None
        db = self.engine.url.database
        return Path(db) if db and db != ":memory:" else None

    @property
    def is_server(self) -> bool:
        return self.engine.dialect.name == "postgresql"

    def session(self) -> Session:
        return self._sessions()

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """One unit of work: commit on success, roll back on any error.

        A disk fault (read-only file, full disk) becomes one Chinese `StorageError` here, where
        every write passes, so neither the command line nor a screen shows SQLite's English.
        """
        try:
            with self._sessions() as session, session.begin():
                serialise_writer(session)
                yield session
        except OperationalError as exc:
            mapped = _storage_error(exc, self.path)
            if mapped is None:
                raise
            raise mapped from exc

    def dispose(self) -> None:
        self.engine.dispose()


def open_database(path: str | Path, *, migrate_to_head: bool = True, checked: bool = False,
                  password: str | None = None) -> Database:
    """Open (creating if needed) the database at `path` and bring its schema to head.

    An existing file first passes SQLite's quick_check (a damaged one raises
    `DatabaseDamaged` naming the backups and the restore command), unless the caller has
    just run it (`checked`); an existing database with data is backed up before it is migrated.
    """
    # Imported here: the backup service itself opens databases through this module.
    from desktop.services import backup, integrity

    local = "://" not in str(path)
    if local and not checked and Path(path).is_file() and Path(path).stat().st_size > 0:
        integrity.ensure_sound(path)
    engine = make_engine(path, password=password)
    migrated = False
    before: str | None = None
    try:
        if migrate_to_head and not local:
            _ensure_station_schema(engine, path)
        if migrate_to_head and needs_migration(engine):
            refuse_newer(engine, path)
            before = current_revision(engine)
            if local:
                backup.automatic(path, "migrate")
            migrate(engine)
            migrated = True
    except OperationalError as exc:  # e.g. a migration on a read-only file
        engine.dispose()
        mapped = _storage_error(exc, path)
        if mapped is None:
            raise
        raise mapped from exc
    except BaseException:
        engine.dispose()
        raise
    db = Database(engine)
    if migrated:
        _seal_baseline(db, before)
    return db


def _ensure_station_schema(engine: Engine, target: str | Path) -> None:
    """A station's schema on a bureau server is made when the station is first opened there (by
    `jifen server push` or a demo); the command line checks it exists before opening otherwise."""
    from desktop.models import stores

    if stores.station_of(target) is None:
        return
    schema = stores.schema_of(target)
    with engine.begin() as conn:
        if not stores.schema_exists(conn, schema):
            conn.exec_driver_sql(f'CREATE SCHEMA IF NOT EXISTS "{schema}"')


def _seal_baseline(db: Database, before: str | None) -> None:
    """A database upgraded from before row seals (0006) has its rows sealed once, as they are;
    one upgraded from later has the rows sealed again whose only change is an added column."""
    from desktop.services import seals

    with db.transaction() as session:
        if seals.needs_baseline(session):
            seals.baseline(session)
        elif seals.has_seals(session):
            seals.reseal_migrated(session, before)
