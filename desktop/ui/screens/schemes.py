"""积分制: the station's other schemes (党建, 基层基础, 执法办案, 队伍管理) period by period.

One scheme at a time (the chooser), for the main window's month or its quarter / year: every
unit (or officer, for 执法办案) ranked within its class or sequence with its components, total,
grade and why (awards suggested, eligibility lost); the scheme's own sign-off chain beside it,
with 提交签核 / 签字 / 解锁 for whoever the next step names; a double click opens the subject's
file (一单位一档: its people, its year month by month, its entries).
"""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from desktop.services import documents_schemes, scheme_signing
from desktop.ui.context import AppContext
from desktop.ui.dialogs.printing import make_pdf
from desktop.ui.dialogs.reason import ask_reason
from desktop.ui.dialogs.sign import SignDialog
from desktop.ui.screens.lazy import RefreshWhenShown
from desktop.ui.screens.period_bar import PeriodScope
from desktop.ui.screens.rows_model import KEY_ROLE, table_view
from desktop.ui.screens.schemes_data import SchemeView, choices, load, signature_lines
from desktop.ui.screens.subject_file import SubjectFileDialog

TOPICS = ("entries", "period", "station", "people", "catalogue")


class SchemesScreen(RefreshWhenShown, QWidget):
    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.data: SchemeView | None = None
        self.task: Any = None
        layout = QVBoxLayout(self)
        bar = QHBoxLayout()
        bar.addWidget(QLabel("积分制"))
        self.combo = QComboBox()
        self.combo.setObjectName("schemeCombo")
        self.combo.setMinimumWidth(200)
        self.combo.currentIndexChanged.connect(lambda _i: self.refresh())
        bar.addWidget(self.combo)
        bar.addSpacing(12)
        self.scope = PeriodScope(ctx)
        bar.addWidget(self.scope)
        bar.addStretch(1)
        self.file_button = self._button(bar, "fileButton", "档案…", self.open_file)
        self.print_sheet_button = self._button(bar, "printSheetButton", "打印排名表",
                                               lambda: self.print_document("sheet"))
        self.print_bulletin_button = self._button(bar, "printBulletinButton", "打印通报",
                                                  lambda: self.print_document("bulletin"))
        self.print_cases_button = self._button(bar, "printCasesButton", "打印案件台账",
                                               lambda: self.print_document("cases"))
        layout.addLayout(bar)
        self.summary = QLabel()
        self.summary.setObjectName("schemeSummary")
        self.summary.setWordWrap(True)
        layout.addWidget(self.summary)
        self.empty = QLabel("本单位只运行个人积分。要运行党建、基层基础、执法办案或队伍管理积分制，"
                            "请管理员在命令行执行 jifen scheme install（见 docs/cli.md）。")
        self.empty.setObjectName("noSchemes")
        self.empty.setWordWrap(True)
        layout.addWidget(self.empty)
        split = QSplitter()
        self.view, self.model = table_view("schemeTable", ["组"], self, single_selection=True)
        self.view.doubleClicked.connect(lambda _index: self.open_file())
        split.addWidget(self.view)
        split.addWidget(self._side())
        split.setStretchFactor(0, 4)
        split.setStretchFactor(1, 1)
        layout.addWidget(split, 1)
        ctx.period_changed.connect(lambda _code: self._refresh_if_shown())
        ctx.data_changed.connect(lambda topic: self._refresh_if_shown() if topic in TOPICS else None)

    def _side(self) -> QWidget:
        side = QWidget()
        box = QVBoxLayout(side)
        head = QLabel("<b>签核流程</b>")
        box.addWidget(head)
        self.state_label = QLabel()
        self.state_label.setObjectName("schemeState")
        box.addWidget(self.state_label)
        self.chain = QLabel()
        self.chain.setObjectName("schemeChain")
        self.chain.setWordWrap(True)
        box.addWidget(self.chain)
        buttons = QVBoxLayout()
        self.freeze_button = self._button(buttons, "freezeButton", "提交签核", self.freeze)
        self.freeze_button.setToolTip("固定本期各单位的积分、排名和等次，交签核流程逐级签字")
        self.sign_button = self._button(buttons, "signButton", "签字…", self.sign)
        self.reopen_button = self._button(buttons, "reopenButton", "解锁…", self.reopen)
        self.reopen_button.setToolTip("撤回签核或解锁（所长/教导员，须填理由）")
        box.addLayout(buttons)
        box.addStretch(1)
        return side

    def _button(self, bar: Any, name: str, text: str, slot: Any) -> QPushButton:
        button = QPushButton(text)
        button.setObjectName(name)
        button.clicked.connect(slot)
        bar.addWidget(button)
        return button

    # -- data ----------------------------------------------------------------------------------
    def scheme_code(self) -> str | None:
        return self.combo.currentData()

    def refresh(self) -> None:
        self._stale = False
        found = self.ctx.read(choices)
        if [self.combo.itemData(i) for i in range(self.combo.count())] != [c.code for c in found]:
            keep = self.scheme_code()
            self.combo.blockSignals(True)
            self.combo.clear()
            for choice in found:
                self.combo.addItem(choice.label, choice.code)
            index = self.combo.findData(keep)
            self.combo.setCurrentIndex(max(index, 0))
            self.combo.blockSignals(False)
        has = bool(found)
        self.empty.setVisible(not has)
        for widget in (self.view, self.file_button, self.summary, self.print_sheet_button,
                       self.print_bulletin_button):
            widget.setEnabled(has)
        code = self.scheme_code()
        if code is None:
            self.data = None
            self._show_state()
            return
        period, role = self.ctx.period_code, self.ctx.actor.role.value
        self.data = self.ctx.read(lambda s: load(s, code, period, role))
        self.model.set_headers(self.data.headers)
        self.model.set_rows(self.data.cells, self.data.keys)
        header = self.view.horizontalHeader()  # columns differ per scheme: the why stretches
        for column in range(len(self.data.headers)):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(len(self.data.headers) - 1, QHeaderView.ResizeMode.Stretch)
        self.summary.setText(self.data.summary)
        self.print_cases_button.setVisible(bool(self.data.scheme.case_tracking))
        self._show_state()

    def _show_state(self) -> None:
        data = self.data
        if data is None:
            self.state_label.setText("")
            self.chain.setText("")
            for button in (self.freeze_button, self.sign_button, self.reopen_button):
                button.setEnabled(False)
            return
        sheet = data.sheet
        self.state_label.setText(f"{sheet.period.label}：{sheet.state_label}")
        self.chain.setText("<br>".join(signature_lines(sheet)))
        may_review, may_reopen = self.ctx.can("period.review"), self.ctx.can("period.reopen")
        self.freeze_button.setEnabled(may_review and sheet.state != "locked")
        self.freeze_button.setText("重新提交签核" if sheet.state == "signing" else "提交签核")
        self.sign_button.setEnabled(data.can_sign)
        self.sign_button.setText(f"签字：{sheet.next_step}…" if sheet.state == "signing" else "签字…")
        self.reopen_button.setEnabled(may_reopen and sheet.state != "open")

    def selected_code(self) -> str | None:
        rows = self.view.selectionModel().selectedRows() if self.view.selectionModel() else []
        return rows[0].data(KEY_ROLE) if rows else None

    # -- actions -------------------------------------------------------------------------------
    def _write(self, fn: Any, title: str = "无法完成") -> bool:
        done = self.ctx.write(self, fn, topic="period", title=title) is not None
        self.refresh()
        return done

    def freeze(self) -> None:
        code, period = self.scheme_code(), self.ctx.period_code
        if code is not None:
            self._write(lambda s, a: scheme_signing.freeze(s, a, code, period), title="未提交")

    def sign(self) -> None:
        data, code, period = self.data, self.scheme_code(), self.ctx.period_code
        if data is None or code is None or not data.sheet.next_step:
            return
        dialog = SignDialog(self, period_label=f"{data.scheme.name} {data.sheet.period.label}",
                            step_title=data.sheet.next_step, signer=self.ctx.actor.display_name,
                            summary=data.summary)
        if dialog.exec() != SignDialog.DialogCode.Accepted:
            return
        password = dialog.password_text()
        self._write(lambda s, a: scheme_signing.sign(s, a, code, period, password), title="未签字")

    def reopen(self) -> None:
        code, period = self.scheme_code(), self.ctx.period_code
        if code is None:
            return
        dialog = ask_reason(self, "解锁积分制", "解锁后本期签字作废，需要重新提交签核；解锁理由将记入审计记录。",
                            ok_text="解锁")
        if dialog:
            self._write(lambda s, a: scheme_signing.reopen(s, a, code, period, dialog.reason()))

    def open_file(self) -> None:
        code, subject = self.scheme_code(), self.selected_code()
        if code is None:
            return
        if subject is None:
            self.ctx.show_info(self, "请先在表中选中一个单位或人员。")
            return
        SubjectFileDialog(self, self.ctx, code, subject).exec()

    def print_document(self, which: str) -> None:
        """The 积分排名表, the 通报 or the 案件台账 of the shown period, built in a worker."""
        code, period = self.scheme_code(), self.ctx.period_code
        if code is None:
            return
        builders = {
            "sheet": (lambda s, path: documents_schemes.write_scheme_sheet(s, code, period, path), "积分排名表"),
            "bulletin": (lambda s, path: documents_schemes.write_bulletin(s, code, period, path), "通报"),
            "cases": (lambda s, path: documents_schemes.write_case_sheet(s, period, path, code), "案件台账"),
        }
        builder, name = builders[which]
        self.task = make_pdf(self, self.ctx, builder, f"{name}-{code}-{period}.pdf", print_now=True)
