"""Start the desktop program: Qt application, Chinese font and translations, first-run
wizard, login, main window. `jifen gui` and a bare `jifen` land here.

The program holds the database's writer lock from start to exit, so a second copy on the same
file is refused before it touches it. A damaged file offers the newest backup; closing the
main window makes the automatic backup; a restore chosen in 备份与恢复 is done here, between
two logins, while no screen reads the database. A server address (`--db postgresql://…`, or
连接局服务器 in the login window or the wizard) is worked on by `app_server`, without any of these.
"""

from __future__ import annotations

import sqlite3
import sys
import traceback
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING

from PySide6.QtCore import QLocale
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication, QDialog, QMessageBox

from desktop.paths import resource
from desktop.services import integrity
from desktop.services.errors import JifenError
from desktop.services.integrity import DatabaseBusy, DatabaseDamaged, WriterLock
from desktop.ui import translations
from desktop.ui.fonts import ensure_cjk_font
from desktop.ui.gc_guard import GarbageCollector
from desktop.ui.login import LoginDialog
from desktop.ui.opening import DatabaseOpening, peek_station
from desktop.ui.workers import run_blocking

if TYPE_CHECKING:
    from desktop.models.db import Database
    from desktop.services.actor import Actor
    from desktop.ui.dialogs.server_connect import Connected

# Everything above is light (Qt and the standard library): the login window is on screen before
# SQLAlchemy, the models and the screens are loaded, which happens in `opening` meanwhile.
APP_TITLE = "积分考核台账"


def make_app() -> QApplication:
    """The QApplication with Fusion style, a CJK font and Qt's own Chinese texts."""
    existing = QApplication.instance()
    app = existing if isinstance(existing, QApplication) else QApplication(sys.argv)
    app.setApplicationName("jifen")
    app.setApplicationDisplayName(APP_TITLE)
    app.setOrganizationName("jifen")
    app.setStyle("Fusion")
    icon = resource("icons", "jifen.png")
    if icon.is_file():
        app.setWindowIcon(QIcon(str(icon)))
    QLocale.setDefault(QLocale(QLocale.Language.Chinese, QLocale.Country.China))
    if app.findChild(translations.GapTranslator) is None and not translations.install(app):
        print("警告：没有找到 Qt 的中文翻译文件，程序自带的对话框可能显示英文。", file=sys.stderr)
    if ensure_cjk_font(app) is None:
        print("警告：没有找到中文字体，界面中的汉字可能显示为方框。", file=sys.stderr)
    if app.findChild(GarbageCollector) is None:  # collect garbage on this thread only (gc_guard)
        GarbageCollector(app)
    return app


def remember_period(ctx: object) -> None:
    """Each user opens on the period he last looked at (not the current month at every login),
    and every change of period is kept for next time. A period code the program cannot read any
    more (a hand-edited settings file) is ignored."""
    from desktop.services.errors import ValidationError
    from desktop.services.periods import parse_period
    from desktop.ui import prefs

    # A server has no path: its address, as shown, names it (a password is never in it).
    path = getattr(ctx, "address", None) or ctx.db.path  # type: ignore[attr-defined]
    username = ctx.actor.username  # type: ignore[attr-defined]
    code = prefs.last_period(path, username)
    if code:
        try:
            ctx.set_period(parse_period(code).code)  # type: ignore[attr-defined]
        except ValidationError:
            pass
    ctx.period_changed.connect(lambda new: prefs.keep_period(path, username, new))  # type: ignore[attr-defined]


def needs_setup(db_path: Path) -> bool:
    """No database yet, or one without a station (a first run that was cancelled).

    Only looks, with the standard library's sqlite3: `run` opens the database properly next
    (integrity check, migration). A file that cannot be read this way is not for the wizard:
    opening it says what is wrong and offers the backups.
    """
    if not db_path.exists() or db_path.stat().st_size == 0:
        return True
    try:
        return peek_station(db_path) is None
    except sqlite3.Error:
        return False


def _excepthook(kind: type[BaseException], exc: BaseException, tb: TracebackType | None) -> None:
    """An unexpected error is shown, not silently swallowed, and the window stays up."""
    traceback.print_exception(kind, exc, tb)
    QMessageBox.critical(None, "程序错误", f"发生了意外错误：{exc}\n\n请把这段信息告诉管理员；已保存的数据不受影响。")


def take_writer_lock(db_path: Path) -> WriterLock | None:
    """The one-writer lock, or None after telling the user that the database is already open."""
    try:
        return integrity.acquire_writer_lock(db_path)
    except DatabaseBusy as exc:
        if isinstance(exc.__cause__, OSError):  # no lock file could be made: a folder permission problem
            QMessageBox.critical(None, "无法打开数据库", str(exc))
            return None
        QMessageBox.critical(None, "程序已经打开",
                             f"积分考核台账已经打开了这个数据库，不能同时再打开一次。\n\n{exc}\n\n"
                             "请切换到已经打开的窗口（看看任务栏），或把它关闭后再启动。")
        return None


def restore_backup(db_path: Path, source: Path, lock: WriterLock, actor: Actor | None = None) -> bool:
    """Restore `source` over the closed database in a worker; tell the user how it went."""
    from desktop.services import backup

    try:
        report = run_blocking(None, "恢复备份",
                              lambda _p: backup.restore(db_path, source, lock=lock, actor=actor),
                              label="正在检查备份并恢复数据库…")
    except (JifenError, OSError) as exc:
        QMessageBox.critical(None, "恢复未完成", str(exc))
        return False
    kept = f"\n恢复前的数据库已保留为：{report.kept}" if report.kept else ""
    QMessageBox.information(None, "恢复完成",
                            f"已用“{report.source.name}”恢复数据库（审计记录 {report.info.audit_events:,} 条，"
                            f"校验通过）。{kept}\n\n请重新登录。")
    return True


def offer_restore(db_path: Path, lock: WriterLock, message: str) -> bool:
    """The database is damaged: offer its newest backup. True when it was restored."""
    from desktop.services import backup

    backups = backup.list_backups(db_path)
    if not backups:
        QMessageBox.critical(None, "数据库已损坏", message)
        return False
    newest = backups[0]
    box = QMessageBox(QMessageBox.Icon.Critical, "数据库已损坏",
                      f"{message}\n\n现在用最近的备份（{newest.label()}）恢复吗？损坏的文件会先另存到备份文件夹。",
                      QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No)
    box.button(QMessageBox.StandardButton.Yes).setText("恢复最近的备份")
    box.button(QMessageBox.StandardButton.No).setText("退出")
    box.setDefaultButton(QMessageBox.StandardButton.No)
    if box.exec() != QMessageBox.StandardButton.Yes.value:
        return False
    return restore_backup(db_path, newest.path, lock)


def open_checked(db_path: Path, lock: WriterLock) -> Database | None:
    """Open the database (quick_check, migration); a damaged one offers the newest backup.
    None when the user chose to quit or it cannot be opened (the user has been told why)."""
    from desktop.models.db import open_database

    try:
        return open_database(db_path)
    except DatabaseDamaged as exc:
        if not offer_restore(db_path, lock, str(exc)):
            return None
    try:
        return open_database(db_path)
    except JifenError as exc:
        QMessageBox.critical(None, "无法打开数据库", str(exc))
        return None


def backup_on_close(db_path: Path) -> Path | None:
    """The automatic backup when the main window closes; a failure must not stop the exit."""
    from desktop.services import backup

    try:
        return run_blocking(None, "自动备份", lambda _p: backup.automatic(db_path, "close"),
                            label="正在自动备份数据库…")
    except (JifenError, OSError) as exc:
        print(f"自动备份未完成：{exc}", file=sys.stderr)
        return None


def run(db_path: str | Path, demo_requested: bool = False) -> int:
    """The program on a station's file or, for a server address, on the server (`app_server`)."""
    app = make_app()
    sys.excepthook = _excepthook
    from desktop.ui import app_server
    from desktop.ui.dialogs.print_preview import sweep_stale

    sweep_stale()  # print files a crash left in the temporary folder hold personal scores
    address = app_server.address_of(db_path)
    if address is not None:
        return app_server.start(app, address)
    db_path = Path(db_path)
    db_path.parent.mkdir(parents=True, exist_ok=True)
    lock = take_writer_lock(db_path)
    if lock is None:
        return 1
    try:
        outcome = _on_file(app, db_path, lock, demo_requested)
    finally:
        lock.release()  # also when the program goes on to a server: the file is left alone then
    return outcome if isinstance(outcome, int) else app_server.sessions(app, outcome)


def _on_file(app: QApplication, db_path: Path, lock: WriterLock, demo_requested: bool) -> int | Connected:
    """The first run's wizard if needed, then the sessions on the file; the server instead when
    one was connected to from the wizard or the login window."""
    if needs_setup(db_path):
        from desktop.ui.wizard import FirstRunWizard

        wizard = FirstRunWizard(db_path, demo=demo_requested)
        if wizard.exec() != QDialog.DialogCode.Accepted:
            return 0
        if wizard.server_chosen:  # 连接局服务器: no file of ours is made
            from desktop.ui import app_server

            return app_server.ask() or 0
    opening = _first_opening(db_path, lock)
    return 1 if opening is None else _sessions(app, opening, lock)


def _first_opening(db_path: Path, lock: WriterLock) -> DatabaseOpening | None:
    """The database opening in the background for the first login window. A file whose station
    cannot even be peeked at is opened first, the careful way (it says what is wrong)."""
    try:
        station = peek_station(db_path)
    except sqlite3.Error:
        station = None
    if station is not None:
        return DatabaseOpening.start(db_path, station)
    db = open_checked(db_path, lock)
    return None if db is None else DatabaseOpening.of(db)


def _opened(opening: DatabaseOpening, lock: WriterLock) -> Database | None:
    """The database once its opening has ended; a damaged one offers the newest backup.
    None when it could not be opened (the user has been told why)."""
    opening.wait()
    if opening.db is not None:
        return opening.db
    error = opening.error
    if isinstance(error, DatabaseDamaged):
        if not offer_restore(lock.db_path, lock, str(error)):
            return None
        return open_checked(lock.db_path, lock)
    if isinstance(error, JifenError):
        QMessageBox.critical(None, "无法打开数据库", str(error))
        return None
    if error is not None:
        raise error
    return None


def _sessions(app: QApplication, opening: DatabaseOpening | None, lock: WriterLock) -> int | Connected:
    """Login and main window, again after 切换用户 or a restore, until the user quits.
    1 when the database could not be opened; the server when 连接局服务器… connected to one."""
    db_path = lock.db_path
    current: Database | None = None
    code = 0
    try:
        while opening is not None:
            login = LoginDialog(opening)
            accepted = login.exec() == QDialog.DialogCode.Accepted and login.actor is not None
            current = _opened(opening, lock)  # also after 退出: the worker must be done first
            if login.server is not None:  # the file is closed (finally) and the program goes there
                return login.server
            if current is None:
                return 1
            if not accepted or login.actor is None:
                if opening.error is not None:  # restored from a backup: log in again
                    opening = DatabaseOpening.of(current)
                    continue
                break
            from desktop.ui.context import AppContext
            from desktop.ui.main_window import MainWindow

            ctx = AppContext(current, login.actor)
            remember_period(ctx)
            window = MainWindow(ctx)
            window.show()
            code = app.exec()
            restore_source, switching = window.restore_source, window.switch_requested
            window.deleteLater()
            if restore_source is not None:
                current.dispose()  # the restore needs every connection closed
                current = None
                restore_backup(db_path, restore_source, lock, login.actor)
                current = open_checked(db_path, lock)
                if current is None:
                    return 1
                opening = DatabaseOpening.of(current)
                continue
            backup_on_close(db_path)
            if not switching:
                break
            opening = DatabaseOpening.of(current)
    finally:
        if current is not None:
            current.dispose()
    return code
