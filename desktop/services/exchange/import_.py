"""Import a workbook, all or nothing (`jifen import F.xlsx [--dry-run]` and the GUI wizard).

Every sheet is read and checked before anything is written. Any problem means nothing is
written and the report lists each one with sheet, row, column and reason; otherwise the
whole workbook goes in with bulk inserts and one audit event. A dry run stops after the
check and reports what would be new, updated, unchanged or rejected.

An import never takes authority from a workbook: whoever wrote it, its period state,
signatures, grades, chief's overrides, awards, confirmations and the 录入人 of its entries
describe another copy of the program, so they are reported as ignored, and the entries it adds
are recorded by the importing account. Entry rows must obey the catalogue (`plan_copy`). Nor does
it install a scheme (积分制) or take a case review (案件审核), and a scheme's score sheet is only
compared with what the entries give (`plan_schemes`); units and their members are added like the
roster (`plan_units`).

An empty database (no station yet) is rebuilt from an unedited export of the station by
`restore_database` (`jifen restore-export`); only that restore keeps the period's sign-offs.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
import uuid
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.orm import Session

from desktop.models.db import Database, open_database
from desktop.services import audit, backup
from desktop.services.actor import Actor, require
from desktop.services.errors import NotFound, ValidationError
from desktop.services.exchange import (
    plan_catalogue,
    plan_copy,
    plan_entries,
    plan_roster,
    plan_schemes,
    plan_units,
    restore,
)
from desktop.services.exchange.about import About, check_digest, parse_about
from desktop.services.exchange.plan import Plan
from desktop.services.exchange.reader import Table, Workbook, read_workbook
from desktop.services.exchange.report import CancelFn, ImportRejected, ImportReport, Progress, ProgressFn
from desktop.services.grade_engine import Policy
from desktop.services.roster import get_station, has_station

RECORD_KINDS = ("summary", "awards", "signoffs", "confirmations", "case_reviews")
AUTHORITY = "签核、锁定、等次和奖励只能由本数据库的账号在本程序中完成"
# What each record sheet would have set, for the notice that it was not imported.
IGNORED = {
    "summary": "积分、排名、等次和等次调整",
    "awards": "奖励",
    "signoffs": "签核",
    "confirmations": "个人确认",
    "case_reviews": "案件审核",
}
RESTORE_HINT = "要在新电脑上用本单位导出的工作簿重建单位，请用 jifen restore-export（只能恢复到空数据库）"


@dataclass
class ImportPreview:
    """What the wizard shows before importing: the report and every recognised table.

    Each `Table` has the header texts by field (`headers`), the column of each field
    (`columns`) and its rows with the raw cells (`Row.cells`) and the spreadsheet row
    number; `report.cell_problems()` gives the reasons to mark on (sheet, row, column letter).
    """

    report: ImportReport
    workbook: Workbook


def preview_file(db: Database, actor: Actor, path: str | Path, *, progress: ProgressFn | None = None,
                 cancel: CancelFn | None = None, include_hidden: bool = False) -> ImportPreview:
    """Check the workbook without writing anything (the wizard's preview step)."""
    with db.session() as session:
        report, book = _run(session, actor, Path(path), True, Progress(progress, cancel), include_hidden)
    return ImportPreview(report, book)


def import_file(db: Database, actor: Actor, path: str | Path, *, dry_run: bool = False,
                progress: ProgressFn | None = None, cancel: CancelFn | None = None,
                include_hidden: bool = False) -> ImportReport:
    """`import_workbook` in a transaction of its own (for a worker thread or the command line).

    Raises `ImportRejected` (with the report) when the workbook has problems, `Cancelled` when
    `cancel()` turned true; in both cases the transaction is rolled back. Into a database without
    a station this is the strict restore of `restore_database` (the self-test and benchmark rely
    on it; `jifen import` refuses such a database and names `jifen restore-export` instead).
    """
    if not dry_run and db.path is not None:
        backup.automatic(db.path, "import")  # a copy to go back to, should an import prove wrong
    with db.transaction() as session:
        return import_workbook(session, actor, path, dry_run=dry_run, progress=progress, cancel=cancel,
                               include_hidden=include_hidden)


def import_workbook(session: Session, actor: Actor, path: str | Path, *, dry_run: bool = False,
                    progress: ProgressFn | None = None, cancel: CancelFn | None = None,
                    include_hidden: bool = False) -> ImportReport:
    """Check the workbook and, unless `dry_run`, write it in the caller's transaction.

    On problems a dry run returns the report; a real import raises `ImportRejected`, so the
    caller's transaction (e.g. `Database.transaction()`) rolls back whatever was flushed.
    """
    return _run(session, actor, Path(path), dry_run, Progress(progress, cancel), include_hidden)[0]


def restore_database(db: Database, path: str | Path, *, dry_run: bool = False,
                     progress: ProgressFn | None = None, cancel: CancelFn | None = None) -> ImportReport:
    """Rebuild the station of an unedited export into `db`, which must have no station yet.

    There is no account to sign in with in an empty database, so the program itself restores;
    the first administrator is created afterwards. Raises `ValidationError` when `db` already
    has a station, `ImportRejected` when the workbook cannot be restored (nothing is written).
    """
    with db.transaction() as session:
        if has_station(session):
            station = get_station(session)
            raise ValidationError(f"数据库中已有单位“{station.name}”（代码 {station.code}）：从导出工作簿重建只能"
                                  "恢复到空数据库。向已有单位导入请用 jifen import")
        return import_workbook(session, Actor.system("restore-export"), path, dry_run=dry_run, progress=progress,
                               cancel=cancel)


def restore_export(db_path: str | Path, path: str | Path, *, dry_run: bool = False,
                   progress: ProgressFn | None = None, cancel: CancelFn | None = None) -> ImportReport:
    """`restore_database` at a database path (`jifen restore-export`; the caller holds its writer lock).

    A path that does not exist yet is built beside it and moved in only once the restore has
    committed, so a refused restore leaves no file behind and a dry run creates none at all
    (it checks against a scratch database in the temporary folder).
    """
    target = Path(db_path)
    if target.exists():
        db = open_database(target)
        try:
            return restore_database(db, path, dry_run=dry_run, progress=progress, cancel=cancel)
        finally:
            db.dispose()
    if not target.parent.is_dir():
        raise NotFound(f"文件夹“{target.parent}”不存在")
    with tempfile.TemporaryDirectory(prefix="jifen-restore-", dir=None if dry_run else target.parent) as scratch:
        built = Path(scratch) / target.name
        db = open_database(built)
        try:
            report = restore_database(db, path, dry_run=dry_run, progress=progress, cancel=cancel)
            if not dry_run:
                with db.engine.connect() as conn:  # everything into the main file: only that file moves
                    conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        finally:
            db.dispose()
        if not dry_run:
            if target.exists():  # made by someone else meanwhile: never replaced
                raise ValidationError(f"恢复期间“{target}”已被建立，未覆盖；请换一个数据库文件再恢复")
            os.replace(built, target)
        return report


def _run(session: Session, actor: Actor, source: Path, dry_run: bool, tracker: Progress,
         include_hidden: bool = False) -> tuple[ImportReport, Workbook]:
    require(actor, "import")
    report = ImportReport(source, dry_run=dry_run)
    book = read_workbook(source, report, tracker, include_hidden=include_hidden)
    plan, policy = _plan(session, actor, book, report, tracker)
    if report.problems and not dry_run:
        raise ImportRejected(report)
    if dry_run or report.problems:
        tracker.finish()
        return report, book
    tracker.check()
    _apply(plan, policy, source)
    if report.problems:  # found only after writing (scores that disagree with the entries)
        raise ImportRejected(report)
    report.imported = True
    tracker.finish()
    return report, book


def _first(book: Workbook, kind: str) -> Table | None:
    tables = book.of(kind)
    return tables[0] if tables else None


def _about(session: Session, book: Workbook, report: ImportReport, restoring: bool) -> About | None:
    about = parse_about(book.about, report) if book.about is not None else None
    if about is None:
        return None
    report.station, report.period = f"{about.station_code} {about.station_name}", about.period_code
    if has_station(session):
        station = get_station(session)
        if station.code != about.station_code:
            report.problem("说明", None, f"这是单位“{about.station_name}”（代码 {about.station_code}）导出的工作簿，"
                           f"本数据库是“{station.name}”（代码 {station.code}），不能导入", header="单位代码",
                           value=about.station_code)
            return None
    if not restoring:  # an import goes on over an edited copy (it takes rows, not authority); a restore does not
        check_digest(book, about, report)
    return about


def _plan(session: Session, actor: Actor, book: Workbook, report: ImportReport,
          tracker: Progress) -> tuple[Plan, Policy | None]:
    restoring = not has_station(session)
    about = _about(session, book, report, restoring)
    plan = Plan(session, actor, report, book, restore=restoring, authoritative=book.about is not None,
                batch_uuid=str(uuid.uuid4()))
    plan.load()
    if restoring and about is None:
        if not report.problems:
            report.problem("", None, "数据库中还没有单位：空数据库只能用本程序导出的工作簿（含“说明”表）重建。"
                           f"{RESTORE_HINT}；新建单位请用桌面程序的建立单位向导，再导入上级发来的名册或加减分工作簿")
        return plan, None
    if not book.tables:
        report.problem("", None, "工作簿中没有可以导入的表（人员名册、考核细则、上级加减分或积分明细）")
        return plan, None
    policy = restore.plan_restore(plan, book, about) if restoring and about is not None else None
    # Schemes before the catalogue (an item names its scheme's component), units before entries.
    steps = (("departments", plan_roster.plan_departments), ("roster", plan_roster.plan_people),
             ("units", plan_units.plan_units), ("unit_members", plan_units.plan_members),
             ("schemes", plan_schemes.plan_schemes), ("catalogue", plan_catalogue.plan_catalogue),
             ("entries", plan_copy.plan_copy_entries), ("adjustments", plan_entries.plan_adjustments))
    for kind, step in steps:
        for table in book.of(kind):
            tracker.check()
            step(plan, table)
            tracker.tick(len(table.rows))
    tables = {kind: _first(book, kind) for kind in RECORD_KINDS}
    if restoring and about is not None and policy is not None:
        restore.plan_period_records(plan, about, policy, tables)
        for table in book.of("case_reviews"):
            plan_schemes.plan_case_reviews(plan, table)
    elif not restoring:
        _ignore_authority(plan, about, tables)
    if about is None:
        plan_schemes.note_scores(plan)
    return plan, policy


def _ignore_authority(plan: Plan, about: About | None, tables: dict[str, Table | None]) -> None:
    """Name every piece of another copy's authority the workbook holds, and say why it is not taken."""
    report = plan.report
    if about is not None and about.period_state.value != "open":
        report.notice("说明", None, f"周期状态“{about.period_state.label}”未采用：本数据库中该周期的状态不变。{AUTHORITY}",
                      header="周期状态", value=about.period_state.label)
    for kind, what in IGNORED.items():
        table = tables[kind]
        if table is None:
            continue
        rows = [r for r in table.rows if _holds_authority(kind, r.values)]
        if rows:
            report.notice(table.sheet, None, f"{what}（{len(rows)} 行）未导入：工作簿中的{what}来自另一份数据，"
                          f"积分由本数据库按积分记录计算；{AUTHORITY}")


def _holds_authority(kind: str, values: dict[str, object]) -> bool:
    """A 签核 row is only a step of the chain until someone signed it; the other sheets' rows are records."""
    return bool(values.get("signer")) if kind == "signoffs" else True


def _apply(plan: Plan, policy: Policy | None, source: Path) -> None:
    """Write the checked plan: station (restore), roster, catalogue, entries, period records, audit."""
    if plan.station is not None and policy is not None:
        restore.apply_station(plan, policy)
    plan_roster.apply_roster(plan)
    plan_units.apply_units(plan)
    plan_schemes.apply_schemes(plan)
    plan_catalogue.apply_catalogue(plan)
    entries = plan_entries.apply_entries(plan)
    plan_schemes.apply_case_reviews(plan, restore.Users(plan))
    if plan.period_records is not None:
        restore.apply_period_records(plan)
    plan.session.flush()
    plan_schemes.compare_scores(plan, plan.report.period or None)
    report = plan.report
    report.restored = plan.restore
    authors = plan.memo.get(plan_entries.AUTHORS)  # the workbook's 录入人, kept here rather than on the entries
    audit.record(plan.session, plan.actor, "exchange.restore" if plan.restore else "exchange.import", "workbook",
                 _file_digest(source), file=source.name, station=report.station, period=report.period,
                 batch=plan.batch_uuid, entries=entries,
                 counts={label: vars(c) for label, c in report.counts.items()},
                 **({"workbook_recorded_by": dict(authors)} if authors else {}))


def _file_digest(path: Path) -> str:
    sha = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            sha.update(block)
    return sha.hexdigest()
