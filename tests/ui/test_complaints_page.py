"""奖励 → 试岗与投诉: the chief registers a probation (a reversed date range is refused with the
reason, the form stays open), a clerk registers a complaint and records what verifying it found,
linked to its deduction; an officer does not see the register.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import QCheckBox, QComboBox, QDateEdit, QDialog, QLineEdit, QPlainTextEdit, QWidget
from sqlalchemy import select

from desktop.models.db import Database
from desktop.models.oversight import Complaint, Probation
from desktop.services import accounts
from desktop.ui.context import AppContext
from desktop.ui.screens.awards import AwardsScreen
from desktop.ui.widgets.forms import FormDialog
from desktop.ui.widgets.oversight_page import OversightPage
from tests.services.builders import PASSWORD, rec
from tests.services.review_world import Station, review_station
from tests.ui.test_review import type_chinese

# The offscreen platform cannot raise the completer's popup (typing in a person combo) or hand it the
# keyboard. On each test: the marker tests/ui/conftest.py adds to every item would hide a module's.
offscreen = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints",
                                      "This plugin does not support raise", "does not support grabbing the keyboard")


@pytest.fixture
def station(db: Database) -> Station:
    return review_station(db)


@pytest.fixture
def login(db: Database, station: Station, qapp) -> Callable[[str], AppContext]:  # type: ignore[no-untyped-def]
    def make(username: str) -> AppContext:
        with db.transaction() as s:
            return AppContext(db, accounts.login(s, username, PASSWORD))
    return make


def open_page(qtbot, ctx: AppContext) -> OversightPage:  # type: ignore[no-untyped-def]
    screen = AwardsScreen(ctx)
    qtbot.addWidget(screen)
    screen.resize(1280, 720)
    screen.show()
    bar = screen.tabs.tabBar()
    tab = next(i for i in range(screen.tabs.count()) if screen.tabs.tabText(i) == "试岗与投诉")
    qtbot.mouseClick(bar, Qt.MouseButton.LeftButton, pos=bar.tabRect(tab).center())
    assert screen.tabs.currentWidget() is screen.oversight
    return screen.oversight


def fields(dialog: QDialog) -> dict[str, QWidget]:
    assert isinstance(dialog, FormDialog)
    form = dialog.form
    out = {}
    for row in range(form.rowCount()):
        label = form.itemAt(row, form.ItemRole.LabelRole)
        if label is not None and label.widget() is not None and label.widget().text():
            out[label.widget().text()] = form.itemAt(row, form.ItemRole.FieldRole).widget()
    return out


def put(qtbot, widget: QWidget, value: object) -> None:  # type: ignore[no-untyped-def]
    """Fill one field the way a clerk does: type into texts and person combos, pick in lists."""
    if isinstance(widget, QDateEdit):
        assert isinstance(value, dt.date)
        widget.setDate(QDate(value.year, value.month, value.day))
    elif isinstance(widget, QComboBox) and widget.isEditable() and str(value).isascii():  # a typed badge
        edit = widget.lineEdit()
        qtbot.keyClick(edit, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
        qtbot.keyClick(edit, Qt.Key.Key_Delete)
        qtbot.keyClicks(edit, str(value))
    elif isinstance(widget, QComboBox):  # chosen from the list
        assert widget.findText(str(value)) >= 0, (value, [widget.itemText(i) for i in range(widget.count())])
        widget.setCurrentIndex(widget.findText(str(value)))
    elif isinstance(widget, QCheckBox):
        if widget.isChecked() != bool(value):
            qtbot.mouseClick(widget, Qt.MouseButton.LeftButton)
    elif isinstance(widget, QLineEdit | QPlainTextEdit):
        widget.clear() if isinstance(widget, QLineEdit) else widget.setPlainText("")
        type_chinese(widget, str(value))


def filling(qtbot, *attempts: dict[str, object], results: list[int]) -> Callable[[QDialog], int]:  # type: ignore[no-untyped-def]
    """Fill and press 确定 once per attempt (the form stays open while the service refuses)."""
    def run(dialog: QDialog) -> int:
        dialog.show()
        for values in attempts:
            found = fields(dialog)
            for label, value in values.items():
                put(qtbot, found[label], value)
            qtbot.keyClick(dialog, Qt.Key.Key_Return)  # Enter presses 确定
            results.append(dialog.result())
            if not dialog.isVisible():
                break
        else:
            dialog.reject()
        return dialog.result()
    return run


@offscreen
def test_the_chief_registers_a_probation(qtbot, login, db, modals) -> None:  # type: ignore[no-untyped-def]
    page = open_page(qtbot, login("chief"))
    assert page.probation_button.isVisible() and page.probations.rowCount() == 0
    results: list[int] = []
    modals.on_dialog = filling(
        qtbot, {"人员": "A01", "开始日期": dt.date(2026, 5, 1), "结束日期": dt.date(2026, 4, 1),
                "试岗原因": "不遵守纪律规定", "说明": "工作日饮酒"},
        {"结束日期": dt.date(2026, 7, 31)}, results=results)
    qtbot.mouseClick(page.probation_button, Qt.MouseButton.LeftButton)
    assert results == [0, 1]
    assert modals.texts_of("warning") == ["试岗结束日期 2026年4月1日 早于开始日期 2026年5月1日"]
    cells = [page.probations.item(0, c).text() for c in range(page.probations.columnCount())]
    assert cells[:5] == ["A01", "安民警", "治安中队", "2026-05-01", "2026-07-31"]
    assert cells[6:8] == ["不遵守纪律规定", "工作日饮酒"]
    with db.session() as s:
        row = s.scalar(select(Probation))
        assert (row.cause, row.end) == ("discipline", dt.date(2026, 7, 31))


@offscreen
def test_a_clerk_registers_and_verifies_a_complaint(qtbot, login, db, station, modals) -> None:  # type: ignore[no-untyped-def]
    with db.transaction() as s:
        from desktop.models.people import Person

        [deduction] = rec(s, station.w.clerk, s.get(Person, station.people["A"]), "FW-05", dt.date(2026, 3, 18),
                          points=30, with_evidence=True, note="群众投诉态度生硬")
        deduction_id = deduction.id
    page = open_page(qtbot, login("clerk"))
    assert not page.probation_button.isVisible()  # probation is the chief's
    results: list[int] = []
    modals.on_dialog = filling(
        qtbot, {"收到日期": dt.date(2026, 3, 17), "来源": "12389/110 热线", "被投诉人": "A01", "投诉人": "王先生"},
        {"内容": "接待群众时态度生硬"}, results=results)
    qtbot.mouseClick(page.complaint_button, Qt.MouseButton.LeftButton)
    assert results == [0, 1] and modals.last == "请写明投诉内容"
    assert page.count.text() == "共 1 件，待核实 1 件"
    assert [page.complaints.item(0, c).text() for c in (1, 2, 3, 4, 5, 6)] == [
        "2026-03-17", "12389/110 热线", "安民警（A01）", "王先生", "接待群众时态度生硬", "待核实"]

    assert page.verify_button.isEnabled()  # the new complaint is selected
    entry = "2026-03-18 FW-05 被群众有效投诉（经核实） 扣 3.0 分"
    results.clear()
    modals.on_dialog = filling(
        qtbot, {"核实结果": "不属实", "核实情况": "调取执法记录仪，态度生硬属实", "关联扣分记录": entry},
        {"核实结果": "属实", "处理": "批评教育"}, results=results)
    qtbot.mouseClick(page.verify_button, Qt.MouseButton.LeftButton)
    assert results == [0, 1] and "不属实的投诉不关联扣分记录" in modals.texts_of("warning")[-1]
    assert [page.complaints.item(0, c).text() for c in (6, 7, 8, 9)] == [
        "属实", "调取执法记录仪，态度生硬属实", "批评教育", entry]
    assert page.count.text() == "共 1 件，待核实 0 件"
    with db.session() as s:
        found = s.scalar(select(Complaint))
        assert (found.outcome, found.entry_id, found.verified_by_name) == ("verified", deduction_id, "clerk")

    results.clear()  # an anonymous complaint about nobody named; the register keeps both
    modals.on_dialog = filling(qtbot, {"来源": "来信", "内容": "来信反映巡逻车违规停放", "匿名": True},
                               results=results)
    qtbot.mouseClick(page.complaint_button, Qt.MouseButton.LeftButton)
    assert results == [1] and page.complaints.rowCount() == 2
    qtbot.mouseClick(page.pending_only, Qt.MouseButton.LeftButton)
    assert page.complaints.rowCount() == 1
    assert [page.complaints.item(0, c).text() for c in (3, 4)] == ["（未指明）", "匿名"]


@offscreen
def test_an_officer_does_not_see_the_register(qtbot, login) -> None:  # type: ignore[no-untyped-def]
    screen = AwardsScreen(login("officer"))
    qtbot.addWidget(screen)
    screen.show()
    assert [screen.tabs.tabText(i) for i in range(screen.tabs.count())] == ["评选与称号"]


@offscreen
def test_a_violation_found_after_the_month_was_signed_names_its_reviewer(qtbot, login, db, station, modals) -> None:  # type: ignore[no-untyped-def]
    from desktop.models.people import Person
    from desktop.services import signoff
    from tests.services.builders import confirm_everyone, period, to_review

    w, a = station.w, station.actors
    with db.transaction() as s:
        for key in "HABGCL":
            rec(s, w.clerk, s.get(Person, station.people[key]), "ZB-01")
        confirm_everyone(s, w.clerk, to_review(s, w, "2026-03"))
    with db.transaction() as s:
        for actor in (a["H"], a["G"], a["L"], w.chief, w.jdy):
            signoff.sign(s, actor, period(s, "2026-03"), PASSWORD)
    page = open_page(qtbot, login("clerk"))
    assert page.late.view.rowCount() == 0 and "尚无" in page.late.tally.text()
    results: list[int] = []
    modals.on_dialog = filling(
        qtbot, {"人员": "A01", "问题发生日期": dt.date(2026, 3, 10), "考核项目": "ZB-08"},
        {"说明": "督察通报：3月10日迟到"}, results=results)
    qtbot.mouseClick(page.late.add_button, Qt.MouseButton.LeftButton)
    assert results == [0, 1] and "请写明查实的问题" in modals.last
    assert [page.late.view.item(0, c).text() for c in (0, 2, 5)] == ["2026年3月", "安民警（A01）", "韩队长"]
    assert "uH" in page.late.view.item(0, 6).text()
    assert page.late.tally.text() == "按审核人统计：韩队长 1 件（安民警）"
