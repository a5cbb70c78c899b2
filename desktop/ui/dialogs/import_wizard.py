"""导入工作簿 step by step: choose the file → a dry run in a worker → the preview (counts,
every problem with its sheet, row and column, the sheets with bad cells in red) → import,
all or nothing. Nothing is written until 导入 is pressed on a workbook without problems."""

from __future__ import annotations

from html import escape
from pathlib import Path
from typing import Any

from PySide6.QtCore import QItemSelectionModel, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QStackedWidget,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from desktop.services.exchange import import_
from desktop.services.exchange.report import Cancelled as ExchangeCancelled
from desktop.services.exchange.report import ImportRejected, ImportReport
from desktop.ui.context import AppContext
from desktop.ui.dialogs.import_preview import Preview, read_preview
from desktop.ui.dialogs.printing import show_failure
from desktop.ui.screens.rows_model import RowsModel
from desktop.ui.workers import Cancelled, Progress, Task, run_with_progress

INTRO = ("可以导入：县局下发的人员名册、考核细则、上级加减分通报，或本程序在另一台电脑导出的工作簿。"
         "表头上方的标题行、合并的表头、文本格式的数字、“2026年3月5日”或“2026.3.5”样式的日期都能识别。\n"
         "先做一次试导入：只检查、不写入，列出将新增、更新、不变和有问题的行。有问题时不会导入任何数据。")
TOPICS = ("people", "catalogue", "entries", "period", "awards", "station")


def exchange_callbacks(progress: Progress) -> tuple[Any, Any]:
    """The exchange service reports progress and asks `cancel()` separately; the worker has one call."""
    stop = {"now": False}

    def report(done: int, total: int) -> None:
        stop["now"] = not progress(done, total)

    return report, lambda: stop["now"]


def _view(name: str) -> QTableView:
    view = QTableView()
    view.setObjectName(name)
    view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    view.setAlternatingRowColors(False)
    view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    view.verticalHeader().setDefaultSectionSize(view.fontMetrics().height() + 8)
    view.horizontalHeader().setMaximumSectionSize(320)
    return view


def _values(group: list[Any]) -> str:
    """“，7 个不同的值：第0中队、第1中队、第2中队等” for a group of problems, when they have values."""
    values = list(dict.fromkeys(p.value for p in group if p.value))
    if len(values) < 2:
        return ""
    shown = "、".join(escape(v) for v in values[:3])
    return f"，{len(values)} 个不同的值：{shown}" + ("等" if len(values) > 3 else "")


class ImportWizard(QDialog):
    checked = Signal()  # a dry run finished (or failed)
    finished_import = Signal(object)  # the ImportReport of a successful import

    def __init__(self, ctx: AppContext, parent: QWidget | None = None, path: str = "") -> None:
        super().__init__(parent)
        self.setObjectName("importWizard")
        self.setWindowTitle("导入工作簿")
        self.resize(1100, 720)
        self.ctx = ctx
        self.preview: Preview | None = None
        self.result_report: ImportReport | None = None
        self.task: Task | None = None
        layout = QVBoxLayout(self)
        self.pages = QStackedWidget()
        layout.addWidget(self.pages, 1)
        self.pages.addWidget(self._choose_page(path))
        self.pages.addWidget(self._preview_page())
        buttons = QHBoxLayout()
        self.back_button = self._button(buttons, "backButton", "上一步", lambda: self.pages.setCurrentIndex(0))
        buttons.addStretch(1)
        self.check_button = self._button(buttons, "checkButton", "试导入（只检查）", self.check)
        self.import_button = self._button(buttons, "importButton", "导入", self.run_import)
        self._button(buttons, "closeButton", "关闭", self.reject)
        layout.addLayout(buttons)
        self.pages.currentChanged.connect(lambda _i: self._update())
        self._update()

    def _button(self, row: QHBoxLayout, name: str, text: str, slot: Any) -> QPushButton:
        button = QPushButton(text)
        button.setObjectName(name)
        button.clicked.connect(lambda _c=False: slot())
        row.addWidget(button)
        return button

    def _choose_page(self, path: str) -> QWidget:
        page = QWidget()
        column = QVBoxLayout(page)
        intro = QLabel(INTRO)
        intro.setWordWrap(True)
        column.addWidget(intro)
        row = QHBoxLayout()
        row.addWidget(QLabel("工作簿"))
        self.path_edit = QLineEdit(path)
        self.path_edit.setObjectName("pathEdit")
        self.path_edit.setPlaceholderText("选择 .xlsx 文件")
        self.path_edit.textChanged.connect(lambda _t: self._update())
        row.addWidget(self.path_edit, 1)
        self._button(row, "browseButton", "浏览…", self.browse)
        column.addLayout(row)
        self.hidden_box = QCheckBox("包括隐藏的工作表（默认只列出、不导入）")
        self.hidden_box.setObjectName("includeHidden")
        column.addWidget(self.hidden_box)
        column.addStretch(1)
        return page

    def _preview_page(self) -> QWidget:
        page = QWidget()
        column = QVBoxLayout(page)
        self.summary = QLabel()
        self.summary.setObjectName("importSummary")
        self.summary.setWordWrap(True)
        column.addWidget(self.summary)
        self.count_view = _view("countTable")
        self.count_view.verticalHeader().hide()
        column.addWidget(self.count_view)
        self.tabs = QTabWidget()
        self.tabs.setObjectName("previewTabs")
        self.problem_view = _view("problemTable")
        self.problem_view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.problem_view.verticalHeader().hide()
        self.problem_view.horizontalHeader().setStretchLastSection(True)
        self.problem_view.doubleClicked.connect(self._jump)
        column.addWidget(self.tabs, 1)
        return page

    def _update(self) -> None:
        on_preview = self.pages.currentIndex() == 1
        busy = self.task is not None
        self.back_button.setVisible(on_preview)
        self.check_button.setVisible(not on_preview)
        self.check_button.setEnabled(bool(self.path_edit.text().strip()) and not busy)
        report = self.preview.report if self.preview else None
        self.import_button.setVisible(on_preview)
        self.import_button.setEnabled(bool(report and report.ok and not report.imported) and not busy)

    # -- steps ---------------------------------------------------------------------------------
    def browse(self) -> None:
        chosen, _ = QFileDialog.getOpenFileName(self, "选择工作簿", "", "工作簿 (*.xlsx *.xlsm *.xls *.ods)")
        if chosen:
            self.path_edit.setText(chosen)

    def check(self) -> None:
        """The dry run and the preview, in a worker."""
        path, db, actor = Path(self.path_edit.text().strip()), self.ctx.db, self.ctx.actor
        hidden = self.hidden_box.isChecked()

        def job(progress: Progress) -> Preview:
            report_fn, cancel = exchange_callbacks(progress)
            report = import_.import_file(db, actor, path, dry_run=True, progress=report_fn, cancel=cancel,
                                         include_hidden=hidden)
            return read_preview(path, report)

        self.task = run_with_progress(self, "试导入", job, self._checked, self._failed, label="正在检查工作簿…")
        self._update()

    def _checked(self, preview: object) -> None:
        self.task = None
        assert isinstance(preview, Preview)
        self.show_preview(preview)
        self.pages.setCurrentIndex(1)
        self.checked.emit()

    def _failed(self, exc: BaseException) -> None:
        self.task = None
        if not isinstance(exc, Cancelled | ExchangeCancelled):
            show_failure(self.ctx, self, exc, "导入")
        self._update()
        self.checked.emit()

    def show_preview(self, preview: Preview) -> None:
        self.preview = preview
        report = preview.report
        text = report.summary()
        if report.ok:
            text += "。确认无误后按“导入”，全部写入；" if not report.imported else ""
        else:
            text += "。请按下表在 Excel/WPS 中改正后重新试导入（红色单元格，鼠标停留可看原因）。"
            # The kinds of problem first, with their counts: 700 rows naming unknown departments
            # are one thing to fix, not 700.
            kinds = sorted(report.groups(), key=len, reverse=True)[:5]
            text += "<br>" + "<br>".join(f"· {escape(g[0].reason)}（{len(g)} 处{_values(g)}）" for g in kinds)
        self.summary.setText(f"<b>{escape(Path(report.path).name)}</b>：{text}")
        headers, rows = preview.count_rows()
        self.count_model = RowsModel(headers, self)
        self.count_model.set_rows(rows)
        self.count_view.setModel(self.count_model)
        rows_height = self.count_view.verticalHeader().defaultSectionSize() * max(1, len(rows))
        self.count_view.setFixedHeight(self.count_view.horizontalHeader().sizeHint().height() + rows_height + 4)
        self.tabs.clear()
        headers, rows, self._places = preview.problem_rows()
        self.problem_model = RowsModel(headers, self)
        self.problem_model.set_rows(rows)
        self.problem_view.setModel(self.problem_model)
        self.tabs.addTab(self.problem_view, f"问题与提示（{len(rows)}）")
        self.sheet_views: dict[str, QTableView] = {}
        for sheet in preview.sheets:
            model = RowsModel(sheet.headers(), self)
            model.set_rows([sheet.cells(i) for i in range(len(sheet.rows))])
            view = _view("sheetTable")
            view.setModel(model)
            self.sheet_views[sheet.name] = view
            bad = f"，{len(sheet.marks)} 处有问题" if sheet.marks else ""
            self.tabs.addTab(view, f"{sheet.name}{bad}")
        if not rows and preview.sheets:
            self.tabs.setCurrentIndex(1)
        self._update()

    def _jump(self, index: Any) -> None:
        """Double-click a problem: show its sheet with the cell selected."""
        sheet, row, column = self._places[index.row()]
        view = self.sheet_views.get(sheet)
        if view is None or row is None:
            return
        self.tabs.setCurrentWidget(view)
        col = next((i for i, h in enumerate(view.model().headers()) if h == column), 0)
        target = view.model().index(row - 1, col)
        view.selectionModel().select(target, QItemSelectionModel.SelectionFlag.ClearAndSelect)
        view.scrollTo(target)

    def run_import(self) -> None:
        path, db, actor = Path(self.path_edit.text().strip()), self.ctx.db, self.ctx.actor
        hidden = self.hidden_box.isChecked()

        def job(progress: Progress) -> ImportReport:
            report_fn, cancel = exchange_callbacks(progress)
            return import_.import_file(db, actor, path, progress=report_fn, cancel=cancel,
                                       include_hidden=hidden)

        self.task = run_with_progress(self, "导入", job, self._imported, self._import_failed, label="正在导入…")
        self._update()

    def _imported(self, report: object) -> None:
        self.task = None
        assert isinstance(report, ImportReport)
        self.result_report = report
        for topic in TOPICS:
            self.ctx.data_changed.emit(topic)
        self.finished_import.emit(report)
        self.ctx.show_info(self, report.text(limit=20), "导入完成")
        self.accept()

    def _import_failed(self, exc: BaseException) -> None:
        self.task = None
        if isinstance(exc, ImportRejected):
            assert self.preview is not None
            self.show_preview(Preview(exc.report, self.preview.sheets))
            self.ctx.show_error(self, str(exc), "没有导入")
        elif not isinstance(exc, Cancelled | ExchangeCancelled):
            show_failure(self.ctx, self, exc, "导入")
        self._update()
