"""First run and login: the wizard creates a station; login counts wrong passwords."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QWizard

from desktop.models.db import open_database
from desktop.services import accounts, roster
from desktop.ui.app import needs_setup
from desktop.ui.login import LoginDialog
from desktop.ui.wizard import PAGE_ADMIN, PAGE_DEMO, PAGE_STATION, FirstRunWizard, parse_departments


def _click(qtbot, wizard: QWizard, which: QWizard.WizardButton) -> None:
    qtbot.mouseClick(wizard.button(which), Qt.MouseButton.LeftButton)


def test_parse_departments():
    assert parse_departments("综合室\n\n城关警务室 一类\n东街警务室（二类）\n") == [
        ("综合室", None), ("城关警务室", 1), ("东街警务室", 2)]


def test_wizard_creates_a_station(qtbot, tmp_path: Path):
    path = tmp_path / "new.db"
    assert needs_setup(path)
    wizard = FirstRunWizard(path)
    qtbot.addWidget(wizard)
    wizard.show()
    _click(qtbot, wizard, QWizard.WizardButton.NextButton)
    assert wizard.currentId() == PAGE_STATION
    assert not wizard.button(QWizard.WizardButton.NextButton).isEnabled()  # name and code required
    wizard.station.name.setText("城关派出所")  # QTest types ASCII only
    qtbot.keyClicks(wizard.station.code, "150399")
    wizard.station.bureau.setText("测试县公安局")
    wizard.station.departments.setPlainText("综合室\n治安中队\n城关警务室 一类")
    _click(qtbot, wizard, QWizard.WizardButton.NextButton)
    assert wizard.currentId() == PAGE_ADMIN
    qtbot.keyClicks(wizard.admin.password, "admin123")
    qtbot.keyClicks(wizard.admin.again, "admin124")
    _click(qtbot, wizard, QWizard.WizardButton.FinishButton)
    assert wizard.admin.message.text() == "两次输入的密码不一致" and wizard.isVisible()
    wizard.admin.again.clear()
    qtbot.keyClicks(wizard.admin.again, "admin123")
    _click(qtbot, wizard, QWizard.WizardButton.FinishButton)
    assert wizard.result() == QDialog.DialogCode.Accepted

    assert not needs_setup(path)
    db = open_database(path)
    with db.transaction() as s:
        station = roster.get_station(s)
        assert (station.name, station.code, station.county_bureau) == ("城关派出所", "150399", "测试县公安局")
        assert [(d.name, d.post_class) for d in station.departments] == [
            ("综合室", None), ("治安中队", None), ("城关警务室", 1)]
        assert accounts.login(s, "admin", "admin123").role.value == "admin"
    db.dispose()


def test_wizard_demo_runs_in_a_worker(qtbot, tmp_path: Path, monkeypatch):
    from desktop.ui import wizard as wizard_module
    from desktop.ui.wizard import StationSetup, create_station

    def quick_demo(self, _progress):  # the real demo takes seconds; the worker path is what matters
        create_station(self.path, StationSetup("演示所", "1", "", [("综合室", None)], password="admin123"))

    monkeypatch.setattr(wizard_module.FirstRunWizard, "build_demo", quick_demo)
    wizard = FirstRunWizard(tmp_path / "demo.db", demo=True)
    qtbot.addWidget(wizard)
    wizard.show()
    _click(qtbot, wizard, QWizard.WizardButton.NextButton)
    assert wizard.currentId() == PAGE_DEMO
    with qtbot.waitSignal(wizard.finished, timeout=10000):
        _click(qtbot, wizard, QWizard.WizardButton.FinishButton)
    assert wizard.result() == QDialog.DialogCode.Accepted
    assert not needs_setup(tmp_path / "demo.db")


def test_login_counts_tries_and_locks(qtbot, station_db):
    dialog = LoginDialog(station_db)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.username.setText("clerk")
    for _ in range(4):  # the same answer as for an unknown user: no count of tries left
        dialog.password.setText("wrong")
        qtbot.mouseClick(dialog.login_button, Qt.MouseButton.LeftButton)
        assert dialog.message.text() == "用户名或密码错误"
        assert dialog.password.text() == "" and dialog.isVisible()
    dialog.password.setText("wrong")
    qtbot.mouseClick(dialog.login_button, Qt.MouseButton.LeftButton)
    assert "已锁定" in dialog.message.text()
    dialog.password.setText("secret123")  # even the right password waits out the lock
    qtbot.mouseClick(dialog.login_button, Qt.MouseButton.LeftButton)
    assert "锁定" in dialog.message.text() and dialog.actor is None

    dialog.username.setText("chief")
    dialog.password.setText("secret123")
    qtbot.mouseClick(dialog.login_button, Qt.MouseButton.LeftButton)
    assert dialog.result() == QDialog.DialogCode.Accepted and dialog.actor.username == "chief"
    again = LoginDialog(station_db)  # the last user name is remembered
    qtbot.addWidget(again)
    assert again.username.text() == "chief"


# -- the login window before the database is open ---------------------------------------------
def test_login_window_is_up_before_the_database_opens_and_login_waits_for_it(qtbot, demo_db_path, monkeypatch):
    import threading

    from desktop.models import db as db_module
    from desktop.ui.opening import DatabaseOpening, peek_station

    gate = threading.Event()
    real_open = db_module.open_database

    def slow_open(path, **kwargs):  # the quick_check of a big file, held until the user has typed
        gate.wait(10)
        return real_open(path, **kwargs)

    monkeypatch.setattr(db_module, "open_database", slow_open)
    opening = DatabaseOpening.start(demo_db_path, peek_station(demo_db_path))
    dialog = LoginDialog(opening)
    qtbot.addWidget(dialog)
    dialog.show()
    assert "滨河派出所" in dialog.windowTitle() and "演示单位账户" in dialog.findChildren(type(dialog.message))[-1].text()
    assert not opening.done and dialog.db is None
    dialog.username.setText("suozhang")
    dialog.password.setText("suozhang123")
    seen: list[str] = []

    def open_later() -> None:  # while 登录 waits, the message says why and the button is off
        seen.append(dialog.message.text())
        seen.append("enabled" if dialog.login_button.isEnabled() else "disabled")
        gate.set()

    from PySide6.QtCore import QTimer

    QTimer.singleShot(50, open_later)
    qtbot.mouseClick(dialog.login_button, Qt.MouseButton.LeftButton)
    assert seen == ["正在打开数据库，请稍候…", "disabled"]
    assert dialog.result() == QDialog.DialogCode.Accepted and dialog.actor.username == "suozhang"
    assert dialog.db is opening.db is not None
    opening.db.dispose()


def test_a_database_found_damaged_while_login_is_shown_closes_the_login(qtbot, demo_db_path, monkeypatch):
    from desktop.models import db as db_module
    from desktop.services.integrity import DatabaseDamaged
    from desktop.ui.opening import DatabaseOpening, peek_station

    def damaged(_path, **_kwargs):
        raise DatabaseDamaged("数据库文件已损坏（测试）")

    monkeypatch.setattr(db_module, "open_database", damaged)
    opening = DatabaseOpening.start(demo_db_path, peek_station(demo_db_path))
    dialog = LoginDialog(opening)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=10000)
    assert dialog.result() == QDialog.DialogCode.Rejected and dialog.actor is None
    assert isinstance(opening.error, DatabaseDamaged) and opening.db is None


def test_the_login_window_needs_neither_sqlalchemy_nor_the_models():
    """`jifen` shows its login window before loading the database layer (see ui/opening.py)."""
    import subprocess
    import sys

    code = ("import sys, desktop.cli, desktop.ui.app, desktop.ui.login; "
            "print(sorted(m for m in ('sqlalchemy', 'desktop.models.registry', 'desktop.ui.main_window') "
            "if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
