"""考核细则 (new version with edited points) and 设置 (departments, users, policy, chain)."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import Qt
from sqlalchemy import select

from desktop.models.catalogue import CatalogueItem, CatalogueVersion
from desktop.models.enums import Role
from desktop.models.station import Department
from desktop.services import accounts, signoff
from desktop.ui.screens.catalogue import CatalogueScreen
from desktop.ui.screens.settings import SettingsScreen
from desktop.ui.widgets.settings_pages import ChainPage
from desktop.ui.widgets.version_dialog import POINTS, VersionDialog


def _show(qtbot, widget):
    qtbot.addWidget(widget)
    widget.show()
    widget.refresh()
    return widget


def test_new_catalogue_version(qtbot, station_ctx_for, station_db, modals):
    screen = _show(qtbot, CatalogueScreen(station_ctx_for("clerk")))
    assert screen.version_list.count() == 1 and screen.model.rowCount() == 96

    def edit(dialog: VersionDialog) -> int:
        dialog.effective.setDate(dialog.effective.date().fromString("2027-01-01", "yyyy-MM-dd"))
        row = next(r for r in range(dialog.table.rowCount()) if dialog.table.item(r, 0).text() == "ZB-03")
        dialog.table.item(row, POINTS).setText("1.5x")  # a typo is named, the dialog stays open
        dialog.accept()
        assert "ZB-03 的分值" in modals.last
        dialog.table.item(row, POINTS).setText("1.5")
        dialog.note.setText("夜查加分")
        dialog.accept()
        return dialog.result()

    modals.on_dialog = edit
    qtbot.mouseClick(screen.new_button, Qt.MouseButton.LeftButton)
    with station_db.session() as s:
        version = s.scalar(select(CatalogueVersion).where(CatalogueVersion.effective_from == dt.date(2027, 1, 1)))
        night = s.scalar(select(CatalogueItem).where(CatalogueItem.version_id == version.id,
                                                     CatalogueItem.code == "ZB-03"))
        assert night.points_tenths == 15 and version.note == "夜查加分"
    assert screen.version_list.count() == 2


def test_catalogue_read_only_for_officer(qtbot, station_ctx_for):
    screen = _show(qtbot, CatalogueScreen(station_ctx_for("officer")))
    assert not screen.new_button.isVisible()
    qtbot.keyClicks(screen.text, "ZB-0")
    assert screen.model.rowCount() == 9


def test_settings_departments_users_chain(qtbot, station_ctx_for, station_db, modals):
    screen = _show(qtbot, SettingsScreen(station_ctx_for("admin")))
    screen.tabs.setCurrentWidget(screen.departments)

    def department(dialog) -> int:
        name, kind, post_class = (dialog.form.itemAt(i, dialog.form.ItemRole.FieldRole).widget() for i in range(3))
        name.setText("河西警务室")
        kind.setCurrentIndex(kind.findData(kind.itemData(1)))
        post_class.setCurrentIndex(2)
        dialog.accept()
        return dialog.result()

    modals.on_dialog = department
    qtbot.mouseClick(screen.departments.add_button, Qt.MouseButton.LeftButton)
    with station_db.session() as s:
        assert s.scalar(select(Department.post_class).where(Department.name == "河西警务室")) == 2

    screen.tabs.setCurrentWidget(screen.users)

    def user(dialog) -> int:
        fields = [dialog.form.itemAt(i, dialog.form.ItemRole.FieldRole).widget() for i in range(6)]
        fields[0].setText("xiaowang")
        fields[1].setText("小王")
        fields[2].setCurrentIndex(fields[2].findData(Role.CLERK))
        fields[4].setText("xiaowang1")
        fields[5].setText("xiaowang1")
        dialog.accept()
        return dialog.result()

    modals.on_dialog = user
    qtbot.mouseClick(screen.users.add_button, Qt.MouseButton.LeftButton)
    with station_db.transaction() as s:
        assert accounts.login(s, "xiaowang", "xiaowang1").role == Role.CLERK

    screen.tabs.setCurrentWidget(screen.chain)
    chain: ChainPage = screen.chain
    assert [t for t, _r in chain.steps()] == ["中队长审核", "教导员签字"]
    add, _remove, up, _down, save = chain.buttons
    qtbot.mouseClick(add, Qt.MouseButton.LeftButton)
    chain.view.item(2, 0).setText("所长审批")
    chain.view.selectRow(2)
    qtbot.mouseClick(up, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(save, Qt.MouseButton.LeftButton)
    with station_db.session() as s:
        assert [st.title for st in signoff.chain(s)] == ["中队长审核", "所长审批", "教导员签字"]


def test_settings_for_a_clerk_hide_what_the_role_cannot_do(qtbot, station_ctx_for):
    screen = _show(qtbot, SettingsScreen(station_ctx_for("clerk")))
    assert screen.users not in screen.pages()
    assert not screen.policy.apply_button.isVisible() and not any(b.isVisible() for b in screen.chain.buttons)
    screen.tabs.setCurrentWidget(screen.departments)
    assert screen.departments.add_button.isVisible()


def test_policy_choice(qtbot, station_ctx_for, station_db):
    screen = _show(qtbot, SettingsScreen(station_ctx_for("chief")))
    screen.tabs.setCurrentWidget(screen.policy)
    page = screen.policy
    index = page.choice.findData("four_level")
    page.choice.setCurrentIndex(index)
    qtbot.mouseClick(page.apply_button, Qt.MouseButton.LeftButton)
    assert "（当前）" in page.choice.currentText()
