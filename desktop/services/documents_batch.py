"""Everyone's 政绩档案 of a year, one PDF a person, into a folder (`jifen files`; 个人档案 → 全员政绩档案).

A bureau prints a county's year at once: 2,000 files. Each file's data is read here, in the
caller's session, with one `PeriodCache` for the year's periods (scored once, not once a person).
Laying a file out takes four times as long as reading it, so for a batch of more than a few
dozen files it runs in worker processes (`exporters.pdf.file_worker`, started with "spawn": never
a fork of a process with Qt's or the database's threads), at most one a core, while the next
files' data is read; a handful of files is laid out here, where starting workers would cost more
than it saves.

The files are written under a temporary folder inside the target and given their own names only
when every one of them is written: a batch that fails or is cancelled leaves the folder as it was,
an earlier print of the same person included.
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
    for badge in badges:  # every name is known before the first file is started
        roster.person_by_badge(session, badge)
    font = roster.get_station(session).pdf_font or ""
    tracker = Progress(progress, cancel, total=len(badges), step=1)
    tracker.check()
    staging = Path(tempfile.mkdtemp(prefix=".jifen-政绩档案-", dir=target))
    try:
        names = _write(session, year, badges, staging, font, tracker, worker_count(len(badges), workers))
        out = []
        for name in names:
            os.replace(staging / name, target / name)
            out.append(target / name)
        tracker.finish()
        return out
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _write(session: Session, year: int, badges: list[str], staging: Path, font: str, tracker: Progress,
           workers: int) -> list[str]:
    """The files written into `staging`, by name, in the order of `badges`."""
    cache = PeriodCache(session)
    names: list[str] = []
    if workers == 1:
        for badge in badges:
            data = performance_file_data(session, year, badge, cache=cache)
            names.append(performance_file_name(data.badge, data.name, year))
            file_worker.render(data, str(staging / names[-1]), font)
            tracker.tick()
        return names
    pool = ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn"),
                               initializer=file_worker.start, initargs=(font,))
    pending: deque[Future[str]] = deque()
    try:
        for badge in badges:
            tracker.check()
            data = performance_file_data(session, year, badge, cache=cache)
            names.append(performance_file_name(data.badge, data.name, year))
            pending.append(pool.submit(file_worker.render, data, str(staging / names[-1]), font))
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
    return names
