"""Benchmark children for the schemes beside the person scheme, the county merge and self-reports.

`python -m desktop.bench.work_units '{"case": "scheme_score", "side": "case", "db": …}'`, as
`work` (whose helpers it shares): imports inside each function, before its timer.
"""

from __future__ import annotations

import datetime as dt
import shutil
import statistics
import sys
from collections.abc import Callable
from pathlib import Path

from desktop.bench.measure import Timer, child_main, report
from desktop.bench.work import Params, _best, sql_base

SAVES = 20  # self-reports timed one by one, after one for warm-up
DAILY_ITEMS = ("ZB-01", "ZB-06")  # 按时到岗 and 备勤: self-reported items the dataset's clerk never enters


# -- the schemes' scores (units and 执法办案 officers) -------------------------------------------

def scheme_score_case(p: Params) -> None:
    """Every scheme beside the person scheme scored for the month (`scheme_scoring.score`: sums
    per subject, caps, members, case reviews, ranks and grades, awards), and the unit ranking of
    a scheme that has one (执法办案单位); a fresh session each time, best of five after a warm-up."""
    from desktop.models.db import open_database
    from desktop.models.units import PERSON_SCHEME
    from desktop.services import scheme_registry, scheme_scoring

    db = open_database(p["db"])

    def once() -> dict[str, int]:
        counts: dict[str, int] = {}
        with db.session() as session:
            for scheme in scheme_registry.active(session):
                if scheme.code == PERSON_SCHEME:
                    continue
                rows = scheme_scoring.score(session, scheme, p["period"])
                units = scheme_scoring.unit_ranking(session, scheme, p["period"], rows)
                counts[scheme.code] = len(rows) + len(units)
        return counts

    seconds, counts = _best(once)
    report(seconds, subjects=counts)


SCHEME_SUMS = ("SELECT scheme, unit_id, person_id, component, SUM(points_tenths) FROM entries "
               "WHERE scheme != 'person' AND occurred_on >= ? AND occurred_on <= ? "
               "GROUP BY scheme, unit_id, person_id, component")


def scheme_score_base(p: Params) -> None:
    """One GROUP BY over the same entries: the month's points per scheme, subject and component."""
    sql_base(p, SCHEME_SUMS)


# -- county merge ------------------------------------------------------------------------------

def merge_case(p: Params) -> None:
    """`jifen county merge`: the stations' exports read and checked, everyone ranked within their
    sequence across stations, the schemes' units across stations, the county workbook written."""
    from desktop.services.exchange.merge import merge_county

    with Timer() as t:
        result = merge_county(p["files"], p["out"])
    report(t.seconds, stations=len(result.stations), people=result.people, warnings=len(result.warnings),
           size_mb=round(Path(p["out"]).stat().st_size / 2**20, 2))


def merge_base(p: Params) -> None:
    """python-calamine (the merge's reader) reading every sheet of every station's export."""
    from python_calamine import CalamineWorkbook

    rows = 0
    with Timer() as t:
        for path in p["files"]:
            book = CalamineWorkbook.from_path(path)
            for name in book.sheet_names:
                rows += len(book.get_sheet_by_name(name).to_python(skip_empty_area=False))
            book.close()
    report(t.seconds, files=len(p["files"]), rows=rows)


# -- an officer's daily self-report ------------------------------------------------------------

def _report_days(count: int, today: dt.date) -> list[dt.date]:
    """The last `count` days up to today: a daily item is reported once a day."""
    return [today - dt.timedelta(days=n) for n in range(count)]


def self_report_case(p: Params) -> None:
    """The officer's daily form (按时到岗, 备勤) saved as the screen saves it: `self_report.submit`
    in one transaction, committed. Into a copy of the database (made before the timers); one save
    to warm up, then `SAVES` saves of other days, each timed. `seconds` is the median save."""
    from sqlalchemy import select

    from desktop.models.accounts import User
    from desktop.models.db import open_database
    from desktop.services import self_report
    from desktop.services.actor import Actor

    copy = Path(p["out"])
    shutil.copyfile(p["db"], copy)
    db = open_database(copy)
    with db.session() as session:
        actor = Actor.of(session.scalars(select(User).where(User.username == p["officer"])).one())
    times: list[float] = []
    days = _report_days(SAVES + 1, dt.date.today())
    for n, day in enumerate(days):
        inputs = [self_report.ReportInput(code, day) for code in DAILY_ITEMS]
        with Timer() as t, db.transaction() as session:
            self_report.submit(session, actor, inputs)
        if n:  # the first is the warm-up (statement caches, mapper configuration, pages)
            times.append(t.seconds)
    db.dispose()
    report(statistics.median(times), saves=len(times), items=len(DAILY_ITEMS), best_seconds=round(min(times), 4),
           worst_seconds=round(max(times), 4))


WORK: dict[tuple[str, str], Callable[[Params], None]] = {
    ("scheme_score", "case"): scheme_score_case, ("scheme_score", "base"): scheme_score_base,
    ("merge", "case"): merge_case, ("merge", "base"): merge_base,
    ("self_report", "case"): self_report_case,
}


def main(argv: list[str]) -> int:
    return child_main(WORK, argv)


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
