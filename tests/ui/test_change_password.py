"""文件 → 修改本人密码 (#17 item 10): a user changes his own password from the menu; a mismatch
or a wrong old password is refused in the dialog, which stays open."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog

from desktop.services import accounts
from desktop.services.errors import AuthError
from desktop.ui.dialogs.change_password import ChangePasswordDialog
from desktop.ui.main_window import MainWindow


def test_an_officer_changes_his_own_password_from_the_menu(qtbot, ctx_for, demo_db, modals) -> None:
    window = MainWindow(ctx_for("minjing"))
    qtbot.addWidget(window)
    seen: list[str] = []

    def fill(dialog: QDialog) -> int:
        assert isinstance(dialog, ChangePasswordDialog)
        dialog.show()
        for old, new, again in (("minjing123", "xinmima1", "xinmima2"), ("wrong-one", "xinmima1", "xinmima1"),
                                ("minjing123", "xinmima1", "xinmima1")):
            for edit, text in ((dialog.old, old), (dialog.new, new), (dialog.again, again)):
                edit.clear()
                qtbot.keyClicks(edit, text)
            qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
            if not dialog.isVisible():
                break
            seen.append(dialog.error.text())
        return dialog.result()

    modals.on_dialog = fill
    action = next(a for a in window.menuBar().actions()[0].menu().actions() if a.text() == "修改本人密码…")
    action.trigger()
    assert seen[0] == "两次输入的新密码不一致，请重新输入。" and "原密码不正确" in seen[1]
    assert "密码已修改" in window.statusBar().currentMessage()
    with demo_db.transaction() as s:
        assert accounts.login(s, "minjing", "xinmima1").username == "minjing"
    with demo_db.transaction() as s:
        try:
            accounts.login(s, "minjing", "minjing123")
        except AuthError:
            pass
        else:
            raise AssertionError("the old password still signs in")
