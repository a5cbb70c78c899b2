"""月度考核 screen, driven with clicks and keys on a copy of the demo station.

Demo (until 2026-03): 2026-02 is under review with one open dispute, 2026-03 is open,
earlier months are signed and locked. Dialogs are filled through `modals.on_dialog`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QInputMethodEvent
from PySide6.QtWidgets import QApplication, QDialog, QWidget
from sqlalchemy import func, select

from desktop.models.accounts import User
from desktop.models.enums import ConfirmStatus, PeriodKind, PeriodState
from desktop.models.grading import GradeOverride, ScoreResult
from desktop.models.ledger import Entry
from desktop.models.periods import Confirmation, Period
from desktop.services import accounts, ledger, periods, review, scoring, signoff
from desktop.services.errors import PermissionDenied
from desktop.services.ledger import EntryInput
from desktop.ui.dialogs.reason import ReasonDialog
from desktop.ui.dialogs.sign import SignDialog
from desktop.ui.screens.review import ReviewScreen
from desktop.ui.screens.review_data import load
from desktop.ui.screens.review_parts import SCORE_HEADERS, score_cells
from desktop.ui.screens.rows_model import RowProxy, RowsModel

# The offscreen platform warns on every top-level show; not a problem of the code under test.
pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")


def make_screen(qtbot, ctx) -> ReviewScreen:
    screen = ReviewScreen(ctx)
    qtbot.addWidget(screen)
    screen.resize(1280, 800)
    screen.show()
    screen.refresh()
    return screen


def click(qtbot, screen: ReviewScreen, key: str) -> None:
    button = screen.buttons[key]
    assert button.isEnabled(), f"{key} should be enabled"
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def type_chinese(widget: QWidget, text: str) -> None:
    """Chinese arrives as an input-method commit (QTest.keyClicks only knows ASCII keys)."""
    event = QInputMethodEvent()
    event.setCommitString(text)
    QApplication.sendEvent(widget, event)


def reason_filler(qtbot, text: str, choice: str | None = None) -> Callable[[QDialog], int]:
    def fill(dialog: QDialog) -> int:
        assert isinstance(dialog, ReasonDialog)
        dialog.show()
        if choice is not None:
            dialog.combo.setCurrentIndex(dialog.combo.findData(choice))
        type_chinese(dialog.text, text)
        qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
        return dialog.result()
    return fill


SEEN_CHECKS: list[str] = []  # the lock checklist lines the last sign dialogs showed


def password_filler(qtbot, password: str) -> Callable[[QDialog], int]:
    """Type the password and, as the signer would after reading them, tick the checklist's lines
    (OK is refused while one is left unticked)."""
    def fill(dialog: QDialog) -> int:
        assert isinstance(dialog, SignDialog)
        dialog.show()
        qtbot.keyClicks(dialog.password, password)
        if dialog.checks:
            qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
            assert dialog.result() == 0 and "项未核对" in dialog.error.text()
        for check in dialog.checks:
            SEEN_CHECKS.append(check.toolTip())
            check.setChecked(True)
        qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
        return dialog.result()
    return fill


def status_of(db, code: str, person_id: int) -> str | None:
    with db.session() as s:
        period = s.scalar(select(Period).where(Period.code == code))
        row = s.scalar(select(Confirmation).where(Confirmation.period_id == period.id,
                                                  Confirmation.person_id == person_id))
        return row.status if row else None


def count(db, model) -> int:
    with db.session() as s:
        return s.scalar(select(func.count()).select_from(model))


def state_of(db, code: str) -> str:
    with db.session() as s:
        return s.scalar(select(Period.state).where(Period.code == code))


def test_compute_submit_and_confirm(qtbot, ctx_for, modals, demo_db):
    clerk = make_screen(qtbot, ctx_for("neiqin", period="2026-03"))
    assert clerk.buttons["compute"].isVisible() and clerk.buttons["submit"].isEnabled()
    with qtbot.waitSignal(clerk.computed, timeout=20000):
        click(qtbot, clerk, "compute")
    assert not modals.messages, modals.messages
    with demo_db.session() as s:
        period_id = s.scalar(select(Period.id).where(Period.code == "2026-03"))
        stored = s.scalar(select(func.count()).select_from(ScoreResult).where(ScoreResult.period_id == period_id))
    assert stored == len(clerk.data.rows) > 30
    click(qtbot, clerk, "submit")
    assert modals.messages[-1][:2] == ("question", "提交审核") and "退回修改" in modals.messages[-1][2]
    assert state_of(demo_db, "2026-03") == PeriodState.REVIEW.value
    assert "审核中" in clerk.state_label.text()

    officer_ctx = ctx_for("minjing", period="2026-03")
    officer = make_screen(qtbot, officer_ctx)
    for hidden in ("compute", "submit", "resolve", "override", "unlock"):
        assert not officer.buttons[hidden].isVisible()
    own = officer_ctx.actor.person_id
    # Publish after review: in a month not yet signed an officer's sheet holds his own row only.
    assert [r.person_id for r in officer.data.rows] == [own]
    with demo_db.transaction() as s:
        other = next(r.person_id for r in scoring.calculate(s, periods.get_or_create(s, "2026-03"))
                     if r.person_id != own)
        with pytest.raises(PermissionDenied, match="只能确认"):  # nor may he speak for anyone else
            review.confirm(s, officer_ctx.actor, periods.get_or_create(s, "2026-03"), other, "")
    assert status_of(demo_db, "2026-03", other) is None
    assert officer.select_person(own)
    click(qtbot, officer, "confirm")
    assert status_of(demo_db, "2026-03", own) == ConfirmStatus.CONFIRMED.value
    assert modals.messages[-1][:2] == ("question", "确认积分")  # asked first, with his total
    assert officer.buttons["confirm"].text() == "撤销确认"  # already confirmed: the button takes it back
    # Second thoughts: the officer disputes, with a reason typed in the dialog.
    modals.on_dialog = reason_filler(qtbot, "3月12日夜查漏记")
    click(qtbot, officer, "dispute")
    assert status_of(demo_db, "2026-03", own) == ConfirmStatus.DISPUTED.value
    assert "有异议" in officer.panel.person_label.text() and "夜查漏记" in officer.panel.person_label.text()
    assert not officer.buttons["confirm"].isEnabled() and not officer.buttons["dispute"].isEnabled()

    clerk.refresh()
    unconfirmed = [r.person_id for r in clerk.data.rows if r.person_id not in clerk.data.confirmations][:3]
    for person_id in unconfirmed:
        assert clerk.select_person(person_id)
        click(qtbot, clerk, "confirm")
        assert status_of(demo_db, "2026-03", person_id) == ConfirmStatus.CONFIRMED.value
    assert "已确认" in clerk.panel.confirm_label.text()


def test_resolve_override_sign_lock(qtbot, ctx_for, modals, demo_db):
    chief = make_screen(qtbot, ctx_for("suozhang", period="2026-02"))
    disputed = [pid for pid, c in chief.data.confirmations.items() if c.status == ConfirmStatus.DISPUTED.value]
    assert len(disputed) == 1
    assert chief.select_person(disputed[0])
    assert "有异议" in chief.panel.person_label.text()
    modals.on_dialog = reason_filler(qtbot, "经核对排班表，夜查次数无误")
    click(qtbot, chief, "resolve")
    assert status_of(demo_db, "2026-02", disputed[0]) == ConfirmStatus.RESOLVED.value

    # Override: an empty reason is refused inside the dialog, then a reason is accepted. (Down to
    # C: raising someone to A would break the A quota, which the policy does not allow.) (B → C:
    # C has no cap, so the quota holds; an override that breaks one is refused by the service.)
    target = next(r for r in chief.data.rows if r.grade == "B" and not r.excluded_reason)
    assert chief.select_person(target.person_id)
    seen: list[str] = []

    def override(dialog: QDialog) -> int:
        assert isinstance(dialog, ReasonDialog)
        dialog.show()
        dialog.combo.setCurrentIndex(dialog.combo.findData("C"))
        qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
        assert dialog.result() == QDialog.DialogCode.Rejected and dialog.isVisible()
        seen.append(dialog.error.text())
        type_chinese(dialog.text, "本月两次迟到未如实登记")
        qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
        return dialog.result()

    modals.on_dialog = override
    before = count(demo_db, GradeOverride)
    click(qtbot, chief, "override")
    assert seen and "必须填写理由" in seen[0]
    assert count(demo_db, GradeOverride) == before + 1
    row = chief.data.row_of(target.person_id)
    assert row.grade == "C" and "等次已调整" in row.flag_labels()

    # Step 1 is each department's sheet, by its head (and a head's line by the level above):
    # the chief's button is on only for what he signs (综合室, as its head), and a sheet with a
    # member unconfirmed cannot be signed; the clerk records the paper confirmations first.
    chief.refresh()
    assert chief.data.next_step.seq == 1 and chief.data.mine
    assert all("蔡海" in line or "所长" in line for line in chief.data.mine)
    with demo_db.transaction() as s:
        month = periods.get_or_create(s, "2026-02")
        clerk = accounts.login(s, "neiqin", "neiqin123")
        done = review.confirmations(s, month)
        for r in scoring.calculate(s, month):
            if r.person_id not in done:
                review.confirm(s, clerk, month, r.person_id, "纸质确认单")
    heads = ("zhian", "anjian", "binhe", "xincun", "hexi", "chengnan", "fusuozhang", "suozhang", "jiaodaoyuan")
    while True:
        with demo_db.transaction() as s:
            month = periods.get_or_create(s, "2026-02")
            step = signoff.next_step(s, month)
            if step is None or step.seq != 1:
                break
            signed = False
            for name in heads:
                actor = accounts.login(s, name, f"{name}123")
                if any(signoff.may_sign(actor, d) for d in signoff.dues(s, month, step)):
                    signoff.sign(s, actor, month, f"{name}123")
                    signed = True
                    break
            assert signed, [d.label for d in signoff.dues(s, month, step)]
    chief.refresh()
    # A wrong password signs nothing.
    modals.on_dialog = password_filler(qtbot, "wrong-password")
    click(qtbot, chief, "sign")
    assert "密码不正确" in modals.last
    assert chief.data.next_step.seq == 2
    modals.on_dialog = password_filler(qtbot, "suozhang123")
    click(qtbot, chief, "sign")
    assert chief.data.steps[1].signer and chief.data.next_step.seq == 3
    assert not chief.buttons["sign"].isEnabled()  # the same person cannot sign twice
    assert "已签" in chief.panel.steps_label.text()

    instructor = make_screen(qtbot, ctx_for("jiaodaoyuan", period="2026-02"))
    assert instructor.buttons["sign"].text().startswith("签字：")
    modals.on_dialog = password_filler(qtbot, "jiaodaoyuan123")
    SEEN_CHECKS.clear()
    click(qtbot, instructor, "sign")
    assert state_of(demo_db, "2026-02") == PeriodState.LOCKED.value
    # the last signature showed the lock checklist, each line ticked before OK was taken
    assert any("本月还没有评定奖励" in line or "等次" in line or "分界线" in line for line in SEEN_CHECKS), SEEN_CHECKS
    assert "已锁定" in instructor.state_label.text()
    assert instructor.buttons["unlock"].isEnabled()
    assert not instructor.buttons["override"].isEnabled()

    # Writes into the locked month: a clear message, nothing changes.
    chief.refresh()
    assert chief.select_person(target.person_id)
    modals.on_dialog = reason_filler(qtbot, "再次调整", choice="C")
    overrides, entries = count(demo_db, GradeOverride), count(demo_db, Entry)
    messages = len(modals.messages)
    chief.override()
    assert "已锁定" in modals.last and len(modals.messages) == messages + 1
    data = EntryInput([target.person_id], "RC-01", dt.date(2026, 2, 10), note="补录")
    assert chief.ctx.write(chief, lambda s, a: ledger.record(s, a, data), topic="entries") is None
    assert "已锁定" in modals.last and "解锁" in modals.last
    assert (count(demo_db, GradeOverride), count(demo_db, Entry)) == (overrides, entries)

    # Unlocking needs a reason and puts the month back to 录入中.
    modals.on_dialog = reason_filler(qtbot, "县局通报需补录一条加分")
    click(qtbot, chief, "unlock")
    assert state_of(demo_db, "2026-02") == PeriodState.OPEN.value
    assert chief.data.next_step.seq == 1


def test_department_filter_and_models(qtbot, qtmodeltester, ctx_for, demo_db):
    screen = make_screen(qtbot, ctx_for("neiqin", period="2026-02"))
    total = screen.proxy.rowCount()
    screen.dept_combo.setCurrentIndex(screen.dept_combo.findText("治安管理中队"))
    shown = screen.proxy.rowCount()
    assert 0 < shown < total
    assert {screen.proxy.index(r, 2).data() for r in range(shown)} == {"治安管理中队"}
    assert "治安管理中队" in screen.print_button.actions_by_key["grade_print"].text()
    qtmodeltester.check(screen.proxy)
    qtmodeltester.check(screen.panel.quota_model)
    with demo_db.session() as s:
        data = load(s, "2026-02")
    model = RowsModel(SCORE_HEADERS)
    model.set_rows([score_cells(data, r) for r in data.rows], [r.person_id for r in data.rows])
    qtmodeltester.check(model)
    proxy = RowProxy()
    proxy.setSourceModel(model)
    proxy.sort(8, Qt.SortOrder.DescendingOrder)
    totals = [data.row_of(proxy.index(r, 0).data(Qt.ItemDataRole.UserRole + 1)).total
              for r in range(proxy.rowCount())]
    assert totals == sorted(totals, reverse=True)


def test_scope_switches_to_quarter_and_year(qtbot, ctx_for):
    ctx = ctx_for("suozhang", period="2026-02")
    screen = make_screen(qtbot, ctx)
    qtbot.mouseClick(screen.scope.buttons[PeriodKind.QUARTER], Qt.MouseButton.LeftButton)
    assert ctx.period_code == "2026-Q1" and screen.data.label == "2026年第一季度"
    assert screen.data.rows and "录入中" in screen.state_label.text()
    qtbot.mouseClick(screen.scope.buttons[PeriodKind.YEAR], Qt.MouseButton.LeftButton)
    assert ctx.period_code == "2026"
    qtbot.mouseClick(screen.scope.buttons[PeriodKind.MONTH], Qt.MouseButton.LeftButton)
    assert ctx.period_code == "2026-02"  # back to the month it came from
    assert screen.scope.buttons[PeriodKind.MONTH].isChecked()


@pytest.mark.parametrize("period", ["2026-01"])
def test_locked_month_print_grade_sheet(qtbot, ctx_for, modals, monkeypatch, tmp_path, period):
    from desktop.ui.dialogs import printing

    opened: list[str] = []
    monkeypatch.setattr(printing, "preview", lambda _parent, path: opened.append(str(path)) or 0)
    screen = make_screen(qtbot, ctx_for("suozhang", period=period))
    assert "已锁定" in screen.state_label.text()
    screen.dept_combo.setCurrentIndex(screen.dept_combo.findText("综合室"))
    screen.print_button.run("grade_print")
    qtbot.waitUntil(lambda: bool(opened) or bool(modals.messages), timeout=20000)
    assert opened and opened[0].endswith(".pdf"), modals.messages
    target = tmp_path / "sheet.pdf"
    modals.files.append([str(target)])
    screen.print_button.run("grade_save")
    qtbot.waitUntil(lambda: target.exists() and bool(modals.messages), timeout=20000)
    assert "已保存" in modals.last


def test_a_department_head_with_an_officers_account_signs_his_sheet_on_the_screen(qtbot, ctx_for, modals, demo_db):
    """The demo's first step is signed by each department's head; 治安管理中队's head (zhian) has
    an officer's account, and still finds 签字 on the screen once his sheet is his to sign."""
    with demo_db.transaction() as s:
        month = periods.get_or_create(s, "2026-02")
        clerk = accounts.login(s, "neiqin", "neiqin123")
        done = review.confirmations(s, month)
        for r in scoring.calculate(s, month):
            if r.person_id not in done:
                review.confirm(s, clerk, month, r.person_id, "纸质确认单")
            elif done[r.person_id].status == ConfirmStatus.DISPUTED.value:
                review.resolve(s, accounts.login(s, "suozhang", "suozhang123"), month, r.person_id, "已核实")
    head = make_screen(qtbot, ctx_for("zhian", "zhian123", period="2026-02"))
    button = head.buttons["sign"]
    assert button.isVisible() and button.isEnabled() and button.text().startswith("签字：")
    modals.on_dialog = password_filler(qtbot, "zhian123")
    click(qtbot, head, "sign")
    with demo_db.session() as s:
        zhian = s.scalar(select(User.id).where(User.username == "zhian"))
        sheets = signoff.sheet_signatures(s, periods.get_or_create(s, "2026-02"))
        assert any(sig.user_id == zhian for sig in sheets)
