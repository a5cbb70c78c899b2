"""A clerk's first day, end to end through the real windows: wizard, login, people, diary
(pinyin, mass entry), duty sheet; then the month is locked and a late write is refused."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWizard
from sqlalchemy import func, select

from desktop.models.db import open_database
from desktop.models.enums import Role
from desktop.models.ledger import Entry
from desktop.services import accounts, periods, signoff
from desktop.services.actor import Actor
from desktop.ui.context import AppContext
from desktop.ui.login import LoginDialog
from desktop.ui.main_window import MainWindow
from desktop.ui.wizard import FirstRunWizard
from tests.services.builders import confirm_everyone

DAY = dt.date(2026, 11, 16)


def _wizard(qtbot, path) -> None:
    wizard = FirstRunWizard(path)
    qtbot.addWidget(wizard)
    wizard.show()
    wizard.next()
    wizard.station.name.setText("城关派出所")
    wizard.station.code.setText("150399")
    wizard.station.departments.setPlainText("综合室\n城关警务室 一类")
    wizard.next()
    wizard.admin.password.setText("admin123")
    wizard.admin.again.setText("admin123")
    qtbot.mouseClick(wizard.button(QWizard.WizardButton.FinishButton), Qt.MouseButton.LeftButton)
    assert wizard.result() == 1


def _login(qtbot, db, username: str, password: str) -> Actor:
    dialog = LoginDialog(db)
    qtbot.addWidget(dialog)
    dialog.username.setText(username)
    dialog.password.setText(password)
    qtbot.mouseClick(dialog.login_button, Qt.MouseButton.LeftButton)
    assert dialog.actor is not None, dialog.message.text()
    return dialog.actor


def _window(qtbot, db, actor: Actor) -> MainWindow:
    ctx = AppContext(db, actor)
    ctx.set_period("2026-11")
    window = MainWindow(ctx)
    qtbot.addWidget(window)
    with qtbot.waitActive(window):
        window.show()
        window.activateWindow()
    return window


def test_a_clerks_first_day(qtbot, tmp_path, modals):
    path = tmp_path / "station.db"
    _wizard(qtbot, path)
    db = open_database(path)
    with db.transaction() as s:  # the administrator adds the clerk and the chief (设置 › 用户)
        admin = accounts.login(s, "admin", "admin123")
        accounts.create_user(s, admin, "neiqin", "内勤", Role.CLERK, "neiqin123")
        accounts.create_user(s, admin, "suozhang", "所长", Role.CHIEF, "suozhang123")
        accounts.create_user(s, admin, "jiaodaoyuan", "教导员", Role.CHIEF, "jiaodaoyuan123")

    window = _window(qtbot, db, _login(qtbot, db, "neiqin", "neiqin123"))
    people = window.show_screen("people")
    people.text.setFocus()
    for badge, name in (("150001", "张三丰"), ("150002", "李四")):
        def fill(dialog, badge=badge, name=name) -> int:
            dialog.badge.setText(badge)
            dialog.name.setText(name)
            dialog.accept()
            return dialog.result()
        modals.on_dialog = fill
        qtbot.keyClick(people, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    assert people.model.rowCount() == 2

    qtbot.keyClick(window, Qt.Key.Key_1, Qt.KeyboardModifier.ControlModifier)
    diary = window.stack.currentWidget()
    diary.form.set_day(DAY)
    edit = diary.form.people.search.edit
    edit.setFocus()
    for typed in ("zsf", "ls"):
        qtbot.keyClicks(edit, typed)
        qtbot.keyClick(edit, Qt.Key.Key_Return)
    qtbot.keyClick(edit, Qt.Key.Key_Return)
    qtbot.keyClicks(diary.form.item.search.edit, "RC-02")
    qtbot.keyClick(diary.form.item.search.edit, Qt.Key.Key_Return)
    qtbot.keyClick(diary.form.quantity, Qt.Key.Key_Return)
    assert diary.entries.model.rowCount() == 2  # the list below refreshed itself

    qtbot.keyClick(window, Qt.Key.Key_2, Qt.KeyboardModifier.ControlModifier)
    duty = window.stack.currentWidget()
    duty.set_day(DAY)
    duty.table.setFocus()
    duty.table.setCurrentIndex(duty.model.index(0, 3))
    qtbot.keyClick(duty.table, Qt.Key.Key_Space)
    qtbot.keyClick(duty.table, Qt.Key.Key_Down)
    qtbot.keyClick(duty.table, Qt.Key.Key_Space)
    qtbot.keyClick(duty.table, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    with db.session() as s:
        assert s.scalar(select(func.count(Entry.id)).where(Entry.occurred_on == DAY)) == 4

    with db.transaction() as s:  # month end (the review screen's work): review, sign, locked
        period = periods.get_or_create(s, "2026-11")
        periods.start_review(s, window.ctx.actor, period)
        confirm_everyone(s, window.ctx.actor, period)
        for user in ("suozhang", "jiaodaoyuan"):
            signoff.sign(s, accounts.login(s, user, f"{user}123"), period, f"{user}123")
    window.refresh_current()
    assert window.period_label.text() == "考核周期：2026年11月（已锁定）"
    # The locked day is read-only at once (no tick to lose at Ctrl+S): Space changes nothing.
    duty.table.setCurrentIndex(duty.model.index(0, 4))
    qtbot.keyClick(duty.table, Qt.Key.Key_Space)
    assert not duty.model.dirty() and not duty.save_button.isEnabled()
    assert "已锁定" in duty.state.text()
    with db.session() as s:
        assert s.scalar(select(func.count(Entry.id)).where(Entry.occurred_on == DAY)) == 4
    window.close()

    officer_db_user = "minjing"
    with db.transaction() as s:
        admin = accounts.login(s, "admin", "admin123")
        accounts.create_user(s, admin, officer_db_user, "民警", Role.OFFICER, "minjing123")
    officer = _window(qtbot, db, _login(qtbot, db, officer_db_user, "minjing123"))
    titles = [officer.nav.item(i).text() for i in range(officer.nav.count())]
    assert "每日值勤" not in titles
    diary = officer.show_screen("diary")
    assert not diary.form.isVisible() and not diary.reverse_button.isVisible()
    assert not officer.show_screen("people").add_button.isVisible()
    officer.close()
    db.dispose()
