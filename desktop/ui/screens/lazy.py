"""Screens reload only while someone looks at them.

A change while a screen is hidden only marks it stale; it reloads when shown again.
"""

from __future__ import annotations

from typing import Any


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
