"""自报, as an officer uses it: tick the day's items with the keyboard, submit with Ctrl+S, see
the reviewer's decision and its reason; report a 政绩档案 item with its evidence; withdraw."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from sqlalchemy import select

from desktop.models.reports import SelfReport
from desktop.services import self_report
from desktop.ui.screens.self_report import SelfReportScreen
from desktop.ui.screens.self_report_form import ITEM, STATUS
from tests.factories import new_db
from tests.ui.report_world import TODAY, ReportWorld, report_world
from tests.ui.test_review import type_chinese


@pytest.fixture
def rw(tmp_path: Path) -> ReportWorld:
    db = new_db(tmp_path, "reports.db")
    yield report_world(db)
    db.dispose()


@pytest.fixture
def screen(qtbot, qapp, rw) -> SelfReportScreen:
    widget = SelfReportScreen(rw.ctx("zhangsan"))
    qtbot.addWidget(widget)
    widget.resize(1226, 680)
    with qtbot.waitActive(widget):
        widget.show()
        widget.activateWindow()
    return widget


def reports(rw: ReportWorld, name: str = "张三") -> list[SelfReport]:
    with rw.db.session() as s:
        return list(s.scalars(select(SelfReport).where(SelfReport.person_id == rw.people[name])
                              .order_by(SelfReport.id)))


def row_of(screen: SelfReportScreen, code: str) -> int:
    return next(i for i, r in enumerate(screen.form.rows) if r.line.item.code == code)


def mine_texts(screen: SelfReportScreen) -> list[list[str]]:
    model = screen.mine_model
    return [[model.cell(r, c).text for c in range(model.columnCount())] for r in range(model.rowCount())]


def test_daily_form_by_keyboard_then_the_decision_shows(screen, rw, qtbot):
    assert "审核人：<b>王五（部门负责人）</b>" in screen.who_label.text()
    codes = [r.line.item.code for r in screen.form.rows]
    assert codes[:6] == ["ZB-01", "ZB-02", "ZB-03", "ZB-04", "ZB-05", "ZB-06"] and "JJ-01" in codes
    before = rw.total("张三")
    table = screen.table
    assert table.hasFocus() and table.currentIndex().row() == 0
    # 到岗: Space. Down twice to 夜查: Space, then "2" nights. One Ctrl+S sends both.
    qtbot.keyClick(table, Qt.Key.Key_Space)
    qtbot.keyClick(table, Qt.Key.Key_Down)
    qtbot.keyClick(table, Qt.Key.Key_Down)
    qtbot.keyClick(table, Qt.Key.Key_Space)
    qtbot.keyClick(table, Qt.Key.Key_2)
    assert [r.line.item.code for r in screen.form.checked_rows()] == ["ZB-01", "ZB-03"]
    assert "已勾选 2 项" in screen.state.text()
    with qtbot.waitSignal(screen.submitted, timeout=3000) as sent:
        qtbot.keyClick(table, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    assert sent.args == [2]

    stored = reports(rw)
    assert [(r.item_code, r.quantity, r.status, r.occurred_on) for r in stored] == [
        ("ZB-01", 1, "pending", TODAY), ("ZB-03", 2, "pending", TODAY)]
    assert rw.total("张三") == before  # nothing counts before the reviewer approves
    # The form now shows them as waiting, and they cannot be ticked again.
    row = row_of(screen, "ZB-03")
    assert screen.form.index(row, STATUS).data() == "待审核"
    assert screen.form.index(row, ITEM).data(Qt.ItemDataRole.CheckStateRole) is None
    table.setCurrentIndex(screen.form.index(row, ITEM))
    qtbot.keyClick(table, Qt.Key.Key_Space)
    assert not screen.form.checked_rows()
    assert [r[4] for r in mine_texts(screen)] == ["待审核", "待审核"]

    # The reviewer approves 到岗 and sends 夜查 back; the officer sees both, with the reason.
    wang = rw.actor("wangwu")
    with rw.db.transaction() as s:
        self_report.decide(s, wang, stored[0].id, "approve")
        self_report.decide(s, wang, stored[1].id, "reject", reason="当晚轮休，未参加夜查")
    screen.refresh()
    rows = {r[1]: r for r in mine_texts(screen)}
    assert rows["ZB-01 按时到岗"][4] == "已通过" and rows["ZB-01 按时到岗"][6] == "王五"
    assert rows["ZB-03 夜间巡查（夜查）"][4] == "已退回"
    assert rows["ZB-03 夜间巡查（夜查）"][5] == "当晚轮休，未参加夜查"
    assert rw.total("张三") == before + 10  # 到岗 1.0 counts once approved
    # A report sent back may be made again.
    assert screen.form.index(row_of(screen, "ZB-03"), ITEM).data(Qt.ItemDataRole.CheckStateRole) is not None


def test_note_typed_in_the_form_and_withdraw(screen, rw, qtbot, modals):
    table = screen.table
    row = row_of(screen, "JJ-01")
    table.setCurrentIndex(screen.form.index(row, ITEM))
    qtbot.keyClick(table, Qt.Key.Key_1)
    qtbot.keyClick(table, Qt.Key.Key_2)  # 12 calls: digits build the number
    qtbot.keyClick(table, Qt.Key.Key_Right)
    qtbot.keyClick(table, Qt.Key.Key_Right)
    qtbot.keyClick(table, Qt.Key.Key_Right)  # the 说明 column: typing opens its editor
    qtbot.keyClick(table, "1")
    editor = QApplication.focusWidget()  # the keys now go to the note's editor, as a user's would
    assert editor is not table
    qtbot.keyClicks(editor, "10")
    qtbot.keyClick(editor, Qt.Key.Key_Return)  # the view commits the editor on its next turn
    qtbot.waitUntil(lambda: screen.form.rows[row].note == "110", timeout=2000)
    assert screen.form.rows[row].quantity == 12
    qtbot.keyClick(table, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    [report] = reports(rw)
    assert (report.item_code, report.quantity, report.note) == ("JJ-01", 12, "110")

    screen.mine.selectRow(0)
    assert screen.withdraw_button.isEnabled()
    qtbot.mouseClick(screen.withdraw_button, Qt.MouseButton.LeftButton)
    assert reports(rw)[0].status == "withdrawn"
    assert mine_texts(screen)[0][4] == "已撤回" and not screen.withdraw_button.isEnabled()


def test_monthly_item_needs_its_evidence(screen, rw, qtbot, modals, tmp_path):
    picker = screen.item.search
    picker.edit.setFocus()
    qtbot.keyClicks(picker.edit, "FW-01")  # 锦旗、感谢信: evidence required
    qtbot.keyClick(picker.edit, Qt.Key.Key_Return)
    assert screen.item.code() == "FW-01" and screen.evidence_hint.text()
    type_chinese(screen.note, "群众赠送锦旗")
    qtbot.mouseClick(screen.m_submit, Qt.MouseButton.LeftButton)
    assert "证明材料" in modals.last and reports(rw) == []

    scan = tmp_path / "锦旗照片.jpg"
    scan.write_bytes(b"\xff\xd8 photo")
    modals.files.append([str(scan)])
    qtbot.mouseClick(screen.evidence.add_button, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(screen.m_submit, Qt.MouseButton.LeftButton)
    [report] = reports(rw)
    assert (report.item_code, report.kind, report.note, report.status) == ("FW-01", "monthly", "群众赠送锦旗",
                                                                          "pending")
    with rw.db.session() as s:
        assert [ev.filename for ev in s.get(SelfReport, report.id).evidence] == ["锦旗照片.jpg"]
    assert screen.item.code() is None and screen.evidence.paths() == []
    assert mine_texts(screen)[0][1] == "FW-01 受到群众赠送锦旗、感谢信"
