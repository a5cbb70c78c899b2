"""The service API the import wizard builds on: preview, progress, cancel; copies of a station."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select

from desktop.models.db import Database, open_database
from desktop.models.ledger import Entry
from desktop.models.periods import SignOff
from desktop.services import periods, roster
from desktop.services.actor import Actor
from desktop.services.exchange.export import export_period
from desktop.services.exchange.import_ import import_file, preview_file
from desktop.services.exchange.report import Cancelled
from tests.exchange import messy
from tests.exchange.stations import Station, fill_month, sign_and_lock, station
from tests.services.builders import rec

CLI = Actor.system("test")


def export(db: Database, path: Path, code: str = "2026-03") -> Path:
    with db.session() as s:
        export_period(s, code, path)
    return path


def entry_count(db: Database) -> int:
    with db.session() as s:
        return s.scalar(select(func.count(Entry.id))) or 0


def test_preview_marks_bad_cells_and_keeps_raw_values(tmp_path: Path) -> None:
    st = station(tmp_path)
    before = entry_count(st.db)
    rows = [[1, "02001", "测试民警1", "2026-03-02", "SJ-02", "３", None, "", None],
            [2, "02001", "测试民警1", "2026-03-32", "SJ-02", 3, None, "", None]]
    preview = preview_file(st.db, st.clerk, messy.adjustments_book(tmp_path / "p.xlsx", rows=rows))
    assert not preview.report.ok and not preview.report.imported
    table = preview.workbook.tables[0]
    assert table.headers["date"] == "日期" and table.columns["date"] == 3
    assert [r.number for r in table.rows] == [5, 6]
    assert table.rows[0].cells[5] == "３" and table.rows[0].values["points"] == 30
    marks = preview.report.cell_problems()
    assert list(marks) == [("3月上级加减分", 6, "D")]
    assert entry_count(st.db) == before  # a preview writes nothing


def test_progress_reaches_the_total_and_cancel_writes_nothing(tmp_path: Path) -> None:
    st = station(tmp_path)
    book = export(st.db, tmp_path / "out.xlsx")
    seen: list[tuple[int, int]] = []
    fresh = open_database(tmp_path / "fresh.db")
    import_file(fresh, CLI, book, progress=lambda done, total: seen.append((done, total)))
    assert seen and all(0 <= d <= t for d, t in seen) and seen[-1][0] == seen[-1][1]
    other = open_database(tmp_path / "other.db")
    calls = iter(range(1000))
    with pytest.raises(Cancelled):
        import_file(other, CLI, book, cancel=lambda: next(calls) > 2)
    assert entry_count(other) == 0


def test_entries_from_another_copy_are_added(tmp_path: Path) -> None:
    """A post's PC restored from the station's export records more; the station takes them back."""
    st = station(tmp_path)
    post = open_database(tmp_path / "post.db")
    import_file(post, CLI, export(st.db, tmp_path / "a.xlsx"))
    with st.db.transaction() as s:  # the station goes on recording in its own copy too
        rec(s, st.clerk, st.people[2], "ZB-03", periods.parse_period("2026-03").start)
    with post.transaction() as s:
        fill_month(s, copy_of(post, st), 2026, 3, seed=5)
    added = entry_count(post) - (entry_count(st.db) - 1)
    report = import_file(st.db, st.clerk, export(post, tmp_path / "b.xlsx"))
    assert report.counts["积分记录"].new == added, report.text()
    assert entry_count(st.db) == entry_count(post) + 1


def copy_of(db: Database, st: Station) -> Station:
    """Another copy of the station (same badges), recording as the program itself."""
    with db.session() as s:
        people = [roster.person_by_badge(s, p.badge) for p in st.people]
    return Station(db, CLI, CLI, CLI, CLI, people)


def test_a_locked_month_never_syncs_into_a_copy(tmp_path: Path) -> None:
    """The station's locked export brings its entries to a copy, never its lock or signatures:
    those are made by the copy's own accounts (issue #13; this used to sync when scores agreed)."""
    st = station(tmp_path)
    copy = open_database(tmp_path / "copy.db")
    import_file(copy, CLI, export(st.db, tmp_path / "open.xlsx"))
    sign_and_lock(st, "2026-03")
    report = import_file(copy, CLI, export(st.db, tmp_path / "locked.xlsx"))
    ignored = {n.sheet for n in report.notices if "只能由本数据库的账号在本程序中完成" in n.reason}
    assert {"说明", "积分汇总", "签核", "个人确认"} <= ignored, report.text()
    with copy.session() as s:
        assert periods.find_period(s, "2026-03").state == "open"  # type: ignore[union-attr]
        assert s.scalar(select(func.count(SignOff.id))) == 0


def test_a_locked_month_does_not_sync_over_other_entries(tmp_path: Path) -> None:
    st = station(tmp_path)
    copy = open_database(tmp_path / "copy.db")
    import_file(copy, CLI, export(st.db, tmp_path / "open.xlsx"))
    with copy.transaction() as s:  # the copy recorded something the station never saw
        rec(s, CLI, roster.person_by_badge(s, st.people[0].badge), "ZB-03", periods.parse_period("2026-03").start)
    sign_and_lock(st, "2026-03")
    report = import_file(copy, CLI, export(st.db, tmp_path / "locked.xlsx"))
    assert any(n.sheet == "签核" and "未导入" in n.reason for n in report.notices), report.text()
    with copy.session() as s:
        assert periods.find_period(s, "2026-03").state == "open"  # type: ignore[union-attr]


def test_large_imports_use_batch_inserts(tmp_path: Path) -> None:
    """2,000 bureau rows: a handful of statements, not one INSERT per row (speed at county scale)."""
    from sqlalchemy import event

    st = station(tmp_path)
    rows = [[i, p.badge, p.name, f"2026年3月{1 + i % 28}日", "SJ-02", 3, None, f"第{i}次", None]
            for i, p in ((i, st.people[i % len(st.people)]) for i in range(2000))]
    book = messy.adjustments_book(tmp_path / "big.xlsx", rows=rows)
    statements: list[str] = []
    event.listen(st.db.engine, "before_cursor_execute",
                 lambda conn, cursor, sql, params, context, many: statements.append(sql))
    report = import_file(st.db, st.clerk, book)
    assert report.counts["积分记录"].new == 2000
    inserts = [s for s in statements if s.startswith("INSERT INTO entries")]
    assert len(inserts) <= 2 and len(statements) < 60, len(statements)
