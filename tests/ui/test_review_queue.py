"""审核, as a department head uses it: only his people's reports, 通过 scores, 退回 needs a
reason; under a reviewer-rated policy a level away from the suggestion needs one too."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QLabel
from sqlalchemy import select

from desktop.models.oversight import Rating
from desktop.models.reports import SelfReport
from desktop.services import self_report
from desktop.services.self_report import ReportInput
from desktop.ui.dialogs.adjust_report import AdjustDialog
from desktop.ui.dialogs.reason import ReasonDialog
from desktop.ui.main_window import screens_for
from desktop.ui.screens.review_queue import ReviewQueueScreen
from tests.factories import new_db
from tests.ui.report_world import TODAY, ReportWorld, report_world
from tests.ui.test_review import reason_filler, type_chinese

YESTERDAY = TODAY - dt.timedelta(days=1)


def build(tmp_path: Path, policy: str = "abcd") -> ReportWorld:
    rw = report_world(new_db(tmp_path, "queue.db"), policy=policy)
    for username, inputs in (
            ("zhangsan", [ReportInput("ZB-01", TODAY), ReportInput("ZB-03", TODAY, quantity=2)]),
            ("lisi", [ReportInput("ZB-02", YESTERDAY, note="24小时值班")]),
            ("sunqi", [ReportInput("ZB-01", TODAY)])):  # 刑侦中队: 赵六's, not 王五's
        actor = rw.actor(username)
        with rw.db.transaction() as s:
            self_report.submit(s, actor, inputs)
    return rw


@pytest.fixture
def rw(tmp_path: Path) -> ReportWorld:
    world = build(tmp_path)
    yield world
    world.db.dispose()


def make_screen(qtbot, rw: ReportWorld, username: str = "wangwu") -> ReviewQueueScreen:
    widget = ReviewQueueScreen(rw.ctx(username))
    qtbot.addWidget(widget)
    widget.resize(1226, 680)
    with qtbot.waitActive(widget):
        widget.show()
        widget.activateWindow()
    return widget


def pick(screen: ReviewQueueScreen, name: str, item: str) -> None:
    row = next(i for i, r in enumerate(screen.reports) if r.name == name and r.item.startswith(item))
    screen.table.selectRow(screen.table.model().mapFromSource(screen.model.index(row, 0)).row())


def status(rw: ReportWorld, name: str, code: str) -> tuple[str, str]:
    with rw.db.session() as s:
        r = s.scalars(select(SelfReport).where(SelfReport.person_id == rw.people[name],
                                               SelfReport.item_code == code)).one()
        return r.status, r.decision_reason


def test_navigation_shows_the_screens_to_whom_they_concern(qapp, rw):
    officer = [s.key for s in screens_for(rw.ctx("zhangsan"))]
    head = [s.key for s in screens_for(rw.ctx("wangwu"))]
    assert officer[0] == "self_report" and "review_queue" not in officer
    assert head[:2] == ["self_report", "review_queue"]
    assert "review_queue" in [s.key for s in screens_for(rw.ctx("chief"))]
    assert "self_report" not in [s.key for s in screens_for(rw.ctx("clerk"))]  # no person on the roster


def test_head_approves_and_rejects_his_peoples_reports(qtbot, rw, modals):
    screen = make_screen(qtbot, rw)
    assert sorted((r.name, r.item.split()[0]) for r in screen.reports) == [
        ("张三", "ZB-01"), ("张三", "ZB-03"), ("李四", "ZB-02")]  # not 孙七 of 刑侦中队
    assert screen.tabs.tabText(0) == "待审核自报（3）"
    assert "张三、李四" in screen.header.text()

    before = rw.total("张三")
    pick(screen, "张三", "ZB-01")
    assert "张三（150011，治安中队）" in screen.detail.text()
    qtbot.mouseClick(screen.approve_button, Qt.MouseButton.LeftButton)
    assert status(rw, "张三", "ZB-01") == ("approved", "")
    assert rw.total("张三") == before + 10  # 到岗 1.0 now counts
    assert len(screen.reports) == 2 and "已通过 1 条" in screen.status.text()

    # 退回 without a reason is refused inside the dialog; with one, the report goes back.
    seen: list[str] = []

    def reject(dialog: QDialog) -> int:
        assert isinstance(dialog, ReasonDialog)
        dialog.show()
        qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
        seen.append(dialog.error.text() if dialog.error.isVisible() else "")
        assert dialog.result() != QDialog.DialogCode.Accepted
        type_chinese(dialog.text, "当日轮休，未值班")
        qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
        return dialog.result()

    modals.on_dialog = reject
    pick(screen, "李四", "ZB-02")
    qtbot.mouseClick(screen.reject_button, Qt.MouseButton.LeftButton)
    assert seen and "必须填写理由" in seen[0]
    assert status(rw, "李四", "ZB-02") == ("rejected", "当日轮休，未值班")
    assert [r.name for r in screen.reports] == ["张三"]

    # 调整: two nights reported, one approved — the dialog wants the change and its reason.
    def adjust(dialog: QDialog) -> int:
        assert isinstance(dialog, AdjustDialog)
        dialog.show()
        type_chinese(dialog.text, "只巡查了一夜")
        qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
        assert "没有改变" in dialog.error.text() and dialog.result() != QDialog.DialogCode.Accepted
        dialog.quantity.setFocus()
        dialog.quantity.selectAll()
        qtbot.keyClicks(dialog.quantity, "1")
        qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
        return dialog.result()

    modals.on_dialog = adjust
    before = rw.total("张三")
    pick(screen, "张三", "ZB-03")
    qtbot.mouseClick(screen.adjust_button, Qt.MouseButton.LeftButton)
    assert status(rw, "张三", "ZB-03") == ("adjusted", "只巡查了一夜")
    assert rw.total("张三") == before + 10  # one night of 1.0, not two
    assert screen.reports == [] and not screen.approve_button.isEnabled()


def test_other_head_cannot_decide_and_sees_his_own(qtbot, rw):
    screen = make_screen(qtbot, rw, "zhaoliu")
    assert [(r.name, r.item.split()[0]) for r in screen.reports] == [("孙七", "ZB-01")]
    foreign = next(r for r in rw_reports(rw) if r.person_id == rw.people["张三"])
    zhao = rw.actor("zhaoliu")
    assert screen.ctx.write(screen, lambda s, a: self_report.decide(s, zhao, foreign.id, "approve")) is None
    assert "王五" in screen.ctx.last_error  # the service names the right reviewer


def rw_reports(rw: ReportWorld) -> list[SelfReport]:
    with rw.db.session() as s:
        return list(s.scalars(select(SelfReport).order_by(SelfReport.id)))


def test_rated_level_away_from_the_suggestion_needs_a_reason(qtbot, tmp_path, modals):
    rw = build(tmp_path, policy="five_level_rated")
    screen = make_screen(qtbot, rw)
    tab = screen.people_tab
    with qtbot.waitSignal(screen.people_loaded, timeout=10000):
        screen.tabs.setCurrentWidget(tab)
    assert [line.name for line in tab.data.lines] == ["张三", "李四"] and tab.data.rated
    assert tab.level.isVisible() and not tab.table.isColumnHidden(5)
    assert tab.selected().name == "张三"
    suggested = tab.selected().engine_grade
    assert suggested and tab.level.currentData() == ""

    # Down on the combo picks 优秀, away from the points' suggestion: cancelled, nothing is set.
    prompts: list[str] = []

    def cancel(dialog: QDialog) -> int:
        assert isinstance(dialog, ReasonDialog)
        prompts.append(" ".join(label.text() for label in dialog.findChildren(QLabel)))
        return int(QDialog.DialogCode.Rejected.value)

    modals.on_dialog = cancel
    tab.level.setFocus()
    qtbot.keyClick(tab.level, Qt.Key.Key_Down)
    assert tab.level.currentData() == ""
    assert prompts and "与建议不同" in prompts[0] and "须写明理由" in prompts[0]
    with rw.db.session() as s:
        assert s.scalars(select(Rating)).all() == []

    modals.on_dialog = reason_filler(qtbot, "本月两次受到群众书面表扬")
    with qtbot.waitSignal(screen.people_loaded, timeout=10000):
        qtbot.keyClick(tab.level, Qt.Key.Key_Down)
    with rw.db.session() as s:
        rating = s.scalars(select(Rating)).one()
        assert (rating.level, rating.suggested, rating.reason) == ("优秀", suggested, "本月两次受到群众书面表扬")
    assert tab.selected().level == "优秀" and tab.level.currentData() == "优秀"

    # The remark for the month, through its own dialog.
    modals.on_dialog = reason_filler(qtbot, "工作积极主动")
    with qtbot.waitSignal(screen.people_loaded, timeout=10000):
        qtbot.mouseClick(tab.remark_button, Qt.MouseButton.LeftButton)
    with rw.db.session() as s:
        assert s.scalars(select(Rating)).one().remark == "工作积极主动"
    rw.db.dispose()
