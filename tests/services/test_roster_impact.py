"""Roster changes that reach into recorded months (issue #16 item 7): said before they are made,
and never able to change a locked month's signed sheet or its verification code."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import openpyxl
from sqlalchemy import select

from desktop.models.db import Database
from desktop.models.people import Person
from desktop.models.periods import Period
from desktop.models.station import Department
from desktop.services import ledger, roster, scoring, sheet_codes
from desktop.services.exchange.import_ import import_file
from tests import factories
from tests.services.builders import World, entry_input, locked, person_input, world

D = dt.date


def _station(db: Database) -> tuple[World, int]:
    """王伟 (150001) with on-time arrivals on 3-05, 3-12 and 4-08; March locked."""
    w = world(db)
    with w.tx() as s:
        wang = factories.person(s, w.dept, "150001", "王伟")
        for day in (D(2026, 3, 5), D(2026, 3, 12), D(2026, 4, 8)):
            ledger.record(s, w.clerk, entry_input(wang, "ZB-01", day))
        locked(s, w, "2026-03")
        return w, wang.id


def test_an_earlier_leaving_date_names_the_entries_it_drops(db: Database) -> None:
    w, pid = _station(db)
    with w.db.session() as s:
        p = s.get(Person, pid)
        assert p is not None
        lines = roster.update_impact(s, pid, person_input(p, active_to=D(2026, 3, 10)))
    assert lines == ["离岗日期为2026年3月10日：此人在这之后还有 2 条积分记录（2026年3月12日至2026年4月8日），"
                     "这些记录不再计入积分；其中2026年3月已锁定，该月的评定表和等次不变（锁定时已保存）"]


def test_a_department_move_counts_from_the_first_month_not_locked(db: Database) -> None:
    w, pid = _station(db)
    with w.tx() as s:
        other = factories.department(s, "社区中队")
        p = s.get(Person, pid)
        assert p is not None
        lines = roster.update_impact(s, pid, person_input(p, department_id=other.id))
    assert lines == ["部门由“治安中队”改为“社区中队”，自2026年4月1日起生效：已锁定的2026年3月仍按“治安中队”；"
                     "2026年4月起按“社区中队”排名和评定"]


def test_a_rename_after_locking_keeps_the_printed_code(db: Database) -> None:
    w, pid = _station(db)
    with w.db.session() as s:
        period = s.scalar(select(Period).where(Period.code == "2026-03"))
        dept = s.get(Department, w.dept.id)
        assert period is not None and dept is not None
        before = sheet_codes.verification_for("150302", period, dept, scoring.results(s, period)).code
    with w.tx() as s:
        p = s.get(Person, pid)
        assert p is not None
        assert roster.update_impact(s, pid, person_input(p, name="王伟民")) == [
            "姓名由“王伟”改为“王伟民”：已锁定周期的评定表仍按原来的姓名打印，核验码不变"]
        roster.update_person(s, w.clerk, pid, person_input(p, name="王伟民"))
        dept = s.get(Department, w.dept.id)
        assert dept is not None
        dept.name = "治安管理中队"  # the department renamed too
    with w.db.session() as s:
        period = s.scalar(select(Period).where(Period.code == "2026-03"))
        assert period is not None
        rows = scoring.results(s, period)
        assert [(r.name, r.department) for r in rows] == [("王伟", "治安中队")]
        report = sheet_codes.verify_code(s, before)
    assert report.ok, report.lines()


def test_the_import_preview_says_what_a_roster_row_changes(db: Database, tmp_path: Path) -> None:
    w, _pid = _station(db)
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "人员名册"
    ws.append(["警号", "姓名", "离岗日期"])
    ws.append(["150001", "王伟", "2026-03-10"])
    wb.save(tmp_path / "r.xlsx")
    report = import_file(w.db, w.clerk, tmp_path / "r.xlsx", dry_run=True)
    assert report.ok, report.text()
    assert report.derived["人员名册"][2]["变动影响"].startswith("离岗日期为2026年3月10日：此人在这之后还有 2 条积分记录")
    assert "注意" not in report.text() and "王伟（150001）离岗日期为2026年3月10日" in report.text()
