"""The tolerant reader: where the header is, what each column is, where the table ends."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest

from desktop.models.db import open_database
from desktop.services.actor import Actor
from desktop.services.exchange.export import export_period
from desktop.services.exchange.import_ import import_file
from desktop.services.exchange.reader import read_workbook
from desktop.services.exchange.report import ImportRejected, ImportReport, Progress
from tests.exchange.stations import sign_and_lock, station


def book(path: Path, sheets: dict[str, list[list[object]]]) -> Path:
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for name, rows in sheets.items():
        ws = wb.create_sheet(name)
        for row in rows:
            ws.append(row)
    wb.save(path)
    return path


def read(path: Path) -> tuple[ImportReport, object]:
    report = ImportReport(path)
    return report, read_workbook(path, report, Progress())


def test_sheets_are_recognised_by_header_whatever_their_name(tmp_path: Path) -> None:
    path = book(tmp_path / "b.xlsx", {
        "Sheet1": [["关于报送名册的通知"], [], [], ["序号", "警员编号", "民警姓名", "单位"], [1, "001", "王伟", "治安中队"]],
        "Sheet2": [["警号", "姓名", "时间", "考核事项", "得分", "具体事由"], ["001", "王伟", "2026-03-02", "SJ-02", 3, ""]],
        "备忘": [["这张表只是说明文字"], ["没有表头"]],
    })
    report, workbook = read(path)
    kinds = {t.sheet: t.kind.key for t in workbook.tables}  # type: ignore[attr-defined]
    assert kinds == {"Sheet1": "roster", "Sheet2": "adjustments"}
    roster = workbook.tables[0]  # type: ignore[attr-defined]
    assert roster.header_row == 4 and roster.rows[0].number == 5 and roster.rows[0].values["badge"] == "001"
    assert any(n.sheet == "备忘" and "没有认出" in n.reason for n in report.notices)


def test_rows_after_the_totals_row_are_a_problem_not_silently_lost(tmp_path: Path) -> None:
    path = book(tmp_path / "b.xlsx", {"名册": [
        ["警号", "姓名", "部门"], ["001", "王伟", "治安中队"], ["合计", "1人", None], ["002", "李娜", "治安中队"]]})
    report, workbook = read(path)
    assert [r.values["badge"] for r in workbook.tables[0].rows] == ["001"]  # type: ignore[attr-defined]
    assert [(p.row, "合计" in p.reason) for p in report.problems] == [(4, True)]


def test_a_second_column_for_the_same_field_is_reported(tmp_path: Path) -> None:
    path = book(tmp_path / "b.xlsx", {"名册": [["警号", "姓名", "民警姓名"], ["001", "王伟", "王伟"]]})
    report, _ = read(path)
    assert any(n.column == "C" and "同一项" in n.reason for n in report.notices)


def test_a_changed_score_in_a_locked_export_is_refused(tmp_path: Path) -> None:
    st = station(tmp_path)
    sign_and_lock(st, "2026-03")
    with st.db.session() as s:
        export_period(s, "2026-03", tmp_path / "out.xlsx")
    wb = openpyxl.load_workbook(tmp_path / "out.xlsx")
    wb["积分汇总"]["F2"] = wb["积分汇总"]["F2"].value + 10  # 基础工作积分 of the first person
    wb.save(tmp_path / "edited.xlsx")
    fresh = open_database(tmp_path / "fresh.db")
    with pytest.raises(ImportRejected) as info:
        import_file(fresh, Actor.system("test"), tmp_path / "edited.xlsx")
    report = info.value.report  # a restore takes only an unedited export: the digest refuses it at once
    assert [(p.sheet, p.header) for p in report.problems] == [("说明", "数据校验（SHA-256）")]
    assert "数据校验不符" in report.problems[0].reason
    with fresh.session() as s:
        from desktop.services.roster import has_station

        assert not has_station(s)  # nothing of the station was kept


def test_the_closer_header_wins_when_two_columns_name_one_field(tmp_path: Path) -> None:
    """A county-wide roster: 单位 is the station, 部门 the department (a synonym must not win)."""
    path = book(tmp_path / "b.xlsx", {"名册": [["单位", "警号", "姓名", "部门"], ["滨河派出所", "001", "王伟", "治安中队"]]})
    report, workbook = read(path)
    table = workbook.tables[0]  # type: ignore[attr-defined]
    assert table.columns["department"] == 3 and table.rows[0].values["department"] == "治安中队"
    assert any(n.column == "A" and "同一项" in n.reason for n in report.notices)


def test_uuid_keyed_rows_keep_every_check_of_the_rows_around_them(tmp_path: Path) -> None:
    """Rows keyed by a UUID are told as data at a glance (`reader._plain_key_row`); the header
    printed again, a numbered title, a bad cell and data under the totals row are still found."""
    header = ["记录UUID", "日期", "警号", "项目编号", "分值"]
    u = [f"0000000{i}-0000-4000-8000-00000000000{i}" for i in range(1, 5)]
    path = book(tmp_path / "e.xlsx", {"积分明细": [
        ["2026年3月积分明细"], header,
        [u[0], "2026-03-02", "001", "JC-01", 2],
        header,  # printed on every page
        ["1.second-page-of-the-march-entries"],  # a numbered title, though long ASCII in the key column
        [u[1], "2026-03-03", "001", "JC-01", "两分"],  # a bad cell: a problem on its own row
        [u[2], "2026-03-04", "002", "JC-02", 1.5],
        ["合计", None, None, None, 3.5],
        [u[3], "2026-03-05", "002", "JC-02", 1],  # under the totals row: a problem, not read
    ]})
    report, workbook = read(path)
    table = workbook.tables[0]  # type: ignore[attr-defined]
    assert [(r.number, r.values["uuid"], r.ok, r.section) for r in table.rows] == [
        (3, u[0], True, None), (6, u[1], False, "1.second-page-of-the-march-entries"),
        (7, u[2], True, "1.second-page-of-the-march-entries")]
    assert table.rows[2].values["points"] == 15
    assert [(p.row, p.column) for p in report.problems] == [(6, "E"), (9, "")]
    assert "合计" in report.problems[1].reason
    assert any("重复出现 1 次" in n.reason for n in report.notices)


def test_a_sheet_named_after_a_kind_is_that_kind_when_its_header_fits_and_another_when_not() -> None:
    # `headers.classify` tries the kind a sheet is named after first and stops there when a header
    # fits (that kind wins over any other): the answers must be the ones trying every kind gave.
    from desktop.services.exchange.headers import classify

    roster = [["某某派出所人员名册"], ["警号", "姓名", "部门", "身份", "部门名称"], ["001001", "王伟", "治安中队", "民警", "治安中队"]]
    kind, first, last, columns = classify("人员", roster)
    assert (kind.key, first, last) == ("roster", 1, 1) and columns[0] == "badge"
    # Named 部门 (departments), but its header is a list of 上级加减分: no departments header
    # fits, so the kinds not named come in and the best of them wins.
    adjustments = [["警号", "姓名", "日期", "事由", "加分"], ["001001", "王伟", "2026-11-05", "抓获逃犯", 3]]
    kind, _first, _last, columns = classify("部门", adjustments)
    assert kind.key == "adjustments" and set(columns.values()) >= {"badge", "name", "date", "note", "points"}
    # Named 部门 with a header 部门 can read (名称、类型), though 人员 would match a column more.
    departments = [["名称", "类型", "警号", "姓名"], ["治安中队", "中队", "", ""]]
    kind, *_ = classify("部门", departments)
    assert kind.key == "departments"


def test_a_column_of_date_times_reads_as_each_cell_would() -> None:
    # `_parse_column` gives a column of whole-second date-times back as it is; one with a
    # fraction of a second, a date or a text in it goes cell by cell (rounded, combined, parsed).
    import datetime as dt

    from desktop.services.exchange import reader
    from desktop.services.exchange.cells import parse_datetime

    parse = reader._cell_parser("recorded_at", parse_datetime)
    whole = [dt.datetime(2026, 11, 5, 8, 30, 1), None, dt.datetime(2026, 11, 6, 9, 0)]
    values, parsed = reader._parse_column(parse, whole)
    assert values == whole and parsed is None
    mixed = [dt.datetime(2026, 11, 5, 8, 30, 1, 600_000), dt.date(2026, 11, 6), "2026-11-07 10:00", None]
    values, parsed = reader._parse_column(parse, mixed)
    assert values == [dt.datetime(2026, 11, 5, 8, 30, 2), dt.datetime(2026, 11, 6), dt.datetime(2026, 11, 7, 10), None]
    assert values == [None if v is None else parse_datetime(v) for v in mixed] and parsed is not None


def test_a_sheet_read_as_columns_holds_the_values_its_rows_would(tmp_path: Path) -> None:
    # `read_workbook(rows_for=…)` (a county merge's 积分明细): the same parsed values field by field,
    # a year taken from the title, sections, a totals row skipped, a second block with its own
    # columns, and the same problems and notices, only no `Row`s.
    path = book(tmp_path / "b.xlsx", {"上级加分": [
        ["2026年11月上级加减分"], ["警号", "姓名", "日期", "项目", "加分", "事由"],
        ["一、治安中队"], ["001", "王伟", "11月5日", "SJ-02", 3, "协助"], ["002", "李娜", "2026-11-06", "SJ-02", "abc"],
        ["二、社区中队"], ["003", "张强", "2026-11-07", "SJ-01", 2.5], ["合计", None, None, None, 5.5],
        ["警号", "姓名", "日期", "项目", "加分"], ["004", "赵六", "2026-11-08", "SJ-03", 1],
    ]})
    as_rows, as_columns = ImportReport(path), ImportReport(path)
    with_rows = read_workbook(path, as_rows, Progress())
    without = read_workbook(path, as_columns, Progress(), rows_for=frozenset())
    assert len(with_rows.tables) == len(without.tables) == 2
    for full, bare in zip(with_rows.tables, without.tables, strict=True):
        assert full.values is None and bare.rows == [] and bare.values is not None
        assert bare.row_total() == full.row_total() == len(full.rows) > 0
        assert bare.values == {key: [r.values[key] for r in full.rows] for key in full.columns}
    assert without.tables[0].values["date"][0].isoformat() == "2026-11-05"  # type: ignore[index]
    assert [p.text() for p in as_columns.problems] == [p.text() for p in as_rows.problems] != []
    assert [(n.sheet, n.row, n.reason) for n in as_columns.notices] == [(n.sheet, n.row, n.reason) for n in as_rows.notices]


def test_a_wider_header_further_down_does_not_swallow_the_rows_above_it(tmp_path: Path) -> None:
    # Two blocks, the second with one column more (事由): its header has more fields, but choosing it
    # as the sheet's header would turn the first block's rows into title text, read by nobody.
    path = book(tmp_path / "b.xlsx", {"上级加分": [
        ["2026年11月上级加减分"], ["警号", "姓名", "日期", "项目", "加分"],
        ["001", "王伟", "2026-11-05", "SJ-02", 3], ["002", "李娜", "2026-11-06", "SJ-02", 2],
        ["警号", "姓名", "日期", "项目", "加分", "事由"], ["004", "赵六", "2026-11-08", "SJ-03", 1, "协助"],
    ]})
    report, workbook = read(path)
    tables = workbook.tables  # type: ignore[attr-defined]
    assert [t.header_row for t in tables] == [2, 5]
    assert [[r.values["badge"] for r in t.rows] for t in tables] == [["001", "002"], ["004"]]
    assert tables[1].rows[0].values["note"] == "协助" and not report.problems
