"""奖励: the chief gives 闪光民警 to a grade-A candidate; a clerk cannot; revoke needs a reason;
yearly titles from the suggestions."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QInputMethodEvent
from PySide6.QtWidgets import QApplication, QDialog, QPushButton
from sqlalchemy import func, select

from desktop.models.grading import Award
from desktop.ui.dialogs.reason import ReasonDialog
from desktop.ui.screens.awards import AwardsScreen

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")


def make_awards(qtbot, ctx) -> AwardsScreen:
    screen = AwardsScreen(ctx)
    qtbot.addWidget(screen)
    screen.resize(1280, 800)
    screen.show()
    screen.refresh()
    return screen


def awards_count(db) -> int:
    with db.session() as s:
        return s.scalar(select(func.count()).select_from(Award))


def test_chief_gives_flash_police_and_revokes(qtbot, qtmodeltester, ctx_for, modals, demo_db):
    screen = make_awards(qtbot, ctx_for("suozhang", period="2026-02"))
    candidates = screen.month.candidates
    assert candidates and all(c.title in ("闪光民警", "闪光辅警") for c in candidates)
    police = next(c for c in candidates if c.title == "闪光民警")
    assert screen.select_candidate(police.person_id)
    assert screen.give_police.isEnabled() and not screen.give_aux.isEnabled()
    before = awards_count(demo_db)
    qtbot.mouseClick(screen.give_police, Qt.MouseButton.LeftButton)
    assert awards_count(demo_db) == before + 1, modals.messages
    assert [a.name for a in screen.month.given] == [police.name]
    assert screen.select_candidate(police.person_id) and not screen.give_police.isEnabled()  # given once
    qtmodeltester.check(screen.candidate_model)
    qtmodeltester.check(screen.given_model)

    def fill(dialog: QDialog) -> int:
        assert isinstance(dialog, ReasonDialog)
        event = QInputMethodEvent()
        event.setCommitString("评选材料有误")
        QApplication.sendEvent(dialog.text, event)
        qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
        return dialog.result()

    modals.on_dialog = fill
    view = screen.given_view
    view.selectRow(0)
    qtbot.mouseClick(screen.revoke_button, Qt.MouseButton.LeftButton)
    assert awards_count(demo_db) == before and not screen.month.given


def test_clerk_cannot_give(qtbot, ctx_for, modals, demo_db):
    screen = make_awards(qtbot, ctx_for("neiqin", period="2026-02"))
    assert not screen.give_police.isVisible() and not screen.revoke_button.isVisible()
    police = next(c for c in screen.month.candidates if c.title == "闪光民警")
    assert screen.select_candidate(police.person_id)
    before = awards_count(demo_db)
    screen.give("闪光民警")  # even when called, the service refuses
    assert "无权评定奖励" in modals.last
    assert awards_count(demo_db) == before


def test_yearly_title_from_suggestion(qtbot, ctx_for, modals, demo_db):
    screen = make_awards(qtbot, ctx_for("suozhang", period="2026-02"))
    screen.year.setValue(2025)
    suggestions = screen.year_view.suggestions
    assert suggestions and all(s.title == "执法办案标兵" for s in suggestions)
    index = screen.suggest_view.model().index(0, 0)
    screen.suggest_view.doubleClicked.emit(index)
    assert screen.person_combo.currentData() == index.data(Qt.ItemDataRole.UserRole + 1)
    assert screen.title_combo.currentText() == "执法办案标兵"
    qtbot.mouseClick(screen.give_year, Qt.MouseButton.LeftButton)
    assert [a.title for a in screen.year_view.given] == ["执法办案标兵"], modals.messages
    assert screen.year_view.suggestions[0].given


def test_certificates_for_a_signed_month(qtbot, ctx_for, modals, monkeypatch):
    from desktop.ui.dialogs import printing

    opened: list[str] = []
    monkeypatch.setattr(printing, "preview", lambda _parent, path: opened.append(str(path)) or 0)
    screen = make_awards(qtbot, ctx_for("neiqin", period="2026-01"))
    assert len(screen.month.given) >= 1  # the demo gave 闪光民警 / 闪光辅警 for signed months
    qtbot.mouseClick(screen.findChild(QPushButton, "printCertButton"), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: bool(opened) or bool(modals.messages), timeout=20000)
    assert opened and "奖励证书" in opened[0], modals.messages
