"""每日值勤: the whole station's everyday base items for one day on one grid.

Arrows move, Space toggles (every selected cell at once), digits type a 接处警 count,
a click on a column header checks the whole column, Ctrl+S saves. Saved cells are green;
changed cells are yellow until saved. Saving writes only the difference to what is
already saved for the day (see `DutySheetModel.plan`), so saving twice adds nothing.
"""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QRect, Qt
from PySide6.QtGui import QKeyEvent, QKeySequence, QMouseEvent, QPainter, QShortcut, QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QPushButton,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from desktop.models.enums import EntrySource, PointsMode
from desktop.services import catalogue, ledger, periods, queries
from desktop.services.errors import JifenError
from desktop.services.ledger import EntryInput
from desktop.services.periods import parse_period, spec_of
from desktop.ui.context import AppContext
from desktop.ui.models.duty import PERSON_COLUMNS, DutyItem, DutyPerson, DutyPlan, DutySheetModel
from desktop.ui.widgets.date_edit import DateEdit
from desktop.ui.widgets.entry_list import pydate, qdate

CORRECTION_REASON = "每日值勤表更正"
HELP = "方向键移动，空格勾选/取消（可先框选多格），数字键填接处警起数，点击列头整列勾选，Ctrl+S 保存。绿色为已保存，黄色为未保存的更改。"


class CenteredCheckDelegate(QStyledItemDelegate):
    """Draws a cell's check box in the middle of the cell (the style puts it at the left)."""

    def paint(self, painter: QPainter, option: QStyleOptionViewItem,
              index: QModelIndex | QPersistentModelIndex) -> None:
        state = index.data(Qt.ItemDataRole.CheckStateRole)
        if state is None:
            super().paint(painter, option, index)
            return
        opt = QStyleOptionViewItem(option)
        self.initStyleOption(opt, index)
        style = opt.widget.style() if opt.widget is not None else QApplication.style()
        opt.features &= ~QStyleOptionViewItem.ViewItemFeature.HasCheckIndicator
        opt.text = ""
        style.drawControl(QStyle.ControlElement.CE_ItemViewItem, opt, painter, opt.widget)
        size = style.pixelMetric(QStyle.PixelMetric.PM_IndicatorWidth, opt, opt.widget)
        box = QStyleOptionViewItem(opt)
        box.rect = QRect(0, 0, size, size)
        box.rect.moveCenter(option.rect.center())
        checked = Qt.CheckState(state) == Qt.CheckState.Checked
        box.state = (opt.state & ~QStyle.StateFlag.State_HasFocus) | (
            QStyle.StateFlag.State_On if checked else QStyle.StateFlag.State_Off)
        style.drawPrimitive(QStyle.PrimitiveElement.PE_IndicatorItemViewItemCheck, box, painter, opt.widget)


class DutyTable(QTableView):
    """The grid's keyboard and mouse: a click ticks, Shift/Ctrl-click and dragging select, Space
    toggles the selection, digits set counts, Ctrl+A selects all, a header click fills the column."""

    def __init__(self, model: DutySheetModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.sheet = model
        self.setModel(model)
        self.setItemDelegate(CenteredCheckDelegate(self))
        self.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.setEditTriggers(QAbstractItemView.EditTrigger.DoubleClicked | QAbstractItemView.EditTrigger.EditKeyPressed)
        self.setTabKeyNavigation(False)
        self.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 10)
        self.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        self.horizontalHeader().setSectionsClickable(True)
        self.horizontalHeader().sectionClicked.connect(self._header_clicked)
        self.clicked.connect(self._clicked)

    def _item_cells(self) -> list[QModelIndex]:
        cells = [i for i in self.selectionModel().selectedIndexes() if self.sheet.item_of(i.column())]
        current = self.currentIndex()
        if not cells and current.isValid() and self.sheet.item_of(current.column()):
            cells = [current]
        return cells

    def keyPressEvent(self, event: QKeyEvent) -> None:
        key, text = event.key(), event.text()
        if key == Qt.Key.Key_Space:
            cells = self._item_cells()
            if cells:
                current = self.currentIndex() if self.currentIndex() in cells else cells[0]
                value = 0 if self.sheet.value(current.row(), current.column()) else 1
                for cell in cells:
                    self.sheet.set_value(cell.row(), cell.column(), value)
            return
        if key in (Qt.Key.Key_Delete, Qt.Key.Key_Backspace):
            for cell in self._item_cells():
                self.sheet.set_value(cell.row(), cell.column(), 0)
            return
        current = self.currentIndex()
        item = self.sheet.item_of(current.column()) if current.isValid() else None
        if text.isdigit() and item is not None and item.per_unit:
            self.sheet.set_value(current.row(), current.column(), int(text))
            return
        super().keyPressEvent(event)

    def mousePressEvent(self, event: QMouseEvent) -> None:
        self._modifiers = event.modifiers()
        super().mousePressEvent(event)

    def _clicked(self, index: QModelIndex) -> None:
        # A plain click ticks; Shift-click and Ctrl-click only select, as in Excel and WPS, so a
        # range chosen that way is then ticked or cleared as one with Space (or Delete).
        if getattr(self, "_modifiers", Qt.KeyboardModifier.NoModifier) & (
                Qt.KeyboardModifier.ShiftModifier | Qt.KeyboardModifier.ControlModifier):
            return
        item = self.sheet.item_of(index.column())
        if item is not None and not item.per_unit:
            self.sheet.toggle(index.row(), index.column())

    def _header_clicked(self, column: int) -> None:
        item = self.sheet.item_of(column)
        if item is None or item.per_unit:
            return
        full = self.sheet.column_total(column) == self.sheet.rowCount()
        self.sheet.set_column(column, 0 if full else 1)


class DutyScreen(QWidget):
    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.model = DutySheetModel(self)
        self.table = DutyTable(self.model, self)
        self.date = DateEdit(qdate(dt.date.today()), self)
        self.date.setCalendarPopup(True)
        self.date.setDisplayFormat("yyyy-MM-dd dddd")
        self.prev_button = QPushButton("◀ 前一天", self)
        self.next_button = QPushButton("后一天 ▶", self)
        self.copy_button = QPushButton("复制前一天", self)
        self.copy_button.setToolTip("把前一天在值勤表上保存的勾选复制到今天的空格")
        self.save_button = QPushButton("保存（Ctrl+S）", self)
        self.state = QLabel(self)
        self.totals = QLabel(self)
        self.totals.setWordWrap(True)
        help_label = QLabel(HELP, self)
        help_label.setWordWrap(True)
        help_label.setStyleSheet("color: #555")
        bar = QHBoxLayout()
        bar.addWidget(QLabel("日期"))
        for widget in (self.date, self.prev_button, self.next_button, self.copy_button, self.save_button):
            bar.addWidget(widget)
        bar.addWidget(self.state, 1)
        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.totals)
        layout.addWidget(help_label)

        self._day = self.day()
        self.date.dateChanged.connect(self._date_changed)
        self.prev_button.clicked.connect(lambda: self.date.setDate(self.date.date().addDays(-1)))
        self.next_button.clicked.connect(lambda: self.date.setDate(self.date.date().addDays(1)))
        self.copy_button.clicked.connect(self.copy_previous_day)
        self.save_button.clicked.connect(self.save)
        self.model.dataChanged.connect(self._update_state)
        self.model.modelReset.connect(self._update_state)
        save = QShortcut(QKeySequence("Ctrl+S"), self)
        save.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        save.activated.connect(self.save)
        ctx.period_changed.connect(self._period_changed)
        self._period_changed(ctx.period_code)

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self.table.setFocus()  # arrows and Space work at once

    def day(self) -> dt.date:
        return pydate(self.date.date())

    def set_day(self, day: dt.date) -> None:
        self.date.setDate(qdate(day))

    # -- loading -------------------------------------------------------------------------
    def refresh(self) -> None:
        if not self.model.dirty():  # never throw away ticks the clerk has not saved
            self.load()

    def load(self) -> None:
        day = self.day()
        self._day = day

        def read(session: object) -> tuple[list[DutyPerson], list[DutyItem], dict]:
            people = [DutyPerson(p.id, p.badge, p.name, p.department)
                      for p in queries.people_rows(session, active_on=day)]  # type: ignore[arg-type]
            try:
                rows = catalogue.items_in_force(session, day, daily_duty=True)  # type: ignore[arg-type]
            except JifenError:
                rows = []
            items = [DutyItem(i.code, i.name, i.points_mode == PointsMode.PER_UNIT.value,
                              catalogue.describe_points(i)) for i in rows]
            saved = queries.day_entries(session, day, [i.code for i in items])  # type: ignore[arg-type]
            locked = periods.locked_period_on(session, day)  # type: ignore[arg-type]
            return people, items, saved, spec_of(locked).label if locked is not None else None

        people, items, saved, locked = self.ctx.read(read)
        self.model.read_only = locked is not None
        self._locked = locked  # before the reset: the state line it triggers says so
        self.model.load(people, items, saved)
        for button in (self.copy_button, self.save_button):
            button.setEnabled(locked is None)
        widths = (70, 72, 104)
        for column in range(self.model.columnCount()):
            self.table.setColumnWidth(column, widths[column] if column < len(widths) else 104)
        if self.model.rowCount() and items:
            self.table.setCurrentIndex(self.model.index(0, len(PERSON_COLUMNS)))

    def _period_changed(self, code: str) -> None:
        spec = parse_period(code)
        if not spec.start <= self.day() <= spec.end:
            self.set_day(min(max(dt.date.today(), spec.start), spec.end))

    def _date_changed(self) -> None:
        if self.day() == self._day:
            return
        if self.model.dirty():
            answer = QMessageBox.question(self, "每日值勤", f"{self._day.isoformat()} 有未保存的更改，放弃这些更改吗？")
            if answer != QMessageBox.StandardButton.Yes:
                self.date.blockSignals(True)
                self.date.setDate(qdate(self._day))
                self.date.blockSignals(False)
                return
        self.load()

    def _update_state(self) -> None:
        plan = self.model.plan()
        if getattr(self, "_locked", None):
            self.state.setText(f"{self._locked}已锁定：这一天只能查看，不能修改（如需更正，请所长先解锁）")
        elif plan.empty:
            self.state.setText("无未保存的更改")
        else:
            extra = f"，作废 {len(plan.reversals)} 条" if plan.reversals else ""
            self.state.setText(f"未保存：新增 {plan.count()} 条{extra}")
        parts = []
        for i, item in enumerate(self.model.items):
            total = self.model.column_total(i + len(PERSON_COLUMNS))
            parts.append(f"{item.name} {total}{'起' if item.per_unit else '人'}")
        self.totals.setText("合计：" + "；".join(parts) if parts else "当天没有生效的值勤项目")

    # -- actions -------------------------------------------------------------------------
    def copy_previous_day(self) -> None:
        previous = self.day() - dt.timedelta(days=1)
        codes = [i.code for i in self.model.items]
        found = self.ctx.read(lambda s: queries.day_entries(s, previous, codes, sources=[EntrySource.DUTY.value]))
        # Who was on duty repeats from day to day; how many calls each took (接处警) does not.
        counted = {i.code for i in self.model.items if i.per_unit}
        pattern = {key: sum(q for _id, q in rows) for key, rows in found.items() if key[1] not in counted}
        if not pattern:
            self.ctx.show_info(self, f"{previous.isoformat()} 没有值勤表勾选记录，无可复制。")
            return
        cells = self.model.apply_pattern(pattern)
        skipped = "（接处警等数量不复制，请逐人填写）" if counted else ""
        self.state.setText(f"已按 {previous.isoformat()} 复制 {cells} 格{skipped}，请核对后保存")

    # -- unsaved work (asked about by the main window on closing, Ctrl+Q and 切换用户) ------------
    def unsaved_work(self) -> str | None:
        """What would be lost, or None."""
        plan = self.model.plan()
        if plan.empty:
            return None
        return f"每日值勤 {self._day.isoformat()}：{plan.count()} 条未保存" + (
            f"，作废 {len(plan.reversals)} 条" if plan.reversals else "")

    def save_unsaved(self) -> bool:
        """Save now; True when nothing is left unsaved."""
        self.save()
        return not self.model.dirty()

    def save(self) -> None:
        plan = self.model.plan()
        if plan.empty:
            self.state.setText("没有需要保存的更改")
            return
        if plan.reversals:
            answer = QMessageBox.question(
                self, "每日值勤", f"取消或减少已保存的格子会作废 {len(plan.reversals)} 条记录"
                f"（理由：{CORRECTION_REASON}），原记录保留。继续保存吗？")
            if answer != QMessageBox.StandardButton.Yes:
                return
        day = self.day()
        if self.ctx.write(self, lambda s, a: self._write(s, a, plan, day), topic="entries") is not None:
            self.load()
            self.state.setText(f"已保存 {day.isoformat()}：新增 {plan.count()} 条"
                               + (f"，作废 {len(plan.reversals)} 条" if plan.reversals else ""))

    @staticmethod
    def _write(session: object, actor: object, plan: DutyPlan, day: dt.date) -> int:
        for entry_id in plan.reversals:
            ledger.reverse(session, actor, entry_id, CORRECTION_REASON)  # type: ignore[arg-type]
        inputs = [EntryInput(ids, code, day, quantity=quantity, source=EntrySource.DUTY)
                  for (code, quantity), ids in plan.records.items()]
        return len(ledger.record_many(session, actor, inputs, action="duty.save"))  # type: ignore[arg-type]
