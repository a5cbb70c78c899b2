"""Real windows at 1366×768 under a window manager: screenshots of whole screens, menus included.

    xvfb-run -s "-screen 0 1366x768x24" sh -c 'openbox & sleep 1; .venv/bin/python scripts/window_check.py'

Unlike scripts/screenshots.py (offscreen, the window's own pixels), this grabs the screen, so a
popup menu, a dialog beside the window or the title bar shows as a user would see it, and it
says whether each menu and dialog lies wholly on the screen (exit status 1 if one does not).
Scenes: print_menu (月度考核 → 打印 ▾ at the right edge), batch_confirm (several rows, the undo
bar), diary_department (【整个部门】 picked), manual (帮助 → 使用说明 beside the window),
server_connect (the login window's 连接局服务器… link, then the dialog saying why a try failed),
bureau_board (全局公示栏 for a 考核办 account: the demo pushed to `--server`, an empty database on a
PostgreSQL server; skipped without it), bureau_visit (that account reading the pushed demo station's
月度考核; also `--server`).
`--out DIR` writes the pictures elsewhere than docs/screenshots (a look that is not to be kept).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from PySide6.QtCore import QRect, QSettings, Qt, QTimer
from PySide6.QtGui import QGuiApplication
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QMenu, QMessageBox, QWidget

from desktop.models.db import open_database
from desktop.services import accounts
from desktop.services.demo import build_demo
from desktop.services.demo_people import USERS
from desktop.ui.app import make_app
from desktop.ui.context import AppContext
from desktop.ui.main_window import MainWindow

PASSWORDS = {u[0]: u[3] for u in USERS}
OUT = Path(__file__).resolve().parent.parent / "docs" / "screenshots"
problems: list[str] = []
SERVER: str | None = None  # --server: an empty database on a server, for the bureau_board scene


def settle(ms: int = 400) -> None:
    QTest.qWait(ms)


def grab(name: str) -> Path:
    screen = QGuiApplication.primaryScreen()
    path = OUT / f"{name}.png"
    screen.grabWindow(0).save(str(path))
    print(path)
    return path


def on_screen(what: str, rect: QRect) -> None:
    area = QGuiApplication.primaryScreen().geometry()
    if not area.contains(rect):
        problems.append(f"{what} 超出屏幕：{rect.getRect()}，屏幕 {area.getRect()}")
    else:
        print(f"  {what} 在屏幕内：{rect.getRect()}")


def scene_server_connect(db_path: Path, months: list[str]) -> None:
    from desktop.ui.dialogs.server_connect import ServerConnectDialog
    from desktop.ui.login import LoginDialog
    from desktop.ui.opening import DatabaseOpening

    db = open_database(db_path)
    login = LoginDialog(DatabaseOpening.of(db))
    login.show()
    settle()
    on_screen("登录窗口", login.frameGeometry())
    grab("login_server_link")
    address = "postgresql://kaohe@10.1.2.3/jifen"
    dialog = ServerConnectDialog(login, address=address, station="610921001",
                                 reason=f"连不上数据库服务器“{address}?station=610921001”：connection timeout expired")
    dialog.show()
    settle()
    on_screen("连接局服务器", dialog.frameGeometry())
    grab("server_connect")
    dialog.close()
    login.close()
    db.dispose()


def window_for(db_path: Path, username: str, period: str) -> MainWindow:
    db = open_database(db_path)
    with db.transaction() as session:
        actor = accounts.login(session, username, PASSWORDS[username])
    ctx = AppContext(db, actor)
    ctx.set_period(period)
    window = MainWindow(ctx)
    window.show()
    window.showMaximized()
    settle(800)
    on_screen("主窗口", window.frameGeometry())
    return window


def scene_print_menu(db_path: Path, months: list[str]) -> None:
    window = window_for(db_path, "suozhang", months[-2])
    screen = window.show_screen("review")
    settle()
    button = screen.print_button

    def look() -> None:
        menu = button.menu()
        settle(300)
        on_screen("打印菜单", menu.geometry())
        grab("print_menu")
        menu.close()

    QTimer.singleShot(300, look)
    QTest.mouseClick(button, Qt.MouseButton.LeftButton)
    settle()
    window.close()


def scene_batch_confirm(db_path: Path, months: list[str]) -> None:
    window = window_for(db_path, "neiqin", months[-1])
    screen = window.show_screen("review")
    settle()
    QMessageBox.question = staticmethod(lambda *a, **k: QMessageBox.StandardButton.Yes)  # type: ignore[method-assign]
    if screen.buttons["submit"].isEnabled():
        screen.submit()
        settle()
    table = screen.table
    first, fifth = (table.visualRect(screen.proxy.index(r, 1)).center() for r in (0, 5))
    QTest.mouseClick(table.viewport(), Qt.MouseButton.LeftButton, pos=first)
    QTest.mouseClick(table.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.ShiftModifier, fifth)
    settle()
    screen.confirm()
    settle()
    QTest.mouseClick(table.viewport(), Qt.MouseButton.LeftButton, pos=table.visualRect(screen.proxy.index(7, 1)).center())
    QTest.mouseClick(table.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.ShiftModifier,
                     table.visualRect(screen.proxy.index(12, 1)).center())
    settle()
    grab("batch_confirm")
    window.close()


def scene_diary_department(db_path: Path, months: list[str]) -> None:
    window = window_for(db_path, "neiqin", months[-1])
    screen = window.show_screen("diary")
    settle()
    edit = screen.form.people.search.edit
    edit.setFocus()
    QTest.keyClicks(edit, "zhs")
    settle()
    grab("diary_department_choice")
    QTest.keyClick(edit, Qt.Key.Key_Return)
    settle()
    grab("diary_department")
    window.close()


def scene_manual(db_path: Path, months: list[str]) -> None:
    window = window_for(db_path, "neiqin", months[-1])
    QTest.keyClick(window, Qt.Key.Key_F1)
    settle(800)
    dialog = window.manual_dialog
    if dialog is None:
        problems.append("使用说明没有打开")
        return
    on_screen("使用说明", dialog.frameGeometry())
    grab("manual")
    dialog.close()
    window.close()


def _pushed(db_path: Path):  # type: ignore[no-untyped-def]
    """The demo pushed to SERVER, whose bureau schema has its station row and a 考核办 account."""
    from desktop.models.enums import Role
    from desktop.services import roster, server_push
    from desktop.services.actor import Actor

    assert SERVER is not None
    station = open_database(db_path)
    with station.transaction() as session:
        admin = accounts.login(session, "admin", PASSWORDS["admin"])
    server_push.push(station, admin, SERVER)
    station.dispose()
    bureau = open_database(SERVER)
    with bureau.transaction() as session:
        if not roster.has_station(session):
            roster.create_station(session, Actor.system(), code="1503", name="示例县公安局")
            accounts.create_user(session, Actor.system(), "kaohe", "考核办", Role.ASSESSMENT, "kaohe123")
    return bureau


def scene_bureau_visit(db_path: Path, months: list[str]) -> None:
    """The 考核办 account at the demo station's address: 月度考核, reading only."""
    from desktop.models import stores
    from desktop.services import visit

    if SERVER is None:
        print("  跳过：需要 --server postgresql://…（服务器上一个空的数据库）")
        return
    _pushed(db_path).dispose()
    address = stores.with_station(SERVER, "150302001")
    station = open_database(address)
    actor = visit.login(station, "kaohe", "kaohe123")
    ctx = AppContext(station, actor, address=stores.shown(address))
    ctx.set_period(months[-2])
    window = MainWindow(ctx)
    window.showMaximized()
    window.show_screen("review")
    settle(1500)
    on_screen("主窗口", window.frameGeometry())
    grab("bureau_visit")
    window.close()
    station.dispose()


def scene_bureau_board(db_path: Path, months: list[str]) -> None:
    from desktop.models import stores

    if SERVER is None:
        print("  跳过：需要 --server postgresql://…（服务器上一个空的数据库）")
        return
    bureau = _pushed(db_path)
    with bureau.transaction() as session:
        actor = accounts.login(session, "kaohe", "kaohe123")
    ctx = AppContext(bureau, actor, address=stores.shown(SERVER))
    ctx.set_period(months[-2])
    window = MainWindow(ctx)
    window.showMaximized()
    screen = window.show_screen("bureau_board")
    for _ in range(150):  # the board is read in a worker
        settle(200)
        if not getattr(screen, "loading", True):
            break
    on_screen("主窗口", window.frameGeometry())
    grab("bureau_board")
    window.close()
    bureau.dispose()


SCENES: dict[str, Callable[[Path, list[str]], None]] = {
    "print_menu": scene_print_menu, "batch_confirm": scene_batch_confirm,
    "diary_department": scene_diary_department, "manual": scene_manual, "server_connect": scene_server_connect,
    "bureau_board": scene_bureau_board, "bureau_visit": scene_bureau_visit,
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("scenes", nargs="*", help=f"scenes (default: all): {', '.join(SCENES)}")
    parser.add_argument("--out", type=Path, help="folder for the pictures (default: docs/screenshots)")
    parser.add_argument("--server", help="an empty database on a PostgreSQL server (the bureau_board scene)")
    args = parser.parse_args(argv)
    global OUT, SERVER
    SERVER = args.server
    if args.out is not None:
        OUT = args.out
        OUT.mkdir(parents=True, exist_ok=True)
    unknown = [s for s in args.scenes if s not in SCENES]
    if unknown:
        parser.error(f"unknown scene {unknown}")
    app = make_app()
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, tempfile.mkdtemp())
    with tempfile.TemporaryDirectory() as tmp:
        report = build_demo(Path(tmp) / "demo.db")
        for name in args.scenes or SCENES:
            print(name)
            SCENES[name](report.path, list(report.months))
            for widget in QApplication.topLevelWidgets():
                if isinstance(widget, QWidget) and not isinstance(widget, QMenu):
                    widget.close()
            app.processEvents()
    for line in problems:
        print("问题：" + line)
    return 1 if problems else 0


if __name__ == "__main__":
    raise SystemExit(main())
