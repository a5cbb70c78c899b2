"""“为什么是这个等次”: the reason under the 月度考核 table and on the grade cell, and the
公示栏 footnote where equal totals were told apart by the policy's tie-break."""

from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtCore import Qt

from desktop.services import ledger, queries, scoring
from desktop.services.ledger import EntryInput
from desktop.ui.screens.board import BoardScreen
from desktop.ui.screens.review import ReviewScreen
from desktop.ui.screens.review_parts import SCORE_HEADERS, why_lines
from tests.factories import SYSTEM

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")
GRADE_COLUMN = SCORE_HEADERS.index("等次")


def click_row(qtbot, screen: ReviewScreen, person_id: int) -> None:
    """Click the person's name in the score table."""
    source = screen.model.index(screen.model.row_of(person_id), 1)
    index = screen.proxy.mapFromSource(source)
    screen.table.scrollTo(index)
    rect = screen.table.visualRect(index)
    qtbot.mouseClick(screen.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())


def test_selecting_a_row_shows_why(qtbot, ctx_for):
    screen = ReviewScreen(ctx_for("suozhang", period="2026-02"))
    qtbot.addWidget(screen)
    screen.resize(1366, 700)
    screen.show()
    screen.refresh()
    assert "在表中选择一人" in screen.why.text()
    rows = [r for r in screen.data.rows if r.why and not r.excluded_reason]
    target = next((r for r in rows if "总分相同" in r.why), rows[0])
    click_row(qtbot, screen, target.person_id)
    assert screen.selected_row().person_id == target.person_id
    shown = screen.why.text()
    assert target.name in shown and screen.data.grade_label(target.grade) in shown
    for line in target.why.split("；"):
        assert line in shown  # one line per reason
    assert screen.why.label.isVisible() and screen.why.height() >= screen.why.minimumHeight()
    # The grade cell's tooltip gives the same reason, line by line.
    source = screen.model.index(screen.model.row_of(target.person_id), GRADE_COLUMN)
    assert screen.model.data(source, Qt.ItemDataRole.ToolTipRole) == "\n".join(target.why.split("；"))

    excluded = next(r for r in screen.data.rows if r.excluded_reason)
    click_row(qtbot, screen, excluded.person_id)
    assert "不参与排名" in screen.why.text()


def test_prorated_rows_explain_the_scaling():
    row = scoring.ScoreRow(person_id=1, badge="1", name="甲", identity="police", department_id=1, department="综合室",
                           sequence="", ranking_group="dept:1", total=400, ranked_total=620, prorated=True,
                           days_present=20, period_days=31, grade="C", why_text="C类：在综合室（5 人）排第 3")
    assert why_lines(row) == ["C类：在综合室（5 人）排第 3",
                              "在岗折算：本期在岗 20/31 天，折算总分 62.0 分（实得 40.0 分）"]
    row.why += "；本期在岗 20/31 天，按折算总分 62 分排名（实得 40 分）"
    assert len(why_lines(row)) == 2  # said once


def test_board_footnote_for_a_split_tie(qtbot, station_db, station_ctx_for):
    with station_db.transaction() as s:
        ids = {p.name: p.id for p in queries.people_rows(s)}
        day = dt.date(2026, 3, 10)
        ledger.record(s, SYSTEM, EntryInput([ids["张三丰"], ids["李四"]], "BA-01", day, quantity=3))
        ledger.record(s, SYSTEM, EntryInput([ids["李四"]], "FW-02", day))  # +1 …
        ledger.record(s, SYSTEM, EntryInput([ids["李四"]], "JR-02", day))  # … and −1: same total, one deduction
    # The clerk's board: an officer sees only his own line of a month not yet signed.
    screen = BoardScreen(station_ctx_for("clerk"))
    qtbot.addWidget(screen)
    screen.resize(1366, 700)
    screen.show()
    qtbot.waitExposed(screen)
    screen.refresh()
    view = screen.view
    page = view.pages[0]
    ranks = {r.name: r.rank for r in page.rows}
    assert ranks["张三丰"] == 1 and ranks["李四"] == 2  # equal totals, told apart by the deductions
    notes = view.notes_for(page)
    assert len(notes) == 1
    assert "张三丰、李四总分同为 9.0 分" in notes[0] and "扣分少者在前" in notes[0]
    assert view.notes_height(notes) > 0
    assert view.rows_per_page(notes) < view.rows_per_page()  # the footnote has its room on the page
    view.grab()  # paints without a warning


def test_the_printed_grade_sheet_says_why_equal_totals_differ(station_db, tmp_path):
    """On paper too: the split tie gets a numbered note under the table, referenced in 备注."""
    import subprocess

    from desktop.exporters.pdf.grade_sheet import render_grade_sheets
    from desktop.services import documents

    with station_db.transaction() as s:
        ids = {p.name: p.id for p in queries.people_rows(s)}
        day = dt.date(2026, 3, 10)
        ledger.record(s, SYSTEM, EntryInput([ids["张三丰"], ids["李四"]], "BA-01", day, quantity=3))
        ledger.record(s, SYSTEM, EntryInput([ids["李四"]], "FW-02", day))
        ledger.record(s, SYSTEM, EntryInput([ids["李四"]], "JR-02", day))
    with station_db.session() as s:
        sheets = documents.grade_sheet_data(s, "2026-03")
    notes = [n for sheet in sheets for n in sheet.notes]
    assert any("李四" in n and "总分相同" in n and "扣分少者在前" in n for n in notes), notes
    pdf = render_grade_sheets(sheets, tmp_path / "grades.pdf")
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    assert "注1" in text and "总分相同" in text.replace("\n", "")
