"""Importing the bureau's hand-made roster, catalogue and 上级加减分 workbooks."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import openpyxl
import pytest
from sqlalchemy import func, select

from desktop.models.catalogue import CatalogueVersion
from desktop.models.db import Database
from desktop.models.enums import Identity
from desktop.models.ledger import Entry
from desktop.models.people import Person
from desktop.services import ledger, roster
from desktop.services.actor import Actor
from desktop.services.errors import PermissionDenied
from desktop.services.exchange.import_ import import_file
from desktop.services.exchange.report import ImportRejected
from tests.exchange import messy
from tests.services.builders import World, locked

D = dt.date


def entries(db: Database) -> list[Entry]:
    with db.session() as s:
        rows = list(s.scalars(select(Entry).join(Person).order_by(Entry.occurred_on, Person.badge, Entry.id)))
        for e in rows:
            _ = e.person.badge  # loaded while the session is open
        return rows


def test_messy_roster(w: World, tmp_path: Path) -> None:
    report = import_file(w.db, w.clerk, messy.roster_book(tmp_path / "roster.xlsx"))
    assert report.imported and report.counts["人员"].new == 4, report.text()
    assert "表头在第 3–4 行" in report.sheets["人员名册"]
    with w.db.session() as s:
        people = {p.badge: p for p in s.scalars(select(Person))}
    assert people["150001"].name == "王伟" and people["150001"].position == "副所长"
    assert people["150002"].name == "李娜" and people["150002"].identity == "auxiliary"
    assert people["150003"].sequence == "社区" and people["150004"].identity == "contract"
    assert [people[b].active_from for b in ("150001", "150002", "150003", "150004")] == [
        D(2020, 3, 1), D(2021, 5, 6), D(2022, 7, 8), D(2023, 9, 10)]
    notices = " ".join(n.text() for n in report.notices)
    assert "H 列（出生年月）" in notices and "已忽略" in notices
    assert "第 11 行" in notices  # the totals row under the table


def test_roster_update_by_badge_keeps_what_the_bureau_left_out(staffed: World, tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    wb.active.append(["警号", "姓名", "职务"])
    wb.active.append(["150001", "王伟", "所长"])
    wb.active.append(["150003", "张强", None])
    wb.save(tmp_path / "update.xlsx")
    report = import_file(staffed.db, staffed.clerk, tmp_path / "update.xlsx", dry_run=True)
    assert (report.counts["人员"].updated, report.counts["人员"].unchanged) == (1, 1)
    import_file(staffed.db, staffed.clerk, tmp_path / "update.xlsx")
    with staffed.db.session() as s:
        assert roster.person_by_badge(s, "150001").position == "所长"
        assert roster.person_by_badge(s, "150003").position == "社区民警"  # blank = not given


def test_messy_adjustments_every_date_form(staffed: World, tmp_path: Path) -> None:
    report = import_file(staffed.db, staffed.clerk, messy.adjustments_book(tmp_path / "adj.xlsx"))
    assert report.imported and report.counts["积分记录"].new == 8, report.text()
    got = [(e.person.badge, e.occurred_on, e.item_code, e.component, e.quantity, e.points_tenths)
           for e in entries(staffed.db)]
    assert got == [
        ("150001", D(2026, 3, 2), "SJ-02", "higher_bonus", 1, 30),
        ("150002", D(2026, 3, 5), "SJ-02", "higher_bonus", 1, 30),
        ("150003", D(2026, 3, 5), "SJ-03", "higher_bonus", 1, 25),
        ("150001", D(2026, 3, 6), "SJ-07", "higher_deduction", 1, 50),
        ("150003", D(2026, 3, 9), "SJ-10", "higher_deduction", 1, 20),
        ("150004", D(2026, 3, 10), "SJ-02", "higher_bonus", 1, 30),
        ("150004", D(2026, 3, 11), "SJ-09", "higher_deduction", 1, 15),
        ("150002", D(2026, 3, 12), "SJ-08", "higher_deduction", 1, 30),
    ]
    assert all(e.source == "import" and e.recorded_by_name == "clerk" for e in entries(staffed.db))
    assert any("I 列（审核人）" in n.text() for n in report.notices)


def test_same_adjustments_twice_add_nothing(staffed: World, tmp_path: Path) -> None:
    book = messy.adjustments_book(tmp_path / "adj.xlsx")
    import_file(staffed.db, staffed.clerk, book)
    first = sorted(e.uuid for e in entries(staffed.db))
    again = import_file(staffed.db, staffed.clerk, book)
    assert (again.counts["积分记录"].new, again.counts["积分记录"].unchanged) == (0, 8)
    assert sorted(e.uuid for e in entries(staffed.db)) == first


def test_identical_rows_are_two_entries_and_still_idempotent(staffed: World, tmp_path: Path) -> None:
    row = [1, "150001", "王伟", "2026-03-02", "SJ-02", 3, None, "通报表扬", None]
    book = messy.adjustments_book(tmp_path / "twice.xlsx", rows=[row, [2, *row[1:]]])
    assert import_file(staffed.db, staffed.clerk, book).counts["积分记录"].new == 2
    assert import_file(staffed.db, staffed.clerk, book).counts["积分记录"].new == 0


def test_one_bad_row_among_many_writes_nothing(staffed: World, tmp_path: Path) -> None:
    rows = [[i, "150001", "王伟", f"2026-03-{1 + i % 28:02d}", "SJ-02", 3, None, f"第{i}次", None] for i in range(1, 61)]
    rows[36][3] = "2026-02-30"  # no such day; spreadsheet row 5 + 36 = 41, column D
    rows[50][5] = "三分"  # not a number; row 55, column F
    book = messy.adjustments_book(tmp_path / "bad.xlsx", rows=rows)
    with pytest.raises(ImportRejected) as info:
        import_file(staffed.db, staffed.clerk, book)
    report = info.value.report
    places = {(p.sheet, p.row, p.column, p.header) for p in report.problems}
    assert places == {("3月上级加减分", 41, "D", "日期"), ("3月上级加减分", 55, "F", "加分")}
    text = report.text()
    assert "第 41 行 D 列（日期），值“2026-02-30”" in text and "三分" in text
    assert entries(staffed.db) == []
    dry = import_file(staffed.db, staffed.clerk, book, dry_run=True)
    assert (dry.counts["积分记录"].new, dry.counts["积分记录"].rejected) == (58, 2) and not dry.ok


def test_rows_in_a_locked_month_are_refused(staffed: World, tmp_path: Path) -> None:
    with staffed.tx() as s:
        locked(s, staffed, "2026-03")
    with pytest.raises(ImportRejected) as info:
        import_file(staffed.db, staffed.clerk, messy.adjustments_book(tmp_path / "adj.xlsx"))
    assert len(info.value.report.problems) == 8
    assert all("已锁定" in p.reason and p.column == "D" for p in info.value.report.problems)
    assert entries(staffed.db) == []


def test_wrong_person_item_and_direction_are_named(staffed: World, tmp_path: Path) -> None:
    rows = [[1, "150001", "李娜", "2026-03-02", "SJ-02", 3, None, "", None],  # badge and name disagree
            [2, "159999", "王伟", "2026-03-02", "SJ-02", 3, None, "", None],  # unknown badge
            [3, "150001", "王伟", "2026-03-02", "ZB-01", 1, None, "", None],  # not a 上级考评 item
            [4, "150001", "王伟", "2026-03-02", "SJ-07", 5, None, "", None],  # a deduction written as 加分
            [5, "150001", "王伟", "2026-03-02", "SJ-02", 4, None, "", None],  # fixed 3 points
            [6, "150001", "王伟", "2026-03-02", "SJ-03", 7, None, "", None]]  # range 1-5
    with pytest.raises(ImportRejected) as info:
        import_file(staffed.db, staffed.clerk, messy.adjustments_book(tmp_path / "x.xlsx", rows=rows))
    by_row = {p.row: p for p in info.value.report.problems}
    assert sorted(by_row) == [5, 6, 7, 8, 9, 10], info.value.report.text()
    assert by_row[5].column == "C" and "王伟" in by_row[5].reason
    assert by_row[6].column == "B" and "名册中王伟的警号是 150001" in by_row[6].reason
    assert by_row[7].column == "E" and "不是上级考评项目" in by_row[7].reason
    assert by_row[8].column == "E" and "上级减分" in by_row[8].reason
    assert by_row[9].column == "F" and "整数倍" in by_row[9].reason
    assert by_row[10].column == "F" and "1.0 至 5.0" in by_row[10].reason


def test_catalogue_with_the_date_in_the_title(w: World, tmp_path: Path) -> None:
    book = messy.catalogue_book(tmp_path / "cat.xlsx")
    report = import_file(w.db, w.clerk, book)
    assert report.counts["考核细则版本"].new == 1 and report.counts["考核细则项目"].new == 6, report.text()
    with w.db.session() as s:
        version = s.scalar(select(CatalogueVersion).where(CatalogueVersion.effective_from == D(2026, 4, 1)))
        assert version is not None and "2026年度积分考核细则" in version.name
        items = {i.code: i for i in version.items}
    assert items["ZB-01"].points_tenths == 10 and items["ZB-01"].monthly_cap_tenths == 250
    assert items["JR-02"].component == "dept_deduction" and items["JR-02"].points_tenths == 10
    assert items["ZB-02"].component == "base" and items["SJ-07"].component == "higher_deduction"
    assert import_file(w.db, w.clerk, book).counts["考核细则版本"].unchanged == 1
    with w.db.transaction() as s:  # entries of April now use the new version's points
        p = roster.add_person(s, w.clerk, roster.PersonInput("150009", "新警", Identity.POLICE, w.dept.id))
        entry = ledger.record(s, w.clerk, ledger.EntryInput([p.id], "JR-02", D(2026, 4, 2)))[0]
        assert entry.points_tenths == 10


def test_changed_catalogue_for_the_same_date_is_refused(w: World, tmp_path: Path) -> None:
    import_file(w.db, w.clerk, messy.catalogue_book(tmp_path / "cat.xlsx"))
    wb = openpyxl.load_workbook(tmp_path / "cat.xlsx")
    wb.active["E3"] = 2  # ZB-01 now 2 points, same effective date
    wb.save(tmp_path / "cat2.xlsx")
    with pytest.raises(ImportRejected) as info:
        import_file(w.db, w.clerk, tmp_path / "cat2.xlsx")
    assert "已存在且内容不同" in info.value.report.text()


def test_import_needs_the_import_permission(staffed: World, tmp_path: Path) -> None:
    with pytest.raises(PermissionDenied):
        import_file(staffed.db, staffed.officer, messy.adjustments_book(tmp_path / "adj.xlsx"))
    with pytest.raises(PermissionDenied):
        import_file(staffed.db, staffed.chief, messy.adjustments_book(tmp_path / "adj.xlsx"))


def test_an_empty_database_takes_only_a_jifen_export(tmp_path: Path, db: Database) -> None:
    with pytest.raises(ImportRejected) as info:
        import_file(db, Actor.system("test"), messy.roster_book(tmp_path / "roster.xlsx"))
    assert "空数据库只能用本程序导出的工作簿" in info.value.report.text()
    with db.session() as s:
        assert s.scalar(select(func.count()).select_from(Person)) == 0


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice is not installed")
def test_messy_workbooks_saved_again_by_libreoffice(w: World, tmp_path: Path) -> None:
    out = tmp_path / "lo"
    roster_book = messy.through_libreoffice(messy.roster_book(tmp_path / "roster.xlsx"), out)
    adjustments = messy.through_libreoffice(messy.adjustments_book(tmp_path / "adj.xlsx"), out)
    assert import_file(w.db, w.clerk, roster_book).counts["人员"].new == 4
    report = import_file(w.db, w.clerk, adjustments)
    assert report.counts["积分记录"].new == 8, report.text()
    assert sum(e.points_tenths for e in entries(w.db)) == 30 + 30 + 25 + 50 + 20 + 30 + 15 + 30


def test_a_month_in_the_title_stands_in_for_a_date_column(staffed: World, tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["2026年3月份县局加减分通报"])
    ws.append(["警号", "姓名", "考核项目", "分值", "类型", "备注"])
    ws.append(["150001", "王伟", "SJ-02", 3, "加分", "通报表扬"])
    ws.append(["150002", "李娜", "SJ-07", 5, "减分", "通报批评"])
    wb.save(tmp_path / "month.xlsx")
    report = import_file(staffed.db, staffed.clerk, tmp_path / "month.xlsx")
    assert report.counts["积分记录"].new == 2, report.text()
    assert [(e.occurred_on, e.component) for e in entries(staffed.db)] == [
        (D(2026, 3, 31), "higher_bonus"), (D(2026, 3, 31), "higher_deduction")]
    assert any("2026年3月31日" in n.reason for n in report.notices)
