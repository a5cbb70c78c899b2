"""登记确认 for a pile of paper slips at once, asked first and undoable; 提交审核 asked first
(#17 item 9). Driven with clicks and keys on the demo's open month, 2026-03."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QItemSelectionModel, Qt
from PySide6.QtWidgets import QMessageBox
from sqlalchemy import select

from desktop.models.enums import ConfirmStatus, PeriodState
from desktop.models.periods import Confirmation, Period
from desktop.ui.screens.review import ReviewScreen
from desktop.ui.screens.rows_model import KEY_ROLE

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")
CODE = "2026-03"


def statuses(db) -> dict[int, str]:
    with db.session() as s:
        period = s.scalar(select(Period).where(Period.code == CODE))
        return {c.person_id: c.status for c in s.scalars(select(Confirmation).where(Confirmation.period_id == period.id))}


def state(db) -> str:
    with db.session() as s:
        return s.scalar(select(Period.state).where(Period.code == CODE))


def click_row(qtbot, screen: ReviewScreen, row: int, modifier=Qt.KeyboardModifier.NoModifier) -> None:
    rect = screen.table.visualRect(screen.proxy.index(row, 1))
    qtbot.mouseClick(screen.table.viewport(), Qt.MouseButton.LeftButton, modifier, rect.center())


def person_at(screen: ReviewScreen, row: int) -> int:
    return screen.data.row_of(int(screen.proxy.index(row, 0).data(KEY_ROLE))).person_id


@pytest.fixture
def clerk(qtbot, ctx_for, modals, demo_db) -> ReviewScreen:
    screen = ReviewScreen(ctx_for("neiqin", period=CODE))
    qtbot.addWidget(screen)
    screen.resize(1366, 700)
    screen.show()
    screen.refresh()
    # 提交审核 is asked first: “No” leaves the month open.
    modals.question_answer = QMessageBox.StandardButton.No
    qtbot.mouseClick(screen.buttons["submit"], Qt.MouseButton.LeftButton)
    assert modals.messages[-1][:2] == ("question", "提交审核") and state(demo_db) in (None, PeriodState.OPEN.value)
    modals.question_answer = QMessageBox.StandardButton.Yes
    qtbot.mouseClick(screen.buttons["submit"], Qt.MouseButton.LeftButton)
    assert state(demo_db) == PeriodState.REVIEW.value
    assert "已提交审核" in screen.undo_bar.label.text() and not screen.undo_bar.button.isVisible()
    return screen


def test_shift_click_five_rows_confirm_them_at_once_then_undo(qtbot, clerk, modals, demo_db):
    click_row(qtbot, clerk, 0)
    click_row(qtbot, clerk, 4, Qt.KeyboardModifier.ShiftModifier)
    chosen = [person_at(clerk, r) for r in range(5)]
    button = clerk.buttons["confirm"]
    assert button.isEnabled() and button.text() == "登记确认（5 人）"
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    kind, title, text = modals.messages[-1]
    assert (kind, title) == ("question", "登记确认") and all(clerk.data.row_of(p).name in text for p in chosen)
    assert statuses(demo_db) == {p: ConfirmStatus.CONFIRMED.value for p in chosen}
    assert clerk.undo_bar.isVisible() and clerk.undo_bar.button.isVisible()
    qtbot.mouseClick(clerk.undo_bar.button, Qt.MouseButton.LeftButton)
    assert statuses(demo_db) == {}
    assert "已撤销确认" in clerk.undo_bar.label.text() and not clerk.undo_bar.button.isVisible()


def test_ctrl_a_confirms_everyone_but_the_disputed_and_the_button_then_takes_two_back(qtbot, clerk, modals,
                                                                                        demo_db):
    officer = clerk.data.rows[2]
    from desktop.services import periods, review

    with demo_db.transaction() as s:  # one open dispute, registered for an officer
        review.dispute(s, clerk.ctx.actor, periods.get_or_create(s, CODE), officer.person_id, "夜查次数不符")
    clerk.refresh()
    clerk.table.setFocus()
    click_row(qtbot, clerk, 0)
    qtbot.keyClick(clerk.table, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    everyone = len(clerk.data.rows)
    assert len(clerk.selected_rows()) == everyone
    assert clerk.buttons["confirm"].text() == f"登记确认（{everyone - 1} 人）"
    modals.question_answer = QMessageBox.StandardButton.No  # thought better of it: nothing happens
    qtbot.mouseClick(clerk.buttons["confirm"], Qt.MouseButton.LeftButton)
    assert set(statuses(demo_db).values()) == {ConfirmStatus.DISPUTED.value}
    assert f"不在其内（有未处理的异议）：{officer.name}" in modals.messages[-1][2]
    modals.question_answer = QMessageBox.StandardButton.Yes
    qtbot.mouseClick(clerk.buttons["confirm"], Qt.MouseButton.LeftButton)
    after = statuses(demo_db)
    assert after.pop(officer.person_id) == ConfirmStatus.DISPUTED.value
    assert len(after) == everyone - 1 and set(after.values()) == {ConfirmStatus.CONFIRMED.value}

    # Later: two confirmed people selected (Ctrl-click), the button takes their confirmations back.
    clerk.table.clearSelection()
    rows = [r for r in range(everyone) if person_at(clerk, r) != officer.person_id][:2]
    click_row(qtbot, clerk, rows[0])
    click_row(qtbot, clerk, rows[1], Qt.KeyboardModifier.ControlModifier)
    assert clerk.buttons["confirm"].text() == "撤销确认（2 人）"
    qtbot.mouseClick(clerk.buttons["confirm"], Qt.MouseButton.LeftButton)
    assert modals.messages[-1][:2] == ("question", "撤销确认")
    after = statuses(demo_db)
    assert all(person_at(clerk, r) not in after for r in rows) and len(after) == everyone - 2


def test_a_selection_is_kept_row_by_row_for_the_one_person_actions(qtbot, clerk):
    """With several rows selected, the panel and 调整等次 follow the row clicked last."""
    click_row(qtbot, clerk, 1)
    click_row(qtbot, clerk, 3, Qt.KeyboardModifier.ControlModifier)
    assert clerk.selected_row().person_id == person_at(clerk, 3)
    clerk.table.selectionModel().select(clerk.proxy.index(3, 0), QItemSelectionModel.SelectionFlag.Deselect
                                        | QItemSelectionModel.SelectionFlag.Rows)
    assert clerk.selected_row().person_id == person_at(clerk, 1)
