"""公示栏: large type, pages by department, F11 full screen and Esc back."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from desktop.models.people import Person
from desktop.ui.screens.board import BoardScreen
from desktop.ui.screens.board_view import MIN_BODY_PX, body_px

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")


def make_board(qtbot, ctx) -> BoardScreen:
    screen = BoardScreen(ctx)
    qtbot.addWidget(screen)
    screen.resize(1280, 800)
    screen.show()
    qtbot.waitExposed(screen)
    screen.refresh()
    return screen


def test_an_officer_sees_only_his_line_of_a_month_not_yet_signed(qtbot, ctx_for):
    screen = make_board(qtbot, ctx_for("minjing", period="2026-02"))  # under review in the demo
    rows = [r for section in screen.view.data.sections for r in section.rows]
    assert len(rows) == 1 and rows[0].badge == screen.ctx.read(
        lambda s: s.get(Person, screen.ctx.actor.person_id).badge)
    assert "尚未签核" in screen.view.data.notes[0]


def test_pages_and_type_size(qtbot, ctx_for):
    screen = make_board(qtbot, ctx_for("minjing", period="2026-01"))  # signed: published to everyone
    view = screen.view
    assert view.width() >= 1200
    assert view.fonts()[2].pixelSize() >= MIN_BODY_PX and body_px(1280) >= 28
    assert len(view.pages) >= 5  # one department per page at least
    first = view.pages[0]
    assert first.department == view.data.sections[0].department
    assert screen.page_label.text() == f"第 1 / {len(view.pages)} 页"
    qtbot.mouseClick(screen.next_button, Qt.MouseButton.LeftButton)
    assert view.index == 1
    view.setFocus()
    qtbot.keyClick(view, Qt.Key.Key_Left)
    assert view.index == 0
    qtbot.keyClick(view, Qt.Key.Key_Left)
    assert view.index == len(view.pages) - 1  # wraps around
    # A short window splits a long department over pages, none is lost.
    view.resize(1280, 330)
    shown = sum(len(p.rows) for p in view.pages)
    assert shown == sum(len(s.rows) for s in view.data.sections)


def test_f11_full_screen_and_escape(qtbot, ctx_for):
    screen = make_board(qtbot, ctx_for("minjing", period="2026-02"))
    with qtbot.waitActive(screen):
        screen.activateWindow()
    qtbot.keyClick(screen, Qt.Key.Key_F11)
    full = screen.full
    assert full is not None and full.isFullScreen()
    assert screen.view.window() is full
    qtbot.keyClick(full, Qt.Key.Key_Escape)
    assert screen.full is None
    assert screen.view.window() is screen and screen.view.isVisible()
    screen.toggle_full_screen()
    assert screen.full is not None
    qtbot.keyClick(screen.full, Qt.Key.Key_F11)  # F11 again leaves too
    assert screen.full is None


def test_auto_cycle_and_print(qtbot, ctx_for, modals, monkeypatch, tmp_path):
    from desktop.ui.dialogs import printing

    screen = make_board(qtbot, ctx_for("minjing", period="2026-01"))
    screen.timer.setInterval(20)
    screen.cycle.setChecked(True)
    qtbot.waitUntil(lambda: screen.view.index >= 1, timeout=3000)
    screen.cycle.setChecked(False)
    assert not screen.timer.isActive()
    opened: list[str] = []
    monkeypatch.setattr(printing, "preview", lambda _parent, path: opened.append(str(path)) or 0)
    qtbot.mouseClick(screen.findChild(type(screen.next_button), "printBoardButton"), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: bool(opened) or bool(modals.messages), timeout=20000)
    assert opened and opened[0].endswith(".pdf"), modals.messages


def test_f11_from_the_main_window(qtbot, ctx_for):
    from desktop.ui.main_window import MainWindow

    window = MainWindow(ctx_for("minjing", period="2026-02"))
    qtbot.addWidget(window)
    window.resize(1280, 800)
    window.show()
    screen = window.show_screen("board")
    assert isinstance(screen, BoardScreen)
    assert screen.view.fonts()[2].pixelSize() >= MIN_BODY_PX
    with qtbot.waitActive(window):
        window.activateWindow()
    qtbot.keyClick(window, Qt.Key.Key_F11)
    assert screen.full is not None and screen.full.isFullScreen()
    qtbot.keyClick(screen.full, Qt.Key.Key_Escape)
    assert screen.full is None and screen.view.window() is window
