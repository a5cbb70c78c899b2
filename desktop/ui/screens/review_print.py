"""The review screen's 打印 menu: grade sheets (等次评定表) and confirmation sheets (确认单),
printed through the system PDF viewer or saved as PDF files."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMenu, QPushButton

from desktop.services import documents
from desktop.services.scoring import ScoreRow
from desktop.ui.dialogs.printing import make_pdf
from desktop.ui.screens.review_data import ReviewData
from desktop.ui.workers import Task

if TYPE_CHECKING:
    from desktop.ui.screens.review import ReviewScreen


class ReviewPrintButton(QPushButton):
    """打印 ▾ with the four document actions; follows the screen's department filter."""

    def __init__(self, screen: ReviewScreen) -> None:
        super().__init__(screen)
        self.screen = screen
        self.department: str | None = None
        self.task: Task | None = None
        self.setObjectName("printButton")
        self.setText("打印 / 保存 PDF")
        menu = QMenu(self)
        self.actions_by_key: dict[str, QAction] = {}
        for key, text in (("grade_print", "打印等次评定表"), ("grade_save", "保存等次评定表 PDF…"),
                          ("confirm_print", "打印所选人员确认单"), ("confirm_save", "保存确认单 PDF（全部人员）…")):
            action = menu.addAction(text)
            action.setObjectName(key)
            action.triggered.connect(lambda _checked=False, k=key: self.run(k))
            self.actions_by_key[key] = action
        self.setMenu(menu)

    def update_for(self, data: ReviewData | None, row: ScoreRow | None) -> None:
        has_rows = bool(data and data.rows)
        for key, action in self.actions_by_key.items():
            action.setEnabled(has_rows and (key != "confirm_print" or row is not None))
        scope = f"（{self.department}）" if self.department else "（全部部门）"
        self.actions_by_key["grade_print"].setText(f"打印等次评定表{scope}")
        self.actions_by_key["grade_save"].setText(f"保存等次评定表 PDF{scope}…")
        who = f"：{row.name}" if row is not None else ""
        self.actions_by_key["confirm_print"].setText(f"打印所选人员确认单{who}")
        self.actions_by_key["confirm_save"].setText(f"保存确认单 PDF{scope}…")

    def run(self, key: str) -> None:
        """Start writing the document; `self.task` runs until the PDF is written."""
        ctx, code, dept = self.screen.ctx, self.screen.ctx.period_code, self.department
        row = self.screen.selected_row()
        suffix = f"-{dept}" if dept else ""
        if key.startswith("grade"):
            name = f"等次评定表-{code}{suffix}.pdf"
            self.task = make_pdf(self.screen, ctx, lambda s, p: documents.write_grade_sheets(s, code, p, dept),
                                 name, print_now=key.endswith("print"))
        elif key == "confirm_print":
            if row is None:
                return
            badge = row.badge
            self.task = make_pdf(self.screen, ctx,
                                 lambda s, p: documents.write_confirm_sheets(s, code, p, [badge]),
                                 f"确认单-{code}-{row.name}.pdf", print_now=True)
        else:
            self.task = make_pdf(self.screen, ctx,
                                 lambda s, p: documents.write_confirm_sheets(s, code, p, None, dept),
                                 f"确认单-{code}{suffix}.pdf", print_now=False)
