"""Reads run on a second connection while the caller goes on, on a database server.

On a bureau server most of a read's time is the server working while the program waits: the
month sums of a county take the server about 5 ms, in which the program could already be reading
the roster. `SideRead` starts such a read on another pooled connection of the same engine in a
background thread and hands over its result when the caller needs it.

What the side read sees is what the caller's own next statement would see, with one condition.
The program's server transactions are READ COMMITTED, so every statement already reads the data
committed when it starts, whichever connection runs it; but a second connection cannot see what
the caller's own transaction has written and not yet committed (a chief's override being saved,
an entry flushed in the same unit of work). So the result is used only when the caller's
transaction has written nothing: `txid_current_if_assigned()` is NULL until a transaction first
writes. Otherwise, and always on SQLite (one process, one file: nothing to wait for) and on an
engine that opens a connection per use (the bureau board's, one per station), the read is run on
the caller's own connection, so the answer is the same either way.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Generic, TypeVar

from sqlalchemy import Connection, Engine
from sqlalchemy.orm import Session
from sqlalchemy.pool import NullPool

T = TypeVar("T")

# Two workers: a score starts at most two side reads at once (the month sums, the unit schemes of
# 领导带领责任). Threads, not processes: the work is waiting on a socket, which releases the GIL.
_WORKERS = 2
_PREFIX = "jifen-side-read"
_lock = threading.Lock()
_executor: ThreadPoolExecutor | None = None


def _pool() -> ThreadPoolExecutor:
    global _executor
    with _lock:
        if _executor is None:
            _executor = ThreadPoolExecutor(max_workers=_WORKERS, thread_name_prefix=_PREFIX)
        return _executor


def _run(engine: Engine, work: Callable[[Connection], T]) -> T:
    # A connection of its own, checked out of the engine's pool and returned (rolled back) after.
    with engine.connect() as connection:
        return work(connection)


def _unflushed(session: Session) -> bool:
    """Whether the session holds changes its next query would flush (another connection never sees them)."""
    return bool(session.new or session.dirty or session.deleted)


def _has_written(session: Session) -> bool:
    """Whether the session's transaction holds writes another connection cannot see."""
    if _unflushed(session):
        return True
    # A REPEATABLE READ or SERIALIZABLE transaction reads an older snapshot than a new connection.
    return session.connection().exec_driver_sql(
        "SELECT txid_current_if_assigned() IS NOT NULL"
        " OR current_setting('transaction_isolation') <> 'read committed'").scalar() is not False


class SideRead(Generic[T]):
    """`work(connection)` run beside the caller on a server, on the caller's connection otherwise.

    `work` must only read, and must not touch the caller's session or ORM objects: it gets a
    connection of its own. Call `result()` exactly once, on the thread that made the SideRead.
    """

    def __init__(self, session: Session, work: Callable[[Connection], T]) -> None:
        self._session = session
        self._work = work
        self._future: Future[T] | None = None
        engine = session.get_bind()
        # Only an engine that keeps its connections: opening a new one costs more than the read.
        # Never from a side read itself: waiting on the same two workers could wait forever.
        if (isinstance(engine, Engine) and engine.dialect.name == "postgresql"
                and not isinstance(engine.pool, NullPool)
                and not threading.current_thread().name.startswith(_PREFIX)
                and not _unflushed(session)):
            self._future = _pool().submit(_run, engine, work)

    @property
    def beside(self) -> bool:
        """Whether the read was started on a second connection."""
        return self._future is not None

    def result(self) -> T:
        if self._future is None:
            return self._work(self._session.connection())
        written = _has_written(self._session)
        value = self._future.result()  # waited for even when not used: never leave a read running
        if written:
            return self._work(self._session.connection())
        return value
