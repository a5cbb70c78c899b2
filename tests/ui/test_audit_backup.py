"""审计与备份: the trail and its 校验, 立即备份, restoring from the list, and the program's start
and close around the one-writer lock and the automatic backup (driven through `app.run`)."""

from __future__ import annotations

import datetime as dt
import hashlib
import sqlite3
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QDialog, QPushButton

from desktop.models.db import open_database
from desktop.services import backup, integrity, ledger, roster
from desktop.services.ledger import EntryInput
from desktop.ui import app as app_module
from desktop.ui.dialogs import printing
from desktop.ui.login import LoginDialog
from desktop.ui.main_window import MainWindow
from desktop.ui.models.audit import PAGE, AuditModel
from desktop.ui.screens.audit import AuditPage, AuditScreen
from tests.ui.conftest import DEMO_PASSWORDS

LATE_NOTE = "备份之后才录入的一条"


def click(qtbot, button: QPushButton) -> None:
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def audit_screen(qtbot, ctx) -> tuple[MainWindow, AuditScreen]:
    window = MainWindow(ctx)
    qtbot.addWidget(window)
    window.show()
    screen = window.show_screen("audit")
    assert isinstance(screen, AuditScreen)
    return window, screen


def verify(qtbot, page: AuditPage) -> str:
    click(qtbot, page.verify_button)
    qtbot.waitUntil(lambda: page.task is None, timeout=20000)
    return page.result.text()


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def record_late_entry(window: MainWindow) -> None:
    ctx = window.ctx
    person = ctx.read(lambda s: roster.list_people(s)[0].id)
    data = EntryInput([person], "FW-02", dt.date(2026, 3, 20), note=LATE_NOTE)
    assert ctx.write(window, lambda s, a: ledger.record(s, a, data), topic="entries") is not None


def notes(path: Path) -> set[str]:
    conn = sqlite3.connect(path)
    try:
        return {row[0] for row in conn.execute("SELECT note FROM entries")}
    finally:
        conn.close()


# -- 审计记录 ------------------------------------------------------------------------------------
def test_trail_lists_events_newest_first_and_verifies(qtbot, ctx_for):
    window, screen = audit_screen(qtbot, ctx_for("suozhang"))
    assert "审计与备份" in [window.nav.item(i).text() for i in range(window.nav.count())]
    page = screen.audit
    assert page is not None and screen.backups is not None
    model = page.model
    assert model.total > PAGE and model.rowCount() == PAGE  # one page read, the rest on demand
    newest = model.event_at(0)
    assert newest.id == model.total and newest.action == "user.login"  # this login, ids have no gaps
    assert [model.index(0, c).data() for c in (2, 3)] == ["蔡海（所长）", "登录"]
    ids = [model.event_at(r).id for r in range(model.rowCount())]
    assert ids == sorted(ids, reverse=True)
    page.view.scrollToBottom()  # the view asks for the next, older page
    qtbot.waitUntil(lambda: model.rowCount() == 2 * PAGE)
    assert model.event_at(2 * PAGE - 1).id == model.total - 2 * PAGE + 1
    everything = model.total

    confirm = page.action_filter.findText("确认考核结果")
    page.action_filter.setCurrentIndex(confirm)
    page.action_filter.activated.emit(confirm)
    assert model.rowCount() > 0 and {model.event_at(r).action for r in range(model.rowCount())} == {"review.confirm"}
    assert model.index(0, 4).data().startswith("人员 ")  # the person's name, not a UUID

    text = verify(qtbot, page)
    assert text.startswith("校验通过") and f"共 {everything:,} 条审计记录" in text


def test_audit_model(qtmodeltester, ctx_for):
    model = AuditModel(ctx_for("admin"))
    model.reload("user.login")
    assert 0 < model.rowCount() < PAGE and not model.canFetchMore()
    model.reload()
    qtmodeltester.check(model, force_py=True)  # also pages on by itself (fetchMore)
    assert model.rowCount() > PAGE
    model.reload("review.confirm")
    while model.canFetchMore():  # the demo's 40 people confirm more than two pages' worth
        model.fetchMore()
    assert model.rowCount() == model.total


def test_every_action_of_the_demo_is_described_in_words(ctx_for):
    """No event code (period.sign), state (open, review) or field key (person_id) on the audit screen."""
    import re

    from desktop.services import audit
    from desktop.ui.models.audit import action_label, detail_text

    ctx = ctx_for("admin")
    kinds = ctx.read(lambda s: audit.actions(s, ctx.actor))
    assert kinds and all(action_label(k) != k for k in kinds), [k for k in kinds if action_label(k) == k]
    model = AuditModel(ctx)
    for kind in ("period.review", "period.locked", "period.sign", "unit.member"):
        model.reload(kind)
        shown = model.data(model.index(0, 5))
        assert shown and not re.search(r"\b(open|review|locked|head|digest|person_id|from_state)\b", shown), shown
    assert detail_text('{"from_state": "open", "to_state": "review"}') == "原状态：录入中，新状态：审核中"


def test_a_row_edited_in_the_file_is_reported_as_the_first_broken_link(qtbot, ctx_for, demo_db_path, modals):
    _window, screen = audit_screen(qtbot, ctx_for("suozhang"))
    page = screen.audit
    conn = sqlite3.connect(demo_db_path)
    conn.execute("UPDATE audit_events SET username = 'nobody' WHERE id = 5")
    conn.commit()
    conn.close()
    text = verify(qtbot, page)
    assert "从第 5 条起哈希链断裂" in text and "内容被改动" in text and "此前的 4 条校验通过" in text
    assert "第 5 条" in modals.texts_of("warning")[-1]
    selected = page.view.selectionModel().selectedRows()
    assert [page.model.event_at(i.row()).id for i in selected] == [5]  # paged back to show it


# -- 备份与恢复 ------------------------------------------------------------------------------------
def test_backup_now_adds_a_checked_backup_and_opens_its_folder(qtbot, ctx_for, demo_db_path, monkeypatch,
                                                               modals, tmp_path):
    window, screen = audit_screen(qtbot, ctx_for("suozhang"))
    screen.show_backups()
    page = screen.backups
    assert page.model.rowCount() == 0 and "还没有备份" in page.status.text()
    click(qtbot, page.backup_button)
    qtbot.waitUntil(lambda: page.task is None and page.model.rowCount() == 1, timeout=20000)
    made = backup.list_backups(demo_db_path)
    assert [b.reason for b in made] == ["manual"] and integrity.check(made[0].path, full=True) == []
    assert page.model.index(0, 1).data() == "手动备份" and made[0].path.name in page.status.text()
    assert page.selected() == made[0]

    opened: list[Path] = []
    monkeypatch.setattr(printing, "open_file", lambda path: opened.append(path) or True)
    click(qtbot, page.folder_button)
    assert opened == [backup.backup_dir(demo_db_path)]

    # A file from elsewhere that is no backup: refused after the check, nothing asked or closed.
    other = tmp_path / "U盘" / "不是备份.db"
    other.parent.mkdir()
    other.write_bytes(b"not a database" * 100)
    modals.files.append([str(other)])
    click(qtbot, page.restore_file_button)
    qtbot.waitUntil(lambda: page.task is None, timeout=20000)
    assert "不能用于恢复" in modals.texts_of("warning")[-1] and not modals.texts_of("question")
    assert window.isVisible() and window.restore_source is None


# -- the program around it: app.run with login, window and event loop stubbed ---------------------
class Start:
    """Drives `app.run`: logs in as `users` in turn and plays one `session` per main window."""

    def __init__(self) -> None:
        self.users: list[str] = []
        self.sessions: list[Callable[[MainWindow], None]] = []


@pytest.fixture
def start(qtbot, qapp, modals, monkeypatch) -> Start:
    driver = Start()
    monkeypatch.setattr(app_module, "make_app", lambda: qapp)  # keep the shared QApplication as it is
    monkeypatch.setattr(sys, "excepthook", sys.excepthook)  # run() installs its own

    def on_dialog(dialog: QDialog) -> int:
        if isinstance(dialog, LoginDialog) and driver.users:
            name = driver.users.pop(0)
            dialog.username.setText(name)
            dialog.password.setText(DEMO_PASSWORDS[name])
            dialog.accept()
            return int(dialog.result())
        return int(QDialog.DialogCode.Rejected.value)

    def event_loop(_app: QApplication) -> int:
        window = next(w for w in QApplication.topLevelWidgets() if isinstance(w, MainWindow) and w.isVisible())
        driver.sessions.pop(0)(window)
        window.close()
        return 0

    modals.on_dialog = on_dialog
    monkeypatch.setattr(QApplication, "exec", event_loop)
    return driver


def test_restore_from_the_list_brings_back_the_earlier_state(qtbot, start, demo_db_path, modals):
    def session(window: MainWindow) -> None:
        screen = window.show_screen("audit")
        screen.show_backups()
        page = screen.backups
        click(qtbot, page.backup_button)
        qtbot.waitUntil(lambda: page.task is None and page.model.rowCount() == 1, timeout=20000)
        record_late_entry(window)
        page.view.selectRow(0)
        click(qtbot, page.restore_button)  # checks the backup in a worker, asks, then closes the window
        qtbot.waitUntil(lambda: not window.isVisible(), timeout=20000)

    start.users, start.sessions = ["suozhang"], [session]
    modals.texts.append(DEMO_PASSWORDS["suozhang"])  # the password asked again before a restore
    assert LATE_NOTE not in notes(demo_db_path)
    assert app_module.run(demo_db_path) == 0
    question = modals.texts_of("question")[-1]
    assert "恢复前会先把它另存为一个备份" in question and "审计记录" in question
    assert "恢复后将撤销备份之后的：录入积分 1 次" in question  # what is taken back is named first
    assert "恢复完成" in [title for _k, title, _t in modals.messages]

    assert LATE_NOTE not in notes(demo_db_path)  # the state of the backup is back
    kept = [b for b in backup.list_backups(demo_db_path) if b.reason == "restore"]
    assert len(kept) == 1 and LATE_NOTE in notes(kept[0].path)  # the replaced database is kept
    db = open_database(demo_db_path)
    with db.session() as session_:
        from desktop.services.audit import verify as verify_chain

        assert verify_chain(session_).ok
    db.dispose()
    conn = sqlite3.connect(demo_db_path)
    assert conn.execute("SELECT username FROM audit_events WHERE action = 'backup.restore'").fetchall() == [
        ("suozhang",)]
    detail = conn.execute("SELECT detail FROM audit_events WHERE action = 'backup.restore'").fetchone()[0]
    assert '"undone": {"entry.record": 1' in detail  # the new trail keeps what the old one had since
    conn.close()
    integrity.acquire_writer_lock(demo_db_path).release()  # run() let go of the lock


def test_closing_and_switching_user_back_up_and_free_the_lock(qtbot, start, demo_db_path):
    start.users = ["neiqin", "suozhang"]
    start.sessions = [lambda window: window.request_switch_user(), record_late_entry]
    assert app_module.run(demo_db_path) == 0
    made = backup.list_backups(demo_db_path)
    assert [b.reason for b in made] == ["close", "close"]
    assert LATE_NOTE in notes(made[0].path) and LATE_NOTE not in notes(made[1].path)
    integrity.acquire_writer_lock(demo_db_path).release()


def test_a_second_copy_of_the_program_is_refused_before_touching_the_database(start, demo_db_path, modals):
    before = digest(demo_db_path)
    with integrity.acquire_writer_lock(demo_db_path):  # the first copy, still open
        assert app_module.run(demo_db_path) == 1
    kind, title, text = modals.messages[-1]
    assert (kind, title) == ("critical", "程序已经打开")
    assert "已经打开了这个数据库" in text and "正由另一个程序使用" in text
    assert modals.dialogs == []  # no wizard, no login
    assert digest(demo_db_path) == before and not backup.backup_dir(demo_db_path).exists()


def corrupt(path: Path) -> None:
    """Overwrite pages in the middle of the file, as a failing disk would."""
    data = bytearray(path.read_bytes())
    for start_ in range(4096 * 2, len(data) - 4096, 4096 * 3):
        data[start_ + 8: start_ + 200] = b"\xde\xad\xbe\xef" * 48
    path.write_bytes(bytes(data))


@pytest.mark.parametrize("restore", [True, False], ids=["restore", "quit"])
def test_a_damaged_database_offers_its_newest_backup(start, demo_db_path, modals, restore):
    newest = backup.backup(demo_db_path)
    corrupt(demo_db_path)
    damaged = digest(demo_db_path)
    if not restore:
        modals.question_answer = modals.question_answer.No
    assert app_module.run(demo_db_path) == (0 if restore else 1)  # login cancelled / quit
    boxes = [(title, text) for kind, title, text in modals.messages if kind == "box"]
    assert boxes and boxes[0][0] == "数据库已损坏"
    assert "已损坏" in boxes[0][1] and newest.name in boxes[0][1] and "restore" in boxes[0][1]
    if restore:
        assert integrity.quick_check(demo_db_path) == []
        assert list(backup.backup_dir(demo_db_path).glob("损坏-*.db"))  # the damaged file is kept aside
        assert isinstance(modals.dialogs[-1], LoginDialog)
    else:
        assert digest(demo_db_path) == damaged and not any(isinstance(d, LoginDialog) for d in modals.dialogs)


def test_an_entry_edited_in_the_file_is_named_by_the_check(qtbot, ctx_for, demo_db_path, modals):
    _window, screen = audit_screen(qtbot, ctx_for("suozhang"))
    conn = sqlite3.connect(demo_db_path)
    entry_id, uuid = conn.execute("SELECT id, uuid FROM entries ORDER BY id DESC LIMIT 1").fetchone()
    conn.execute("UPDATE entries SET points_tenths = 990 WHERE id = ?", (entry_id,))
    conn.commit()
    conn.close()
    text = verify(qtbot, screen.audit)
    assert "哈希链逐条相符，但数据行在本程序之外被改动" in text
    assert f"积分记录 entries 第 {entry_id} 行（{uuid}）被改动，字段：分值（points_tenths）" in text
    assert "points_tenths" in modals.texts_of("warning")[-1]
