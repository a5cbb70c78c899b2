"""文件 → 核验纸质表: the code on a printed grade sheet is checked in the program itself."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from sqlalchemy import select

from desktop.models.periods import Period
from desktop.models.station import Department
from desktop.services import scoring, sheet_codes
from desktop.services.roster import get_station
from desktop.ui.dialogs.verify_sheet import VerifySheetDialog

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")


def test_a_printed_code_is_verified_and_a_wrong_one_named(qtbot, ctx_for, demo_db):
    with demo_db.session() as s:
        period = s.scalar(select(Period).where(Period.code == "2026-01"))
        dept = s.scalar(select(Department).order_by(Department.sort_order))
        rows = [r for r in scoring.results(s, period) if r.department_id == dept.id]
        code = sheet_codes.verification_for(get_station(s).code, period, dept, rows).code
    dialog = VerifySheetDialog(ctx_for("neiqin"))
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.keyClicks(dialog.code, code)
    qtbot.mouseClick(dialog.check_button, Qt.MouseButton.LeftButton)
    assert "核验通过：纸质表与数据库一致。" in dialog.result.toPlainText()
    dialog.code.setText(code[:-4] + ("0000" if not code.endswith("0000") else "1111"))
    qtbot.keyClick(dialog.code, Qt.Key.Key_Return)
    assert "核验未通过" in dialog.result.toPlainText()
    dialog.code.setText("不是核验码")
    dialog.check()
    assert "不是等次评定表的核验码" in dialog.result.toPlainText()
