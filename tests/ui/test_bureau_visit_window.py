"""A 考核办 officer opens a station on the bureau server with the bureau's account (issue #19):
the login window takes it, the main window says it only reads, every screen opens, and no
screen offers a write."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QPushButton

from desktop.models import stores
from desktop.models.db import Database, open_database
from desktop.services.actor import Actor, can
from desktop.ui.context import AppContext
from desktop.ui.login import LoginDialog
from desktop.ui.main_window import MainWindow
from desktop.ui.opening import DatabaseOpening
from tests.factories import PASSWORD, db_arg
from tests.ui.test_bureau_board_screen import MARCH, build_bureau

STATION = "610921001"


@pytest.fixture
def station_address(pg_db: Database) -> str:
    """A bureau server with one station and the bureau's offices (as the board's tests build it)."""
    return stores.with_station(build_bureau(pg_db), STATION)


def _login(qtbot, db: Database, username: str) -> LoginDialog:  # type: ignore[no-untyped-def]
    login = LoginDialog(DatabaseOpening.of(db), where=stores.shown(db_arg(db)))
    qtbot.addWidget(login)
    login.show()
    qtbot.keyClicks(login.username, username)
    qtbot.keyClicks(login.password, PASSWORD)
    qtbot.keyClick(login.password, Qt.Key.Key_Return)
    return login


def test_the_bureau_office_reads_every_screen_of_a_station_and_writes_nothing(qtbot, station_address):  # type: ignore[no-untyped-def]
    db = open_database(station_address)
    try:
        login = _login(qtbot, db, "kaohe")
        assert login.result() == QDialog.DialogCode.Accepted, login.message.text()
        actor: Actor = login.actor  # type: ignore[assignment]
        assert actor.visiting == STATION
        ctx = AppContext(db, actor, address=stores.shown(station_address))
        ctx.set_period(MARCH)
        window = MainWindow(ctx)
        qtbot.addWidget(window)
        window.show()
        assert "只读查看" in window.user_label.text() and "考核办" in window.user_label.text()
        titles = [window.nav.item(i).text() for i in range(window.nav.count())]
        assert "考核日记" in titles and "全局公示栏" not in titles and "用户管理" not in titles
        for row in range(window.nav.count()):  # every screen opens and shows the station's data
            window.nav.setCurrentRow(row)
            qtbot.wait(10)
            assert ctx.last_error == "", (titles[row], ctx.last_error)
        diary = window.show_screen("diary")
        assert diary is not None and not diary.form.isVisible() and not diary.reverse_button.isVisible()
        qtbot.waitUntil(lambda: diary.entries.model.rowCount() > 0)  # 赵一 and 钱二's March
        # No visible button of any screen leads to a write the visitor could make.
        assert not any(can(actor, a) for a in ("entry.write", "period.lock", "period.review", "users.edit"))
        sign = [b for b in window.findChildren(QPushButton) if b.isVisible() and b.isEnabled()
                and b.text() in ("录入", "保存", "签字", "锁定", "提交审核", "计算积分")]
        assert sign == []
    finally:
        db.dispose()


def test_a_bureau_officer_account_is_refused_at_a_station_and_the_window_says_why(qtbot, station_address):  # type: ignore[no-untyped-def]
    db = open_database(station_address)
    try:
        login = _login(qtbot, db, "mj")
        assert login.result() != QDialog.DialogCode.Accepted and login.actor is None
        assert "不能查看各派出所的数据" in login.message.text()
        assert login.isVisible() and login.password.text() == ""
    finally:
        db.dispose()
