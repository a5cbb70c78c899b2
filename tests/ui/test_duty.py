"""The daily duty sheet filled with the keyboard, saved, saved again, corrected."""

from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtCore import Qt
from sqlalchemy import select

from desktop.models.ledger import Entry
from desktop.ui.models.duty import PERSON_COLUMNS
from desktop.ui.screens.duty import DutyScreen

DAY = dt.date(2026, 11, 20)


@pytest.fixture
def screen(qtbot, station_ctx_for) -> DutyScreen:
    widget = DutyScreen(station_ctx_for("clerk", period="2026-11"))
    qtbot.addWidget(widget)
    with qtbot.waitActive(widget):
        widget.show()
        widget.activateWindow()
    widget.set_day(DAY)
    widget.refresh()
    widget.table.setFocus()
    return widget


def _column(screen: DutyScreen, code: str) -> int:
    return next(i for i, item in enumerate(screen.model.items) if item.code == code) + len(PERSON_COLUMNS)


def _standing(db, day: dt.date) -> dict[tuple[int, str], int]:
    with db.session() as s:
        rows = s.scalars(select(Entry).where(Entry.occurred_on == day)).all()
        reversed_ids = {e.reverses_id for e in rows if e.reverses_id}
        out: dict[tuple[int, str], int] = {}
        for e in rows:
            if e.reverses_id is None and e.id not in reversed_ids:
                out[(e.person_id, e.item_code)] = out.get((e.person_id, e.item_code), 0) + e.quantity
        return out


def test_fill_with_keys_and_save(screen, station_db, qtbot):
    table = screen.table
    assert [p.name for p in screen.model.people] == ["张三丰", "李四", "王五"]
    # 到岗 (first item column): Space, Down, Space, Down, Space — all three present
    table.setCurrentIndex(screen.model.index(0, _column(screen, "ZB-01")))
    for _ in range(3):
        qtbot.keyClick(table, Qt.Key.Key_Space)
        qtbot.keyClick(table, Qt.Key.Key_Down)
    # 值班: only 李四 — click the cell
    rect = table.visualRect(screen.model.index(1, _column(screen, "ZB-02")))
    qtbot.mouseClick(table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    # 接处警: 李四 took 3 calls — a digit key
    table.setCurrentIndex(screen.model.index(1, _column(screen, "JJ-01")))
    qtbot.keyClick(table, Qt.Key.Key_3)
    assert "新增 5 条" in screen.state.text()
    qtbot.keyClick(table, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)

    ids = {p.name: p.id for p in screen.model.people}
    saved = _standing(station_db, DAY)
    assert saved == {(ids["张三丰"], "ZB-01"): 1, (ids["李四"], "ZB-01"): 1, (ids["王五"], "ZB-01"): 1,
                     (ids["李四"], "ZB-02"): 1, (ids["李四"], "JJ-01"): 3}
    with station_db.session() as s:
        sources = set(s.scalars(select(Entry.source).where(Entry.occurred_on == DAY)))
        batches = set(s.scalars(select(Entry.batch_uuid).where(Entry.occurred_on == DAY)))
    assert sources == {"duty"} and len(batches) == 1
    # the sheet now shows the saved day; saving again adds nothing
    assert not screen.model.dirty()
    assert screen.model.value(1, _column(screen, "JJ-01")) == 3
    screen.save()
    assert _standing(station_db, DAY) == saved

    # a correction: 王五 was not there, 李四 took 5 calls — reversal + difference
    screen.model.set_value(2, _column(screen, "ZB-01"), 0)
    screen.model.set_value(1, _column(screen, "JJ-01"), 5)
    screen.save()
    after = _standing(station_db, DAY)
    assert (ids["王五"], "ZB-01") not in after and after[(ids["李四"], "JJ-01")] == 5


def test_copy_previous_day_and_header_click(screen, station_db, qtbot, modals):
    column = _column(screen, "ZB-01")
    screen.table.horizontalHeader().sectionClicked.emit(column)  # whole column
    assert screen.model.column_total(column) == 3
    screen.save()
    screen.set_day(DAY + dt.timedelta(days=1))
    assert screen.model.column_total(column) == 0
    qtbot.mouseClick(screen.copy_button, Qt.MouseButton.LeftButton)
    assert screen.model.column_total(column) == 3 and screen.model.dirty()
    # leaving the day with unsaved ticks asks first; answering No keeps them
    modals.question_answer = modals.question_answer.No
    screen.set_day(DAY + dt.timedelta(days=2))
    assert screen.day() == DAY + dt.timedelta(days=1) and screen.model.dirty()


def test_space_toggles_a_selection(screen, qtbot):
    column = _column(screen, "ZB-03")
    table = screen.table
    table.setCurrentIndex(screen.model.index(0, column))
    qtbot.keyClick(table, Qt.Key.Key_Down, Qt.KeyboardModifier.ShiftModifier)
    qtbot.keyClick(table, Qt.Key.Key_Down, Qt.KeyboardModifier.ShiftModifier)
    qtbot.keyClick(table, Qt.Key.Key_Space)
    assert screen.model.column_total(column) == 3


def test_copy_previous_day_copies_ticks_not_counts(screen, station_db, qtbot):
    present, calls = _column(screen, "ZB-01"), _column(screen, "JJ-01")
    screen.model.set_value(0, present, 1)
    screen.model.set_value(0, calls, 4)
    screen.save()
    screen.set_day(DAY + dt.timedelta(days=1))
    qtbot.mouseClick(screen.copy_button, Qt.MouseButton.LeftButton)
    assert screen.model.value(0, present) == 1 and screen.model.value(0, calls) == 0
    assert "接处警等数量不复制" in screen.state.text()


def test_a_day_of_a_locked_month_is_read_only(qtbot, station_ctx_for, station_db):
    from desktop.models.periods import Period
    from desktop.services import periods

    with station_db.transaction() as s:
        period = periods.get_or_create(s, "2026-10")
        period.state = "locked"
    widget = DutyScreen(station_ctx_for("clerk", period="2026-10"))
    qtbot.addWidget(widget)
    widget.show()
    widget.set_day(dt.date(2026, 10, 12))
    widget.refresh()
    column = _column(widget, "ZB-01")
    widget.table.setCurrentIndex(widget.model.index(0, column))
    qtbot.keyClick(widget.table, Qt.Key.Key_Space)
    assert widget.model.value(0, column) == 0 and not widget.model.dirty()
    assert not widget.save_button.isEnabled() and not widget.copy_button.isEnabled()
    assert "2026年10月已锁定：这一天只能查看" in widget.state.text()
    with station_db.session() as s:
        assert s.scalar(select(Period.state).where(Period.code == "2026-10")) == "locked"


def test_closing_the_window_with_unsaved_ticks_asks(qtbot, station_ctx_for, station_db, modals):
    from PySide6.QtWidgets import QMessageBox

    from desktop.ui.main_window import MainWindow

    window = MainWindow(station_ctx_for("clerk", period="2026-11"))
    qtbot.addWidget(window)
    window.show()
    window.show_screen("duty")
    duty = window.screen("duty")
    duty.set_day(DAY)
    duty.model.set_value(0, _column(duty, "ZB-01"), 1)
    modals.question_answer = QMessageBox.StandardButton.Cancel
    assert not window.close() and window.isVisible() and duty.model.dirty()
    assert "每日值勤 2026-11-20：1 条未保存" in modals.texts_of("question")[-1]
    window.request_switch_user()  # 切换用户 asks the same, and 取消 stays
    assert not window.switch_requested and window.isVisible()
    modals.question_answer = QMessageBox.StandardButton.Save
    assert window.close()
    assert _standing(station_db, DAY) == {(duty.model.people[0].id, "ZB-01"): 1}


def test_shift_click_selects_a_range_that_space_ticks(screen, qtbot):
    """As in Excel: click ticks the first cell, Shift-click selects down to the third without
    ticking it, Space ticks the range; Ctrl-click adds a cell; dragging selects without ticking."""
    column = _column(screen, "ZB-03")
    table = screen.table

    def click(row: int, modifier=Qt.KeyboardModifier.NoModifier) -> None:
        rect = table.visualRect(screen.model.index(row, column))
        qtbot.mouseClick(table.viewport(), Qt.MouseButton.LeftButton, modifier, rect.center())

    click(0)
    assert screen.model.value(0, column) == 1
    click(2, Qt.KeyboardModifier.ShiftModifier)
    assert screen.model.value(2, column) == 0
    assert sorted(i.row() for i in table.selectionModel().selectedIndexes()) == [0, 1, 2]
    qtbot.keyClick(table, Qt.Key.Key_Space)
    assert [screen.model.value(r, column) for r in range(3)] == [1, 1, 1]
    click(1, Qt.KeyboardModifier.ControlModifier)  # Ctrl-click takes 李四 out of the selection, unticked
    assert screen.model.value(1, column) == 1
    assert sorted(i.row() for i in table.selectionModel().selectedIndexes()) == [0, 2]
    qtbot.keyClick(table, Qt.Key.Key_Delete)
    assert [screen.model.value(r, column) for r in range(3)] == [0, 1, 0]
    qtbot.keyClick(table, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    assert len(table.selectionModel().selectedIndexes()) == screen.model.rowCount() * screen.model.columnCount()
