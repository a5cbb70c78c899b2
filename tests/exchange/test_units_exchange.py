"""Units, schemes and scheme scores in the exchange workbook (issue #14, item 6).

Export carries 单位, 单位成员, 积分制, unit and case entries, 案件审核 and one score sheet per
scheme; an empty database is rebuilt from it with the same units, members, schemes, entries and
scores; a bureau's hand-made 单位 workbook imports; bad rows are named and nothing is written.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from openpyxl.styles import Font
from python_calamine import CalamineWorkbook
from sqlalchemy import func, select

from desktop.models.db import Database, open_database
from desktop.models.enums import Role
from desktop.models.ledger import Entry
from desktop.models.units import CaseReview, SchemeRow, Unit, UnitMember
from desktop.services import scheme_registry, scheme_scoring
from desktop.services.actor import Actor
from desktop.services.exchange.export import export_period
from desktop.services.exchange.import_ import import_file, restore_export
from desktop.services.exchange.report import ImportRejected
from tests.exchange.stations import POSTS, Station, results, station, with_schemes
from tests.services.builders import add_user

D = dt.date
CLI = Actor.system("test")


@pytest.fixture
def st(tmp_path: Path) -> Station:
    st = station(tmp_path, db_name="station.db")
    with_schemes(st)
    return st


@pytest.fixture
def book(st: Station, tmp_path: Path) -> Path:
    path = tmp_path / "滨河-2026-03.xlsx"
    with st.db.session() as s:
        export_period(s, "2026-03", path)
    return path


def sheet(path: Path, name: str) -> list[list[Any]]:
    wb = CalamineWorkbook.from_path(str(path))
    try:
        return wb.get_sheet_by_name(name).to_python()
    finally:
        wb.close()


def records(path: Path, name: str, header_row: int = 0) -> list[dict[str, Any]]:
    rows = sheet(path, name)
    header = rows[header_row]
    return [dict(zip(header, r, strict=True)) for r in rows[header_row + 1:]]


def count(db: Database, model: type) -> int:
    with db.session() as s:
        return s.scalar(select(func.count()).select_from(model)) or 0


def scheme_scores(db: Database, code: str) -> list[dict[str, Any]]:
    with db.session() as s:
        scheme = scheme_registry.scheme_of(s, code)
        return [r.as_json(scheme) for r in scheme_scoring.score(s, scheme, "2026-03")]


def test_export_carries_units_members_schemes_and_scores(st: Station, book: Path) -> None:
    names = CalamineWorkbook.from_path(str(book)).sheet_names
    assert names[:8] == ["说明", "部门", "人员", "单位", "单位成员", "积分制", "考核细则", "积分明细"]
    assert names.index("基层基础积分") == names.index("积分汇总") + 1 and "执法办案积分" in names
    units = {r["代码"]: r for r in records(book, "单位")}
    assert list(units) == [code for code, _, _ in POSTS]
    first = units["JWS-01"]
    assert (first["名称"], first["类别"], first["警务室类别"], first["成员数"]) == ("城关警务室", "警务室", "一类", 2)
    assert first["负责人"] == f"{st.people[0].badge} {st.people[0].name}"
    assert units["JWS-03"]["警务室类别"] == "二类"
    members = records(book, "单位成员")
    assert len(members) == 8 and {m["角色"] for m in members} == {"负责人", "成员"}
    member = next(m for m in members if m["单位代码"] == "JWS-01" and m["角色"] == "成员")
    assert (member["警号"], member["起"], member["止"]) == (st.people[4].badge, D(2026, 2, 1), D(2026, 12, 31))
    schemes = {r["代码"]: r for r in records(book, "积分制")}
    assert list(schemes) == ["person", "jiceng", "zhifa"]
    assert schemes["jiceng"]["组成"] == "基础分+加分项−扣分项" and schemes["jiceng"]["考核对象"] == "警务室"
    assert schemes["zhifa"]["组成"] == "数量分−质效分" and '"code":"zhifa"' in schemes["zhifa"]["定义（JSON）"]

    rows = sheet(book, "基层基础积分")
    assert rows[0][0] == "测试派出所 2026年3月 基层基础积分排名" and all(c == "" for c in rows[0][1:])
    assert rows[1] == ["代码", "名称", "类别", "基础分", "加分项", "扣分项", "总分", "排名", "等次", "说明"]
    wb = openpyxl.load_workbook(book)
    assert [str(r) for r in wb["基层基础积分"].merged_cells.ranges] == ["A1:J1"]
    computed = {r["code"]: r for r in scheme_scores(st.db, "jiceng")}
    for row in records(book, "基层基础积分", header_row=1):
        mine = computed[row["代码"]]
        assert (row["基础分"], row["加分项"], row["扣分项"], row["总分"]) == (
            mine["base"], mine["bonus"], mine["deduction"], mine["total"])
        assert (row["排名"], row["等次"]) == (mine["rank"], mine["grade"]) and row["说明"] == mine["why"]
    assert {r["代码"]: r["总分"] for r in records(book, "基层基础积分", 1)} == {
        "JWS-01": 19, "JWS-02": 17, "JWS-03": 15, "JWS-04": 16}  # 15 base + 2 per case − 1 for JWS-04
    assert {r["代码"]: r["排名"] for r in records(book, "基层基础积分", 1)} == {
        "JWS-01": 1, "JWS-02": 2, "JWS-03": 2, "JWS-04": 1}  # within class
    zhifa = sheet(book, "执法办案积分")
    assert zhifa[1] == ["代码", "名称", "序列", "数量分", "质效分", "总分", "待审核分", "排名", "等次", "说明"]

    entries = records(book, "积分明细")
    unit_rows = [e for e in entries if e["单位代码"]]
    assert len(unit_rows) == 8 and all(e["警号"] == "" and e["积分制"] == "jiceng" for e in unit_rows)
    assert {e["积分组成"] for e in unit_rows} == {"基础分", "加分项", "扣分项"}
    cases = [e for e in entries if e["案件编号"]]
    assert {(e["项目编号"], e["案件编号"], e["案件类型"]) for e in cases} == {
        ("ZF-01", "汉公刑字〔2026〕11号", "刑事案件"), ("ZF-06", "汉公治字〔2026〕7号", "治安案件"),
        ("ZF-22", "汉公治字〔2026〕7号", "")}
    reviews = records(book, "案件审核")
    assert sorted(r["审核结果"] for r in reviews) == ["已确认", "已调整"]
    assert next(r for r in reviews if r["审核结果"] == "已调整")["调整后分值"] == 1
    catalogue = records(book, "考核细则")
    assert {r["积分制"] for r in catalogue} == {"person", "jiceng", "zhifa"}


def snapshot(db: Database) -> dict[str, Any]:
    """Units, members, schemes, entries and case reviews, comparable across databases."""
    with db.session() as s:
        units = {u.code: (u.uuid, u.name, u.kind, u.post_class, u.sequence, u.active) for u in s.scalars(select(Unit))}
        codes = {u.id: u.code for u in s.scalars(select(Unit))}
        members = sorted((codes[m.unit_id], m.person.badge, m.role, m.start, m.end, m.uuid)
                         for m in s.scalars(select(UnitMember)))
        schemes = {r.code: r.definition for r in s.scalars(select(SchemeRow))}
        entries = sorted((e.uuid, codes.get(e.unit_id or 0), e.person.badge if e.person else None, e.scheme,
                          e.case_no, e.case_type, e.item_code, e.points_tenths) for e in s.scalars(select(Entry)))
        reviews = sorted((r.uuid, s.get(Entry, r.entry_id).uuid, r.state, r.points_tenths, r.reason,  # type: ignore[union-attr]
                          r.reviewed_by_name) for r in s.scalars(select(CaseReview)))
    return {"units": units, "members": members, "schemes": schemes, "entries": entries, "reviews": reviews}


def test_round_trip_into_an_empty_database(st: Station, book: Path, tmp_path: Path) -> None:
    fresh = tmp_path / "新电脑" / "jifen.db"
    fresh.parent.mkdir()
    report = restore_export(fresh, book)
    assert report.restored and report.counts["单位"].new == 4 and report.counts["单位成员"].new == 8, report.text()
    assert report.counts["积分制"].new == 2 and report.counts["案件审核"].new == 2
    notes = " ".join(n.text() for n in report.notices)
    assert "工作表“基层基础积分”：积分排名表由本程序按积分记录计算，不导入；已与本数据库按积分记录计算的结果核对，一致" in notes
    db = open_database(fresh)
    try:
        assert snapshot(db) == snapshot(st.db)
        for code in ("jiceng", "zhifa"):
            assert scheme_scores(db, code) == scheme_scores(st.db, code), code
        assert results(db, "2026-03") == results(st.db, "2026-03")
        with db.transaction() as s:
            clerk = add_user(s, "clerk2", Role.CLERK)
        again = import_file(db, clerk, book)  # the same export once more: nothing new
        assert again.imported and not any(c.new or c.updated for c in again.counts.values()), again.text()
        assert snapshot(db) == snapshot(st.db)
    finally:
        db.dispose()


def test_an_edited_score_sheet_refuses_a_restore_and_only_warns_an_import(st: Station, book: Path,
                                                                            tmp_path: Path) -> None:
    wb = openpyxl.load_workbook(book)
    ws = wb["基层基础积分"]
    assert ws["G2"].value == "总分"
    ws["G3"] = 88.0
    edited = tmp_path / "edited.xlsx"
    wb.save(edited)
    with pytest.raises(ImportRejected) as info:
        import_file(open_database(tmp_path / "fresh.db"), CLI, edited)
    assert "数据校验不符" in info.value.report.text()
    before = scheme_scores(st.db, "jiceng")
    report = import_file(st.db, st.clerk, edited)  # into the station itself: the entries decide
    assert report.imported, report.text()
    text = report.text()
    assert "工作表“基层基础积分” 第 3 行 G 列（总分）" in text and "总分（表中 88.0，计算为 19.0）" in text
    assert "有 1 行与本数据库按积分记录计算的结果不同，以积分记录为准" in text
    assert scheme_scores(st.db, "jiceng") == before


def test_a_station_not_running_the_scheme_takes_none_of_it(book: Path, tmp_path: Path) -> None:
    """Installing a scheme is the administrator's setting: an import never does it."""
    other = station(tmp_path, db_name="other.db")  # the same station code, without the schemes
    before = count(other.db, Entry)
    with pytest.raises(ImportRejected) as info:
        import_file(other.db, other.clerk, book)
    report = info.value.report
    text = report.text()
    assert "本单位没有运行积分制“基层基础”（jiceng），未安装" in text
    assert "工作表“考核细则”" in text and "本单位没有运行这个积分制" in text
    assert count(other.db, Entry) == before and count(other.db, Unit) == 0 and count(other.db, SchemeRow) == 0


# --- a bureau's 单位 workbook ------------------------------------------------------------------

def _title(ws: Any, text: str, span: str) -> None:
    ws.append([text])
    ws.merge_cells(span)
    ws["A1"].font = Font(bold=True, size=16)


def bureau_units(path: Path, st: Station, *, bad: bool = False) -> Path:
    """警务室 and 党支部 lists and their members as a county clerk types them: title rows, a merged
    two-row header, 类别 meaning the class, full-width codes, a totals row and a note."""
    a, b, c = (p.badge for p in st.people[:3])
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "全县警务室一览表"
    _title(ws, "2026年汉阴县公安局社区（农村）警务室名单", "A1:F1")
    ws.append(["填报单位：测试派出所", None, None, None, "填报日期：2026年1月5日"])
    ws.append(["序号", "警务室代码", "警务室名称", "基本情况", None, None])
    ws.append([None, None, None, "类别", "负责人", "民警人数"])
    for col in "ABC":
        ws.merge_cells(f"{col}3:{col}4")
    ws.merge_cells("D3:F3")
    ws.append([1, "ＮＧ－０１", "南关 警务室", "一类", f"{a} {st.people[0].name}", 2])
    ws.append([2, "BG-01", "北关警务室", "四类" if bad else "二类警务室", st.people[1].name, 1])
    ws.append([3, "CD-01", "城东警务室", "3", None, None])
    ws.append([])
    ws.append(["合计", None, "3个"])
    ws.append(["注：警务室类别按县局2026年1号文件划定。"])
    branches = wb.create_sheet("党支部名单")
    branches.append(["序号", "单位代码", "单位名称", "单位类别", "所属部门"])
    branches.append([1, "DZB-01", "第一党支部", "党支部", None])
    branches.append([2, "DZB-02", "第二党支部", "派出所" if bad else "支部", None])
    members = wb.create_sheet("单位成员")
    _title(members, "党支部和警务室成员（自2026年1月1日起）", "A1:F1")
    members.append(["序号", "单位", "警号", "姓名", "担任", "截止日期"])
    members.append([1, "DZB-01", a, st.people[0].name, "书记", None])
    members.append([2, "DZB-01", b, st.people[1].name, "党员", None])
    members.append([3, "第二党支部", None, st.people[2].name, "成员", "2026年12月31日"])
    members.append([4, "ng-01", "99999" if bad else c, None, "负责人", None])
    if bad:
        members.append([5, "DZB-01", b, st.people[1].name, "成员", "2026.6.30"])  # overlaps row 4 of 单位成员
    wb.save(path)
    return path


def test_a_bureau_units_workbook_imports(tmp_path: Path) -> None:
    st = station(tmp_path, db_name="station.db")
    report = import_file(st.db, st.clerk, bureau_units(tmp_path / "units.xlsx", st))
    assert report.imported and report.counts["单位"].new == 5 and report.counts["单位成员"].new == 4, report.text()
    assert "全县警务室一览表" in report.sheets and "表头在第 3–4 行" in report.sheets["全县警务室一览表"]
    with st.db.session() as s:
        units = {u.code: u for u in s.scalars(select(Unit))}
        assert {c: (u.name, u.kind, u.post_class) for c, u in units.items()} == {
            "NG-01": ("南关 警务室", "post", 1), "BG-01": ("北关警务室", "post", 2), "CD-01": ("城东警务室", "post", 3),
            "DZB-01": ("第一党支部", "branch", None), "DZB-02": ("第二党支部", "branch", None)}
        terms = sorted((units_code(s, m.unit_id), m.person.badge, m.role, m.start, m.end)
                       for m in s.scalars(select(UnitMember)))
    a, b, c = (p.badge for p in st.people[:3])
    assert terms == sorted([("DZB-01", a, "head", D(2026, 1, 1), None), ("DZB-01", b, "member", D(2026, 1, 1), None),
                            ("DZB-02", c, "member", D(2026, 1, 1), D(2026, 12, 31)),
                            ("NG-01", c, "head", D(2026, 1, 1), None)])
    again = import_file(st.db, st.clerk, tmp_path / "units.xlsx")
    assert again.counts["单位"].unchanged == 5 and again.counts["单位成员"].unchanged == 4, again.text()


def units_code(s: Any, unit_id: int) -> str:
    unit = s.get(Unit, unit_id)
    assert unit is not None
    return unit.code


def test_bad_unit_rows_are_named_and_nothing_is_written(tmp_path: Path) -> None:
    st = station(tmp_path, db_name="station.db")
    with pytest.raises(ImportRejected) as info:
        import_file(st.db, st.clerk, bureau_units(tmp_path / "bad.xlsx", st, bad=True))
    problems = [p.text() for p in info.value.report.problems]
    expected = [
        "工作表“全县警务室一览表” 第 6 行 D 列（类别），值“四类”：类别应为 所队室、警务室、党支部 或 执法办案单位 之一"
        "（警务室可写 一类、二类、三类）",
        "工作表“党支部名单” 第 3 行 D 列（单位类别），值“派出所”：类别应为 所队室、警务室、党支部 或 执法办案单位 之一",
        "工作表“单位成员” 第 5 行 B 列（单位），值“第二党支部”：“单位”表和数据库中都没有这个单位（请写单位代码）",
        "工作表“单位成员” 第 6 行 C 列（警号），值“99999”：人员名册中没有这个警号",
        f"工作表“单位成员” 第 7 行 F 列（截止日期），值“2026-06-30”：{st.people[1].name}在“第一党支部”的成员任期与"
        "第 4 行（2026年1月1日至今）重叠",
    ]
    for text in expected:
        assert any(p.startswith(text) for p in problems), (text, problems)
    assert count(st.db, Unit) == 0 and count(st.db, UnitMember) == 0


def test_a_post_class_outside_one_to_three(tmp_path: Path) -> None:
    st = station(tmp_path, db_name="station.db")
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "单位"
    ws.append(["代码", "单位名称", "类别", "警务室类别"])
    ws.append(["P-01", "城关警务室", "警务室", "4"])
    ws.append(["P-02", "东关警务室", "警务室", None])
    ws.append(["B-01", "第一党支部", "党支部", "一类"])
    wb.save(tmp_path / "u.xlsx")
    with pytest.raises(ImportRejected) as info:
        import_file(st.db, st.clerk, tmp_path / "u.xlsx")
    problems = [p.text() for p in info.value.report.problems]
    assert problems == [
        "工作表“单位” 第 2 行 D 列（警务室类别），值“4”：警务室类别应为 一类、二类 或 三类",
        "工作表“单位” 第 3 行 D 列（警务室类别）：警务室须填写警务室类别：一类、二类或三类",
        "工作表“单位” 第 4 行 D 列（警务室类别），值“一类”：只有警务室分类别，党支部“第一党支部”不能填写警务室类别",
    ]
    assert count(st.db, Unit) == 0


def test_a_new_head_ends_the_open_term_of_the_old_one(tmp_path: Path) -> None:
    st = station(tmp_path, db_name="station.db")
    import_file(st.db, st.clerk, bureau_units(tmp_path / "units.xlsx", st))
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "单位成员"
    ws.append(["单位代码", "警号", "姓名", "角色", "起", "止"])
    ws.append(["DZB-01", st.people[3].badge, st.people[3].name, "负责人", "2026.4.1", None])
    wb.save(tmp_path / "new-head.xlsx")
    report = import_file(st.db, st.clerk, tmp_path / "new-head.xlsx")
    assert report.imported and report.counts["单位成员"].new == 1, report.text()
    assert any(n.text() == f"工作表“单位成员” 第 2 行：“第一党支部”原负责人（警号 {st.people[0].badge}）的任期结束于"
               f" 2026年3月31日，由{st.people[3].name}接任" for n in report.notices), report.text()
    with st.db.session() as s:
        heads = sorted((m.person.badge, m.start, m.end) for m in s.scalars(select(UnitMember).where(
            UnitMember.role == "head", UnitMember.unit_id == s.scalar(select(Unit.id).where(Unit.code == "DZB-01")))))
    assert heads == sorted([(st.people[0].badge, D(2026, 1, 1), D(2026, 3, 31)), (st.people[3].badge, D(2026, 4, 1), None)])
