"""The workbook writer (rustpy-xlsxwriter underneath, issue #18): what the exchange workbook needs
is in the file, and the cells read back the same by calamine, by openpyxl and after LibreOffice has
opened and re-saved the file."""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from python_calamine import CalamineWorkbook

from desktop.exporters.xlsx.writer import Column, Sheet, write_workbook

COLUMNS = [
    Column("编号", width=36, hidden=True),
    Column("日期", "date", 11),
    Column("姓名", width=10),
    Column("分值", "points", 7),
    Column("次数", "int", 6),
    Column("一票否决", "bool", 5),
    Column("事实说明", width=20, wrap=True),
    Column("登记时间", "datetime", 19),
    Column("摘要", width=30, hidden=True),
]
ROWS = [
    ["0b9c0d3e-1a2b-4c5d-8e9f-000000000001", dt.date(2026, 11, 5), "=1+2", Decimal("-12.5"), 3, False,
     "在辖区开展夜间巡逻，查获违法嫌疑人两名，移交刑侦中队处理，群众送来锦旗一面", dt.datetime(2026, 11, 5, 9, 30, 15, 120),
     "ab12"],
    ["0b9c0d3e-1a2b-4c5d-8e9f-000000000002", dt.date(2026, 11, 6), "@张三", Decimal("2.0"), 1, True, "", None, "cd34"],
    ["0b9c0d3e-1a2b-4c5d-8e9f-000000000003", None, "李\x07四", None, None, None, "+5 分", dt.datetime(2026, 11, 7), "-1"],
]


def _book(path: Path) -> Path:
    sheets = [
        Sheet("积分明细", COLUMNS, ROWS, title="城关派出所 2026年11月 积分明细"),
        Sheet("奖励", [Column("姓名"), Column("奖励名称", width=20)], []),
        Sheet("说明", [Column("项"), Column("值", width=40)], [["导出时间", "2026-11-30"]],
              title="数据交换工作簿", title_row=True, landscape=False, filter=False),
    ]
    write_workbook(path, sheets, first="说明")
    return path


def _cells(path: Path) -> dict[str, list[list[object]]]:
    book = CalamineWorkbook.from_path(str(path))
    try:
        return {name: book.get_sheet_by_name(name).to_python() for name in book.sheet_names}
    finally:
        book.close()


EXPECTED_ENTRIES = [
    [c.header for c in COLUMNS],
    ["0b9c0d3e-1a2b-4c5d-8e9f-000000000001", dt.date(2026, 11, 5), "=1+2", -12.5, 3.0, "否",
     ROWS[0][6], dt.datetime(2026, 11, 5, 9, 30, 15), "ab12"],
    ["0b9c0d3e-1a2b-4c5d-8e9f-000000000002", dt.date(2026, 11, 6), "@张三", 2.0, 1.0, "是", "", "", "cd34"],
    # calamine reads a midnight time stamp as a date, whichever program wrote it
    ["0b9c0d3e-1a2b-4c5d-8e9f-000000000003", "", "李四", "", "", "", "+5 分", dt.date(2026, 11, 7), "-1"],
]


def test_cells_are_written_as_their_kinds_and_text_stays_text(tmp_path: Path) -> None:
    cells = _cells(_book(tmp_path / "book.xlsx"))
    assert list(cells) == ["说明", "积分明细", "奖励"]  # 说明 was made last but is the first tab
    assert cells["积分明细"] == EXPECTED_ENTRIES
    assert cells["奖励"] == [["姓名", "奖励名称"]]  # an empty sheet still has its header
    assert cells["说明"][0][0] == "数据交换工作簿" and cells["说明"][1:] == [["项", "值"], ["导出时间", "2026-11-30"]]


def test_the_sheet_is_set_up_for_screen_and_paper(tmp_path: Path) -> None:
    wb = openpyxl.load_workbook(_book(tmp_path / "book.xlsx"))
    ws = wb["积分明细"]
    assert ws["C2"].data_type == "s" and ws["C2"].value == "=1+2" and ws["C2"].quotePrefix  # never a formula
    assert ws["A1"].font.bold and ws["A1"].font.name == "宋体"
    assert ws.freeze_panes == "A2" and ws.auto_filter.ref == "A1:I4"
    assert ws.print_title_rows == "$1:$1" and int(ws.page_setup.paperSize) == 9
    assert ws.page_setup.orientation == "landscape" and ws.sheet_properties.pageSetUpPr.fitToPage
    assert ws.oddHeader.center.text == "城关派出所 2026年11月 积分明细"
    assert ws.column_dimensions["A"].hidden and ws.column_dimensions["I"].hidden  # technical columns
    assert not ws.column_dimensions["C"].hidden
    assert ws.column_dimensions["G"].width == pytest.approx(20, abs=0.01)  # the width asked for is stored
    assert ws["D2"].number_format == "0.0" and ws["B2"].number_format == "yyyy-mm-dd"
    assert ws["H2"].number_format == "yyyy-mm-dd hh:mm:ss"
    assert ws["G2"].alignment.wrap_text and ws.row_dimensions[2].height > 30  # the long fact wraps
    about = wb["说明"]
    assert "A1:B1" in {str(r) for r in about.merged_cells.ranges} and about["A1"].font.name == "黑体"
    assert about.freeze_panes == "A3" and about.page_setup.orientation == "portrait"
    assert about.auto_filter.ref is None


def test_a_one_column_sheet_keeps_its_title(tmp_path: Path) -> None:
    """Excel cannot merge a single cell: the title of a one-column sheet spans two columns."""
    path = tmp_path / "one.xlsx"
    write_workbook(path, [Sheet("名单", [Column("姓名")], [["张三"]], title="城关派出所名单", title_row=True)])
    assert _cells(path)["名单"] == [["城关派出所名单"], ["姓名"], ["张三"]]
    assert "A1:B1" in {str(r) for r in openpyxl.load_workbook(path)["名单"].merged_cells.ranges}


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice is not installed")
def test_libreoffice_reads_the_same_cells(tmp_path: Path) -> None:
    """Opened and re-saved by LibreOffice (as a clerk's Calc or WPS does), every cell is the same."""
    book = _book(tmp_path / "book.xlsx")
    out = tmp_path / "resaved"
    subprocess.run(["soffice", "--headless", f"-env:UserInstallation=file://{tmp_path}/lo", "--convert-to",
                    "xlsx:Calc MS Excel 2007 XML", "--outdir", str(out), str(book)],
                   check=True, capture_output=True, timeout=180)
    resaved = _cells(out / "book.xlsx")
    assert resaved["积分明细"] == EXPECTED_ENTRIES
    assert list(resaved) == ["说明", "积分明细", "奖励"] and resaved["奖励"] == [["姓名", "奖励名称"]]
