"""Everyone's 政绩档案 of a year, one PDF a person, into a folder (`jifen files`; 个人档案 → 全员政绩档案).

A bureau prints a county's year at once: 2,000 files, each needing the year's periods scored
(`PeriodCache`: once for the batch, not once a person) and then laid out, four fifths of a file's
time. For a batch of more than a few dozen files the work runs in worker processes, at most one a
core, started with "spawn" (never a fork of a process with Qt's or the database's threads):

- on a station's SQLite file, each worker opens the file itself, read-only in practice, with one
  session and one period cache for all its files, and reads and lays out whole files: nothing but
  a badge and a path crosses between the processes;
- on a server, the data is read here, over the caller's connection (the workers have no password),
  and only the laying out is sent (`exporters.pdf.file_worker`).

A handful of files is done here, where starting workers would cost more than it saves. The files
are written under a temporary folder inside the target and given their own names only when every
one of them is written: a batch that fails or is cancelled leaves the folder as it was, an earlier
print of the same person included.
"""

from __future__ import annotations

import datetime as dt
import multiprocessing
import os
import shutil
import tempfile
from collections import deque
from collections.abc import Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from desktop.exporters.pdf import file_worker
from desktop.models.people import Person
from desktop.services import roster
from desktop.services.documents_file import PeriodCache, performance_file_data
from desktop.services.errors import JifenError, ValidationError
from desktop.services.exchange.report import CancelFn, Progress, ProgressFn
from desktop.services.ledger import safe_filename

PARALLEL_FROM = 40  # files; fewer are laid out in this process (a worker takes ~0.5 s to start)
MOST_WORKERS = 4
QUEUED = 3  # files waiting for each worker: enough to keep it busy, few enough to bound memory


def performance_file_name(badge: str, name: str, year: int) -> str:
    """“150001 张三 2026年度政绩档案.pdf”: no folder part, whatever the roster holds."""
    return safe_filename(f"{badge} {name} {year}年度政绩档案.pdf")


def check_year(year: int) -> None:
    if not 2000 <= year <= 2100:
        raise ValidationError(f"年份“{year}”不对，应为四位年份，如 2026")


def people_of_year(session: Session, year: int) -> list[str]:
    """The badges of everyone on the roster for some day of `year`, in badge order."""
    first, last = dt.date(year, 1, 1), dt.date(year, 12, 31)
    return [p.badge for p in session.scalars(select(Person).order_by(Person.badge)) if p.active_days(first, last) > 0]


def file_names(session: Session, year: int, badges: Sequence[str]) -> list[str]:
    """The names the files of these people will have (`jifen files` looks for them before writing)."""
    return [performance_file_name(b, roster.person_by_badge(session, b).name, year) for b in badges]


def cores() -> int:
    try:
        return len(os.sched_getaffinity(0))  # the cores this process may run on (a container's share)
    except AttributeError:  # Windows, macOS
        return os.cpu_count() or 1


def worker_count(files: int, asked: int | None = None) -> int:
    """Processes to lay the files out in; 1 means this one."""
    if asked is not None:
        return max(1, asked)
    return 1 if files < PARALLEL_FROM else max(1, min(cores(), MOST_WORKERS))


def write_performance_files(session: Session, year: int, folder: str | Path, badges: Sequence[str] | None = None,
                            *, progress: ProgressFn | None = None, cancel: CancelFn | None = None,
                            workers: int | None = None) -> list[Path]:
    """Everyone's (or these people's) performance file of the year, one PDF each in `folder`, which
    must exist; a file of the same name there is replaced. `workers`: how many processes lay the
    files out (default: one a core for a large batch, else this process)."""
    check_year(year)
    target = Path(folder)
    if not target.is_dir():
        raise ValidationError(f"保存位置“{target}”不存在，请先建立文件夹或另选位置")
    if badges is None:
        badges = people_of_year(session, year)
    badges = list(dict.fromkeys(badges))
    if not badges:
        raise ValidationError(f"{year} 年没有在册人员，没有可打印的政绩档案")
    names = file_names(session, year, badges)  # every badge is known before the first file is started
    font = roster.get_station(session).pdf_font or ""
    tracker = Progress(progress, cancel, total=len(badges), step=1)
    tracker.check()
    staging = Path(tempfile.mkdtemp(prefix=".jifen-政绩档案-", dir=target))
    try:
        _write(session, year, badges, names, staging, font, tracker, worker_count(len(badges), workers),
               dt.date.today())  # one printing date on every file of the batch
        out = []
        for name in names:
            os.replace(staging / name, target / name)
            out.append(target / name)
        tracker.finish()
        return out
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _write(session: Session, year: int, badges: list[str], names: list[str], staging: Path, font: str,
           tracker: Progress, workers: int, today: dt.date) -> None:
    """Write each badge's file into `staging` under its name."""
    if workers == 1:
        cache = PeriodCache(session)
        for badge, name in zip(badges, names, strict=True):
            tracker.check()
            file_worker.render(performance_file_data(session, year, badge, today=today, cache=cache),
                               str(staging / name), font)
            tracker.tick()
        return
    local = _local_file(session)
    context = multiprocessing.get_context("spawn")
    if local is not None:  # each worker reads its files' data from the file itself: nothing to pickle
        pool = ProcessPoolExecutor(workers, mp_context=context, initializer=_start_reader, initargs=(font, local))

        def submit(badge: str, name: str) -> Future[str]:
            return pool.submit(_read_and_render, year, badge, str(staging / name), font, today)
    else:  # a server: the data is read here, over this session's connection, and laid out there
        pool = ProcessPoolExecutor(workers, mp_context=context, initializer=file_worker.start, initargs=(font,))
        cache = PeriodCache(session)

        def submit(badge: str, name: str) -> Future[str]:
            data = performance_file_data(session, year, badge, today=today, cache=cache)
            return pool.submit(file_worker.render, data, str(staging / name), font)
    pending: deque[Future[str]] = deque()
    try:
        for badge, name in zip(badges, names, strict=True):
            tracker.check()
            pending.append(submit(badge, name))
            while len(pending) > workers * QUEUED:
                pending.popleft().result()
                tracker.tick()
        while pending:
            pending.popleft().result()
            tracker.tick()
    except BrokenProcessPool as exc:
        raise JifenError("打印政绩档案的后台进程意外退出（可能是内存不足），没有写入任何文件；"
                         "请关闭其他程序后重试，或分部门打印") from exc
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def _local_file(session: Session) -> str | None:
    """The SQLite file the session reads, which a worker can open itself; None for a server."""
    url = session.get_bind().url
    if url.get_backend_name() == "sqlite" and url.database and url.database != ":memory:":
        return url.database
    return None


_READER: dict[str, Any] = {}  # in a worker: its own session on the file and the year's period cache


def _start_reader(font: str, path: str) -> None:
    """A reading worker's initializer: the print font, and one read-only session for all its files
    (one snapshot of the file, as the caller's session would have been)."""
    from desktop.models.db import Database, make_engine

    file_worker.start(font)
    session = Database(make_engine(path)).session()
    _READER.update(session=session, cache=PeriodCache(session))


def _read_and_render(year: int, badge: str, path: str, font: str, today: dt.date) -> str:
    session = _READER["session"]
    return file_worker.render(performance_file_data(session, year, badge, today=today, cache=_READER["cache"]),
                              path, font)
