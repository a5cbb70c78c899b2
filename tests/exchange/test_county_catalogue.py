"""A county's own 考核细则 (issue #16 item 3): title rows, section rows or merged 类别 cells, points
written as text, no item codes and no 积分组成; every inferred value shown for confirmation."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import openpyxl
import pytest
from openpyxl.worksheet.worksheet import Worksheet
from sqlalchemy import select

from desktop.models.catalogue import CatalogueVersion
from desktop.models.db import Database
from desktop.models.enums import PointsMode
from desktop.services.exchange import reader
from desktop.services.exchange.catalogue_text import (
    UNREADABLE,
    TextPoints,
    code_prefix,
    merge,
    parse_points_text,
    section_heading,
    section_name,
)
from desktop.services.exchange.cells import CellError
from desktop.services.exchange.import_ import import_file
from desktop.services.exchange.report import ImportRejected, ImportReport, Progress
from tests.services.builders import World, world

START = dt.date(2026, 3, 1)
FIXED, PER_UNIT, RANGE = PointsMode.FIXED.value, PointsMode.PER_UNIT.value, PointsMode.RANGE.value
TITLE = "测试县公安局派出所民警积分制考核细则"


@pytest.fixture
def w(db: Database) -> World:
    return world(db)


def _titles(ws: Worksheet, width: str) -> None:
    ws.append([TITLE])
    ws.merge_cells(f"A1:{width}1")
    ws.append(["（自2026年3月1日起施行）"])
    ws.merge_cells(f"A2:{width}2")


def _section(ws: Worksheet, text: str, width: str) -> None:
    ws.append([text])
    ws.merge_cells(f"A{ws.max_row}:{width}{ws.max_row}")


def sections_book(path: Path, *, bad: str | None = None) -> Path:
    """Categories as section rows merged across the table; 计分标准 as text; a 备注 column."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "考核细则"
    _titles(ws, "D")
    ws.append(["序号", "考核内容", "计分标准", "备注"])  # row 3
    _section(ws, "一、基础工作（60分）", "D")  # row 4
    ws.append([1, "按时到岗", "每天1分，每月最高25分", None])
    ws.append([2, "接处警", "每起0.5分", "以警情系统为准"])
    ws.append([3, "办理刑事案件（主办）", bad or "每起3分", None])
    _section(ws, "二、部门加减分", "D")  # row 8
    _section(ws, "（一）加分项目", "D")
    ws.append([1, "抓获网上逃犯", "每人加3分", None])  # row 10
    ws.append([2, "窗口服务受到群众好评", "加1分，每月最高加5分", None])
    ws.append([3, "处警中救助群众、挽回群众损失", "酌情加1-3分", "视情节"])
    _section(ws, "（二）扣分项目", "D")
    ws.append([1, "迟到、早退", "每次扣2分", None])  # row 14
    ws.append([2, "被群众有效投诉（经核实）", "扣2～5分", None])
    ws.append([3, "着装不规范", "-1", None])
    _section(ws, "三、上级考评", "D")  # row 17
    ws.append([1, "受到县局通报表扬", "加3分", None])
    ws.append([2, "受到上级通报批评", "扣5分", None])
    ws.append([3, "工作信息被市局采用", "每篇加0.5分，最高不超过10分", None])  # row 20
    ws.append([])
    ws.append(["合计", None, "100分"])
    ws.append(["注：本细则由县局政工室负责解释。"])
    wb.save(path)
    return path


SECTION_ITEMS = [  # code, category, subcategory, name, component, mode, points, min, max, cap, unit
    ("JCGZ-01", "基础工作", "", "按时到岗", "base", FIXED, 10, None, None, 250, "天"),
    ("JCGZ-02", "基础工作", "", "接处警", "base", PER_UNIT, 5, None, None, None, "起"),
    ("JCGZ-03", "基础工作", "", "办理刑事案件（主办）", "base", PER_UNIT, 30, None, None, None, "起"),
    ("BMJJ-01", "部门加减分", "加分项目", "抓获网上逃犯", "dept_bonus", PER_UNIT, 30, None, None, None, "人"),
    ("BMJJ-02", "部门加减分", "加分项目", "窗口服务受到群众好评", "dept_bonus", FIXED, 10, None, None, 50, "次"),
    ("BMJJ-03", "部门加减分", "加分项目", "处警中救助群众、挽回群众损失", "dept_bonus", RANGE, 10, 10, 30, None, "次"),
    ("BMJJ-04", "部门加减分", "扣分项目", "迟到、早退", "dept_deduction", FIXED, 20, None, None, None, "次"),
    ("BMJJ-05", "部门加减分", "扣分项目", "被群众有效投诉（经核实）", "dept_deduction", RANGE, 20, 20, 50, None, "次"),
    ("BMJJ-06", "部门加减分", "扣分项目", "着装不规范", "dept_deduction", FIXED, 10, None, None, None, "次"),
    ("SJKP-01", "上级考评", "", "受到县局通报表扬", "higher_bonus", FIXED, 30, None, None, None, "次"),
    ("SJKP-02", "上级考评", "", "受到上级通报批评", "higher_deduction", FIXED, 50, None, None, None, "次"),
    ("SJKP-03", "上级考评", "", "工作信息被市局采用", "higher_bonus", PER_UNIT, 5, None, None, 100, "篇"),
]


def merged_book(path: Path) -> Path:
    """Categories in vertically merged 类别 cells; 计分标准 beside a 分值 column; totals and a note under it."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Sheet1"
    _titles(ws, "F")
    ws.append(["序号", "类别", "考核内容", "计分标准", "分值", "备注"])  # row 3
    ws.append([1, "基础工作", "按时到岗", "每天1分，每月最高25分", None, None])
    ws.append([2, None, "值班（24小时值班）", "每天2分", 2, None])
    ws.append([3, None, "接处警", None, "0.5", "按起计"])
    ws.append([4, "奖励加分", "抓获网上逃犯", "每人加3分", None, None])
    ws.append([5, None, "受到群众赠送锦旗、感谢信", "酌情加1-3分", 2, "需附照片"])
    ws.append([6, "上级考评", "受到县局通报表扬", "加3分", None, None])
    ws.append([7, None, "受到市局通报批评", "每次扣5分", None, None])
    ws.append([8, "纪律作风", "迟到早退", "扣2分", None, None])
    ws.append([9, None, "工作时间饮酒", "扣2至5分", None, None])  # row 12
    for span in ("B4:B6", "B7:B8", "B9:B10", "B11:B12"):
        ws.merge_cells(span)
    ws.append([])
    ws.append(["合计", None, None, None, 100])
    ws.append(["注：分值为每次（每天）分数。"])
    wb.save(path)
    return path


MERGED_ITEMS = [
    ("JCGZ-01", "基础工作", "", "按时到岗", "base", FIXED, 10, None, None, 250, "天"),
    ("JCGZ-02", "基础工作", "", "值班（24小时值班）", "base", FIXED, 20, None, None, None, "天"),
    ("JCGZ-03", "基础工作", "", "接处警", "base", FIXED, 5, None, None, None, "次"),
    ("JLJF-01", "奖励加分", "", "抓获网上逃犯", "dept_bonus", PER_UNIT, 30, None, None, None, "人"),
    ("JLJF-02", "奖励加分", "", "受到群众赠送锦旗、感谢信", "dept_bonus", RANGE, 20, 10, 30, None, "次"),
    ("SJKP-01", "上级考评", "", "受到县局通报表扬", "higher_bonus", FIXED, 30, None, None, None, "次"),
    ("SJKP-02", "上级考评", "", "受到市局通报批评", "higher_deduction", FIXED, 50, None, None, None, "次"),
    ("JLZF-01", "纪律作风", "", "迟到早退", "dept_deduction", FIXED, 20, None, None, None, "次"),
    ("JLZF-02", "纪律作风", "", "工作时间饮酒", "dept_deduction", RANGE, 20, 20, 50, None, "次"),
]


def items(db: Database) -> list[tuple[object, ...]]:
    with db.session() as s:
        version = s.scalar(select(CatalogueVersion).where(CatalogueVersion.effective_from == START))
        assert version is not None and version.name == TITLE
        return [(i.code, i.category, i.subcategory, i.name, i.component, i.points_mode, i.points_tenths,
                 i.min_tenths, i.max_tenths, i.monthly_cap_tenths, i.unit)
                for i in sorted(version.items, key=lambda i: i.sort_order)]


def test_section_rows_and_points_in_words(w: World, tmp_path: Path) -> None:
    book = sections_book(tmp_path / "county.xlsx")
    report = import_file(w.db, w.clerk, book)
    assert report.counts["考核细则版本"].new == 1 and report.counts["考核细则项目"].new == 12, report.text()
    assert report.sheets["考核细则"] == "考核细则（表头在第 3 行）"
    assert items(w.db) == SECTION_ITEMS
    notices = {(n.row, n.reason) for n in report.notices}
    assert (4, "分节行：以下项目的类别为“基础工作”") in notices
    assert (13, "分节行：以下项目的类别为“部门加减分”，子类为“扣分项目”") in notices
    again = import_file(w.db, w.clerk, book)
    assert again.counts["考核细则版本"].unchanged == 1 and again.counts["考核细则项目"].unchanged == 12
    assert items(w.db) == SECTION_ITEMS


def test_the_dry_run_lists_what_was_inferred(w: World, tmp_path: Path) -> None:
    report = import_file(w.db, w.clerk, sections_book(tmp_path / "county.xlsx"), dry_run=True)
    assert report.ok and report.counts["考核细则项目"].new == 12, report.text()
    derived = report.derived["考核细则"]
    assert derived[5] == {"类别": "基础工作（分节行）", "项目编号": "JCGZ-01",
                          "积分组成": "基础工作积分（类别含“基础”，未写加减）",
                          "计分": "固定分值：1.0 分/天，月上限 25.0 分"}
    assert derived[14]["积分组成"] == "部门扣分（写有“扣”）"
    assert derived[16]["积分组成"] == "部门扣分（分值为负数）"
    assert derived[19]["积分组成"] == "上级减分（类别含“上级”，写有“扣”）"
    assert derived[12]["计分"] == "区间赋分：1.0–3.0 分/次"
    assert derived[20]["计分"] == "按数量计分：每篇 0.5 分，月上限 10.0 分"
    text = report.text()
    assert "导入时的判断（请核对）：" in text
    assert ("工作表“考核细则”第 10 行 → 类别：部门加减分（分节行），子类 加分项目；项目编号：BMJJ-01；"
            "积分组成：部门加分（写有“加”）；计分：按数量计分：每人 3.0 分") in text
    with w.db.session() as s:
        assert s.scalar(select(CatalogueVersion).where(CatalogueVersion.effective_from == START)) is None


def test_unreadable_points_are_refused_naming_the_cell(w: World, tmp_path: Path) -> None:
    with pytest.raises(ImportRejected) as info:
        import_file(w.db, w.clerk, sections_book(tmp_path / "bad.xlsx", bad="表现突出的酌情奖励"))
    problems = info.value.report.problems
    assert [p.text() for p in problems] == [
        "工作表“考核细则” 第 7 行 C 列（计分标准），值“表现突出的酌情奖励”：" + UNREADABLE]
    assert UNREADABLE == ("无法识别的计分标准，可写作 3、-2、加3分、扣5分、每起加2分、每次扣5分、每人次0.5分、2-5分、"
                          "2～5分、加2至5分、酌情加1-3分，可另写月上限，如“每月最高加10分”“最高不超过20分”")
    with w.db.session() as s:
        assert s.scalar(select(CatalogueVersion).where(CatalogueVersion.effective_from == START)) is None


def test_merged_category_cells(w: World, tmp_path: Path) -> None:
    book = merged_book(tmp_path / "merged.xlsx")
    report = import_file(w.db, w.clerk, book)
    assert report.counts["考核细则项目"].new == 9, report.text()
    assert items(w.db) == MERGED_ITEMS
    assert import_file(w.db, w.clerk, book).counts["考核细则版本"].unchanged == 1


def _version_items(db: Database) -> list[tuple[object, ...]]:
    with db.session() as s:
        version = s.scalar(select(CatalogueVersion).where(CatalogueVersion.effective_from == START))
        assert version is not None
        return [(i.code, i.category, i.name, i.component, i.points_mode, i.points_tenths, i.min_tenths,
                 i.max_tenths) for i in sorted(version.items, key=lambda i: i.sort_order)]


def test_points_as_text_in_the_points_column(w: World, tmp_path: Path) -> None:
    """分值 typed as words: the reader's “应为数字” gives way to the catalogue's own reading."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["2026年民警考核细则（自2026年3月1日起施行）"])
    ws.append(["类别", "考核内容", "分值"])
    ws.append(["值班备勤", "参加安保勤务", "每次2分"])
    ws.append(["值班备勤", "脱岗、睡岗", "扣5分"])
    ws.append(["执法办案", "抓获网上逃犯", "每人3分"])
    ws.append(["执法办案", "侦破重大案件", "酌情加3-10分"])
    wb.save(tmp_path / "text.xlsx")
    ws["C4"] = "扣5分，加2分"
    ws["C5"] = "按实际情况"
    wb.save(tmp_path / "bad.xlsx")
    with pytest.raises(ImportRejected) as info:
        import_file(w.db, w.clerk, tmp_path / "bad.xlsx")
    assert [p.text() for p in info.value.report.problems] == [
        "工作表“Sheet” 第 4 行 C 列（分值），值“扣5分，加2分”：一项只能有一个分值（这里写了 2 个），请分成几行，每行一个分值",
        f"工作表“Sheet” 第 5 行 C 列（分值），值“按实际情况”：{UNREADABLE}"]
    report = import_file(w.db, w.clerk, tmp_path / "text.xlsx")
    assert report.counts["考核细则项目"].new == 4, report.text()
    assert _version_items(w.db) == [("ZBBQ-01", "值班备勤", "参加安保勤务", "dept_bonus", FIXED, 20, None, None),
                                    ("ZBBQ-02", "值班备勤", "脱岗、睡岗", "dept_deduction", FIXED, 50, None, None),
                                    ("ZFBA-01", "执法办案", "抓获网上逃犯", "dept_bonus", PER_UNIT, 30, None, None),
                                    ("ZFBA-02", "执法办案", "侦破重大案件", "dept_bonus", RANGE, 30, 30, 100)]


def test_the_group_in_kaohe_xiangmu_is_the_category(w: World, tmp_path: Path) -> None:
    """考核项目 (the group) beside 考核内容 (the item) and no 类别 column."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["自2026年3月1日起施行"])
    ws.append(["考核项目", "考核内容", "计分标准"])
    ws.append(["1.值班备勤", "参加安保勤务", "每次2分"])
    ws.append(["1.值班备勤", "值班期间脱岗", "每次扣5分"])
    ws.append(["2.县局考评", "受到县局表彰", "加5分"])
    wb.save(tmp_path / "group.xlsx")
    report = import_file(w.db, w.clerk, tmp_path / "group.xlsx")
    assert report.counts["考核细则项目"].new == 3, report.text()
    assert _version_items(w.db) == [("ZBBQ-01", "值班备勤", "参加安保勤务", "dept_bonus", FIXED, 20, None, None),
                                    ("ZBBQ-02", "值班备勤", "值班期间脱岗", "dept_deduction", FIXED, 50, None, None),
                                    ("XJKP-01", "县局考评", "受到县局表彰", "higher_bonus", FIXED, 50, None, None)]
    assert report.derived["Sheet"][5]["类别"] == "县局考评（“考核项目”列）"


def test_a_county_catalogue_without_a_date_is_refused_as_before(w: World, tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append([TITLE])
    ws.append(["类别", "考核内容", "计分标准"])
    ws.append(["基础工作", "按时到岗", "每天1分"])
    wb.save(tmp_path / "nodate.xlsx")
    with pytest.raises(ImportRejected) as info:
        import_file(w.db, w.clerk, tmp_path / "nodate.xlsx")
    assert [p.reason for p in info.value.report.problems] == [
        "缺少生效日期：请加一列“生效日期”，或在表格标题中写明“自2026年4月1日起施行”"]


def test_other_sheets_are_not_taken_for_a_catalogue(tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    sheets = {
        "Sheet1": [["姓名", "考核项目", "类别", "分值"], ["王伟", "SJ-02", "上级加分", 3]],
        "Sheet2": [["警号", "姓名", "类别", "分值", "日期"], ["150001", "王伟", "上级减分", 2, "2026-03-02"]],
        "Sheet3": [["代码", "名称", "类别"], ["JWS-01", "城关警务室", "一类"]],
        "Sheet4": [["序号", "类别", "考核内容", "分值"], [1, "基础工作", "按时到岗", 1]],
        "Sheet5": [["考核内容", "计分标准"], ["按时到岗", "每天1分"]],
    }
    for name, rows in sheets.items():
        ws = wb.create_sheet(name)
        for row in rows:
            ws.append(row)
    wb.save(tmp_path / "kinds.xlsx")
    workbook = reader.read_workbook(tmp_path / "kinds.xlsx", ImportReport(tmp_path / "kinds.xlsx"), Progress())
    assert {t.sheet: t.kind.key for t in workbook.tables} == {
        "Sheet1": "adjustments", "Sheet2": "adjustments", "Sheet3": "units", "Sheet4": "catalogue", "Sheet5": "catalogue"}


def P(mode: PointsMode, points: int, low: int | None = None, high: int | None = None, cap: int | None = None,
      sign: int | None = None, word: str = "", unit: str | None = None, given: bool = True,
      ceiling: int | None = None) -> TextPoints:
    return TextPoints(mode, points, low, high, cap, sign, word, unit, given, ceiling)


F_, U_, R_ = PointsMode.FIXED, PointsMode.PER_UNIT, PointsMode.RANGE


@pytest.mark.parametrize(("text", "expected"), [
    ("3", P(F_, 30)),
    (2.5, P(F_, 25)),
    ("-2", P(F_, 20, sign=-1, word="负数")),
    (-1.0, P(F_, 10, sign=-1, word="负数")),
    ("+1", P(F_, 10, sign=1, word="正号")),
    ("加3分", P(F_, 30, sign=1, word="加")),
    ("奖励2分", P(F_, 20, sign=1, word="奖励")),
    ("扣5分", P(F_, 50, sign=-1, word="扣")),
    ("减1分", P(F_, 10, sign=-1, word="减")),
    ("扣二分", P(F_, 20, sign=-1, word="扣")),
    ("三分", P(F_, 30)),
    ("每月加十五分", P(F_, 150, unit="月", sign=1, word="加")),
    ("加半分", P(F_, 5, sign=1, word="加")),
    ("每起加2分", P(U_, 20, sign=1, word="加", unit="起")),
    ("每次扣5分", P(F_, 50, sign=-1, word="扣", unit="次")),
    ("每天1分", P(F_, 10, unit="天")),
    ("每人次0.5分", P(U_, 5, unit="人次")),
    ("每发现一起扣2分", P(U_, 20, sign=-1, word="扣", unit="起")),
    ("2分/起", P(U_, 20, unit="起")),
    ("2-5分", P(R_, 20, 20, 50)),
    ("2～5分", P(R_, 20, 20, 50)),
    ("2—5分", P(R_, 20, 20, 50)),
    ("加2至5分", P(R_, 20, 20, 50, sign=1, word="加")),
    ("酌情加1-3分", P(R_, 10, 10, 30, sign=1, word="加")),
    ("扣2-5分", P(R_, 20, 20, 50, sign=-1, word="扣")),
    ("每起加1-3分", P(R_, 10, 10, 30, sign=1, word="加", unit="起")),
    ("每起加2分，每月最高加10分", P(U_, 20, cap=100, sign=1, word="加", unit="起", ceiling=100)),
    ("每次加1分（每月累计不超过5分）", P(F_, 10, cap=50, sign=1, word="加", unit="次", ceiling=50)),
    ("每篇加0.5分，最高不超过10分", P(U_, 5, cap=100, sign=1, word="加", unit="篇", ceiling=100)),
    ("10分封顶，每次加1分", P(F_, 10, cap=100, sign=1, word="加", unit="次", ceiling=100)),
    ("每月最高加10分", P(R_, 0, 0, 100, cap=100, sign=1, word="加", given=False, ceiling=100)),
    ("最高不超过20分", P(R_, 0, 0, 200, given=False, ceiling=200)),
    ("酌情扣分，每月最多扣10分", P(R_, 0, 0, 100, cap=100, sign=-1, word="扣", given=False, ceiling=100)),
    ("未按时完成的，每次扣除3分", P(F_, 30, sign=-1, word="扣除", unit="次")),
])
def test_points_text_forms(text: object, expected: TextPoints) -> None:
    assert parse_points_text(text) == expected


@pytest.mark.parametrize(("text", "reason"), [
    ("表现突出的酌情奖励", UNREADABLE),
    ("", "分值不能为空"),
    ("主办加3分，协办加1分", "一项只能有一个分值（这里写了 2 个），请分成几行，每行一个分值"),
    ("每3起加1分", "“每3……”计分不能导入：分值应写成每一个计量单位的分数，如“每起加2分”"),
    ("全年最高加20分", "考核细则只能设每月上限：“全年最高加20分”不能导入，请改为每月上限或删去"),
    ("每起加2分，每月最高扣10分", "计分标准中既有加分又有扣分，一项只能是其中一种，请分成两行"),
    ("每月最高10分，最高不超过20分", "计分标准中有两个上限，请只保留一个（月上限）"),
    ("5-2分", "区间分值的下限 5 大于上限 2"),
    ("每起加0.25分", "分值最多保留一位小数"),
])
def test_unreadable_points_texts(text: str, reason: str) -> None:
    with pytest.raises(CellError) as info:
        parse_points_text(text)
    assert str(info.value) == reason


def test_points_column_and_standard_column_read_together() -> None:
    number = parse_points_text(2)
    assert merge(number, parse_points_text("每天2分")) == P(F_, 20, unit="天")
    assert merge(number, parse_points_text("酌情加1-3分")) == P(R_, 20, 10, 30, sign=1, word="加")
    assert merge(number, parse_points_text("最高不超过20分")) == P(F_, 20, cap=200)
    with pytest.raises(CellError, match="分值与计分标准中的分数不一致"):
        merge(number, parse_points_text("每起加3分"))
    with pytest.raises(CellError, match="一个是加分、一个是扣分"):
        merge(parse_points_text(-2), parse_points_text("加2分"))


def test_code_prefixes() -> None:
    assert code_prefix("基础工作", set()) == "JCGZ"
    assert code_prefix("基础", {"JC"}) == "JC2"  # 基层基础's JC- prefix, or another category's
    assert code_prefix("上级考评", set()) == "SJKP"
    assert code_prefix("110接处警", set()) == "JCJ"


@pytest.mark.parametrize(("text", "name"), [
    ("一、基础工作（60分）", "基础工作"),
    ("（一）加分项目", "加分项目"),
    ("(二)扣分项目：", "扣分项目"),
    ("1.值班备勤", "值班备勤"),
    ("第三部分 上级考评", "上级考评"),
    ("四、奖励加分（最高20分）", "奖励加分"),
    ("基础工作 60分", "基础工作"),
])
def test_section_names(text: str, name: str) -> None:
    assert section_name(text) == name


@pytest.mark.parametrize(("cells", "expected"), [
    (["一、基础工作（60分）", None, None, None], (1, "基础工作", [0])),  # merged across: text in 序号
    (["二、上级考评"] * 4, (1, "上级考评", [0, 1, 2, 3])),  # a merged cell filled across the row
    (["一", "基础工作", None, None], (1, "基础工作", [1])),  # 序号 “一” numbers a section
    ([None, "（一）加分项目", None, None], (2, "加分项目", [1])),
    (["奖励加分", None, None, None], (1, "奖励加分", [0])),
    ([3, "按时到岗", None, None], None),  # an item whose points are missing
    ([None, None, None, "以系统为准"], None),  # a remark
    ([1, "按时到岗", "每天1分", None], None),
    (["加3分", None, None, None], None),
])
def test_section_rows(cells: list[object], expected: object) -> None:
    assert section_heading(cells, 1) == expected
