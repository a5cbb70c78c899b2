"""Workbooks as a county clerk makes them in Excel or WPS, built with openpyxl for the tests.

Title rows above the header, merged two-row headers, numbers typed as text, full-width digits,
every date form, blank rows, a totals row and notes under the table, extra columns.
"""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
from pathlib import Path

import openpyxl
from openpyxl.styles import Font

D = dt.date


def _title(ws, text: str, span: str) -> None:  # type: ignore[no-untyped-def]
    ws.append([text])
    ws.merge_cells(span)
    ws["A1"].font = Font(bold=True, size=16)


def roster_book(path: Path) -> Path:
    """人员名册: a two-row header whose group title 基本情况 spans three sub-headers."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "人员名册"
    _title(ws, "海勃湾区公安分局2026年民警名册", "A1:I1")
    ws.append(["填报单位：测试派出所", None, None, None, None, None, "填报日期：2026年3月1日"])
    ws.append(["序号", "警  号", "民警姓名", "基本情况", None, None, "所在部门", "出生年月", "到岗日期"])
    ws.append([None, None, None, "身份", "职务", "考核序列", None, None, None])
    for col in "ABCGHI":
        ws.merge_cells(f"{col}3:{col}4")
    ws.merge_cells("D3:F3")
    ws.append([1, 150001, "王  伟", "民警", "副所长", "治安", "治安中队", "1985.06", D(2020, 3, 1)])
    ws.append([2, "１５０００２", "李　娜", "辅警", "", "治安", "治安中队 ", "1990年1月", "2021/5/6"])
    ws.append([3, " 150003 ", "张强", "民警", "社区民警", "社区", "治安中队", None, "2022.7.8"])
    ws.append([4, "150004", "赵敏", "聘用", None, "社区", "治安中队", None, "2023年9月10日"])
    ws.append([])
    ws.append([])
    ws.append(["合计", None, "4人"])
    ws.append(["注：本表由政工室提供，如有变动请及时报送。"])
    wb.save(path)
    return path


def adjustments_book(path: Path, *, rows: list[list[object]] | None = None) -> Path:
    """上级加减分: 加分 and 减分 under a merged group title, dates in every form people type."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "3月上级加减分"
    _title(ws, "2026年3月县局对民警个人上级加减分登记表", "A1:I1")
    ws.append([])
    ws.append(["序号", "警号", "姓名", "日期", "加减分项目", "加减分情况", None, "事由", "审核人"])
    ws.append([None, None, None, None, None, "加分", "减分", None, None])
    for col in "ABCDEHI":
        ws.merge_cells(f"{col}3:{col}4")
    ws.merge_cells("F3:G3")
    data = rows if rows is not None else good_adjustment_rows()
    for row in data:
        ws.append(row)
    serial = ws.cell(row=6, column=4)
    if isinstance(serial.value, float | int):
        serial.number_format = "General"  # an Excel serial number that nobody formatted as a date
    ws.append([None] * 9)
    ws.append(["合计", None, None, None, None, 11.5, 16.5])
    ws.append(["制表：政工室", None, None, None, None, None, "审核：张局长"])
    wb.save(path)
    return path


def good_adjustment_rows() -> list[list[object]]:
    """Eight rows, one per date form; points typed as numbers, text and full-width text."""
    return [
        [1, 150001, "王伟", D(2026, 3, 2), "SJ-02", 3, None, "县局通报表扬", "张三"],
        [2, "150001", "王伟", 46087.0, "SJ-07", None, 5, "上级通报批评", "张三"],  # serial of 2026-03-06
        [3, "１５０００２", "李娜", "2026-03-05", "受到县局(分局)通报表扬", "３", None, "协助破案", None],
        [4, 150003, "张 强", "2026/3/5", "工作信息被上级采用", "2.5", None, "信息被市局采用", None],
        [5, 150003, None, "2026.3.9", "SJ-10", None, "-2", "报表核查不合格", None],
        [6, None, "赵敏", "2026年3月10日", "SJ-02", "+3分", None, "", None],
        [7, 150004, "赵敏", "２０２６年３月１１日", "sj-09", None, "1.5", "案件评查", None],
        [8, 150002, "李娜", dt.datetime(2026, 3, 12, 9, 30), "上级督察发现问题", None, 3, "督察", None],
    ]


def catalogue_book(path: Path) -> Path:
    """考核细则 from the bureau: the effective date only in the title."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "考核细则"
    _title(ws, "2026年度积分考核细则（自2026年4月1日起施行）", "A1:H1")
    ws.append(["编号", "考核类别", "考核内容", "积分类型", "分值（分）", "月上限", "计量单位", "说明"])
    ws.append(["ZB-01", "值班备勤", "按时到岗", "基础工作积分", "１", 25, "天", ""])
    ws.append(["ZB-02", "值班备勤", "值班（24小时值班）", "基础分", 2, "20", "天", ""])
    ws.append(["JJ-01", "接警处警", "接处警", "基础工作积分", 0.5, 15, "起", "按数量"])
    ws.append(["JR-02", "警容风纪", "着装不规范", "部门扣分", -1, None, "次", "扣分写负数也可"])
    ws.append(["SJ-01", "上级考评", "受到市局通报表扬", "上级加分", 5, None, "次", ""])
    ws.append(["SJ-07", "上级考评", "受到上级通报批评", "上级减分", 5, None, "次", ""])
    ws.append([])
    ws.append(["备注：分值为每次（每天）分数。"])
    wb.save(path)
    return path


def through_libreoffice(book: Path, out_dir: Path) -> Path:
    """The same workbook opened and saved again by LibreOffice Calc (as a WPS or Excel user would)."""
    soffice = shutil.which("soffice")
    assert soffice is not None
    out_dir.mkdir(exist_ok=True)
    subprocess.run([soffice, "--headless", "--convert-to", "xlsx", "--outdir", str(out_dir), str(book)],
                   check=True, capture_output=True, timeout=180)
    return out_dir / book.name
