"""The main window: navigation on the left, one screen at a time, period chooser, status bar.

Screens are imported and built the first time they are shown (`importlib`), so a screen
that fails to load shows a note instead of taking the program down. Screens the user's
role may not open are not listed at all.
"""

from __future__ import annotations

import datetime as dt
import importlib
import traceback
from pathlib import Path

from PySide6.QtCore import QByteArray, QSize, Qt, Signal
from PySide6.QtGui import QAction, QCloseEvent, QGuiApplication, QKeySequence
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QMessageBox,
    QStackedWidget,
    QToolBar,
    QWidget,
)

from desktop.models.enums import Role
from desktop.services import queries, reviewers, roster
from desktop.services.periods import month_of, parse_period
from desktop.ui.app import APP_TITLE
from desktop.ui.context import AppContext, settings
from desktop.ui.screens import SCREENS, ScreenSpec
from desktop.ui.screens.lazy import RefreshWhenShown

DEFAULT_SIZE = QSize(1280, 720)  # fits a 1366×768 screen with its task bar and title bar
TITLE_BAR = 32  # what a window manager adds above the window when Qt cannot tell yet


def month_codes(first: dt.date | None, last: dt.date | None, today: dt.date) -> list[str]:
    """Month codes from the first month with data to the later of today and the last entry,
    newest first (the month being worked on is near the top)."""
    start = min(d for d in (first, today) if d is not None).replace(day=1)
    end = max(d for d in (last, today) if d is not None).replace(day=1)
    codes = []
    day = end
    while day >= start:
        codes.append(month_of(day).code)
        day = (day - dt.timedelta(days=1)).replace(day=1)
    return codes


def _in_audience(ctx: AppContext, spec: ScreenSpec) -> bool:
    """Screens for some accounts only: 自报 needs the account's own person, 审核 someone to review,
    全局公示栏 a window on the bureau's own schema of a server."""
    if spec.audience is None:
        return True
    if spec.audience == "bureau":
        return ctx.on_bureau_schema
    person_id = ctx.actor.person_id
    if spec.audience == "person":
        return person_id is not None
    if ctx.actor.role == Role.CHIEF:  # a chief decides for anyone nobody at the station reviews
        return True
    if person_id is None:
        return False
    try:
        return bool(ctx.read(lambda s: reviewers.reviewed_by(s, person_id, dt.date.today())))
    except Exception:  # a navigation entry is not worth a window that cannot open
        traceback.print_exc()
        return False


def screens_for(ctx: AppContext) -> list[ScreenSpec]:
    """The screens this account may open, in navigation order; an officer's own 自报 and 审核 first,
    the bureau's 全局公示栏 first on the bureau's own schema."""
    specs = [s for s in SCREENS if (s.permission is None or ctx.can(s.permission)) and _in_audience(ctx, s)]
    if ctx.actor.role == Role.OFFICER:
        specs = [s for s in specs if s.audience] + [s for s in specs if not s.audience]
    elif ctx.on_bureau_schema:  # the bureau's offices come for the stations' board
        specs = [s for s in specs if s.audience == "bureau"] + [s for s in specs if s.audience != "bureau"]
    return specs


class MainWindow(QMainWindow):
    switch_user = Signal()

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.switch_requested = False
        self.restore_source: Path | None = None  # set when the user chose a backup to restore
        self.specs: list[ScreenSpec] = screens_for(ctx)
        self._screens: dict[str, QWidget] = {}
        self._close_confirmed = False  # unsaved work was asked about for this closing
        self._starting = False
        self.station_name = ctx.read(lambda s: roster.get_station(s).name)
        # Qt adds " — 积分考核台账" (the application's display name) itself: the title bar reads
        # “滨河派出所 — 积分考核台账”, not the program's name twice. On a server the address
        # (with its station=) says which database, as several stations may share one.
        self.setWindowTitle(self.station_name + (f"（服务器 {ctx.address}）" if ctx.address else ""))

        self.nav = QListWidget(self)
        self.nav.setFixedWidth(132)
        self.nav.setIconSize(QSize(0, 0))
        self.nav.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # Ctrl+1…0 switch screens; focus stays in the screen
        self.nav.setStyleSheet("QListWidget { font-size: 11pt; } QListWidget::item { padding: 7px 10px; }")
        for spec in self.specs:
            item = QListWidgetItem(spec.title)
            item.setToolTip(f"{spec.title}（{spec.shortcut}）")
            item.setData(Qt.ItemDataRole.UserRole, spec.key)
            self.nav.addItem(item)
        self.stack = QStackedWidget(self)
        central = QWidget(self)
        layout = QHBoxLayout(central)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.nav)
        layout.addWidget(self.stack, 1)
        self.setCentralWidget(central)

        self.period = QComboBox(self)
        self.period.setMinimumWidth(120)
        toolbar = QToolBar("考核周期", self)
        toolbar.setObjectName("period_toolbar")
        toolbar.setMovable(False)
        toolbar.addWidget(QLabel(" 考核周期 "))
        toolbar.addWidget(self.period)
        self.refresh_action = QAction("刷新（F5）", self)
        self.refresh_action.setShortcut(QKeySequence("F5"))
        self.refresh_action.triggered.connect(self.refresh_current)
        toolbar.addAction(self.refresh_action)
        self.addToolBar(toolbar)

        self.station_label, self.user_label, self.period_label = QLabel(), QLabel(), QLabel()
        for label in (self.station_label, self.user_label, self.period_label):
            self.statusBar().addPermanentWidget(label)
        self.station_label.setText(self.station_name)
        if ctx.address:
            self.server_label = QLabel(f"服务器：{ctx.address}")
            self.server_label.setObjectName("serverStatus")
            self.server_label.setToolTip("数据保存在这台数据库服务器上；备份由服务器管理员用 pg_dump 做")
            self.statusBar().insertPermanentWidget(0, self.server_label)
        role = ctx.actor.role.label
        name = ctx.actor.display_name
        if ctx.actor.visiting is not None:  # a bureau office reading this station (`visit`)
            self.user_label.setText(f"用户：{name}（局机关{role}，只读查看）")
            self.user_label.setToolTip("局机关的账户在派出所的数据里只能查看，不能录入、修改或签字")
        else:
            self.user_label.setText(f"用户：{name}" + ("" if role in name else f"（{role}）"))
        self._build_menus()

        self.nav.currentRowChanged.connect(self._nav_changed)
        self.period.activated.connect(lambda _i: ctx.set_period(self.period.currentData()))
        ctx.period_changed.connect(self._period_changed)
        ctx.data_changed.connect(self._data_changed)
        ctx.restore_requested.connect(self.request_restore)
        ctx.scheme_requested.connect(self.show_scheme)
        self._fill_periods()
        self._update_status()
        self._starting = True  # the screen shown first may load its slower parts late (`_refresh`)
        self._restore()
        self._starting = False

    # -- menus and shortcuts -------------------------------------------------------------
    def _build_menus(self) -> None:
        file_menu = self.menuBar().addMenu("文件(&F)")
        switch = file_menu.addAction("切换用户…")
        switch.setShortcut(QKeySequence("Ctrl+Shift+L"))
        switch.triggered.connect(self.request_switch_user)
        file_menu.addAction("修改本人密码…").triggered.connect(self.change_password)
        file_menu.addAction("核验纸质表…").triggered.connect(self.verify_sheet)
        file_menu.addSeparator()
        quit_action = file_menu.addAction("退出")
        quit_action.setShortcut(QKeySequence("Ctrl+Q"))
        quit_action.triggered.connect(self.close)
        view_menu = self.menuBar().addMenu("查看(&V)")
        for spec in self.specs:
            action = view_menu.addAction(spec.title)
            action.setShortcut(QKeySequence(spec.shortcut))
            action.triggered.connect(lambda _checked=False, key=spec.key: self.show_screen(key))
        view_menu.addSeparator()
        view_menu.addAction(self.refresh_action)
        help_menu = self.menuBar().addMenu("帮助(&H)")
        manual_action = help_menu.addAction("使用说明")
        manual_action.setShortcut(QKeySequence(QKeySequence.StandardKey.HelpContents))  # F1
        manual_action.triggered.connect(self.show_manual)
        help_menu.addAction("关于…").triggered.connect(self.about)

    def show_manual(self) -> None:
        from desktop.ui.dialogs.manual import show_manual

        self.manual_dialog = show_manual(self)

    def verify_sheet(self) -> None:
        from desktop.ui.dialogs.verify_sheet import VerifySheetDialog

        VerifySheetDialog(self.ctx, self).exec()

    def change_password(self) -> None:
        from desktop.ui.dialogs.change_password import ChangePasswordDialog

        if ChangePasswordDialog(self.ctx, self).exec():
            self.statusBar().showMessage("密码已修改，下次登录请用新密码", 8000)

    def about(self) -> None:
        from desktop import __version__
        from desktop.models.db import current_revision

        QMessageBox.about(self, f"关于{APP_TITLE}",
                          f"{APP_TITLE}　版本 {__version__}（数据库结构 {current_revision(self.ctx.db.engine) or '—'}）\n"
                          f"派出所积分制考核的桌面程序。\n\n单位：{self.station_name}\n{self._where()}")

    def _where(self) -> str:
        if self.ctx.address:
            return f"数据库服务器：{self.ctx.address}\n数据保存在局里的数据库服务器上，由服务器管理员备份。"
        return f"数据文件：{self.ctx.db.path or ''}\n所有数据只保存在本机，不联网。"

    def request_switch_user(self) -> None:
        if not self.may_close():
            return
        self.switch_requested = True
        self.switch_user.emit()
        self.close()

    def may_close(self) -> bool:
        """Ask about unsaved work on any screen (duty ticks …): 保存, 不保存 or 取消. True to go on.

        Asked once per closing: 切换用户 and the restore ask here before they close the window."""
        if self._close_confirmed:
            return True
        for key, widget in self._screens.items():
            unsaved = getattr(widget, "unsaved_work", None)
            said = unsaved() if callable(unsaved) else None
            if not said:
                continue
            self.show_screen(key)
            answer = QMessageBox.question(
                self, "有未保存的更改", f"{said}。\n\n保存这些更改吗？",
                QMessageBox.StandardButton.Save | QMessageBox.StandardButton.Discard
                | QMessageBox.StandardButton.Cancel, QMessageBox.StandardButton.Save)
            if answer == QMessageBox.StandardButton.Cancel:
                return False
            if answer == QMessageBox.StandardButton.Save and not widget.save_unsaved():  # type: ignore[attr-defined]
                return False  # the save was refused (its message says why): stay
        self._close_confirmed = True
        return True

    def request_restore(self, source: object) -> None:
        """Close so that `desktop.ui.app.run` can restore `source` and ask for a login again."""
        if not self.may_close():
            return
        self.restore_source = Path(str(source))
        self.close()

    # -- screens -------------------------------------------------------------------------
    def screen(self, key: str) -> QWidget:
        """The screen for `key`, built on first use; a note if its module cannot be loaded."""
        if key in self._screens:
            return self._screens[key]
        spec = next(s for s in self.specs if s.key == key)
        try:
            module = importlib.import_module(f"desktop.ui.screens.{spec.module}")
            widget: QWidget = getattr(module, spec.class_name)(self.ctx, self.stack)
        except Exception as exc:
            traceback.print_exc()
            widget = QLabel(f"“{spec.title}”暂时无法打开：{exc}", self.stack)
            widget.setAlignment(Qt.AlignmentFlag.AlignCenter)
            widget.setWordWrap(True)
        self._screens[key] = widget
        self.stack.addWidget(widget)
        return widget

    def current_key(self) -> str | None:
        item = self.nav.currentItem()
        return item.data(Qt.ItemDataRole.UserRole) if item else None

    def show_screen(self, key: str) -> QWidget | None:
        keys = [s.key for s in self.specs]
        if key not in keys:
            return None
        if self.nav.currentRow() != keys.index(key):
            self.nav.setCurrentRow(keys.index(key))  # -> _nav_changed
        return self._screens.get(key)

    def show_scheme(self, code: str) -> None:
        """The 积分制 screen on one scheme (月度考核 signs the person scheme only)."""
        screen = self.show_screen("schemes")
        combo = getattr(screen, "combo", None)
        if combo is not None and combo.findData(code) >= 0:
            combo.setCurrentIndex(combo.findData(code))  # -> the screen refreshes on the new scheme

    def _nav_changed(self, row: int) -> None:
        if not 0 <= row < len(self.specs):
            return
        widget = self.screen(self.specs[row].key)
        stale = isinstance(widget, RefreshWhenShown) and widget._stale
        self.stack.setCurrentWidget(widget)
        if stale and not widget._stale:
            return  # it reloaded itself as it was shown: once is enough
        self._refresh(widget)

    def refresh_current(self) -> None:
        widget = self.stack.currentWidget()
        if widget is not None:
            self._refresh(widget)
        self._fill_periods()
        self._update_status()

    def _refresh(self, widget: QWidget) -> None:
        # The screen the window opens on may come up with what is quick and read the rest once
        # the window is on screen (考核日记's choices: see DiaryScreen.refresh_staged).
        staged = getattr(widget, "refresh_staged", None) if self._starting else None
        refresh = staged if callable(staged) else getattr(widget, "refresh", None)
        if callable(refresh):
            refresh()

    def _data_changed(self, topic: str) -> None:
        widget = self.stack.currentWidget()
        if widget is not None and not isinstance(widget, RefreshWhenShown):  # those follow changes themselves
            self._refresh(widget)
        if topic in ("period", "station", "entries"):
            self._update_status()

    # -- periods and status --------------------------------------------------------------
    def _fill_periods(self) -> None:
        first, last = self.ctx.read(queries.data_span)
        first = first or self.ctx.read(queries.first_catalogue_day)
        if first is None and self.ctx.on_bureau_schema:
            # The bureau's own schema records nothing itself: its offices look back over the
            # stations' months (from January of last year), not at this month alone.
            first = dt.date(dt.date.today().year - 1, 1, 1)
        codes = month_codes(first, last, dt.date.today())
        if self.ctx.period_code not in codes:
            codes.insert(0, self.ctx.period_code)
        self.period.blockSignals(True)
        self.period.clear()
        for code in codes:
            self.period.addItem(parse_period(code).label, code)
        self.period.setCurrentIndex(max(0, self.period.findData(self.ctx.period_code)))
        self.period.blockSignals(False)

    def _period_changed(self, code: str) -> None:
        index = self.period.findData(code)
        if index < 0:
            self._fill_periods()
        else:
            self.period.setCurrentIndex(index)
        self._update_status()
        widget = self.stack.currentWidget()
        if widget is not None and not isinstance(widget, RefreshWhenShown):  # those follow the period themselves
            self._refresh(widget)

    def _update_status(self) -> None:
        code = self.ctx.period_code
        state = self.ctx.read(lambda s: queries.period_state(s, code))
        self.period_label.setText(f"考核周期：{parse_period(code).label}（{state.label}）")

    # -- window state --------------------------------------------------------------------
    def _restore(self) -> None:
        store = settings()
        geometry = store.value("main/geometry")
        if isinstance(geometry, QByteArray) and not geometry.isEmpty():
            self.restoreGeometry(geometry)
        else:
            self.resize(DEFAULT_SIZE)
        self.fit_to_screen()
        state = store.value("main/state")
        if isinstance(state, QByteArray) and not state.isEmpty():
            self.restoreState(state)
        last = store.value("main/screen", "")
        keys = [s.key for s in self.specs]
        self.nav.setCurrentRow(keys.index(last) if last in keys else 0)

    def fit_to_screen(self) -> None:
        """Keep the whole window, title bar and status bar included, on the screen it opens on: the
        commonest station monitor is 1366×768, and a geometry saved on a larger screen (or the default
        size) must not leave the status bar below its edge."""
        screen = QWidget.screen(self) or QGuiApplication.primaryScreen()  # `screen` here is a screen of ours
        if screen is None:
            return
        area = screen.availableGeometry()
        frame = max(self.frameGeometry().height() - self.height(), TITLE_BAR)
        width = min(self.width(), area.width())
        height = min(self.height(), area.height() - frame)
        if (width, height) != (self.width(), self.height()):
            self.resize(width, height)
        top_left = self.frameGeometry().topLeft()
        if not area.contains(top_left) or not area.contains(self.frameGeometry().bottomRight()):
            self.move(max(area.left(), min(top_left.x(), area.right() - self.frameGeometry().width())),
                      max(area.top(), min(top_left.y(), area.bottom() - height - frame)))

    def closeEvent(self, event: QCloseEvent) -> None:
        if not self.may_close():
            event.ignore()
            return
        store = settings()
        store.setValue("main/geometry", self.saveGeometry())
        store.setValue("main/state", self.saveState())
        store.setValue("main/screen", self.current_key() or "")
        super().closeEvent(event)
