"""The entries list with its filter bar: person, department, item, category, dates, text.

Used under the diary form and anywhere else a screen lists entries. Filtering and sorting
run in SQL; the table model fetches only the rows on screen.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from PySide6.QtCore import QDate, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy.orm import Session

from desktop.services import queries, scheme_registry
from desktop.services.periods import parse_period
from desktop.services.queries import EntryFilter, EntryRow
from desktop.ui.context import AppContext
from desktop.ui.models.entries import COLUMNS, NOTE_COLUMN, EntriesModel
from desktop.ui.widgets.date_edit import DateEdit

LOADING = "正在载入…"
WIDTHS = {"occurred_on": 88, "badge": 66, "name": 66, "department": 100, "item": 210, "category": 80,
          "quantity": 42, "points": 52, "note": 200, "source": 110, "recorded_by": 110}


def qdate(day: dt.date) -> QDate:
    return QDate(day.year, day.month, day.day)


def pydate(day: QDate) -> dt.date:
    return dt.date(day.year(), day.month(), day.day())


Pairs = list[tuple[object, str]]


@dataclass(frozen=True)
class FilterChoices:
    """The filter combos' entries as (value, text), read in one go (see `read_choices`)."""

    schemes: Pairs
    people: Pairs
    departments: Pairs
    items: Pairs
    categories: Pairs


def read_choices(ctx: AppContext) -> FilterChoices:
    """Plain values, so a worker thread may read them (2,000 people at county scale)."""
    def read(session: Session) -> FilterChoices:
        people = queries.people_rows(session)
        depts = sorted({(p.department_id, p.department) for p in people}, key=lambda d: d[0])
        return FilterChoices(
            [(sc.code, sc.name) for sc in scheme_registry.active(session)],
            [(p.id, f"{p.badge} {p.name}") for p in people], list(depts),
            [(code, f"{code} {name}") for code, name in queries.item_choices(session)],
            [(c, c) for c in queries.categories(session)])
    return ctx.read(read)


def _combo(all_text: str, chars: int) -> QComboBox:
    """A filter combo sized for `chars` characters whatever its longest entry."""
    combo = QComboBox()
    combo.addItem(all_text, None)
    combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
    combo.setMinimumContentsLength(chars)
    combo.setMaxVisibleItems(20)
    return combo


class EntryListPanel(QWidget):
    """Filter bar, table and a row of actions (callers add buttons to `actions`)."""

    selection_changed = Signal()

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.model = EntriesModel(ctx, self)
        # Shown only when the station runs more than the person scheme (汉阴's four 积分制).
        self.scheme = _combo("全部积分制", 7)
        self.scheme.setObjectName("schemeFilter")
        self.scheme.setToolTip("只看一个积分制的记录（个人积分、党建、基层基础 …）")
        self.person = _combo("全部人员", 9)
        self.person.setEditable(True)
        self.person.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.person.completer().setFilterMode(Qt.MatchFlag.MatchContains)
        self.department = _combo("全部部门", 7)
        self.item = _combo("全部项目", 12)
        self.category = _combo("全部类别", 6)
        self.start, self.end = DateEdit(), DateEdit()
        for edit in (self.start, self.end):
            edit.setCalendarPopup(True)
            edit.setDisplayFormat("yyyy-MM-dd")
        self.all_dates = QPushButton("全部日期")
        self.text = QLineEdit()
        self.text.setPlaceholderText("搜索说明、项目、姓名、警号")
        self.text.setClearButtonEnabled(True)
        self.count = QLabel()
        bar = QHBoxLayout()
        bar.setSpacing(6)
        for widget in (self.scheme, self.person, self.department, self.item, self.category):
            bar.addWidget(widget)
        bar.addWidget(QLabel("日期"))
        bar.addWidget(self.start)
        bar.addWidget(QLabel("至"))
        bar.addWidget(self.end)
        bar.addWidget(self.all_dates)
        self.text.setMinimumWidth(150)
        bar.addWidget(self.text, 1)

        self.view = QTableView()
        self.view.setModel(self.model)
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setAlternatingRowColors(True)
        self.view.setWordWrap(False)
        self.view.verticalHeader().setVisible(False)
        self.view.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 10)
        self.view.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        header = self.view.horizontalHeader()
        header.setSortIndicator(0, Qt.SortOrder.DescendingOrder)
        for i, column in enumerate(COLUMNS):
            self.view.setColumnWidth(i, WIDTHS[column.key])
        header.setSectionResizeMode(NOTE_COLUMN, QHeaderView.ResizeMode.Stretch)
        self.view.setSortingEnabled(True)

        self.actions = QHBoxLayout()
        self.actions.addWidget(self.count)
        self.actions.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(bar)
        layout.addWidget(self.view, 1)
        layout.addLayout(self.actions)

        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(250)
        self._debounce.timeout.connect(self.apply_filter)
        self.text.textChanged.connect(self._debounce.start)
        for combo in (self.scheme, self.person, self.department, self.item, self.category):
            combo.activated.connect(self.apply_filter)
        self.start.dateChanged.connect(self._debounce.start)
        self.end.dateChanged.connect(self._debounce.start)
        self.all_dates.clicked.connect(self.show_all_dates)
        self.view.selectionModel().selectionChanged.connect(self.selection_changed)
        self.model.modelReset.connect(self._update_count)
        self._tips: list[str] = []  # the combos' own tooltips while they say they are loading
        self.set_period(ctx.period_code)

    # -- choices and filter ----------------------------------------------------------------
    def load_choices(self) -> None:
        self.apply_choices(read_choices(self.ctx))

    def show_loading(self) -> None:
        """Until `apply_choices`: the filter combos hold only their 全部… entry; say why."""
        self._tips = [combo.toolTip() for combo in self._combos()]
        for combo in self._combos():
            combo.setEnabled(False)
            combo.setToolTip(LOADING)

    def set_schemes(self, pairs: Pairs) -> None:
        self._fill(self.scheme, pairs)
        self.scheme.setVisible(len(pairs) > 1)

    def apply_choices(self, found: FilterChoices) -> None:
        self.set_schemes(found.schemes)
        self._fill(self.person, found.people)
        self._fill(self.department, found.departments)
        self._fill(self.item, found.items)
        self._fill(self.category, found.categories)
        for combo, tip in zip(self._combos(), self._tips, strict=False):
            combo.setEnabled(True)
            combo.setToolTip(tip)
        self._tips = []

    def _combos(self) -> tuple[QComboBox, ...]:
        return self.scheme, self.person, self.department, self.item, self.category

    @staticmethod
    def _fill(combo: QComboBox, pairs: Pairs) -> None:
        current = combo.currentData()
        combo.blockSignals(True)
        while combo.count() > 1:
            combo.removeItem(1)
        for value, text in pairs:
            combo.addItem(text, value)
        index = combo.findData(current) if current is not None else 0
        combo.setCurrentIndex(max(0, index))
        combo.blockSignals(False)

    def set_period(self, code: str) -> None:
        spec = parse_period(code)
        self._set_dates(spec.start, spec.end)

    def show_all_dates(self) -> None:
        first, last = self.ctx.read(queries.data_span)
        today = dt.date.today()
        self._set_dates(first or today, max(last or today, today))
        self.apply_filter()

    def _set_dates(self, start: dt.date, end: dt.date) -> None:
        for edit, day in ((self.start, start), (self.end, end)):
            edit.blockSignals(True)
            edit.setDate(qdate(day))
            edit.blockSignals(False)

    def current_filter(self) -> EntryFilter:
        person = self.person.currentData() if self.person.currentIndex() > 0 else None
        return EntryFilter(
            person_id=person, department_id=self.department.currentData(), item_code=self.item.currentData(),
            category=self.category.currentData(), start=pydate(self.start.date()), end=pydate(self.end.date()),
            text=self.text.text(), scheme=self.scheme.currentData(),
        )

    def apply_filter(self) -> None:
        self._debounce.stop()
        self.model.set_filter(self.current_filter())

    def refresh(self) -> None:
        self.load_choices()
        self.apply_filter()

    def _update_count(self) -> None:
        self.count.setText(f"共 {self.model.rowCount():,} 条")

    # -- selection -----------------------------------------------------------------------
    def selected_rows(self) -> list[EntryRow]:
        rows = sorted({i.row() for i in self.view.selectionModel().selectedRows()})
        return [r for r in (self.model.entry_at(i) for i in rows) if r is not None]
