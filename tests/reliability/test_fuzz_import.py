"""Fuzzing the workbook importer with hypothesis: random cell types and values, random headers,
title rows and sheet names, and random byte damage to a good file.

Whatever the workbook holds, the importer either imports it (and the audit chain still
verifies) or refuses it with a `JifenError` and writes nothing; any other exception is a bug.
The suite's examples are derandomized so every run (CI included) is repeatable; set
FUZZ_RANDOM=1 and FUZZ_EXAMPLES=500 to explore new examples locally.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from desktop.models.db import open_database
from desktop.models.ledger import Entry
from desktop.models.people import Person
from desktop.services import audit, integrity
from desktop.services.errors import JifenError
from desktop.services.exchange.import_ import import_file
from tests.reliability import workbooks as wb
from tests.reliability.test_bad_workbooks import CLERK, snapshot
from tests.services.builders import person, world

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "60"))
FUZZ = settings(max_examples=EXAMPLES, deadline=None, derandomize=not os.environ.get("FUZZ_RANDOM"),
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                       HealthCheck.function_scoped_fixture])

# Characters XML 1.0 can carry (the format cannot hold the others at all).
xml_text = st.text(st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters="\ufffe\uffff")
                   | st.sampled_from("\t\n "), max_size=40)
realistic = st.sampled_from([
    "000", "001", "004", "999", "００１", " 002 ", "民警000", "民警001", "王  伟", "SJ-01", "SJ-07", "sj-02", "ZB-01",
    "受到市局通报表扬", "上级督察发现问题", "通报", "加分", "减分", "+", "-", "5", "-3", "2.5", "５分", "+1分", "0", "1e3",
    "2026-03-05", "2026/3/5", "2026.3.5", "2026年3月5日", "20260305", "2026-02-30", "1899-12-31", "46086", "是", "否",
    "合计", "备注：以上为县局通报", "填表人：", "", "   ", "#N/A", "=SUM(E2:E9)",
])
scalar = st.one_of(
    st.none(), xml_text, realistic, st.booleans(), st.integers(-10**15, 10**15),
    st.floats(allow_nan=False, allow_infinity=False, width=64), st.sampled_from([0.1 + 0.2, 5.0, -2.5, 1e300, 46086.5]),
    st.dates(dt.date(1900, 1, 1), dt.date(2200, 12, 31)),
)
cell = st.one_of(scalar, scalar.map(lambda v: wb.Formula("A1", v) if v is not None else None))
HEADERS = ["警号", "姓名", "日期", "项目", "加分", "减分", "数量", "说明", "类型", "部门", "序号", "备注", "警员编号",
           "加分事由", "Unnamed", ""]
sheet_names = st.sampled_from(["上级加分", "上级减分", "Sheet1", "县局加减分", "积分明细", "人员", "说明"]) | xml_text.filter(
    lambda s: 0 < len(s) <= 31 and not any(c in s for c in "[]:*?/\\"))


@st.composite
def bureau_sheet(draw: st.DrawFn) -> tuple[str, list[list[Any]]]:
    columns = draw(st.lists(st.sampled_from(HEADERS) | xml_text, min_size=1, max_size=9))
    titles = draw(st.lists(st.lists(cell, max_size=3), max_size=2))
    width = len(columns)
    rows = draw(st.lists(st.lists(cell, min_size=width, max_size=width + 1), max_size=12))
    return draw(sheet_names), [*titles, list(columns), *rows]


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("fuzz") / "jifen.db"
    db = open_database(path)
    w = world(db)
    with w.tx() as session:
        for i in range(5):
            person(session, w.dept, f"00{i}")
    db.dispose()
    return path


def fresh_copy(template: Path) -> Iterator[Path]:
    folder = Path(tempfile.mkdtemp(prefix="fuzz-"))
    try:
        shutil.copy(template, folder / "jifen.db")
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def import_and_check(db_path: Path, workbook: Path) -> None:
    db = open_database(db_path)
    try:
        before = snapshot(db)
        try:
            report = import_file(db, CLERK, workbook)
        except JifenError as exc:
            event(f"refused: {type(exc).__name__}")
            assert str(exc) and snapshot(db) == before
            getattr(exc, "report", None) and exc.report.text()  # type: ignore[attr-defined]
            return
        assert report.imported
        event("imported" if any(c.new or c.updated for c in report.counts.values()) else "imported nothing new")
        report.text()
        with db.session() as session:
            assert audit.verify(session).ok
            new = session.scalars(select(Entry).where(Entry.id > before["entries"])).all()
            assert len(new) == report.count("积分记录").new
            for entry in new:
                assert len(entry.note) <= 1000 and 1 <= entry.quantity <= 1000
                assert entry.points_tenths != 0 and abs(entry.points_tenths) <= 10_000 * 1000
            for p in session.scalars(select(Person).where(Person.id > before["people"])):
                assert 0 < len(p.badge) <= 64 and 0 < len(p.name) <= 50 and p.department_id is not None
    finally:
        db.dispose()
    assert integrity.check(db_path, full=True) == []


@FUZZ
@given(sheets=st.lists(bureau_sheet(), min_size=1, max_size=3, unique_by=lambda s: s[0]))
def test_random_cells_are_imported_or_refused_cleanly(template: Path, sheets: list[tuple[str, list[list[Any]]]]
                                                      ) -> None:
    for folder in fresh_copy(template):
        path = wb.simple_xlsx(folder / "上级加分.xlsx", dict(sheets))
        import_and_check(folder / "jifen.db", path)


BUREAU_HEADERS = ["警号", "姓名", "日期", "项目", "加分", "减分", "数量", "说明"]
ITEMS = [("SJ-01", 5, None), ("SJ-02", "3分", None), ("SJ-03", 4, None), ("SJ-04", "５", None),
         ("受到市局通报表扬", 10, None), ("SJ-07", None, 5), ("上级督察发现问题", None, "3")]


def mostly(valid: Any) -> st.SearchStrategy[Any]:
    """`valid`, or one time in twelve a random cell."""
    return st.integers(0, 11).flatmap(lambda n: cell if n == 0 else st.just(valid))


@st.composite
def nearly_valid_row(draw: st.DrawFn) -> list[Any]:
    who = draw(st.integers(0, 4))
    item, plus, minus = draw(st.sampled_from(ITEMS))
    day = draw(st.dates(dt.date(2026, 1, 1), dt.date(2026, 12, 31)))
    shown_day = draw(st.sampled_from([day, f"{day.year}年{day.month}月{day.day}日", f"{day.year}.{day.month}.{day.day}"]))
    badge = draw(st.sampled_from([f"00{who}", f"００{who}", f" 00{who} "]))
    values = [badge, draw(st.sampled_from([f"民警00{who}", None])), shown_day, item, plus, minus,
              draw(st.sampled_from([None, 1])), draw(xml_text)]
    return [draw(mostly(v)) for v in values]


@FUZZ
@given(rows=st.lists(nearly_valid_row(), min_size=1, max_size=6))
def test_mostly_valid_bureau_rows_are_imported_or_refused_cleanly(template: Path, rows: list[list[Any]]) -> None:
    """Rows that are nearly right (about one cell in twelve is random) reach the planning and writing code."""
    for folder in fresh_copy(template):
        path = wb.simple_xlsx(folder / "县局加减分.xlsx", {"上级加分": [BUREAU_HEADERS, *rows]})
        import_and_check(folder / "jifen.db", path)


ROSTER_HEADERS = ["警号", "姓名", "身份", "职务", "部门", "考核序列", "一把手", "在岗日期", "离岗日期", "电话"]


@st.composite
def nearly_valid_person(draw: st.DrawFn) -> list[Any]:
    badge = draw(st.sampled_from(["000", "001"]) | st.integers(100, 999).map(str))
    joined = draw(st.none() | st.dates(dt.date(2000, 1, 1), dt.date(2026, 12, 31)))
    values = [badge, draw(st.sampled_from(["王伟", "李  娜", "欧阳·明", f"民警{badge}"])),
              draw(st.sampled_from(["民警", "辅警", "聘用", "聘用人员"])), draw(st.sampled_from(["", "副所长", "社区民警"])),
              draw(st.sampled_from(["治安中队", " 治安中队", "治安中队 "])), draw(st.sampled_from(["治安", "", "社区"])),
              draw(st.sampled_from(["是", "否", None])), joined, None, draw(st.sampled_from([None, "13800000000"]))]
    return [draw(mostly(v)) for v in values]


@FUZZ
@given(rows=st.lists(nearly_valid_person(), min_size=1, max_size=6))
def test_mostly_valid_roster_is_imported_or_refused_cleanly(template: Path, rows: list[list[Any]]) -> None:
    for folder in fresh_copy(template):
        path = wb.simple_xlsx(folder / "人员名册.xlsx", {"人员": [ROSTER_HEADERS, *rows]})
        import_and_check(folder / "jifen.db", path)


@FUZZ
@given(rows=st.lists(st.lists(cell, min_size=len(ROSTER_HEADERS), max_size=len(ROSTER_HEADERS)), max_size=10),
       keep=st.lists(st.booleans(), min_size=len(ROSTER_HEADERS), max_size=len(ROSTER_HEADERS)))
def test_random_roster_is_imported_or_refused_cleanly(template: Path, rows: list[list[Any]], keep: list[bool]) -> None:
    chosen = [i for i, k in enumerate(keep) if k or i < 2]
    table = [[ROSTER_HEADERS[i] for i in chosen]] + [[r[i] for i in chosen] for r in rows]
    for folder in fresh_copy(template):
        path = wb.simple_xlsx(folder / "人员.xlsx", {"人员": table})
        import_and_check(folder / "jifen.db", path)


@pytest.fixture(scope="module")
def good_workbook(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    rows = [["警号", "姓名", "日期", "项目", "加分", "说明"]] + [
        [f"00{i % 5}", f"民警00{i % 5}", dt.date(2026, 3, 1 + i % 28), "SJ-01", 5, f"通报表扬 {i}"] for i in range(30)]
    return wb.simple_xlsx(tmp_path_factory.mktemp("good") / "good.xlsx", {"上级加分": rows}).read_bytes()


@FUZZ
@given(damage=st.lists(st.tuples(st.floats(0, 1, exclude_max=True), st.integers(0, 255)), min_size=1, max_size=8),
       cut=st.none() | st.floats(0.05, 1))
def test_damaged_bytes_are_refused_cleanly(template: Path, good_workbook: bytes,
                                           damage: list[tuple[float, int]], cut: float | None) -> None:
    data = bytearray(good_workbook)
    for where, byte in damage:
        data[int(where * len(data))] = byte
    if cut is not None:
        data = data[: max(1, int(cut * len(data)))]
    for folder in fresh_copy(template):
        path = folder / "上级加分.xlsx"
        path.write_bytes(bytes(data))
        import_and_check(folder / "jifen.db", path)
