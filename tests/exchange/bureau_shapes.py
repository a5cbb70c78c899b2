"""Workbooks in the shapes real bureaus send, built with openpyxl for the tests.

Modelled on public 公安人事 rosters (人员类别 人民警察 / 警务辅助人员, 公民身份号码, 工作单位名称(文字)),
county 上级加减分 registers (加减分事由, 类别 上级加分/上级减分, 依据文件, no item column) and
clerks' own lists (姓名 and a signed 分数 only; one sheet per department; several blocks in one
sheet; dates written once in a merged cell and without a year).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import openpyxl
from openpyxl.styles import Alignment, Font

from desktop.services.id_numbers import check_digit

D = dt.date


def id_number(region: str, born: str, seq: str) -> str:
    """A valid 18-character number (region 6, birth date 8, sequence 3, check)."""
    first = region + born + seq
    return first + check_digit(first)


WANG = id_number("150302", "19850612", "013")
LI = id_number("150302", "19900101", "024")
ZHANG = id_number("150303", "19920708", "031")


def _title(ws, text: str, span: str) -> None:  # type: ignore[no-untyped-def]
    ws.append([text])
    ws.merge_cells(span)
    ws[span.split(":")[0]].font = Font(bold=True, size=16)
    ws[span.split(":")[0]].alignment = Alignment(horizontal="center")


def personnel_roster(path: Path) -> Path:
    """公安人事-style roster: 公民身份号码, 人员类别, 工作单位名称(文字), 人员所属部门和警种; the 警号
    of the auxiliary is blank in the bureau's system, so his 辅警编号 column carries it."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "人员基本信息"
    _title(ws, "测试县公安局人员基本信息表", "A1:J1")
    ws.append(["序号", "姓名", "性别", "公民身份号码", "人员类别", "警号(工号)", "工作单位名称(文字)",
               "人员所属部门和警种", "现任职务", "参加公安工作时间"])
    ws.append([1, "王伟", "男", WANG, "人民警察", "150001", "测试派出所", "治安中队", "副所长", "2008.07"])
    ws.append([2, "李娜", "女", LI, "警务辅助人员", "FJ0002", "测试派出所", "治安中队", "", "2019-03"])
    ws.append([3, "张强", "男", ZHANG, "人民警察", "150003", "测试派出所", "治安中队", "社区民警", "2014年9月"])
    ws.append([4, "赵敏", "女", None, "工勤", "GQ0004", "测试派出所", "治安中队", "炊事员", None])
    wb.save(path)
    return path


def county_register(path: Path) -> Path:
    """A county's 上级加减分 register: 加减分事由 and 类别, no item column, 依据文件."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "3月"
    _title(ws, "2026年3月份全县民警上级加减分情况登记表", "A1:I1")
    ws.append(["序号", "警号", "姓名", "人员所属部门和警种", "日期", "加减分事由", "类别", "分值", "依据文件"])
    ws.append([1, "150001", "王伟", "治安中队", D(2026, 3, 5), "县局通报表扬：成功调解重大矛盾纠纷", "上级加分", 3,
               "测公通〔2026〕12号"])
    ws.append([2, "150003", "张强", "治安中队", D(2026, 3, 9), "市局通报表扬", "上级加分", 5, "市公通〔2026〕3号"])
    ws.append([3, "150001", "王伟", "治安中队", D(2026, 3, 12), "全市大练兵比武获第二名", "上级加分", 4, None])
    ws.append([4, "150003", "张强", "治安中队", D(2026, 3, 16), "受到上级通报批评", "上级减分", 5, "测公督〔2026〕2号"])
    ws.append([5, "150001", "王伟", "治安中队", D(2026, 3, 20), "县局通报表扬（信息报送）", "上级加分", 2, None])
    ws.append([6, "150003", "张强", "治安中队", D(2026, 3, 25), "执法质量考评发现问题", "上级减分", 1.5, None])
    ws.append(["合计", None, None, None, None, None, None, 20.5])
    wb.save(path)
    return path


def signed_scores(path: Path, rows: list[list[object]] | None = None) -> Path:
    """A clerk's list: 姓名, a signed 分数 and 加扣分事项; the month only in the title."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "上级加扣分"
    _title(ws, "2026年4月上级加扣分情况", "A1:C1")
    ws.append(["姓名", "分数", "加扣分事项"])
    for row in rows if rows is not None else [["王伟", 3, "县局通报表扬"], ["张强", -2, "考勤抽查不合格"]]:
        ws.append(row)
    wb.save(path)
    return path


def by_id_number(path: Path) -> Path:
    """奖惩对象 and 身份证号 only (no 警号), 奖惩类别 奖励 / 惩处."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "奖惩"
    ws.append(["奖惩对象", "身份证号", "奖惩日期", "奖惩类别", "加减分值", "奖惩事由"])
    ws.append(["王伟", WANG, "2026-03-10", "奖励", 5, "市局通报表扬"])
    ws.append(["李娜", LI.lower(), "2026-03-11", "惩处", 2, "上级抽查考核不合格"])
    wb.save(path)
    return path


def per_department(path: Path) -> Path:
    """One sheet per department, no 部门 column: the sheet name is the department."""
    wb = openpyxl.Workbook()
    first = wb.active
    first.title = "治安中队"
    first.append(["警号", "姓名", "身份"])
    first.append(["150001", "王伟", "民警"])
    first.append(["150005", "孙丽", "民警"])
    second = wb.create_sheet("社区中队名册")
    second.append(["警号", "姓名", "身份"])
    second.append(["150006", "周涛", "辅警"])
    wb.save(path)
    return path


def blocks_in_one_sheet(path: Path) -> Path:
    """Two departments in one sheet, each under its own title row and header; the header of the
    second block has its columns in another order; a totals row after each block."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "名册"
    _title(ws, "测试派出所民警花名册", "A1:D1")
    ws.append(["一、治安中队"])
    ws.merge_cells("A2:D2")
    ws.append(["序号", "警号", "姓名", "职务"])
    ws.append([1, "150001", "王伟", "副所长"])
    ws.append([2, "150005", "孙丽", "民警"])
    ws.append(["小计", None, "2人"])
    ws.append(["二、社区中队"])
    ws.merge_cells("A7:D7")
    ws.append(["序号", "姓名", "警号", "职务"])
    ws.append([1, "周涛", "150006", "社区民警"])
    ws.append(["序号", "姓名", "警号", "职务"])  # the header printed again on the next page
    ws.append([2, "吴刚", "150007", "社区民警"])
    wb.save(path)
    return path


def merged_and_yearless(path: Path) -> Path:
    """The date written once for three rows in a merged cell, and without its year."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "加减分"
    _title(ws, "2026年上级加减分登记", "A1:E1")
    ws.append(["日期", "警号", "姓名", "项目", "分值"])
    ws.append(["3月6日", "150001", "王伟", "SJ-02", 3])
    ws.append([None, "150003", "张强", "SJ-02", 3])
    ws.append([None, "150001", "王伟", "SJ-01", 5])
    ws.merge_cells("A3:A5")
    ws.append(["3月18日", "150003", "张强", "SJ-07", -5])
    wb.save(path)
    return path
