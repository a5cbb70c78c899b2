"""数据交换: export with progress, the import wizard's dry run and preview (bad cells red with
the reason), all-or-nothing import."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog
from sqlalchemy import func, select

from desktop.models.ledger import Entry
from desktop.ui.dialogs.import_wizard import ImportWizard
from desktop.ui.screens.exchange import ExchangeScreen

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")


def bureau_book(path: Path, *, bad: bool) -> Path:
    """A county bureau's 上级加减分 sheet as people type it: a title row above the header."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "县局加减分"
    sheet.append(["海勃湾区公安分局 2026年3月 上级加减分通报"])
    sheet.append(["序号", "日期", "警号", "姓名", "项目", "加分", "说明"])
    sheet.append([1, "2026年3月5日", "150211", "廖勇慧", "SJ-02", "３", "县局通报表扬"])
    if bad:
        sheet.append([2, "2026年13月5日", "150211", "廖勇慧", "SJ-02", 3, "日期写错"])
        sheet.append([3, "2026.3.8", "999999", "无此人", "SJ-02", 3, "警号写错"])
    book.save(path)
    return path


def entries(db) -> int:
    with db.session() as s:
        return s.scalar(select(func.count()).select_from(Entry))


def make_screen(qtbot, ctx) -> ExchangeScreen:
    screen = ExchangeScreen(ctx)
    qtbot.addWidget(screen)
    screen.show()
    screen.refresh()
    return screen


def test_export_period(qtbot, ctx_for, modals, tmp_path):
    screen = make_screen(qtbot, ctx_for("neiqin", period="2026-02"))
    target = tmp_path / "out.xlsx"
    modals.files.append([str(tmp_path / "out")])  # the suffix is added when left off
    qtbot.mouseClick(screen.export_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: screen.task is None and bool(modals.messages), timeout=30000)
    assert target.exists(), modals.messages
    assert "已导出" in screen.log.toPlainText()
    names = openpyxl.load_workbook(target, read_only=True).sheetnames
    assert "积分明细" in names and "积分汇总" in names


def drive_wizard(qtbot, path: Path, *, then_import: bool):
    seen: dict[str, object] = {}

    def run(dialog: QDialog) -> int:
        assert isinstance(dialog, ImportWizard)
        dialog.show()
        dialog.path_edit.setText(str(path))
        with qtbot.waitSignal(dialog.checked, timeout=30000):
            qtbot.mouseClick(dialog.check_button, Qt.MouseButton.LeftButton)
        seen["preview"] = dialog.preview
        seen["import_enabled"] = dialog.import_button.isEnabled()
        seen["dialog"] = dialog
        if then_import and dialog.import_button.isEnabled():
            with qtbot.waitSignal(dialog.finished_import, timeout=30000):
                qtbot.mouseClick(dialog.import_button, Qt.MouseButton.LeftButton)
        return dialog.result()

    return run, seen


def test_import_wizard_marks_bad_cells_and_refuses(qtbot, qtmodeltester, ctx_for, modals, demo_db, tmp_path):
    screen = make_screen(qtbot, ctx_for("neiqin"))
    run, seen = drive_wizard(qtbot, bureau_book(tmp_path / "bad.xlsx", bad=True), then_import=True)
    modals.on_dialog = run
    before = entries(demo_db)
    qtbot.mouseClick(screen.import_button, Qt.MouseButton.LeftButton)
    preview = seen["preview"]
    assert preview is not None and len(preview.report.problems) == 2
    assert seen["import_enabled"] is False
    assert entries(demo_db) == before
    dialog = seen["dialog"]
    sheet_view = dialog.sheet_views["县局加减分"]
    model = sheet_view.model()
    date_cell = model.index(3, 1)  # row 4, column B
    assert date_cell.data() == "2026年13月5日"
    assert "不存在" in date_cell.data(Qt.ItemDataRole.ToolTipRole)
    assert date_cell.data(Qt.ItemDataRole.BackgroundRole).color().name() == "#f8c9cf"
    assert "没有这个警号" in model.index(4, 2).data(Qt.ItemDataRole.ToolTipRole)
    assert model.index(2, 1).data(Qt.ItemDataRole.ToolTipRole) is None  # a good row stays plain
    qtmodeltester.check(model)
    qtmodeltester.check(dialog.problem_model)
    dialog._jump(dialog.problem_model.index(0, 0))  # double-clicking a problem shows its cell
    assert dialog.tabs.currentWidget() is sheet_view
    assert sheet_view.selectionModel().selectedIndexes()[0].row() == 3


def test_import_wizard_imports_a_clean_workbook(qtbot, ctx_for, modals, demo_db, tmp_path):
    screen = make_screen(qtbot, ctx_for("neiqin"))
    run, seen = drive_wizard(qtbot, bureau_book(tmp_path / "good.xlsx", bad=False), then_import=True)
    modals.on_dialog = run
    before = entries(demo_db)
    changed: list[str] = []
    screen.ctx.data_changed.connect(changed.append)
    qtbot.mouseClick(screen.import_button, Qt.MouseButton.LeftButton)
    assert seen["import_enabled"] is True
    assert entries(demo_db) == before + 1
    assert "entries" in changed and "已导入" in screen.log.toPlainText()
    assert any(kind == "information" for kind, _t, _x in modals.messages)


def test_the_preview_shows_which_item_each_bureau_row_went_to(qtbot, ctx_for, modals, demo_db, tmp_path):
    """A register without an item column: the column 入账项目 beside the sheet says where each row goes."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "县局加减分"
    sheet.append(["2026年3月份上级加减分情况登记表"])
    sheet.append(["序号", "警号", "姓名", "日期", "加减分事由", "类别", "分值"])
    sheet.append([1, "150211", "廖勇慧", "2026-03-05", "县局通报表扬", "上级加分", 3])
    sheet.append([2, "150211", "廖勇慧", "2026-03-09", "参加全市比武获奖", "上级加分", 4])
    book.save(tmp_path / "reg.xlsx")
    screen = make_screen(qtbot, ctx_for("neiqin"))
    run, seen = drive_wizard(qtbot, tmp_path / "reg.xlsx", then_import=False)
    modals.on_dialog = run
    qtbot.mouseClick(screen.import_button, Qt.MouseButton.LeftButton)
    model = seen["dialog"].sheet_views["县局加减分"].model()
    assert model.headers()[-1] == "→ 入账项目"
    last = len(model.headers()) - 1
    assert model.index(2, last).data() == "SJ-02 受到县局（分局）通报表扬（按事由）"
    assert model.index(3, last).data().startswith("SJ-12 其他上级加分")
    assert seen["import_enabled"] is True
