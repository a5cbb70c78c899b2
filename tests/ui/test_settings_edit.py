"""设置: editing the station, a department and a user through the dialogs, as an admin would."""

from __future__ import annotations

from PySide6.QtCore import Qt
from sqlalchemy import select

from desktop.models.accounts import User
from desktop.models.station import Department, Station
from desktop.ui.screens.settings import SettingsScreen


def _fields(dialog) -> list:
    return [dialog.form.itemAt(i, dialog.form.ItemRole.FieldRole).widget() for i in range(dialog.form.rowCount())]


def _screen(qtbot, ctx) -> SettingsScreen:
    screen = SettingsScreen(ctx)
    qtbot.addWidget(screen)
    screen.show()
    screen.refresh()
    return screen


def test_admin_edits_station_department_and_user(qtbot, station_ctx_for, station_db, modals):
    screen = _screen(qtbot, station_ctx_for("admin"))

    def station(dialog) -> int:
        name, bureau, use_start, start = _fields(dialog)
        name.setText("城关派出所")
        bureau.setText("城关县公安局")
        use_start.setChecked(True)
        start.setValue(100)
        dialog.accept()
        return dialog.result()

    modals.on_dialog = station
    qtbot.mouseClick(screen.station.edit_button, Qt.MouseButton.LeftButton)
    with station_db.session() as s:
        st = s.scalar(select(Station))
        assert (st.name, st.county_bureau, st.starting_score_tenths) == ("城关派出所", "城关县公安局", 1000)
    assert screen.station.labels["name"].text() == "城关派出所"

    screen.tabs.setCurrentWidget(screen.departments)
    screen.departments.view.selectRow(0)

    def department(dialog) -> int:
        name, _kind, _post_class, _active = _fields(dialog)
        name.setText("治安一中队")
        dialog.accept()
        return dialog.result()

    modals.on_dialog = department
    qtbot.mouseClick(screen.departments.edit_button, Qt.MouseButton.LeftButton)
    with station_db.session() as s:
        assert s.scalar(select(Department.name).order_by(Department.sort_order).limit(1)) == "治安一中队"

    screen.tabs.setCurrentWidget(screen.users)
    row = screen.users.usernames.index("clerk")
    screen.users.view.selectRow(row)

    def user(dialog) -> int:
        _display, _role, _person, active = _fields(dialog)
        active.setChecked(False)
        dialog.accept()
        return dialog.result()

    modals.on_dialog = user
    qtbot.mouseClick(screen.users.edit_button, Qt.MouseButton.LeftButton)
    with station_db.session() as s:
        assert s.scalar(select(User.active).where(User.username == "clerk")) is False


def test_admin_cannot_demote_self_and_dialog_stays_open(qtbot, station_ctx_for, station_db, modals):
    screen = _screen(qtbot, station_ctx_for("admin"))
    screen.tabs.setCurrentWidget(screen.users)
    screen.users.view.selectRow(screen.users.usernames.index("admin"))
    seen = []

    def user(dialog) -> int:
        _display, role, _person, _active = _fields(dialog)
        role.setCurrentIndex(role.findData("clerk"))
        dialog.accept()  # refused: the dialog stays open
        seen.append(dialog.isVisible() or dialog.result() == 0)
        dialog.reject()
        return dialog.result()

    modals.on_dialog = user
    qtbot.mouseClick(screen.users.edit_button, Qt.MouseButton.LeftButton)
    assert seen == [True]
    assert "不能更改自己的角色" in modals.last
    with station_db.session() as s:
        assert s.scalar(select(User.role).where(User.username == "admin")) == "admin"


def test_clerk_sees_no_station_edit(qtbot, station_ctx_for):
    screen = _screen(qtbot, station_ctx_for("clerk"))
    assert not screen.station.edit_button.isVisibleTo(screen)
