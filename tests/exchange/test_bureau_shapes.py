"""Bureau workbooks in the shapes real ones have (issue #16): adjustments without an item column,
people without a badge, one sheet per department, several blocks in a sheet, merged and yearless
dates, hidden sheets, other file formats, and messages a clerk can act on."""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
from pathlib import Path

import openpyxl
import pytest
from sqlalchemy import select

from desktop.models.db import Database
from desktop.models.ledger import Entry
from desktop.models.people import Person
from desktop.services import id_numbers
from desktop.services.errors import ValidationError
from desktop.services.exchange.import_ import import_file
from desktop.services.exchange.ods_merges import ods_merges
from desktop.services.exchange.report import ImportRejected
from tests import factories
from tests.exchange import bureau_shapes as shapes
from tests.exchange import messy
from tests.services.builders import World

D = dt.date


def booked(db: Database) -> list[tuple[str, dt.date, str, int, int, str]]:
    """(badge, date, item, quantity, points in tenths, note) of every entry, in order."""
    with db.session() as s:
        rows = s.execute(select(Person.badge, Entry.occurred_on, Entry.item_code, Entry.quantity, Entry.points_tenths,
                                Entry.note).join(Person, Person.id == Entry.person_id)
                         .order_by(Entry.occurred_on, Person.badge, Entry.id))
        return [tuple(r) for r in rows]  # type: ignore[misc]


def rejected(w: World, path: Path) -> str:
    with pytest.raises(ImportRejected) as caught:
        import_file(w.db, w.clerk, path)
    return caught.value.report.text()


# -- 1. adjustments as bureaus write them -------------------------------------------------------

def test_a_county_register_without_an_item_column_books_each_row_by_its_reason(staffed: World,
                                                                             tmp_path: Path) -> None:
    report = import_file(staffed.db, staffed.clerk, shapes.county_register(tmp_path / "reg.xlsx"))
    assert report.imported and report.counts["积分记录"].new == 6, report.text()
    assert booked(staffed.db) == [
        ("150001", D(2026, 3, 5), "SJ-02", 1, 30, "县局通报表扬：成功调解重大矛盾纠纷（依据：测公通〔2026〕12号）"),
        ("150003", D(2026, 3, 9), "SJ-01", 1, 50, "市局通报表扬（依据：市公通〔2026〕3号）"),
        ("150001", D(2026, 3, 12), "SJ-12", 1, 40, "全市大练兵比武获第二名"),
        ("150003", D(2026, 3, 16), "SJ-07", 1, 50, "受到上级通报批评（依据：测公督〔2026〕2号）"),
        ("150001", D(2026, 3, 20), "SJ-12", 1, 20, "县局通报表扬（信息报送）"),
        ("150003", D(2026, 3, 25), "SJ-13", 1, 15, "执法质量考评发现问题"),
    ]
    went = {row: made["入账项目"] for row, made in report.derived["3月"].items()}
    assert went == {
        3: "SJ-02 受到县局（分局）通报表扬（按事由）",
        4: "SJ-01 受到市局通报表扬（按事由）",
        5: "SJ-12 其他上级加分（依据上级文件）（通用项目：事由对不上具体项目）",
        6: "SJ-07 受到上级通报批评（按事由）",
        7: "SJ-12 其他上级加分（依据上级文件）（通用项目：事由近似 SJ-02，但分值不符）",
        8: "SJ-13 其他上级减分（依据上级文件）（通用项目：事由对不上具体项目）",
    }
    assert any("没有“项目”列" in n.reason for n in report.notices)


def test_the_dry_run_lists_which_item_each_row_went_to(staffed: World, tmp_path: Path) -> None:
    report = import_file(staffed.db, staffed.clerk, shapes.county_register(tmp_path / "reg.xlsx"), dry_run=True)
    text = report.text()
    assert "导入时的判断（请核对）：" in text
    assert "工作表“3月”第 5 行 → 入账项目：SJ-12 其他上级加分（依据上级文件）（通用项目：事由对不上具体项目）" in text
    assert booked(staffed.db) == []


def test_a_signed_score_and_the_month_in_the_title(staffed: World, tmp_path: Path) -> None:
    report = import_file(staffed.db, staffed.clerk, shapes.signed_scores(tmp_path / "s.xlsx"))
    assert report.imported, report.text()
    assert booked(staffed.db) == [("150001", D(2026, 4, 30), "SJ-02", 1, 30, "县局通报表扬"),
                                  ("150003", D(2026, 4, 30), "SJ-13", 1, 20, "考勤抽查不合格")]


def test_a_positive_score_whose_reason_names_no_item_cannot_be_guessed(staffed: World, tmp_path: Path) -> None:
    text = rejected(staffed, shapes.signed_scores(tmp_path / "s.xlsx", rows=[["赵敏", 2, "工作认真"]]))
    assert "第 3 行 C 列（加扣分事项），值“工作认真”：分不清是加分还是减分：请加一列“类别”（上级加分 / 上级减分），" \
           "或把减分写成负数" in text


def test_points_beyond_the_general_items_range_are_refused(staffed: World, tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["姓名", "日期", "类别", "分值", "加减分事由"])
    ws.append(["王伟", "2026-03-02", "上级加分", 25, "获评全国优秀人民警察"])
    wb.save(tmp_path / "big.xlsx")
    text = rejected(staffed, tmp_path / "big.xlsx")
    assert "第 2 行 D 列（分值），值“25.0”：“其他上级加分（依据上级文件）”每次应在 0.5 至 20.0 分之间（本行 1 次共 25.0 分）" \
        in text


# -- 2. people without a badge ------------------------------------------------------------------

def test_a_personnel_roster_maps_categories_and_keeps_id_numbers(w: World, tmp_path: Path) -> None:
    report = import_file(w.db, w.clerk, shapes.personnel_roster(tmp_path / "hr.xlsx"))
    assert report.imported and report.counts["人员"].new == 4, report.text()
    with w.db.session() as s:
        people = {p.badge: p for p in s.scalars(select(Person))}
    assert {b: (p.name, p.identity, p.position) for b, p in people.items()} == {
        "150001": ("王伟", "police", "副所长"), "FJ0002": ("李娜", "auxiliary", ""),
        "150003": ("张强", "police", "社区民警"), "GQ0004": ("赵敏", "contract", "炊事员")}
    assert people["150001"].id_number == shapes.WANG and people["GQ0004"].id_number == ""
    assert id_numbers.mask(shapes.WANG) == "150302********" + shapes.WANG[-4:]


def test_rows_found_by_id_number_when_there_is_no_badge(w: World, tmp_path: Path) -> None:
    import_file(w.db, w.clerk, shapes.personnel_roster(tmp_path / "hr.xlsx"))
    report = import_file(w.db, w.clerk, shapes.by_id_number(tmp_path / "jc.xlsx"))
    assert report.imported, report.text()
    assert booked(w.db) == [("150001", D(2026, 3, 10), "SJ-01", 1, 50, "市局通报表扬"),
                            ("FJ0002", D(2026, 3, 11), "SJ-10", 1, 20, "上级抽查考核不合格")]


def test_an_unknown_or_mistyped_id_number_is_named_masked(w: World, tmp_path: Path) -> None:
    import_file(w.db, w.clerk, shapes.personnel_roster(tmp_path / "hr.xlsx"))
    other = shapes.id_number("150304", "19880808", "055")
    typo = shapes.WANG[:-1] + ("0" if shapes.WANG[-1] != "0" else "1")
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["姓名", "身份证号", "日期", "类别", "分值", "事由"])
    ws.append(["王伟", other, "2026-03-10", "上级加分", 5, "市局通报表扬"])
    ws.append(["王伟", typo, "2026-03-10", "上级加分", 5, "市局通报表扬"])
    wb.save(tmp_path / "bad.xlsx")
    text = rejected(w, tmp_path / "bad.xlsx")
    assert f"第 2 行 B 列（身份证号），值“{id_numbers.mask(other)}”：人员名册中没有登记这个身份证号" in text
    assert f"第 3 行 B 列（身份证号），值“{id_numbers.mask(typo)}”：身份证号的校验位不对" in text
    assert other not in text and typo not in text  # never the whole number in a report


def test_a_name_stands_for_a_person_only_when_it_is_unique(staffed: World, tmp_path: Path) -> None:
    with staffed.tx() as s:
        factories.person(s, factories.department(s, "社区中队"), "150009", "王伟")
    text = rejected(staffed, shapes.signed_scores(tmp_path / "s.xlsx", rows=[["王伟", 3, "县局通报表扬"],
                                                                             ["张三", 3, "县局通报表扬"]]))
    assert "值“王伟”：名册中有 2 人名叫“王伟”：150001（治安中队）、150009（社区中队）；请加一列“警号”或“身份证号”" in text
    assert "值“张三”：人员名册中没有“张三”；名册中相近的有：张强 150003（治安中队）" in text


def test_badges_with_or_without_leading_zeros_are_one_person(staffed: World, tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["警号", "日期", "项目", "分值"])
    ws.append(["0150001", "2026-03-02", "SJ-02", 3])
    wb.save(tmp_path / "z.xlsx")
    import_file(staffed.db, staffed.clerk, tmp_path / "z.xlsx")
    assert [b for b, *_ in booked(staffed.db)] == ["150001"]


# -- 4. layout ----------------------------------------------------------------------------------

def test_one_sheet_per_department(w: World, tmp_path: Path) -> None:
    with w.tx() as s:
        factories.department(s, "社区中队")
    report = import_file(w.db, w.clerk, shapes.per_department(tmp_path / "d.xlsx"))
    assert report.imported and report.counts["人员"].new == 3, report.text()
    with w.db.session() as s:
        where = {p.badge: p.department.name for p in s.scalars(select(Person))}
    assert where == {"150001": "治安中队", "150005": "治安中队", "150006": "社区中队"}


def test_the_same_badge_on_two_sheets_names_both_places(w: World, tmp_path: Path) -> None:
    with w.tx() as s:
        factories.department(s, "社区中队")
    path = shapes.per_department(tmp_path / "d.xlsx")
    wb = openpyxl.load_workbook(path)
    wb["社区中队名册"].append(["150001", "王伟", "民警"])
    wb.save(path)
    text = rejected(w, path)
    assert "工作表“社区中队名册” 第 3 行 A 列（警号），值“150001”：警号与工作表“治安中队”第 2 行重复" in text


def test_several_blocks_in_one_sheet_each_under_its_department(w: World, tmp_path: Path) -> None:
    with w.tx() as s:
        factories.department(s, "社区中队")
    report = import_file(w.db, w.clerk, shapes.blocks_in_one_sheet(tmp_path / "b.xlsx"))
    assert report.imported and report.counts["人员"].new == 4, report.text()
    assert "共 2 段表格" in report.sheets["名册"]
    with w.db.session() as s:
        where = {p.badge: (p.name, p.department.name, p.position) for p in s.scalars(select(Person))}
    assert where == {"150001": ("王伟", "治安中队", "副所长"), "150005": ("孙丽", "治安中队", "民警"),
                     "150006": ("周涛", "社区中队", "社区民警"), "150007": ("吴刚", "社区中队", "社区民警")}
    assert any("表头在表中重复出现 1 次" in n.reason for n in report.notices)


def test_merged_dates_fill_down_and_take_the_titles_year(staffed: World, tmp_path: Path) -> None:
    report = import_file(staffed.db, staffed.clerk, shapes.merged_and_yearless(tmp_path / "m.xlsx"))
    assert report.imported, report.text()
    assert [(b, d, code, p) for b, d, code, _, p, _ in booked(staffed.db)] == [
        ("150001", D(2026, 3, 6), "SJ-02", 30), ("150001", D(2026, 3, 6), "SJ-01", 50),
        ("150003", D(2026, 3, 6), "SJ-02", 30), ("150003", D(2026, 3, 18), "SJ-07", 50)]
    notes = " ".join(n.reason for n in report.notices)
    assert "合并单元格中的内容已填入它所覆盖的每一行（共 2 格）" in notes and "已按标题中的年份计算" in notes


def test_hidden_sheets_are_named_and_left_out_unless_asked(staffed: World, tmp_path: Path) -> None:
    path = shapes.merged_and_yearless(tmp_path / "m.xlsx")
    wb = openpyxl.load_workbook(path)
    wb["加减分"].sheet_state = "hidden"
    wb.create_sheet("说明页").append(["本表为县局下发"])
    wb.save(path)
    report = import_file(staffed.db, staffed.clerk, path, dry_run=True)
    assert any(n.sheet == "加减分" and "隐藏的工作表" in n.reason for n in report.notices)
    assert "积分记录" not in report.counts
    report = import_file(staffed.db, staffed.clerk, path, include_hidden=True)
    assert report.counts["积分记录"].new == 4


def test_other_file_formats_are_refused_by_name(w: World, tmp_path: Path) -> None:
    for suffix, named in ((".et", "WPS 表格文件（.et）"), (".numbers", "苹果 Numbers 表格"), (".csv", "CSV 文本文件")):
        path = tmp_path / f"book{suffix}"
        path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600)
        with pytest.raises(ValidationError, match=named):
            import_file(w.db, w.clerk, path)


def _saved_as(xlsx: Path, fmt: str, tmp_path: Path) -> Path:
    """`xlsx` as LibreOffice saves it: OpenDocument (ods) or Excel 97-2003 (xls: BIFF8 with shared
    strings, RK numbers, XF records and a mini stream beside the Workbook stream)."""
    out = tmp_path / fmt
    subprocess.run(["soffice", "--headless", f"-env:UserInstallation=file://{tmp_path}/lo", "--convert-to", fmt,
                    "--outdir", str(out), str(xlsx)], check=True, capture_output=True, timeout=120)
    return out / xlsx.with_suffix(f".{fmt}").name


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice is not installed")
@pytest.mark.parametrize("fmt", ["ods", "xls"])
def test_a_roster_saved_as_ods_or_xls_is_read(w: World, tmp_path: Path, fmt: str) -> None:
    report = import_file(w.db, w.clerk, _saved_as(messy.roster_book(tmp_path / "roster.xlsx"), fmt, tmp_path))
    assert report.imported and report.counts["人员"].new == 4, report.text()


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice is not installed")
@pytest.mark.parametrize("fmt", ["ods", "xls"])
def test_merged_cells_of_an_ods_or_xls_fill_down_as_in_xlsx(staffed: World, tmp_path: Path, fmt: str) -> None:
    """calamine gives no merges for .ods; they are read from content.xml, so the date written
    once for three rows is each row's date, exactly as with the .xlsx it was saved from."""
    path = _saved_as(shapes.merged_and_yearless(tmp_path / "m.xlsx"), fmt, tmp_path)
    if fmt == "ods":
        assert ods_merges(path) == {"加减分": [((0, 0), (0, 4)), ((2, 0), (4, 0))]}
    report = import_file(staffed.db, staffed.clerk, path)
    assert report.imported, report.text()
    assert [(b, d, code, p) for b, d, code, _, p, _ in booked(staffed.db)] == [
        ("150001", D(2026, 3, 6), "SJ-02", 30), ("150001", D(2026, 3, 6), "SJ-01", 50),
        ("150003", D(2026, 3, 6), "SJ-02", 30), ("150003", D(2026, 3, 18), "SJ-07", 50)]
    assert any("合并单元格中的内容已填入它所覆盖的每一行（共 2 格）" in n.reason for n in report.notices)


# -- 6. messages a clerk can act on -------------------------------------------------------------

def test_no_header_says_what_was_seen_and_what_is_missing(staffed: World, tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Sheet1"
    ws.append(["2026年考核情况"])
    ws.append(["序号", "分值", "备注"])
    ws.append([1, 3, "县局表扬"])
    wb.save(tmp_path / "x.xlsx")
    report = import_file(staffed.db, staffed.clerk, tmp_path / "x.xlsx", dry_run=True)
    said = next(n.reason for n in report.notices if n.sheet == "Sheet1")
    assert said == ("没有认出这张表的表头，已跳过。前几行是：“2026年考核情况”；“序号｜分值｜备注”；“1｜3｜县局表扬”。"
                    "最接近“上级加减分”：认出了 “说明”、“加分” 列，还缺少 “警号” 或 “身份证号” 或 “姓名” 列"
                    "（列名见 docs/workbook-format.md）")


def test_many_problems_of_one_kind_are_one_line_with_counts_and_examples(w: World, tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "名册"
    ws.append(["警号", "姓名", "部门"])
    for n in range(40):
        ws.append([f"1600{n:02d}", f"民警{n}", f"第{n % 7}中队"])
    wb.save(tmp_path / "r.xlsx")
    text = rejected(w, tmp_path / "r.xlsx")
    line = next(x for x in text.splitlines() if "没有这个部门" in x)
    assert line.startswith("  工作表“名册” C 列（部门）：没有这个部门；请先在程序里建立该部门，或改成已有的部门名称（共 40 行，7 个不同的值："
                           "“第0中队”、“第1中队”、“第2中队”、“第3中队”、“第4中队”等；第 2、3、4")
    assert text.count("没有这个部门") == 1


def test_an_empty_table_says_so(w: World, tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "人员名册"
    ws.append(["警号", "姓名", "部门"])
    wb.save(tmp_path / "e.xlsx")
    report = import_file(w.db, w.clerk, tmp_path / "e.xlsx")
    assert "表格中没有数据行（只有表头）" in report.summary()
    assert any("表头下面没有数据行" in n.reason for n in report.notices)
