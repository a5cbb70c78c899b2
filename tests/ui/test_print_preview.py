"""打印 shows the program's own print preview, and leaves no temporary PDF behind."""

from __future__ import annotations

import os
import re
import subprocess
import tempfile
import time
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtPrintSupport import QPrinter

from desktop.ui.dialogs import print_preview
from desktop.ui.dialogs.print_preview import PdfPrintPreview

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")


def test_printing_a_grade_sheet_previews_it_and_removes_the_file(qtbot, ctx_for, modals, tmp_path):
    from tests.ui.test_review import make_screen

    seen: dict[str, object] = {}

    def look(dialog):  # the preview, as the clerk would see it: pages painted onto a (PDF) printer
        assert isinstance(dialog, PdfPrintPreview)
        seen["pages"] = dialog.page_count()
        seen["file"] = dialog.path
        seen["exists"] = dialog.path.is_file()
        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
        printer.setOutputFileName(str(tmp_path / "printed.pdf"))
        printer.setResolution(100)
        dialog.paint(printer)
        return 1

    modals.on_dialog = look
    screen = make_screen(qtbot, ctx_for("suozhang", period="2026-01"))
    screen.dept_combo.setCurrentIndex(screen.dept_combo.findText("综合室"))
    screen.print_button.run("grade_print")
    qtbot.waitUntil(lambda: "file" in seen or bool(modals.messages), timeout=30000)
    assert seen.get("exists") is True and seen["pages"] >= 1, modals.messages
    qtbot.waitUntil(lambda: not Path(str(seen["file"])).exists(), timeout=5000)
    assert not Path(str(seen["file"])).parent.exists()  # the folder made for it is gone too
    info = subprocess.run(["pdfinfo", str(tmp_path / "printed.pdf")], capture_output=True, text=True).stdout
    assert re.search(rf"^Pages:\s+{seen['pages']}$", info, re.M), info


def test_print_folders_a_crash_left_behind_are_swept(tmp_path):
    old = Path(tempfile.mkdtemp(prefix=print_preview.TEMP_PREFIX))
    (old / "等次评定表.pdf").write_bytes(b"%PDF-1.4")
    day_ago = time.time() - 2 * 24 * 3600
    os.utime(old, (day_ago, day_ago))
    fresh = Path(tempfile.mkdtemp(prefix=print_preview.TEMP_PREFIX))
    try:
        assert print_preview.sweep_stale() >= 1
        assert not old.exists() and fresh.exists()  # one being printed right now stays
    finally:
        print_preview.remove_temp(fresh / "x.pdf")


def test_the_preview_opens_offscreen_on_a_real_pdf(qtbot, tmp_path):
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.pdfgen import canvas

    path = tmp_path / "t.pdf"
    c = canvas.Canvas(str(path), pagesize=landscape(A4))
    for n in range(3):
        c.drawString(100, 400, f"page {n}")
        c.showPage()
    c.save()
    dialog = PdfPrintPreview(path)
    qtbot.addWidget(dialog)
    dialog.show()
    assert dialog.page_count() == 3 and dialog.windowTitle() == "打印预览 — t.pdf"
    assert dialog.printer.pageLayout().orientation().name == "Landscape"
    dialog.close()
    assert Qt.WindowType.Dialog & dialog.windowFlags()
