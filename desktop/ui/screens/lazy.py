"""Screens reload only while someone looks at them, and load their slower parts late.

A change while a screen is hidden only marks it stale; it reloads when shown again. The screen
the main window opens on puts off what is slow until the window is on screen (`after_first_paint`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QWidget


class RefreshWhenShown:
    """Mixin for a screen QWidget (list it before QWidget) that has `refresh()`."""

    _stale = True

    def _is_watched(self) -> bool:
        return self.isVisible()  # type: ignore[attr-defined]

    def _reload(self) -> None:
        self.refresh()  # type: ignore[attr-defined]

    def _refresh_if_shown(self) -> None:
        if self._is_watched():
            self._reload()
        else:
            self._stale = True

    def showEvent(self, event: Any) -> None:
        super().showEvent(event)  # type: ignore[misc]
        if self._stale:
            self.refresh()  # type: ignore[attr-defined]


class _FirstPaint(QObject):
    def __init__(self, widget: QWidget, fn: Callable[[], None]) -> None:
        super().__init__(widget)
        self._fn = fn
        widget.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Paint:
            watched.removeEventFilter(self)
            # Posted, so it runs once the whole frame (this widget's children too) is painted.
            QTimer.singleShot(0, self, self._run)
        return False

    def _run(self) -> None:
        fn = self._fn
        self.deleteLater()
        fn()


def after_first_paint(widget: QWidget, fn: Callable[[], None]) -> None:
    """Call `fn` once `widget` has been painted: the slower parts of the screen the main window
    opens on start loading only when the window is on screen, so they cannot hold it back."""
    _FirstPaint(widget, fn)
    widget.update()  # already on screen: it is painted again, and `fn` follows
