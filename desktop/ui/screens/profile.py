"""个人档案 (政绩档案, 一人一档): one person's year — photo, identity, a chart of the monthly
totals against the department average, points by category, grades, awards, sanctions, every
entry, and the six aspects of a month or the year (profile_aspects.py). Printable as the
performance-file PDF."""

from __future__ import annotations

import html
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QPixmap
from PySide6.QtWidgets import (
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSpinBox,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from desktop.models.enums import PeriodKind, Role
from desktop.services import documents, documents_batch, roster
from desktop.services.exchange.report import Cancelled as ExchangeCancelled
from desktop.services.periods import parse_period
from desktop.services.points import fmt
from desktop.ui.charts import BarChart
from desktop.ui.context import AppContext
from desktop.ui.dialogs.import_wizard import exchange_callbacks
from desktop.ui.dialogs.printing import make_pdf, show_failure
from desktop.ui.screens.lazy import RefreshWhenShown
from desktop.ui.screens.profile_aspects import AspectsTab
from desktop.ui.screens.profile_data import EntryLine, Profile, load_profile, published_part
from desktop.ui.screens.rows_model import Cell, RowsModel, num, table_view
from desktop.ui.widgets.pickers import Choice, SearchPicker
from desktop.ui.workers import Cancelled, Progress, Task, run_with_progress

PHOTO_W, PHOTO_H = 132, 176
MONTH_HEADERS = ["月份", "基础工作积分", "加分", "扣分", "总分", "部门平均", "排名", "等次", "状态"]
CATEGORY_HEADERS = ["类别", "条数", "加分", "扣分", "合计"]
EVENT_HEADERS = ["时间", "类型", "内容", "分值", "说明"]
ENTRY_HEADERS = ["日期", "项目", "类别", "构成", "数量", "分值", "事实说明", "记录人", "状态"]


SCHEME_HEADERS = ["积分制", "考核对象", "全年总分", "排名", "等次", "说明"]


def _table(name: str, headers: list[str], parent: QWidget) -> tuple[QTableView, RowsModel]:
    return table_view(name, headers, parent, striped=True)


def _points(tenths: int, *, signed: bool = False) -> Cell:
    text = ("+" if signed and tenths > 0 else "") + fmt(tenths)
    return num(text, tenths, fg="#c62828" if tenths < 0 else None)


def entry_cells(e: EntryLine) -> list[Cell]:
    muted = "#888888" if e.status in ("作废", "已作废") else None
    return [Cell(f"{e.day:%Y-%m-%d}", fg=muted), Cell(e.item, tip=e.item, fg=muted), Cell(e.category, fg=muted),
            Cell(e.component, fg=muted), num(str(e.quantity), e.quantity, fg=muted),
            _points(e.points, signed=True), Cell(e.note, tip=e.note, fg=muted), Cell(e.recorder, fg=muted),
            Cell(e.status + ("、一票否决" if e.veto else ""), fg="#c62828" if e.veto else muted)]


class ProfileScreen(RefreshWhenShown, QWidget):
    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.profile: Profile | None = None
        self.person_id: int | None = ctx.actor.person_id
        self.task: Task | None = None
        self._stale = True
        layout = QHBoxLayout(self)
        layout.addWidget(self._left_column())
        right = QVBoxLayout()
        layout.addLayout(right, 1)
        bar = QHBoxLayout()
        bar.addWidget(QLabel("年度"))
        self.year = QSpinBox()
        self.year.setObjectName("yearSpin")
        self.year.setRange(2000, 2100)
        self.year.setValue(parse_period(ctx.period_code).year)
        self.year.valueChanged.connect(lambda _v: self.load())
        bar.addWidget(self.year)
        self.summary = QLabel()
        self.summary.setObjectName("profileSummary")
        bar.addWidget(self.summary, 1)
        for key, text in (("print", "打印政绩档案"), ("save", "保存 PDF…")):
            button = QPushButton(text)
            button.setObjectName(f"{key}FileButton")
            button.clicked.connect(lambda _c=False, k=key: self.print_file(k == "print"))
            bar.addWidget(button)
        if ctx.actor.role != Role.OFFICER:  # an officer prints his own file; a clerk or chief everyone's
            everyone = QPushButton("全员政绩档案…")
            everyone.setObjectName("allFilesButton")
            everyone.setToolTip("本年度在册的每个人一个 PDF，保存到选定的文件夹")
            everyone.clicked.connect(self.save_all_files)
            bar.addWidget(everyone)
        right.addLayout(bar)
        self.chart = BarChart()
        self.chart.setMinimumHeight(230)
        right.addWidget(self.chart, 2)
        self.tabs = QTabWidget()
        self.month_view, self.month_model = _table("monthTable", MONTH_HEADERS, self)
        self.category_view, self.category_model = _table("categoryTable", CATEGORY_HEADERS, self)
        self.event_view, self.event_model = _table("eventTable", EVENT_HEADERS, self)
        self.entry_view, self.entry_model = _table("entryTable", ENTRY_HEADERS, self)
        self.scheme_view, self.scheme_model = _table("schemeStandingTable", SCHEME_HEADERS, self)
        self.aspects = AspectsTab(self)
        for view, title in ((self.month_view, "逐月积分与等次"), (self.category_view, "分类积分"),
                            (self.event_view, "奖励与惩处"), (self.entry_view, "全部记录"),
                            (self.scheme_view, "其他积分制"), (self.aspects, "政绩档案（六个方面）")):
            self.tabs.addTab(view, title)
        self._month_of(ctx.period_code)
        right.addWidget(self.tabs, 3)
        ctx.period_changed.connect(self._on_period)
        ctx.data_changed.connect(lambda topic: self._refresh_if_shown() if topic != "users" else None)

    def _left_column(self) -> QWidget:
        box = QWidget()
        box.setFixedWidth(280)
        column = QVBoxLayout(box)
        column.setContentsMargins(0, 0, 0, 0)
        self.picker = SearchPicker("警号、姓名或拼音首字母", box, rows=9)
        self.picker.setObjectName("personSearch")
        self.picker.picked.connect(lambda choice: self.show_person(int(choice.id)))
        self.picker.list.itemClicked.connect(lambda item: self.show_person(int(item.data(Qt.ItemDataRole.UserRole).id)))
        column.addWidget(self.picker)
        self.photo = QLabel()
        self.photo.setObjectName("photo")
        self.photo.setFixedSize(PHOTO_W, PHOTO_H)
        self.photo.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.photo.setStyleSheet("border: 1px solid #bbb; background: #f4f4f4; color: #888;")
        column.addWidget(self.photo, 0, Qt.AlignmentFlag.AlignHCenter)
        self.identity = QLabel()
        self.identity.setObjectName("identity")
        self.identity.setWordWrap(True)
        self.identity.setTextFormat(Qt.TextFormat.RichText)
        column.addWidget(self.identity)
        column.addStretch(1)
        return box

    # -- loading -------------------------------------------------------------------------------
    def _reload(self) -> None:
        self.load()

    def refresh(self) -> None:
        self._stale = False
        people = self.ctx.read(lambda s: [(p.id, p.badge, p.name, p.department.name, p.identity)
                                          for p in roster.list_people(s)])
        self.picker.set_choices([Choice.of(pid, f"{name}  {badge}  {dept}", badge, name, exact=badge)
                                 for pid, badge, name, dept, _identity in people])
        if self.person_id is None and people:
            self.person_id = people[0][0]
        self.load()

    def show_person(self, person_id: int) -> None:
        self.person_id = person_id
        self.load()

    def load(self) -> None:
        if self.person_id is None:
            return
        person_id, year, actor = self.person_id, self.year.value(), self.ctx.actor
        self.show_profile(self.ctx.read(lambda s: published_part(s, actor, load_profile(s, person_id, year))))

    def show_profile(self, p: Profile) -> None:
        self.profile = p
        for row in range(self.picker.list.count()):
            if self.picker.list.item(row).data(Qt.ItemDataRole.UserRole).id == p.person_id:
                self.picker.list.setCurrentRow(row)
                break
        pixmap = QPixmap()
        if p.photo and pixmap.loadFromData(p.photo):
            self.photo.setPixmap(pixmap.scaled(PHOTO_W, PHOTO_H, Qt.AspectRatioMode.KeepAspectRatio,
                                               Qt.TransformationMode.SmoothTransformation))
        else:
            self.photo.clear()
            self.photo.setText("无照片")
        rows = [("警号", p.badge), ("身份", p.identity), ("职务", p.position or "—"), ("部门", p.department),
                ("考核序列", p.sequence or "—"), ("在岗", p.active)]
        cells = "".join(f"<tr><td style='color:#666;padding-right:8px'>{k}</td><td>{html.escape(v)}</td></tr>"
                        for k, v in rows)
        self.identity.setText(f"<div style='font-size:16pt;font-weight:bold'>{html.escape(p.name)}</div>"
                              f"<table>{cells}</table>")
        grades = "，".join(f"{g} {n} 次" for g, n in p.grade_counts()) or "暂无等次"
        self.summary.setText(f"  <b>{html.escape(p.name)}</b> {p.year}年：合计 {fmt(p.year_total)} 分；{grades}；"
                             f"奖励 {len(p.awards)} 项，扣分/否决 {len(p.sanctions)} 条")
        shown = [m for m in p.months if m.total is not None]
        self.chart.set_series([f"{m.number}月" for m in p.months],
                              [None if m.total is None else m.total / 10 for m in p.months],
                              notes=[m.grade for m in p.months],
                              line=[None if m.dept_average is None else m.dept_average / 10 for m in p.months],
                              line_label="部门平均", title=f"{p.year}年逐月总分（{len(shown)} 个月有成绩）")
        self._fill_tables(p)

    def _fill_tables(self, p: Profile) -> None:
        self.month_model.set_rows([[
            Cell(f"{m.number}月", sort=m.number), _points(m.base) if m.total is not None else Cell(""),
            _points(m.bonus) if m.total is not None else Cell(""),
            _points(-m.deduction) if m.total is not None and m.deduction else Cell(""),
            num(fmt(m.total), m.total, bold=True) if m.total is not None else num("—", None),
            num(fmt(m.dept_average), m.dept_average) if m.dept_average is not None else num("", None),
            num(f"{m.rank}/{m.of}" if m.rank else "—", m.rank), Cell(m.grade, align="center", bold=True),
            Cell(m.state, fg="#888888" if m.total is None else None)] for m in p.months])
        self.category_model.set_rows([[
            Cell(c.category), num(str(c.count), c.count), _points(c.plus), _points(-c.minus),
            _points(c.plus - c.minus, signed=True)] for c in p.categories])
        events = [[Cell(when), Cell("奖励", fg="#2e7d32"), Cell(title, bold=True), num("", None), Cell(note)]
                  for when, title, note in p.awards]
        events += [[Cell(f"{e.day:%Y-%m-%d}"), Cell("一票否决" if e.veto else "扣分", fg="#c62828"),
                    Cell(e.item, tip=e.item), _points(e.points, signed=True), Cell(e.note, tip=e.note)]
                   for e in p.sanctions]
        self.event_model.set_rows(events)
        self.entry_model.set_rows([entry_cells(e) for e in p.entries])
        self.tabs.setTabText(2, f"奖励与惩处（{len(events)}）")
        self.tabs.setTabText(3, f"全部记录（{len(p.entries)}）")
        self.scheme_model.set_rows([[
            Cell(x.scheme), Cell(x.subject), num(fmt(x.total), x.total, bold=True),
            num(f"{x.rank}/{x.of}" if x.rank else "—", x.rank), Cell(x.grade, align="center", bold=True),
            Cell(x.why, tip=x.why)] for x in p.schemes])
        self.tabs.setTabVisible(4, bool(p.schemes))
        self.aspects.show_profile(p)

    def _month_of(self, code: str) -> None:
        """A month chosen in the main window opens the six aspects on that month."""
        spec = parse_period(code)
        if spec.kind == PeriodKind.MONTH:
            self.aspects.set_month(spec.number)

    def _on_period(self, code: str) -> None:
        self._month_of(code)
        self.year.setValue(parse_period(code).year)

    # -- printing ------------------------------------------------------------------------------
    def save_all_files(self) -> None:
        """Everyone's file of the year into a folder, in a worker with progress and cancel."""
        year = self.year.value()
        chosen = QFileDialog.getExistingDirectory(self, f"选择保存 {year} 年度全员政绩档案的文件夹")
        if not chosen:
            return
        folder = Path(chosen)

        def job(progress: Progress) -> list[Path]:
            report, cancel = exchange_callbacks(progress)
            with self.ctx.db.session() as session:
                return documents_batch.write_performance_files(session, year, folder, progress=report, cancel=cancel)

        def done(result: object) -> None:
            self.task = None
            assert isinstance(result, list)
            self.ctx.show_info(self, f"已生成 {len(result)} 个政绩档案，保存在：{folder}", "全员政绩档案")

        def failed(exc: BaseException) -> None:
            self.task = None
            if not isinstance(exc, Cancelled | ExchangeCancelled):  # a cancel leaves the folder as it was
                show_failure(self.ctx, self, exc, "生成全员政绩档案")

        self.task = run_with_progress(self, "全员政绩档案", job, done, failed, label=f"正在生成 {year} 年度政绩档案…")

    def print_file(self, print_now: bool) -> None:
        if self.profile is None:
            return
        year, badge = self.profile.year, self.profile.badge
        name = f"政绩档案-{year}-{self.profile.name}.pdf"
        self.task = make_pdf(self, self.ctx, lambda s, path: documents.write_performance_file(s, year, badge, path),
                             name, print_now=print_now)


