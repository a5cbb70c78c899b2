"""设置 → 审核人: the admin changes a department's 分管领导 and the leaders' reviewer and sees the
table of 每个人的审核人 follow; a single person's reviewer is added and removed; publishing and
the early-warning rules are saved; a clerk and an officer get what their roles allow.

The station is tests.services.review_world: 治安中队 (head 韩队长 H01) and 巡逻中队 (head 高队长
G01), both led by 李副所长 L01; here a 政委 (Z01) joins it.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox, QDialog

from desktop.models.db import Database
from desktop.services import accounts, reviewers, station_settings
from desktop.ui.context import AppContext
from desktop.ui.screens.people import PeopleScreen
from desktop.ui.screens.settings import SettingsScreen
from desktop.ui.widgets.forms import FormDialog
from desktop.ui.widgets.reviewers_page import ReviewersPage
from tests import factories
from tests.services.builders import PASSWORD, person
from tests.services.review_world import Station, review_station

# The offscreen platform cannot raise the completer's popup (typing in a person combo) or hand it the
# keyboard. On each test: the marker tests/ui/conftest.py adds to every item would hide a module's.
offscreen = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints",
                                       "This plugin does not support raise", "does not support grabbing the keyboard")


@pytest.fixture
def station(db: Database) -> Station:
    found = review_station(db)
    with found.w.tx() as s:
        person(s, found.w.dept, "Z01", name="赵政委").position = "政委"
    return found


@pytest.fixture
def login(db: Database, station: Station, qapp) -> Callable[[str], AppContext]:  # type: ignore[no-untyped-def]
    def make(username: str) -> AppContext:
        with db.transaction() as s:
            return AppContext(db, accounts.login(s, username, PASSWORD))
    return make


def open_page(qtbot, ctx: AppContext) -> ReviewersPage:  # type: ignore[no-untyped-def]
    screen = SettingsScreen(ctx)
    qtbot.addWidget(screen)
    screen.resize(1280, 720)
    screen.show()
    tab = next(i for i in range(screen.tabs.count()) if screen.tabs.tabText(i) == "审核人")
    qtbot.mouseClick(screen.tabs.tabBar(), Qt.MouseButton.LeftButton,
                     pos=screen.tabs.tabBar().tabRect(tab).center())  # switching tabs reads the page
    assert screen.tabs.currentWidget() is screen.reviewers
    return screen.reviewers


def reviewer_of(page: ReviewersPage, badge: str) -> tuple[str, str]:
    """(审核人, 依据) in the table 每个人的审核人, as the clerk reads it."""
    view = page.people
    row = next(r for r in range(view.rowCount()) if view.item(r, 0).text() == badge)
    return view.item(row, 4).text(), view.item(row, 5).text()


def type_into(qtbot, box: QComboBox, text: str) -> None:  # type: ignore[no-untyped-def]
    """Clear the editable combo and type (a badge: the keys a clerk presses)."""
    edit = box.lineEdit()
    qtbot.mouseClick(edit, Qt.MouseButton.LeftButton)
    qtbot.keyClick(edit, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClick(edit, Qt.Key.Key_Delete)
    if text:
        qtbot.keyClicks(edit, text)


@offscreen
def test_the_leader_in_charge_set_on_the_page_reviews_the_head(qtbot, login, db, modals) -> None:  # type: ignore[no-untyped-def]
    page = open_page(qtbot, login("admin"))
    assert reviewer_of(page, "G01") == ("李副所长（L01）", "分管领导")
    assert reviewer_of(page, "C01") == ("高队长（G01）", "部门负责人")
    assert page.leader_box("巡逻中队").currentData() == "L01"

    type_into(qtbot, page.leader_box("巡逻中队"), "Z01")
    qtbot.mouseClick(page.save_button, Qt.MouseButton.LeftButton)
    assert reviewer_of(page, "G01") == ("赵政委（Z01）", "分管领导"), modals.messages
    assert reviewer_of(page, "H01") == ("李副所长（L01）", "分管领导")  # the other department is unchanged
    assert page.leader_box("巡逻中队").currentText().startswith("赵政委（Z01）")

    type_into(qtbot, page.leader_box("巡逻中队"), "")  # cleared: the head goes to the leaders' reviewer
    type_into(qtbot, page.leaders, "Z01")
    qtbot.mouseClick(page.save_button, Qt.MouseButton.LeftButton)
    assert reviewer_of(page, "G01") == ("赵政委（Z01）", "所领导由所长/政委审核")
    assert reviewer_of(page, "L01") == ("赵政委（Z01）", "所领导由所长/政委审核")
    assert page.leader_box("巡逻中队").currentText() == "（未设置）"
    with db.session() as s:
        kinds = {(a.kind, a.subject, a.reviewer_badge) for a in reviewers.listing(s)}
    assert kinds == {("department", "治安中队", "L01"), ("leaders", "所领导", "Z01")}

    qtbot.mouseClick(page.save_button, Qt.MouseButton.LeftButton)
    assert modals.last == "没有改动。"
    type_into(qtbot, page.leader_box("治安中队"), "X99")  # a typo: the service says so, nothing changes
    qtbot.mouseClick(page.save_button, Qt.MouseButton.LeftButton)
    assert "X99" in modals.last and reviewer_of(page, "H01") == ("李副所长（L01）", "分管领导")


@offscreen
def test_a_person_given_his_own_reviewer_and_back(qtbot, login, db, modals) -> None:  # type: ignore[no-untyped-def]
    page = open_page(qtbot, login("clerk"))  # a clerk keeps the roster: single reviewers are his
    assert not page.save_button.isVisible() and not page.leader_box("治安中队").isEnabled()
    tries: list[int] = []

    def fill(badge: str, by: str) -> Callable[[QDialog], int]:
        def run(dialog: QDialog) -> int:
            assert isinstance(dialog, FormDialog)
            dialog.show()
            who, reviewer = (dialog.form.itemAt(i, dialog.form.ItemRole.FieldRole).widget() for i in range(2))
            type_into(qtbot, who, badge)
            type_into(qtbot, reviewer, by)
            qtbot.keyClick(dialog, Qt.Key.Key_Return)  # Enter presses 确定
            tries.append(dialog.result())
            if dialog.isVisible():  # refused: the clerk gives up
                dialog.reject()
            return dialog.result()
        return run

    modals.on_dialog = fill("A01", "A01")
    qtbot.mouseClick(page.add_button, Qt.MouseButton.LeftButton)
    assert tries == [0] and modals.last == "审核人不能是本人"
    modals.on_dialog = fill("A01", "G01")
    qtbot.mouseClick(page.add_button, Qt.MouseButton.LeftButton)
    assert tries[-1] == 1 and reviewer_of(page, "A01") == ("高队长（G01）", "单独指定")
    assert page.overrides.item(0, 0).text() == "安民警（A01）" and page.overrides.item(0, 1).text() == "高队长（G01）"

    people = PeopleScreen(login("clerk"))  # the roster shows the same reviewer
    qtbot.addWidget(people)
    people.show()
    people.refresh()
    column = next(c for c in range(people.model.columnCount()) if people.model.headerData(
        c, Qt.Orientation.Horizontal) == "审核人")
    row = next(r for r in range(people.model.rowCount()) if people.model.row_at(r).badge == "A01")
    assert people.model.index(row, column).data() == "高队长（G01）"
    people.view.selectRow(row)
    assert "单独指定" in people.details.text()

    page.overrides.selectRow(0)
    qtbot.mouseClick(page.remove_button, Qt.MouseButton.LeftButton)
    assert page.overrides.rowCount() == 0 and reviewer_of(page, "A01") == ("韩队长（H01）", "部门负责人")


@offscreen
def test_publishing_and_the_warning_rules(qtbot, login, db, modals) -> None:  # type: ignore[no-untyped-def]
    page = open_page(qtbot, login("admin"))
    box = page.alerts
    assert not box.publish.isChecked() and box.days.value() == 30 and box.count.value() == 3
    qtbot.mouseClick(box.publish, Qt.MouseButton.LeftButton)
    with db.session() as s:
        assert station_settings.publish_early(s)
    qtbot.mouseClick(box.publish, Qt.MouseButton.LeftButton)
    with db.session() as s:
        assert not station_settings.publish_early(s)

    box.days.setFocus()
    box.days.selectAll()
    qtbot.keyClicks(box.days, "14")
    qtbot.keyClick(box.count, Qt.Key.Key_Up)
    qtbot.mouseClick(box.use_low, Qt.MouseButton.LeftButton)  # no warning for low months
    qtbot.mouseClick(box.save_button, Qt.MouseButton.LeftButton)
    assert modals.last == "预警规则已保存。"
    with db.session() as s:
        assert station_settings.alert_rules(s) == [{"kind": "deductions", "count": 4, "days": 14}]
    box.refresh()
    assert not box.use_low.isChecked() and box.days.value() == 14


@offscreen
def test_an_officer_only_reads(qtbot, login, db) -> None:  # type: ignore[no-untyped-def]
    with db.transaction() as s:
        factories.person(s, factories.department(s, "警务室"), "P01", "潘民警")
    page = open_page(qtbot, login("officer"))
    assert reviewer_of(page, "P01") == ("—", "无（由上级机关审核）")  # a department without a head or leader
    assert not page.alerts.publish.isEnabled() and not page.alerts.days.isEnabled()
    assert not any(b.isVisible() for b in (page.save_button, page.add_button, page.remove_button,
                                           page.alerts.save_button))
    assert not page.leaders.isEnabled() and not page.leader_box("巡逻中队").isEnabled()
