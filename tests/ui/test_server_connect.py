"""连接局服务器 as a clerk uses it: the dialog, the login window's link, the wizard's choice,
`jifen gui --db postgresql://…`, and the main window on a server (no backup, no restore).

On the test cluster every login is trusted: a typed password is accepted whatever it is, which is
enough to see where it goes (into the engine) and where it never goes (the settings file)."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QDialog, QLabel, QWizard

from desktop.models import stores
from desktop.models.db import Database, open_database
from desktop.services import accounts, integrity
from desktop.ui import app as app_module
from desktop.ui import prefs
from desktop.ui.app_server import address_of
from desktop.ui.context import AppContext
from desktop.ui.dialogs.server_connect import CONNECTING, ServerConnectDialog
from desktop.ui.login import LoginDialog
from desktop.ui.main_window import MainWindow
from desktop.ui.opening import DatabaseOpening
from desktop.ui.screens.backups import SERVER_NOTE, SERVER_TIP, BackupsPage
from desktop.ui.wizard import FirstRunWizard
from tests import factories
from tests.factories import PASSWORD, db_arg

SECRET = "geheim-pw-19"


def click(qtbot, widget) -> None:  # type: ignore[no-untyped-def]
    qtbot.mouseClick(widget, Qt.MouseButton.LeftButton)


def settings_text() -> str:
    """Everything the program wrote to its settings file (a temp folder: tests/ui/conftest.py)."""
    store = prefs.settings()
    store.sync()
    path = Path(store.fileName())
    return path.read_text("utf-8", "replace") if path.exists() else ""


@pytest.fixture
def server(pg_db: Database) -> str:
    """The address of a server database holding a station (users admin, chief, … PASSWORD)."""
    with pg_db.transaction() as session:
        factories.station(session)
    return db_arg(pg_db)


def fill(qtbot, dialog: ServerConnectDialog, address: str, station: str = "", password: str = "") -> None:  # type: ignore[no-untyped-def]
    for edit, text in ((dialog.address, address), (dialog.station, station), (dialog.password, password)):
        edit.clear()
        if text:
            qtbot.keyClicks(edit, text)


def connect_and_wait(qtbot, dialog: ServerConnectDialog) -> None:  # type: ignore[no-untyped-def]
    click(qtbot, dialog.connect_button)
    qtbot.waitUntil(lambda: not dialog.connecting, timeout=30000)


def opened_dialog(qtbot) -> ServerConnectDialog:  # type: ignore[no-untyped-def]
    dialog = ServerConnectDialog()
    qtbot.addWidget(dialog)
    dialog.show()
    return dialog


# -- the dialog --------------------------------------------------------------------------------
def test_a_good_address_connects_and_the_login_accepts_a_user_of_that_database(qtbot, server):
    dialog = opened_dialog(qtbot)
    fill(qtbot, dialog, server, password=SECRET)
    click(qtbot, dialog.connect_button)
    assert dialog.message.text() == CONNECTING and not dialog.address.isEnabled()  # the worker is on it
    qtbot.waitUntil(lambda: dialog.connected is not None, timeout=30000)
    assert dialog.result() == QDialog.DialogCode.Accepted
    connected = dialog.connected
    assert connected.station == ("测试派出所", "150302") and connected.db.is_server
    assert SECRET not in connected.target and SECRET not in connected.shown

    login = LoginDialog(DatabaseOpening(None, connected.station, connected.db), where=connected.shown)
    qtbot.addWidget(login)
    login.show()
    assert login.server_button is None  # already on a server
    assert connected.shown in login.findChild(QLabel, "loginServer").text()
    qtbot.keyClicks(login.username, "clerk")
    qtbot.keyClicks(login.password, PASSWORD)
    qtbot.keyClick(login.password, Qt.Key.Key_Return)
    assert login.result() == QDialog.DialogCode.Accepted and login.actor is not None
    assert login.actor.username == "clerk"
    connected.db.dispose()

    # The address is offered next time; the password never reaches the settings file.
    assert prefs.last_server() == (stores.with_station(server, None), "")
    text = settings_text()
    assert "address=" in text
    assert SECRET not in text
    again = opened_dialog(qtbot)
    assert again.address.text() == server and again.password.text() == "" and again.station.text() == ""


def test_a_password_typed_into_the_address_is_used_but_not_kept(qtbot, server):
    from sqlalchemy.engine import make_url

    with_password = make_url(server).set(password=SECRET).render_as_string(hide_password=False)
    dialog = opened_dialog(qtbot)
    fill(qtbot, dialog, with_password)
    connect_and_wait(qtbot, dialog)
    assert dialog.connected is not None, dialog.message.text()
    assert dialog.connected.db.engine.url.password == SECRET  # in the engine, in memory
    assert SECRET not in dialog.connected.target
    dialog.connected.db.dispose()
    assert SECRET not in settings_text() and prefs.last_server()[0] == server


def test_a_wrong_address_says_why_in_chinese_and_the_dialog_stays_open(qtbot, pg_cluster):
    dialog = opened_dialog(qtbot)
    fill(qtbot, dialog, "")
    click(qtbot, dialog.connect_button)
    assert "请填写服务器地址" in dialog.message.text() and dialog.isVisible()

    fill(qtbot, dialog, "mysql://kaohe@10.1.2.3/jifen")
    click(qtbot, dialog.connect_button)
    assert "不是服务器地址" in dialog.message.text() and dialog.isVisible()

    fill(qtbot, dialog, pg_cluster.url("no_such_db"))
    connect_and_wait(qtbot, dialog)
    assert "服务器上没有数据库“no_such_db”" in dialog.message.text()
    assert dialog.isVisible() and dialog.connected is None and dialog.result() != QDialog.DialogCode.Accepted
    assert dialog.address.isEnabled() and dialog.connect_button.isEnabled()  # ready for a correction
    assert prefs.last_server() == ("", "")  # nothing remembered of a failed try


def test_an_unknown_station_says_why_and_the_dialog_stays_open(qtbot, server):
    dialog = opened_dialog(qtbot)
    fill(qtbot, dialog, server, station="999999")
    connect_and_wait(qtbot, dialog)
    assert "没有单位代码为“999999”的派出所" in dialog.message.text()
    assert dialog.isVisible() and dialog.connected is None


def test_a_station_sharing_the_bureau_database_is_reached_by_its_code(qtbot, pg_db):
    target = stores.with_station(db_arg(pg_db), "610921001")
    station_db = open_database(target)  # the station's own schema, as `jifen server push` makes it
    try:
        with station_db.transaction() as session:
            factories.station(session)
    finally:
        station_db.dispose()
    dialog = opened_dialog(qtbot)
    fill(qtbot, dialog, db_arg(pg_db), station="610921001")
    connect_and_wait(qtbot, dialog)
    assert dialog.connected is not None, dialog.message.text()
    assert "station=610921001" in dialog.connected.shown
    with dialog.connected.db.session() as session:
        accounts.login(session, "chief", PASSWORD)
    dialog.connected.db.dispose()
    assert prefs.last_server() == (db_arg(pg_db), "610921001")
    assert opened_dialog(qtbot).station.text() == "610921001"  # offered next time


def test_a_server_without_a_station_says_so(qtbot, pg_db):
    dialog = opened_dialog(qtbot)
    fill(qtbot, dialog, db_arg(pg_db))
    connect_and_wait(qtbot, dialog)
    assert "还没有单位数据" in dialog.message.text() and dialog.connected is None


# -- on a server, what only a file has is switched off ------------------------------------------
def test_backup_and_restore_are_disabled_on_a_server_and_say_why(qtbot, server, pg_db):
    with pg_db.transaction() as session:
        actor = accounts.login(session, "admin", PASSWORD)
    ctx = AppContext(pg_db, actor, address=stores.shown(server))
    window = MainWindow(ctx)
    qtbot.addWidget(window)
    window.show()
    assert "服务器" in window.windowTitle() and stores.shown(server) in window.windowTitle()
    assert window.server_label.text() == f"服务器：{stores.shown(server)}"
    screen = window.show_screen("audit")
    screen.show_backups()
    page = screen.backups
    assert isinstance(page, BackupsPage)
    buttons = (page.backup_button, page.restore_button, page.restore_file_button, page.folder_button)
    assert not any(b.isEnabled() for b in buttons)
    assert all(b.toolTip() == SERVER_TIP for b in buttons)
    assert page.note.text() == SERVER_NOTE and page.status.text() == ""
    click(qtbot, page.backup_button)  # a disabled button does nothing, and nothing breaks
    assert page.task is None
    window.close()


# -- the program around it: app.run with its dialogs and event loop driven ---------------------
class Driver:
    def __init__(self) -> None:
        self.users: list[str] = []  # who logs in, window after window
        self.sessions: list[Callable[[MainWindow], None]] = []
        self.server = ""  # what the connect dialog is filled with
        self.logins: list[LoginDialog] = []
        self.windows: list[MainWindow] = []


@pytest.fixture
def drive(qtbot, qapp, modals, monkeypatch) -> Iterator[Driver]:  # type: ignore[no-untyped-def]
    driver = Driver()
    monkeypatch.setattr(app_module, "make_app", lambda: qapp)
    monkeypatch.setattr(sys, "excepthook", sys.excepthook)

    def on_dialog(dialog: QDialog) -> int:
        if isinstance(dialog, ServerConnectDialog):
            dialog.show()
            fill(qtbot, dialog, driver.server)
            connect_and_wait(qtbot, dialog)
            return int(dialog.result())
        if isinstance(dialog, LoginDialog) and driver.users:
            driver.logins.append(dialog)
            name = driver.users.pop(0)
            if name == "→server":  # the link under the login window
                click(qtbot, dialog.server_button)
                return int(dialog.result())
            dialog.username.setText(name)
            dialog.password.setText(PASSWORD)
            dialog.accept()
            return int(dialog.result())
        return int(QDialog.DialogCode.Rejected.value)

    def event_loop(_app: QApplication) -> int:
        window = next(w for w in QApplication.topLevelWidgets() if isinstance(w, MainWindow) and w.isVisible())
        driver.windows.append(window)
        driver.sessions.pop(0)(window)
        window.close()
        return 0

    modals.on_dialog = on_dialog
    monkeypatch.setattr(QApplication, "exec", event_loop)
    yield driver


def test_gui_on_a_server_address_logs_in_switches_user_and_backs_nothing_up(drive, server, tmp_path):
    drive.users = ["clerk", "chief"]
    drive.sessions = [lambda window: window.request_switch_user(), lambda window: None]
    # `jifen gui --db postgresql://…` hands run() a Path today (desktop/cli): both must work.
    assert app_module.run(Path(server)) == 0
    assert [w.ctx.actor.username for w in drive.windows] == ["clerk", "chief"]
    assert all(w.ctx.address == stores.shown(server) for w in drive.windows)
    assert all(login.server_button is None for login in drive.logins)
    assert prefs.last_server() == (server, "")
    assert not list(tmp_path.rglob("*.db")) and not list(tmp_path.rglob("*.lock"))  # no file of ours


def test_gui_asks_with_the_dialog_when_the_first_try_fails(drive, modals, pg_cluster, server):
    seen: list[tuple[str, str, str]] = []

    def on_dialog(dialog: QDialog) -> int:
        if isinstance(dialog, ServerConnectDialog):
            seen.append((dialog.address.text(), dialog.station.text(), dialog.message.text()))
        return int(QDialog.DialogCode.Rejected.value)

    modals.on_dialog = on_dialog
    bad = stores.with_station(server, "404")
    assert app_module.run(bad) == 0  # the user gave up: no window, no error
    assert seen == [(server, "404", seen[0][2])] and "没有单位代码为“404”的派出所" in seen[0][2]


def test_the_login_window_link_leaves_the_file_for_the_server(drive, server, station_db):
    drive.server = server
    drive.users = ["→server", "officer"]
    drive.sessions = [lambda window: None]
    assert app_module.run(station_db.path) == 0
    file_login, server_login = drive.logins
    assert file_login.server_button is not None and server_login.server_button is None
    assert drive.windows[0].ctx.db.is_server and drive.windows[0].ctx.actor.username == "officer"
    integrity.acquire_writer_lock(station_db.path).release()  # the file's lock was let go


def test_the_first_run_wizard_offers_the_server(qtbot, drive, modals, server, tmp_path):
    wizard = FirstRunWizard(tmp_path / "new.db")
    qtbot.addWidget(wizard)
    wizard.show()
    click(qtbot, wizard.choice.server)
    assert wizard.button(QWizard.WizardButton.FinishButton).isVisible()
    click(qtbot, wizard.button(QWizard.WizardButton.FinishButton))
    assert wizard.result() == QDialog.DialogCode.Accepted and wizard.server_chosen
    assert not (tmp_path / "new.db").exists()

    # And through run(): the wizard's choice, then the dialog, then the server's login.
    previous = modals.on_dialog

    def choose_server(dialog: QDialog) -> int:
        if isinstance(dialog, FirstRunWizard):
            dialog.show()
            click(qtbot, dialog.choice.server)
            click(qtbot, dialog.button(QWizard.WizardButton.FinishButton))
            return int(dialog.result())
        return previous(dialog)

    modals.on_dialog = choose_server
    drive.server, drive.users, drive.sessions = server, ["admin"], [lambda window: None]
    assert app_module.run(tmp_path / "first.db") == 0
    assert drive.windows[0].ctx.db.is_server and not (tmp_path / "first.db").exists()


def test_address_of_tells_a_server_from_a_file():
    assert address_of("postgresql://kaohe@10.1.2.3/jifen?station=6109") == "postgresql://kaohe@10.1.2.3/jifen?station=6109"
    assert address_of(Path("postgresql://kaohe@10.1.2.3/jifen")) == "postgresql://kaohe@10.1.2.3/jifen"
    assert address_of(Path("积分/postgresql.db")) is None and address_of("台账.db") is None
