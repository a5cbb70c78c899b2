"""设置 → 等次政策: editing the policy in force, previewing who changes grade, saving a new version,
refusing a wrong value by name, and a read-only view for roles that may not change it.

Demo (until 2026-03): months up to 2026-01 are locked, so a new version may start in 2026-02.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from decimal import Decimal

from PySide6.QtCore import Qt
from PySide6.QtGui import QInputMethodEvent
from PySide6.QtWidgets import QApplication, QLineEdit, QMessageBox, QWidget
from sqlalchemy import select

from desktop.models.audit import AuditEvent
from desktop.services import policies
from desktop.services.grade_policy import Policy
from desktop.services.periods import find_period, month_of, transient
from desktop.ui.screens.settings import SettingsScreen
from desktop.ui.widgets.policy_editor import READ_ONLY_NOTE, PolicyPage
from desktop.ui.widgets.policy_form import CODE, MAX

MARCH = dt.date(2026, 3, 1)


def open_page(qtbot, ctx) -> PolicyPage:
    screen = SettingsScreen(ctx)
    qtbot.addWidget(screen)
    screen.resize(1366, 740)
    screen.show()
    qtbot.waitExposed(screen)
    screen.tabs.setCurrentWidget(screen.policy)  # switching tabs reads the page
    page = screen.policy
    assert page.loaded is not None
    return page


def type_chinese(widget: QWidget, text: str) -> None:
    """Chinese arrives as an input-method commit (QTest.keyClicks only knows ASCII keys)."""
    event = QInputMethodEvent()
    event.setCommitString(text)
    QApplication.sendEvent(widget, event)


def edit_cell(qtbot, page: PolicyPage, row: int, column: int, text: str) -> None:
    """Click the cell (a double-click if it is current already), type over its text, press Enter."""
    table = page.form.levels
    rect = table.visualRect(table.model().index(row, column))
    def open_editor() -> QLineEdit | None:
        # The editor of the previous edit may still be there, hidden, until Qt deletes it later.
        return next((e for e in table.viewport().findChildren(QLineEdit) if e.isVisible()), None)

    qtbot.mouseClick(table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    if open_editor() is None:
        qtbot.mouseDClick(table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.waitUntil(lambda: open_editor() is not None, timeout=3000)
    editor = open_editor()
    assert editor is not None and editor.isVisible(), "the cell should open an editor"
    editor.selectAll()
    qtbot.keyClicks(editor, text)
    qtbot.keyClick(editor, Qt.Key.Key_Return)  # the delegate commits on the next event loop turn
    qtbot.waitUntil(lambda: table.item(row, column).text() == text, timeout=2000)


def choose_month(qtbot, page: PolicyPage, day: dt.date) -> None:
    """Step the 生效月份 with the arrow keys, as a user would."""
    page.month.setFocus()
    page.month.setCurrentSection(page.month.Section.MonthSection)
    shown = page.effective()
    steps = (shown.year * 12 + shown.month) - (day.year * 12 + day.month)
    for _ in range(abs(steps)):
        qtbot.keyClick(page.month, Qt.Key.Key_Down if steps > 0 else Qt.Key.Key_Up)
    assert page.effective() == day


def expected_moves(db, share: str, month: dt.date) -> set[str]:
    with db.session() as s:
        period = find_period(s, month_of(month).code) or transient(month_of(month))
        policy = policies.policy_for(s, period)
        levels = (dataclasses.replace(policy.levels[0], max_share=Decimal(share)), *policy.levels[1:])
        return {c.name for c in policies.preview(s, dataclasses.replace(policy, levels=levels), period)}


def version_count(db) -> int:
    with db.session() as s:
        return len(policies.versions(s))


def test_raise_a_share_preview_and_save_a_version(qtbot, ctx_for, demo_db, modals):
    page = open_page(qtbot, ctx_for("suozhang"))
    assert page.save_button.isVisible() and not page.note.isVisible()
    assert page.form.levels.item(0, MAX).text() == "20"
    assert page.effective() >= dt.date(2026, 2, 1)  # never a locked month
    before = version_count(demo_db)

    edit_cell(qtbot, page, 0, MAX, "30")
    choose_month(qtbot, page, MARCH)
    screen = page.window()
    assert isinstance(screen, SettingsScreen)
    screen.tabs.setCurrentWidget(screen.station)
    screen.tabs.setCurrentWidget(screen.policy)  # reads again, keeps what is being edited
    assert page.form.levels.item(0, MAX).text() == "30" and page.effective() == MARCH
    qtbot.mouseClick(page.preview_button, Qt.MouseButton.LeftButton)
    moved = {page.changes.item(r, 1).text() for r in range(page.changes.rowCount())}
    assert moved and moved == expected_moves(demo_db, "0.3", MARCH)
    assert f"以下 {len(moved)} 人的等次会变化" in page.preview_label.text()
    arrows = [page.changes.item(r, 3).text() for r in range(page.changes.rowCount())]
    assert any(text.endswith("→ A类") for text in arrows)

    page.reason.setFocus()
    type_chinese(page.reason, "经所务会研究，A类比例调整为30%")
    qtbot.mouseClick(page.save_button, Qt.MouseButton.LeftButton)
    assert not [m for m in modals.messages if m[0] in ("warning", "question")], modals.messages
    with demo_db.session() as s:
        versions = policies.versions(s)
        assert len(versions) == before + 1
        new = versions[-1]
        assert new.effective_from == MARCH and new.reason == "经所务会研究，A类比例调整为30%"
        assert Policy.from_json(new.definition).levels[0].max_share == Decimal("0.3")
        assert s.scalar(select(AuditEvent).where(AuditEvent.action == "policy.version")
                        .order_by(AuditEvent.id.desc()).limit(1)).username == "suozhang"
    assert page.history.item(0, 0).text() == "2026年3月"
    assert page.history.item(0, 2).text() == "经所务会研究，A类比例调整为30%"
    assert page.form.levels.item(0, MAX).text() == "30"  # the editor now shows the new version
    assert "已保存" in page.status.text()


def test_save_without_preview_asks_with_the_preview(qtbot, ctx_for, demo_db, modals):
    page = open_page(qtbot, ctx_for("suozhang"))
    before = version_count(demo_db)
    edit_cell(qtbot, page, 0, MAX, "30")
    choose_month(qtbot, page, MARCH)
    qtbot.mouseClick(page.preview_button, Qt.MouseButton.LeftButton)
    edit_cell(qtbot, page, 1, MAX, "60")  # changed after the preview: the preview is stale
    assert "重新预览" in page.preview_label.text()
    page.reason.setText("A类30%，B类60%")
    modals.question_answer = QMessageBox.StandardButton.No
    qtbot.mouseClick(page.save_button, Qt.MouseButton.LeftButton)
    kind, _title, text = modals.messages[-1]
    assert kind == "question" and "等次会变化" in text and "2026年3月" in text
    assert version_count(demo_db) == before
    modals.question_answer = QMessageBox.StandardButton.Yes
    qtbot.mouseClick(page.save_button, Qt.MouseButton.LeftButton)
    assert version_count(demo_db) == before + 1


def test_a_wrong_value_is_named_and_nothing_is_saved(qtbot, ctx_for, demo_db, modals):
    page = open_page(qtbot, ctx_for("suozhang"))
    before = version_count(demo_db)
    page.reason.setText("试一试")
    edit_cell(qtbot, page, 0, MAX, "150")
    qtbot.mouseClick(page.save_button, Qt.MouseButton.LeftButton)
    assert modals.messages[-1][0] == "warning"
    assert "第 1 个等次" in modals.last and "最高比例" in modals.last and "0 到 100" in modals.last
    assert page.status.text() == modals.last
    assert (page.form.levels.currentRow(), page.form.levels.currentColumn()) == (0, MAX)

    edit_cell(qtbot, page, 0, MAX, "abc")
    qtbot.mouseClick(page.preview_button, Qt.MouseButton.LeftButton)
    assert "不是有效的数字" in modals.last and page.changes.rowCount() == 0

    # What the service's validation refuses is named the same way: a duplicate grade code.
    edit_cell(qtbot, page, 0, MAX, "20")
    edit_cell(qtbot, page, 0, CODE, "B")
    qtbot.mouseClick(page.save_button, Qt.MouseButton.LeftButton)
    assert "第 2 个等次的“代码”" in modals.last and "重复" in modals.last
    assert version_count(demo_db) == before


def test_officer_and_clerk_see_the_policy_read_only(qtbot, ctx_for, demo_db):
    for username in ("minjing", "neiqin"):
        page = open_page(qtbot, ctx_for(username))
        assert page.note.isVisible() and page.note.text() == READ_ONLY_NOTE
        assert not page.save_button.isVisible() and not page.apply_button.isVisible()
        assert not page.preview_button.isEnabled() and not page.reason.isEnabled()
        assert not page.form.name.isEnabled() and not page.form.ties.isEnabled()
        table = page.form.levels
        rect = table.visualRect(table.model().index(0, MAX))
        qtbot.mouseDClick(table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
        assert table.viewport().findChild(QLineEdit) is None or not table.viewport().findChild(QLineEdit).isVisible()
        assert table.item(0, MAX).text() == "20"
        assert page.history.rowCount() == version_count(demo_db)


def test_tie_break_order_and_exclusions_are_saved(qtbot, station_ctx_for, station_db):
    page = open_page(qtbot, station_ctx_for("admin"))
    ties = page.form.ties
    assert page.form.tie_order() == ["fewer_deductions", "higher_base"]
    ties.setCurrentRow(1)
    qtbot.mouseClick(page.form.tie_up, Qt.MouseButton.LeftButton)
    third = ties.item(2)
    rect = ties.visualItemRect(third)
    qtbot.mouseClick(ties.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.keyClick(ties, Qt.Key.Key_Space)  # tick 加分多者在前
    assert page.form.tie_order() == ["higher_base", "fewer_deductions", "higher_bonus"]
    qtbot.keyClicks(page.form.leave_days, "10")
    page.form.exclude_heads.click()
    page.reason.setText("adjust")
    qtbot.mouseClick(page.preview_button, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(page.save_button, Qt.MouseButton.LeftButton)
    with station_db.session() as s:
        saved = Policy.from_json(policies.versions(s)[-1].definition)
    assert saved.tie_break == ("higher_base", "fewer_deductions", "higher_bonus")
    assert saved.long_leave_days == 10 and saved.exclude_heads is False
