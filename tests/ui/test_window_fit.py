"""The main window on the commonest station monitor (1366×768): it fits, and it says its version."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QByteArray, QRect
from PySide6.QtGui import QScreen

from desktop import __version__
from desktop.models.db import head_revision
from desktop.ui.context import settings
from desktop.ui.main_window import MainWindow

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")


def _window(qtbot, ctx, monkeypatch, width: int = 1366, height: int = 768) -> MainWindow:
    # The offscreen platform's screen is 800×800: stand in a 1366×768 one with a 40-pixel task bar.
    monkeypatch.setattr(QScreen, "availableGeometry", lambda _self: QRect(0, 0, width, height - 40))
    window = MainWindow(ctx)
    qtbot.addWidget(window)
    window.show()
    return window


def test_the_window_fits_a_1366_by_768_screen(qtbot, ctx_for, monkeypatch):
    window = _window(qtbot, ctx_for("neiqin"), monkeypatch)
    frame = window.frameGeometry()
    assert frame.width() <= 1366 and window.height() + 32 <= 768 - 40
    assert window.statusBar().isVisible()
    assert window.minimumSizeHint().height() <= 768 - 40 - 32


def test_a_geometry_saved_on_a_bigger_screen_is_brought_back_onto_this_one(qtbot, ctx_for, monkeypatch):
    big = MainWindow(ctx_for("neiqin"))
    qtbot.addWidget(big)
    big.resize(1900, 1150)
    big.move(300, 200)
    settings().setValue("main/geometry", big.saveGeometry())
    big.close()
    assert isinstance(settings().value("main/geometry"), QByteArray)
    window = _window(qtbot, ctx_for("neiqin"), monkeypatch)
    assert window.width() <= 1366 and window.height() <= 768 - 40 - 32
    assert window.geometry().top() >= 0 and window.geometry().left() >= 0 and window.geometry().bottom() <= 728


def test_about_names_the_version(qtbot, ctx_for, monkeypatch, modals):
    window = _window(qtbot, ctx_for("neiqin"), monkeypatch)
    window.about()
    head = head_revision()  # the demo database is at the newest migration
    assert head.isdigit() and f"版本 {__version__}" in modals.last and f"数据库结构 {head}" in modals.last
