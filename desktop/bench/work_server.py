"""Benchmark children for the bureau server (issue #19): the push, scoring there, and eight clerks.

`python -m desktop.bench.work_server '{"case": "server_score", "side": "case", "db": …}'`, as
`work`: imports inside each function, before its timer. `db` is the station's address on the
server (`postgresql://…?station=<code>`), made by the push child from the cached dataset.
"""

from __future__ import annotations

import datetime as dt
import multiprocessing
import shutil
import statistics
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from desktop.bench.measure import Timer, child_main, report
from desktop.bench.work import SUMS, Params, _best, _span, score_case

RECORD_ITEM = "RC-04"  # 流动人口登记: a fixed-points item a clerk enters all day


# -- the station's file pushed to the server ---------------------------------------------------

def _drop_earlier_copy(db: Any, to: str) -> None:
    """A previous bench run's copy of the same station (same uuid) is dropped first: the recording
    case wrote into it, so the push would refuse it as work the file lacks. Another station under
    the bench's code is left alone, and the push refuses it with its own message."""
    from sqlalchemy import select, text

    from desktop.models import stores
    from desktop.models.station import Station

    with db.session() as session:
        station = session.scalars(select(Station).order_by(Station.id)).first()
    schema = stores.schema_for(station.code)
    engine = stores.schema_engine(stores.server_url(to), schema)
    try:
        with engine.begin() as conn:
            if not stores.schema_exists(conn, schema):
                return
            held = conn.execute(text("SELECT uuid FROM stations ORDER BY id LIMIT 1")).scalar()
            if held is not None and str(held) == str(station.uuid):
                conn.exec_driver_sql(f'DROP SCHEMA "{schema}" CASCADE')
    finally:
        engine.dispose()


def push_case(p: Params) -> None:
    """`server_push.push` of a copy of the dataset (the push writes its audit event into the file,
    and the cached dataset is only read); the copy and the clean-up are not timed."""
    from desktop.models import stores
    from desktop.models.db import open_database
    from desktop.services import server_push
    from desktop.services.actor import Actor

    copy = Path(p["out"])
    shutil.copyfile(p["db"], copy)
    db = open_database(copy)
    _drop_earlier_copy(db, p["server"])
    with Timer() as t:
        result = server_push.push(db, Actor.system("bench"), p["server"])
    db.dispose()
    report(t.seconds, entries=result.entries, rows=sum(result.rows.values()),
           address=stores.with_station(p["server"], result.code))


# -- the month's score on the server -----------------------------------------------------------

def server_score_base(p: Params) -> None:
    """The raw baseline on the same server: one GROUP BY through psycopg, in the station's schema."""
    import psycopg

    from desktop.models import stores

    conninfo = stores.server_url(p["db"]).set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(conninfo, **stores.connect_args(p["db"])) as conn:
        statement = SUMS.replace("?", "%s")
        span = _span(p["period"])
        seconds, rows = _best(lambda: conn.execute(statement, span).fetchall())
    report(seconds, groups=len(rows))


# -- eight clerks recording at once ------------------------------------------------------------

def _clerk(n: int, url: str, username: str, people: list[int], each: int, day: dt.date,
           start: Any, results: Any) -> None:  # `people`: this clerk's own share of the station
    """One clerk's program: its own engine; every entry saved as the screen saves it, in a
    transaction of its own (`ledger.record`, audit event, seals, commit). One entry before the
    start line warms the connection and statement caches, as a program that has been open a while."""
    from sqlalchemy import select

    from desktop.models.accounts import User
    from desktop.models.db import open_database
    from desktop.services import ledger
    from desktop.services.actor import Actor

    try:
        db = open_database(url)
        with db.session() as session:
            actor = Actor.of(session.scalars(select(User).where(User.username == username)).one())

        def save(i: int) -> None:
            with db.transaction() as session:
                ledger.record(session, actor, ledger.EntryInput([people[i % len(people)]], RECORD_ITEM,
                                                                day, note=f"基准测试 {n}-{i}"))
        save(-1)
        start.wait()
        latencies = []
        for i in range(each):
            begun = time.perf_counter()
            save(i)
            latencies.append(time.perf_counter() - begun)
        db.dispose()
        results.put((n, latencies, ""))
    except BaseException as exc:  # the parent reports it; a worker must not leave the others waiting
        start.abort()
        results.put((n, [], f"{type(exc).__name__}: {exc}"))


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered)) - 1))]


def record_case(p: Params) -> None:
    """`clerks` processes (eight clerks' computers) record `each` entries each into the station's
    copy on the server, all at once. `seconds` is from the start line to the last one saved."""
    from sqlalchemy import func, select

    from desktop.models.db import open_database
    from desktop.models.ledger import Entry
    from desktop.models.people import Person

    day = dt.date.today()  # the month the clerks are working on, open
    db = open_database(p["db"])
    with db.session() as session:
        people = [person.id for person in session.scalars(select(Person).order_by(Person.id)) if person.active_on(day)]
        before = session.scalar(select(func.count()).select_from(Entry)) or 0
    db.dispose()  # nothing open when the workers fork
    clerks, each = p["clerks"], p["entries_each"]
    methods = multiprocessing.get_all_start_methods()
    context = multiprocessing.get_context("fork" if "fork" in methods else "spawn")
    start, results = context.Barrier(clerks + 1), context.Queue()
    workers = [context.Process(target=_clerk, args=(n, p["db"], p["username"], people[n::clerks] or people, each, day,
                                                         start, results))
               for n in range(clerks)]
    for w in workers:
        w.start()
    try:
        start.wait(timeout=600)
    except threading.BrokenBarrierError:  # a clerk failed before the start line: say why
        raise RuntimeError(f"录入进程未能开始：{results.get(timeout=60)[2]}") from None
    begun = time.perf_counter()
    done = [results.get(timeout=p.get("timeout", 1800)) for _ in workers]
    seconds = time.perf_counter() - begun
    for w in workers:
        w.join()
    if errors := [e for _, _, e in done if e]:
        raise RuntimeError(f"{len(errors)} 个录入进程出错：{errors[0]}")
    latencies = [x for _, lats, _ in done for x in lats]
    db = open_database(p["db"])
    with db.session() as session:
        saved = (session.scalar(select(func.count()).select_from(Entry)) or 0) - before - clerks  # less the warm-ups
    db.dispose()
    report(seconds, clerks=clerks, entries_each=each, saved=saved,
           throughput_per_second=round(len(latencies) / seconds, 1),
           p50_seconds=round(statistics.median(latencies), 4), p95_seconds=round(_percentile(latencies, 0.95), 4),
           max_seconds=round(max(latencies), 4))


WORK: dict[tuple[str, str], Callable[[Params], None]] = {
    ("push", "case"): push_case,
    ("server_score", "case"): score_case, ("server_score", "base"): server_score_base,
    ("server_record", "case"): record_case,
}


def main(argv: list[str]) -> int:
    return child_main(WORK, argv)


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
