"""Issue #13: an import never carries authority, and its entry rows obey the catalogue.

The station's own export, edited in Excel as an insider would (the month made 已锁定, grades
swapped, both sign-off steps "signed" by one person, an award and confirmations added, entries
"recorded" by the chief), is imported by a clerk: the entries come in on the clerk's account,
nothing else of the edit is applied, and the report names every sheet it ignored.
"""

from __future__ import annotations

import datetime as dt
import uuid
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from openpyxl.utils import get_column_letter
from sqlalchemy import func, select, text

from desktop.cli import main
from desktop.models.audit import AuditEvent
from desktop.models.db import Database
from desktop.models.grading import Award, GradeOverride
from desktop.models.ledger import Entry
from desktop.models.periods import Confirmation, SignOff
from desktop.services import periods
from desktop.services.exchange.export import export_period
from desktop.services.exchange.import_ import import_file
from desktop.services.exchange.report import ImportRejected
from tests.exchange.stations import Station, results, station
from tests.services.builders import PASSWORD

AUTHORITY = "签核、锁定、等次和奖励只能由本数据库的账号在本程序中完成"
Sheet = Any  # an openpyxl worksheet


@pytest.fixture
def in_review(tmp_path: Path) -> Station:
    """The station with March 2026 in review (computed, not yet confirmed or signed)."""
    st = station(tmp_path)
    with st.db.transaction() as s:
        periods.start_review(s, st.clerk, periods.get_or_create(s, "2026-03"))
    return st


def export(st: Station, path: Path) -> Path:
    with st.db.session() as s:
        export_period(s, "2026-03", path)
    return path


def headers(ws: Sheet) -> dict[str, int]:
    return {c.value: c.column for c in ws[1] if c.value}


def append(ws: Sheet, values: dict[str, object]) -> int:
    """A new row below the data, filled by header; returns its row number."""
    cols = headers(ws)
    number = ws.max_row + 1
    for header, value in values.items():
        ws.cell(row=number, column=cols[header], value=value)
    return number


def copy_entry(ws: Sheet, code: str, **changes: object) -> tuple[int, dict[str, object]]:
    """A new 积分明细 row copied from the first row of item `code`, with a new 记录UUID."""
    cols = headers(ws)
    source = next(r for r in range(2, ws.max_row + 1) if ws.cell(row=r, column=cols["项目编号"]).value == code
                  and not ws.cell(row=r, column=cols["冲正记录UUID"]).value)
    values = {h: ws.cell(row=source, column=c).value for h, c in cols.items()}
    values |= {"记录UUID": str(uuid.uuid4()), "批次UUID": None, **changes}
    return append(ws, values), values


def snapshot(db: Database) -> dict[str, object]:
    """Row counts of every table and the newest audit hash: equal before and after = nothing written."""
    with db.session() as s:
        names = s.execute(text("SELECT name FROM sqlite_master WHERE type='table'")).scalars().all()
        counts: dict[str, object] = {n: s.execute(text(f'SELECT count(*) FROM "{n}"')).scalar() for n in names}
        counts["audit_head"] = s.scalar(select(AuditEvent.hash).order_by(AuditEvent.id.desc()).limit(1))
    return counts


def count(db: Database, model: type) -> int:
    with db.session() as s:
        return s.scalar(select(func.count()).select_from(model)) or 0


def insider_edit(book: Path, out: Path, chief: str, *, entries: bool = True) -> tuple[Path, list[str]]:
    """Every forgery of the issue in one workbook; returns it and the new entries' UUIDs."""
    wb = openpyxl.load_workbook(book)
    for row in wb["说明"].iter_rows(min_row=1):
        if row[0].value == "周期状态":
            row[1].value = "已锁定"
    summary = wb["积分汇总"]
    grade = headers(summary)["等次"]
    first, second = summary.cell(row=2, column=grade), summary.cell(row=3, column=grade)
    first.value, second.value = second.value or "A", first.value or "D"
    signoffs = wb["签核"]
    cols = headers(signoffs)
    for r in range(2, signoffs.max_row + 1):  # one person "signs" every step
        signoffs.cell(row=r, column=cols["签核人"], value=chief)
        signoffs.cell(row=r, column=cols["签核时间"], value=dt.datetime(2026, 4, 2, 9, 0))
        signoffs.cell(row=r, column=cols["签核UUID"], value=str(uuid.uuid4()))
    people = wb["人员"]
    badge, name = people.cell(row=2, column=2).value, people.cell(row=2, column=3).value
    append(wb["奖励"], {"奖励UUID": str(uuid.uuid4()), "警号": badge, "姓名": name, "称号": "优秀民警",
                      "说明": "所务会研究", "评定人": chief, "评定时间": dt.datetime(2026, 4, 2, 10, 0)})
    for r in (2, 3):
        append(wb["个人确认"], {"确认UUID": str(uuid.uuid4()), "警号": people.cell(row=r, column=2).value,
                            "姓名": people.cell(row=r, column=3).value, "状态": "已确认", "意见": "无异议",
                            "登记人": chief, "登记时间": dt.datetime(2026, 4, 1, 9, 0)})
    added: list[object] = []
    if entries:
        sheet = wb["积分明细"]
        added = [copy_entry(sheet, "ZB-01", 录入人=chief, 录入时间=dt.datetime(2026, 3, 31, 8, 0))[1]["记录UUID"],
                 copy_entry(sheet, "BA-01", 录入人=chief)[1]["记录UUID"]]
    wb.save(out)
    return out, [str(u) for u in added]


def test_an_edited_export_brings_entries_but_no_authority(in_review: Station, tmp_path: Path) -> None:
    st = in_review
    book, added = insider_edit(export(st, tmp_path / "out.xlsx"), tmp_path / "forged.xlsx", "chief150302")
    report = import_file(st.db, st.clerk, book)
    assert report.imported and report.counts["积分记录"].new == 2, report.text()
    with st.db.session() as s:
        period = periods.find_period(s, "2026-03")
        assert period is not None and period.state == "review"  # not locked by the workbook
        for model in (SignOff, Award, GradeOverride, Confirmation):
            assert s.scalar(select(func.count()).select_from(model)) == 0, model.__name__
        new = s.scalars(select(Entry).where(Entry.uuid.in_(added))).all()
        assert len(new) == 2
        assert {(e.recorded_by_id, e.recorded_by_name) for e in new} == {(st.clerk.user_id, st.clerk.display_name)}
        assert all(e.recorded_at > dt.datetime(2026, 4, 1) for e in new)  # the import's time, not the workbook's
        event = s.scalars(select(AuditEvent).where(AuditEvent.action == "exchange.import")).one()
        assert event.username == st.clerk.username and "chief150302" in event.detail
    # Grades are this database's computation (engine grade, no override), never the swapped ones.
    assert all(row[-4] == row[-5] for row in results(st.db, "2026-03"))
    ignored = {n.sheet for n in report.notices if AUTHORITY in n.reason}
    assert ignored == {"说明", "积分汇总", "奖励", "签核", "个人确认", "积分明细"}, report.text()
    author = next(n for n in report.notices if n.sheet == "积分明细" and n.header == "录入人")
    assert "chief150302" in author.reason and st.clerk.display_name in author.reason


def test_the_forged_grades_change_nothing(in_review: Station, tmp_path: Path) -> None:
    st = in_review
    before = results(st.db, "2026-03")
    book, _ = insider_edit(export(st, tmp_path / "out.xlsx"), tmp_path / "forged.xlsx", "chief150302", entries=False)
    report = import_file(st.db, st.clerk, book)
    assert report.imported and not any(c.new or c.updated for c in report.counts.values()), report.text()
    assert results(st.db, "2026-03") == before


def test_a_plain_reimport_names_only_what_the_export_holds(in_review: Station, tmp_path: Path) -> None:
    """The station's unedited export: nothing new, and no notice about sheets without records."""
    report = import_file(in_review.db, in_review.clerk, export(in_review, tmp_path / "out.xlsx"))
    assert report.imported and report.counts["积分记录"].new == 0
    ignored = {n.sheet for n in report.notices if AUTHORITY in n.reason}
    assert ignored == {"说明", "积分汇总"}  # 审核中 and the computed results; nobody signed, nothing awarded


def _range_max(st: Station) -> int:
    from desktop.models.catalogue import CatalogueItem

    with st.db.session() as s:
        item = s.scalars(select(CatalogueItem).where(CatalogueItem.code == "JJ-03")).first()
        assert item is not None and item.max_tenths is not None
        return item.max_tenths


# name → (item to copy, changed cells, column header the problem must name, words of the reason)
ATTACKS: dict[str, tuple[str, dict[str, object], str, str]] = {
    "points-10^12": ("ZB-01", {"分值": 10**12}, "分值", "数值过大"),
    "points-huge": ("ZB-01", {"分值": 99_999}, "分值", "固定为"),
    "points-not-fixed": ("ZB-01", {"分值": 2}, "分值", "固定为 1"),
    "negative-quantity": ("BA-01", {"数量": -3}, "数量", "1 到 1000"),
    "zero-quantity": ("BA-01", {"数量": 0}, "数量", "1 到 1000"),
    "switched-component": ("ZB-01", {"积分组成": "部门加分"}, "积分组成", "积分组成与考核细则不符"),
    "forced-veto": ("ZB-01", {"一票否决": "是"}, "一票否决", "不是一票否决项目"),
    "unknown-item": ("ZB-01", {"项目编号": "ZZ-99", "项目UUID": None}, "项目编号", "没有这个项目编号"),
    "item-uuid-of-another-code": ("ZB-01", {"项目编号": "ZB-07"}, "项目编号", "与项目编号不符"),
    "relabelled-category": ("ZB-01", {"类别": "上级考评"}, "类别", "类别与考核细则不符"),
    "points-outside-range": ("JJ-03", {"分值": "max+1"}, "分值", "超出范围"),
    "negative-points": ("ZB-01", {"分值": -1}, "分值", "应为正数"),
}


@pytest.mark.parametrize("attack", list(ATTACKS))
def test_entry_rows_must_match_the_catalogue(in_review: Station, tmp_path: Path, attack: str) -> None:
    st = in_review
    code, changes, header, reason = ATTACKS[attack]
    if changes.get("分值") == "max+1":
        changes = {"分值": (_range_max(st) + 10) / 10}
    wb = openpyxl.load_workbook(export(st, tmp_path / "out.xlsx"))
    ws = wb["积分明细"]
    number, _ = copy_entry(ws, code, **changes)
    column = get_column_letter(headers(ws)[header])
    wb.save(tmp_path / "attack.xlsx")
    before = snapshot(st.db)
    with pytest.raises(ImportRejected) as info:
        import_file(st.db, st.clerk, tmp_path / "attack.xlsx")
    problems = info.value.report.problems
    assert [(p.sheet, p.row, p.column) for p in problems] == [("积分明细", number, column)], info.value.report.text()
    assert reason in problems[0].reason
    assert snapshot(st.db) == before  # nothing written, not even the audit event


def test_a_refused_row_over_the_command_line_is_one_report_and_exit_1(
        in_review: Station, tmp_path: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    import io
    import sys

    st = in_review
    wb = openpyxl.load_workbook(export(st, tmp_path / "out.xlsx"))
    number, _ = copy_entry(wb["积分明细"], "BA-01", 数量=0)
    wb.save(tmp_path / "attack.xlsx")
    assert st.db.path is not None
    before = snapshot(st.db)
    monkeypatch.setattr(sys, "stdin", io.StringIO(PASSWORD + "\n"))
    assert main(["--db", str(st.db.path), "import", str(tmp_path / "attack.xlsx"), "--user", st.clerk.username]) == 1
    out = capsys.readouterr().out
    assert f"工作表“积分明细” 第 {number} 行 K 列（数量）" in out and "没有写入任何数据" in out
    # Signing in writes (the login and its audit event); the import itself wrote nothing.
    assert count(st.db, Entry) == before["entries"]
    with st.db.session() as s:
        assert s.scalar(select(func.count()).where(AuditEvent.action == "exchange.import")) == 0


def _bureau_book(path: Path, sheets: list[str], row: list[object]) -> Path:
    wb = openpyxl.Workbook()
    for i, title in enumerate(sheets):
        ws = wb.active if i == 0 else wb.create_sheet()
        ws.title = title
        ws.append(["警号", "姓名", "日期", "项目", "加分", "说明"])
        ws.append(row)
    wb.save(path)
    return path


def test_the_same_bureau_row_on_two_sheets_is_a_problem_naming_both(
        in_review: Station, tmp_path: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    """Used to insert the row twice under one UUID: a traceback (UNIQUE constraint failed)."""
    import io
    import sys

    st = in_review
    person = st.people[0]
    row: list[object] = [person.badge, person.name, dt.date(2026, 3, 2), "SJ-02", 3, "通报表扬"]
    book = _bureau_book(tmp_path / "two.xlsx", ["上级加分", "县局加减分"], row)
    before = snapshot(st.db)
    assert st.db.path is not None
    assert main(["--db", str(st.db.path), "import", str(book), "--dry-run"]) == 1
    out = capsys.readouterr().out
    assert "工作表“县局加减分” 第 2 行" in out and "与工作表“上级加分”第 2 行是同一条记录" in out
    monkeypatch.setattr(sys, "stdin", io.StringIO(PASSWORD + "\n"))
    assert main(["--db", str(st.db.path), "import", str(book), "--user", st.clerk.username]) == 1
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err and "没有写入任何数据" in captured.out
    assert count(st.db, Entry) == before["entries"]
    # Two identical rows on one sheet are two events, as before.
    once = tmp_path / "one.xlsx"
    wb = openpyxl.load_workbook(_bureau_book(once, ["上级加分"], row))
    wb["上级加分"].append(row)
    wb.save(once)
    assert import_file(st.db, st.clerk, once).counts["积分记录"].new == 2

