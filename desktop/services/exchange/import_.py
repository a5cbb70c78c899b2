"""Import a workbook, all or nothing (`jifen import F.xlsx [--dry-run]` and the GUI wizard).

Every sheet is read and checked before anything is written. Any problem means nothing is
written and the report lists each one with sheet, row, column and reason; otherwise the
whole workbook goes in with bulk inserts and one audit event. A dry run stops after the
check and reports what would be new, updated, unchanged or rejected.

An empty database (no station yet) can only take a jifen export, which rebuilds the whole
station from it; see `restore`.
"""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.orm import Session

from desktop.models.db import Database
from desktop.services import audit, backup
from desktop.services.actor import Actor, require
from desktop.services.exchange import plan_catalogue, plan_entries, plan_roster, restore
from desktop.services.exchange.about import About, check_digest, parse_about
from desktop.services.exchange.plan import Plan
from desktop.services.exchange.reader import Table, Workbook, read_workbook
from desktop.services.exchange.report import CancelFn, ImportRejected, ImportReport, Progress, ProgressFn
from desktop.services.grade_engine import Policy, PolicyError
from desktop.services.roster import get_station, has_station

RECORD_KINDS = ("summary", "awards", "signoffs", "confirmations")


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
                 cancel: CancelFn | None = None) -> ImportPreview:
    """Check the workbook without writing anything (the wizard's preview step)."""
    with db.session() as session:
        report, book = _run(session, actor, Path(path), True, Progress(progress, cancel))
    return ImportPreview(report, book)


def import_file(db: Database, actor: Actor, path: str | Path, *, dry_run: bool = False,
                progress: ProgressFn | None = None, cancel: CancelFn | None = None) -> ImportReport:
    """`import_workbook` in a transaction of its own (for a worker thread or the command line).

    Raises `ImportRejected` (with the report) when the workbook has problems, `Cancelled` when
    `cancel()` turned true; in both cases the transaction is rolled back.
    """
    if not dry_run and db.path is not None:
        backup.automatic(db.path, "import")  # a copy to go back to, should an import prove wrong
    with db.transaction() as session:
        return import_workbook(session, actor, path, dry_run=dry_run, progress=progress, cancel=cancel)


def import_workbook(session: Session, actor: Actor, path: str | Path, *, dry_run: bool = False,
                    progress: ProgressFn | None = None, cancel: CancelFn | None = None) -> ImportReport:
    """Check the workbook and, unless `dry_run`, write it in the caller's transaction.

    On problems a dry run returns the report; a real import raises `ImportRejected`, so the
    caller's transaction (e.g. `Database.transaction()`) rolls back whatever was flushed.
    """
    return _run(session, actor, Path(path), dry_run, Progress(progress, cancel))[0]


def _run(session: Session, actor: Actor, source: Path, dry_run: bool,
         tracker: Progress) -> tuple[ImportReport, Workbook]:
    require(actor, "import")
    report = ImportReport(source, dry_run=dry_run)
    book = read_workbook(source, report, tracker)
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


def _about(session: Session, book: Workbook, report: ImportReport) -> About | None:
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
    check_digest(book, about, report)
    return about


def _plan(session: Session, actor: Actor, book: Workbook, report: ImportReport,
          tracker: Progress) -> tuple[Plan, Policy | None]:
    restoring = not has_station(session)
    about = _about(session, book, report)
    plan = Plan(session, actor, report, book, restore=restoring, authoritative=book.about is not None,
                batch_uuid=str(uuid.uuid4()))
    plan.load()
    if restoring and about is None:
        if not report.problems:
            report.problem("", None, "数据库中还没有单位：空数据库只能用本程序导出的工作簿（含“说明”表）恢复。"
                           "请先建立单位，再导入上级发来的名册或加减分工作簿")
        return plan, None
    if not book.tables:
        report.problem("", None, "工作簿中没有可以导入的表（人员名册、考核细则、上级加减分或积分明细）")
        return plan, None
    policy: Policy | None = None
    if restoring and about is not None:
        for kind, label in (("departments", "部门"), ("roster", "人员"), ("catalogue", "考核细则")):
            if _first(book, kind) is None:
                report.problem("", None, f"恢复到空数据库需要“{label}”表，工作簿中没有")
        policy = restore.plan_station(plan, about, _first(book, "signoffs"))
    steps = (("departments", plan_roster.plan_departments), ("roster", plan_roster.plan_people),
             ("catalogue", plan_catalogue.plan_catalogue), ("entries", plan_entries.plan_copy_entries),
             ("adjustments", plan_entries.plan_adjustments))
    for kind, step in steps:
        for table in book.of(kind):
            tracker.check()
            step(plan, table)
            tracker.tick(len(table.rows))
    _plan_records(plan, book, about, policy, restoring)
    return plan, policy


def _plan_records(plan: Plan, book: Workbook, about: About | None, policy: Policy | None, restoring: bool) -> None:
    """The period's confirmations, results, awards and signatures travel only with a jifen export."""
    tables = {kind: _first(book, kind) for kind in RECORD_KINDS}
    if about is not None and not restoring and about.period_state.value == "locked":
        try:
            policy = Policy.from_json(about.policy_json)
        except PolicyError as exc:
            plan.report.notice("说明", None, f"等次政策无法读取，不同步签核：{exc}")
    if about is not None and policy is not None and (restoring or about.period_state.value == "locked"):
        restore.plan_period_records(plan, about, policy, tables)
        return
    skipped = [f"“{t.sheet}”" for t in tables.values() if t is not None]
    if skipped:
        plan.report.notice("", None, f"工作表{'、'.join(skipped)}未导入：积分汇总、奖励、签核和个人确认由本单位计算和评定")


def _apply(plan: Plan, policy: Policy | None, source: Path) -> None:
    """Write the checked plan: station (restore), roster, catalogue, entries, period records, audit."""
    if plan.station is not None and policy is not None:
        restore.apply_station(plan, policy)
    plan_roster.apply_roster(plan)
    plan_catalogue.apply_catalogue(plan)
    entries = plan_entries.apply_entries(plan)
    if plan.period_records is not None:
        restore.apply_period_records(plan)
    plan.session.flush()
    report = plan.report
    report.restored = plan.restore
    audit.record(plan.session, plan.actor, "exchange.restore" if plan.restore else "exchange.import", "workbook",
                 _file_digest(source), file=source.name, station=report.station, period=report.period,
                 batch=plan.batch_uuid, entries=entries,
                 counts={label: vars(c) for label, c in report.counts.items()})


def _file_digest(path: Path) -> str:
    sha = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            sha.update(block)
    return sha.hexdigest()
