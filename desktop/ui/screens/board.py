"""公示栏: the period's ranking by department in large type, on screen or full screen (F11,
Esc leaves), turning pages by hand or every few seconds; printable as the board PDF."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QCloseEvent, QKeyEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import QCheckBox, QComboBox, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget
from sqlalchemy import select

from desktop.exporters.pdf.data import BoardData
from desktop.models.people import Person
from desktop.models.units import PERSON_SCHEME
from desktop.services import documents, scheme_registry, visibility
from desktop.services.policies import policy_for
from desktop.ui.context import AppContext
from desktop.ui.dialogs.printing import make_pdf
from desktop.ui.screens.board_notes import board_notes
from desktop.ui.screens.board_schemes import scheme_board, write_scheme_board
from desktop.ui.screens.board_view import BoardView
from desktop.ui.screens.lazy import RefreshWhenShown
from desktop.ui.screens.period_bar import PeriodScope
from desktop.ui.workers import Task

CYCLE_MS = 12000


class FullScreenBoard(QWidget):
    """A top-level window that borrows the board view while it is full screen."""

    def __init__(self, screen: BoardScreen) -> None:
        super().__init__(None)
        self.setObjectName("fullScreenBoard")
        self.setWindowTitle("公示栏")
        self.screen = screen
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(screen.view)
        for key in (Qt.Key.Key_Escape, Qt.Key.Key_F11):
            QShortcut(QKeySequence(key), self, self.close)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key.Key_Escape, Qt.Key.Key_F11):
            self.close()
        else:
            super().keyPressEvent(event)

    def closeEvent(self, event: QCloseEvent) -> None:
        self.screen.take_back_view()
        super().closeEvent(event)


class BoardScreen(RefreshWhenShown, QWidget):
    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.task: Task | None = None
        self.full: FullScreenBoard | None = None
        self._stale = True
        layout = QVBoxLayout(self)
        bar = QHBoxLayout()
        # Shown when the station runs more than the person scheme: each scheme has its board.
        self.scheme = QComboBox()
        self.scheme.setObjectName("boardSchemeCombo")
        self.scheme.activated.connect(lambda _i: self.refresh())
        bar.addWidget(self.scheme)
        self.scope = PeriodScope(ctx)
        bar.addWidget(self.scope)
        bar.addSpacing(12)
        self.prev_button = self._button(bar, "prevButton", "上一页", lambda: self.view.go(-1))
        self.page_label = QLabel()
        self.page_label.setObjectName("pageLabel")
        bar.addWidget(self.page_label)
        self.next_button = self._button(bar, "nextButton", "下一页", lambda: self.view.go(1))
        self.cycle = QCheckBox("自动翻页")
        self.cycle.setObjectName("cycleCheck")
        self.cycle.setToolTip(f"每 {CYCLE_MS // 1000} 秒换下一个部门")
        self.cycle.toggled.connect(self._cycle_toggled)
        bar.addWidget(self.cycle)
        bar.addStretch(1)
        self._button(bar, "fullButton", "全屏显示 (F11)", self.toggle_full_screen)
        self._button(bar, "printBoardButton", "打印公示栏", lambda: self.print_board(True))
        self._button(bar, "saveBoardButton", "保存 PDF…", lambda: self.print_board(False))
        layout.addLayout(bar)
        self.view = BoardView()
        self.view.page_changed.connect(self._page_changed)
        self._view_layout = layout
        layout.addWidget(self.view, 1)
        self.timer = QTimer(self)
        self.timer.setInterval(CYCLE_MS)
        self.timer.timeout.connect(lambda: self.view.go(1))
        QShortcut(QKeySequence(Qt.Key.Key_F11), self, self.toggle_full_screen)
        ctx.period_changed.connect(lambda _code: self._refresh_if_shown())
        ctx.data_changed.connect(lambda topic: self._refresh_if_shown()
                                if topic in ("entries", "period", "station") else None)

    def _button(self, bar: QHBoxLayout, name: str, text: str, slot: Any) -> QPushButton:
        button = QPushButton(text)
        button.setObjectName(name)
        button.clicked.connect(slot)
        bar.addWidget(button)
        return button

    # -- data ----------------------------------------------------------------------------------
    def _is_watched(self) -> bool:
        return self.isVisible() or self.full is not None  # the full-screen board counts

    def refresh(self) -> None:
        self._stale = False
        code = self.ctx.period_code
        self._load_schemes()
        scheme = self.scheme.currentData() or PERSON_SCHEME
        if scheme == PERSON_SCHEME:
            self.view.set_data(*self.ctx.read(lambda s: self.load(s, code, self.ctx.actor)))
        else:
            self.view.set_data(*self.ctx.read(lambda s: scheme_board(s, scheme, code)))

    def _load_schemes(self) -> None:
        found = self.ctx.read(lambda s: [(x.code, x.name) for x in scheme_registry.active(s)])
        if [self.scheme.itemData(i) for i in range(self.scheme.count())] == [c for c, _ in found]:
            return
        keep = self.scheme.currentData()
        self.scheme.clear()
        for code, name in found:
            self.scheme.addItem(name, code)
        self.scheme.setCurrentIndex(max(0, self.scheme.findData(keep)))
        self.scheme.setVisible(len(found) > 1)

    @staticmethod
    def load(session: Any, code: str, actor: Any = None) -> tuple[BoardData, list[str], dict[str, list[str]]]:
        period = documents.period_for(session, code)
        levels = [lv.label for lv in policy_for(session, period).levels]
        data = documents.board_data(session, code)
        allowed = visibility.visible_people(session, actor, period.end) if actor is not None else None
        if allowed is not None:  # publish after review: an officer sees his own line until it is signed
            badges = {p.badge for p in session.scalars(select(Person).where(Person.id.in_(allowed)))}
            for section in data.sections:
                section.rows = [r for r in section.rows if r.badge in badges]
            data.sections = [sec for sec in data.sections if sec.rows]
            data.notes = [visibility.hidden_note(period.end), *data.notes]
        return data, levels, board_notes(session, code)

    def _page_changed(self, index: int, count: int) -> None:
        self.page_label.setText(f"第 {index + 1} / {count} 页" if count else "")
        self.prev_button.setEnabled(count > 1)
        self.next_button.setEnabled(count > 1)

    def _cycle_toggled(self, on: bool) -> None:
        if on:
            self.timer.start()
        else:
            self.timer.stop()

    # -- full screen ---------------------------------------------------------------------------
    def keyPressEvent(self, event: QKeyEvent) -> None:
        """F11 also when the shortcut cannot match (e.g. the window is not the active one)."""
        if event.key() == Qt.Key.Key_F11:
            self.toggle_full_screen()
        else:
            super().keyPressEvent(event)

    def toggle_full_screen(self) -> None:
        if self.full is not None:
            self.full.close()
            return
        self.full = FullScreenBoard(self)
        self.full.showFullScreen()
        self.view.setFocus()

    def take_back_view(self) -> None:
        """The full-screen window closes: the view comes back under the toolbar."""
        self._view_layout.addWidget(self.view, 1)
        self.view.show()
        self.full = None

    # -- printing ------------------------------------------------------------------------------
    def print_board(self, print_now: bool) -> None:
        code = self.ctx.period_code
        scheme = self.scheme.currentData() or PERSON_SCHEME
        if scheme == PERSON_SCHEME:
            self.task = make_pdf(self, self.ctx, lambda s, path: documents.write_board(s, code, path),
                                 f"公示栏-{code}.pdf", print_now=print_now)
        else:
            self.task = make_pdf(self, self.ctx, lambda s, path: write_scheme_board(s, scheme, code, path),
                                 f"公示栏-{scheme}-{code}.pdf", print_now=print_now)
