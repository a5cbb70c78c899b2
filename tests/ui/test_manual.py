"""帮助 → 使用说明 (F1) in the program and as a PDF; Qt's standard dialogs speak Chinese (#17 item 10)."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QFileDialog, QLabel, QMessageBox, QPushButton

from desktop.ui import manual
from desktop.ui.dialogs.manual import ManualDialog
from desktop.ui.dialogs.print_preview import PdfPrintPreview, temp_folder
from desktop.ui.main_window import MainWindow
from tests.cli.conftest import run

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")
CHAPTERS = ("快速开始", "等次", "签字", "备份", "常见问题")  # words some chapter titles must hold


def pdf_text(path: Path) -> str:
    return subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout


def open_manual(qtbot, ctx) -> tuple[MainWindow, ManualDialog]:
    window = MainWindow(ctx)
    qtbot.addWidget(window)
    with qtbot.waitActive(window):
        window.show()
        window.activateWindow()
    qtbot.keyClick(window, Qt.Key.Key_F1)
    dialog = window.manual_dialog
    assert isinstance(dialog, ManualDialog) and dialog.isVisible() and not dialog.isModal()
    qtbot.addWidget(dialog)
    return window, dialog


def test_f1_opens_the_manual_with_its_contents_and_find(qtbot, ctx_for):
    _window, dialog = open_manual(qtbot, ctx_for("neiqin"))
    chapters = [dialog.contents.topLevelItem(i).text(0) for i in range(dialog.contents.topLevelItemCount())]
    assert len(chapters) >= 8, chapters
    assert all(any(word in c for c in chapters) for word in CHAPTERS), chapters
    # A chapter clicked in the contents is scrolled to the top of the text.
    last = dialog.contents.topLevelItem(len(chapters) - 1)
    dialog.contents.scrollToItem(last)
    qtbot.mouseClick(dialog.contents.viewport(), Qt.MouseButton.LeftButton,
                     pos=dialog.contents.visualItemRect(last).center())
    assert dialog.browser.verticalScrollBar().value() > 0
    assert dialog.browser.textCursor().block().text().strip() == chapters[-1]
    # Ctrl+F, a word, Enter: found and selected; a word not in the manual says so.
    dialog.activateWindow()
    qtbot.waitUntil(dialog.isActiveWindow)
    qtbot.keyClick(dialog.browser, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(dialog.find_edit.hasFocus)
    dialog.find_edit.setText("登记确认")
    qtbot.keyClick(dialog.find_edit, Qt.Key.Key_Return)
    assert dialog.browser.textCursor().selectedText() == "登记确认"
    dialog.find_edit.setText("zzqqxx")
    qtbot.keyClick(dialog.find_edit, Qt.Key.Key_Return)
    assert dialog.find_status.text() == "没有找到"


def test_the_manual_is_saved_as_a_pdf_and_printed_through_the_preview(qtbot, ctx_for, modals, tmp_path):
    _window, dialog = open_manual(qtbot, ctx_for("suozhang"))
    target = tmp_path / "说明"
    modals.files.append([str(target)])
    qtbot.mouseClick(dialog.findChild(QPushButton, "manualSave"), Qt.MouseButton.LeftButton)
    saved = target.with_name("说明.pdf")  # the suffix is added
    assert saved.is_file() and modals.messages[-1][:2] == ("information", "已保存")
    text = pdf_text(saved)
    assert "积分考核台账" in text and "快速开始" in text and "常见问题" in text
    pages = int(next(line.split()[-1] for line in subprocess.run(
        ["pdfinfo", str(saved)], capture_output=True, text=True, check=True).stdout.splitlines()
        if line.startswith("Pages:")))
    assert pages >= 8
    before = set(temp_folder().parent.glob("jifen-print-*"))
    qtbot.mouseClick(dialog.findChild(QPushButton, "manualPrint"), Qt.MouseButton.LeftButton)
    assert any(isinstance(d, PdfPrintPreview) for d in modals.dialogs)  # the program's own preview
    left = set(temp_folder().parent.glob("jifen-print-*")) - before
    assert all(not any(p.iterdir()) for p in left if p.is_dir()) or not left  # the temporary PDF is gone


def test_the_manual_on_the_command_line(tmp_path, capsys, db):
    assert db.path is not None
    out = tmp_path / "manual.pdf"
    assert run(db.path, "manual", "-o", str(out)) == 0
    assert "已写出使用说明" in capsys.readouterr().out and "等次" in pdf_text(out)
    assert run(db.path, "manual", "-o", str(out)) == 2  # never overwritten without --force
    assert "已存在" in capsys.readouterr().err
    assert run(db.path, "manual", "-o", str(out), "--force") == 0


def test_a_missing_manual_file_is_said_not_raised(qtbot, ctx_for, modals, monkeypatch, tmp_path):
    monkeypatch.setattr(manual, "manual_path", lambda: tmp_path / "none.md")
    window = MainWindow(ctx_for("neiqin"))
    qtbot.addWidget(window)
    window.show_manual()
    assert window.manual_dialog is None and "找不到使用说明文件" in modals.last


def test_qt_standard_dialogs_speak_chinese(qtbot, qapp):
    """Qt's own translations are loaded: the file dialog (Qt's, as on a machine without a native
    one) and the message box's standard buttons show no English."""
    from desktop.ui.app import make_app

    assert make_app() is QApplication.instance()
    dialog = QFileDialog(None, "选择工作簿")
    dialog.setOption(QFileDialog.Option.DontUseNativeDialog)
    dialog.setNameFilter("Excel 工作簿 (*.xlsx)")
    qtbot.addWidget(dialog)
    labels = [label.text() for label in dialog.findChildren(QLabel) if label.text()]
    assert labels and not any(english in " ".join(labels) for english in ("Look in", "Files of type", "File name"))
    assert any("文件类型" in t for t in labels) and any("查看" in t for t in labels), labels
    buttons = [b.text() for b in dialog.findChildren(QPushButton) if b.text()]
    assert not any(t in ("&Open", "Open", "Cancel", "&Cancel") for t in buttons), buttons
    box = QMessageBox(QMessageBox.Icon.Question, "提问", "保存吗？",
                      QMessageBox.StandardButton.Save | QMessageBox.StandardButton.Discard
                      | QMessageBox.StandardButton.Cancel)
    qtbot.addWidget(box)
    texts = [b.text().replace("&", "") for b in box.buttons()]
    assert all(any("\u4e00" <= ch <= "\u9fff" for ch in t) for t in texts), texts
    from PySide6.QtPrintSupport import QPrintDialog, QPrinter

    printer = QPrinter()
    print_dialog = QPrintDialog(printer)
    qtbot.addWidget(print_dialog)
    words = [label.text() for label in print_dialog.findChildren(QLabel) if label.text()]
    assert "Page &Set:" not in words and any("页面集" in t for t in words), words
