"""审核 → 本月人员: the reviewer's people in the main window's period, with their confirmation,
points, the suggested and rated level and the month's remark. The screen does the writes;
this tab shows the data and keeps the level combo on the selected person."""

from __future__ import annotations

from PySide6.QtCore import QItemSelectionModel
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from desktop.models.enums import PeriodState
from desktop.ui.screens.review_queue_data import PeopleData, PersonLine
from desktop.ui.screens.rows_model import KEY_ROLE, Cell, num, table_view

HEADERS = ["警号", "姓名", "部门", "确认", "总分", "建议等次", "评定等次", "等次", "评语"]
SUGGESTED, RATED, GRADE = 5, 6, 7
CONFIRM_COLORS = {"未确认": "#b00020", "有异议": "#8a5a00", "已确认": "#2e7d32", "已登记原因": "#1565c0"}


class PeopleTab(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.data: PeopleData | None = None
        self.info = QLabel(self)
        self.info.setObjectName("peopleInfo")
        self.info.setWordWrap(True)
        self.level_label = QLabel("评定等次", self)
        self.level = QComboBox(self)
        self.level.setObjectName("levelCombo")
        self.level.setMinimumContentsLength(6)
        self.level.setToolTip("审核人评定本月等次；与按积分建议的等次不同须写明理由")
        self.remark_button = QPushButton("评语…", self)
        self.remark_button.setObjectName("remarkButton")
        self.remark_button.setToolTip("填写本月评语，印入本人的政绩档案")
        self.excuse_button = QPushButton("登记未确认原因…", self)
        self.excuse_button.setObjectName("excuseButton")
        self.excuse_button.setToolTip("本人未确认本月积分的原因（请假、出差 …），登记后可以签字")
        bar = QHBoxLayout()
        bar.addWidget(self.level_label)
        bar.addWidget(self.level)
        bar.addWidget(self.remark_button)
        bar.addWidget(self.excuse_button)
        bar.addStretch(1)
        self.table, self.model = table_view("peopleTable", HEADERS, self, single_selection=True, striped=True)
        layout = QVBoxLayout(self)
        layout.addWidget(self.info)
        layout.addLayout(bar)
        layout.addWidget(self.table, 1)
        self.table.selectionModel().selectionChanged.connect(lambda *_a: self._selection_changed())
        self._selection_changed()

    def show_data(self, data: PeopleData) -> None:
        keep = self.selected()
        self.data = data
        self.level.blockSignals(True)
        self.level.clear()
        self.level.addItem("（未评定）", "")
        for code, label in data.levels:
            self.level.addItem(label, code)
        self.level.blockSignals(False)
        rows = [self._cells(data, line) for line in data.lines]
        self.model.set_rows(rows, [line.person_id for line in data.lines])
        for column in (SUGGESTED, RATED):
            self.table.setColumnHidden(column, not data.rated)
        self.table.setColumnHidden(GRADE, data.rated)
        rule = ("本月等次由审核人评定，与按积分建议的等次不同须写明理由" if data.rated
                else "本期等次按积分评定，审核人可填写评语")
        self.info.setText(f"{data.label}（{data.state_label}）　等次政策：{data.policy_name}　{rule}。"
                          f"共 {len(data.lines)} 人" + (f"　{data.note}" if data.note else ""))
        if keep is not None:
            self.select_person(keep.person_id)
        elif data.lines:
            self.table.selectRow(0)
        self._selection_changed()

    def _cells(self, data: PeopleData, line: PersonLine) -> list[Cell]:
        label = line.confirm_label
        tip = line.confirm_comment
        return [
            Cell(line.badge), Cell(line.name), Cell(line.department),
            Cell(label, fg=CONFIRM_COLORS.get(label), tip=tip),
            num(line.total, float(line.total) if line.total else None),
            Cell(data.label_of(line.engine_grade) if line.engine_grade else ""),
            Cell(data.label_of(line.level) if line.level else "未评定", bold=bool(line.level),
                 fg=None if line.level else "#b00020"),
            Cell(data.label_of(line.grade) if line.grade else (line.excluded or "")),
            Cell(line.remark, tip=line.remark),
        ]

    def selected(self) -> PersonLine | None:
        if self.data is None:
            return None
        rows = self.table.selectionModel().selectedRows()
        if not rows:
            return None
        person_id = rows[0].data(KEY_ROLE)
        return next((line for line in self.data.lines if line.person_id == person_id), None)

    def select_person(self, person_id: int) -> bool:
        row = self.model.row_of(person_id)
        if row < 0:
            return False
        index = self.table.model().mapFromSource(self.model.index(row, 0))  # type: ignore[attr-defined]
        flags = QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows
        self.table.selectionModel().select(index, flags)
        self.table.setCurrentIndex(index)
        return True

    def show_level(self, line: PersonLine | None) -> None:
        """The combo back on the person's level (after a cancelled or refused change)."""
        self.level.blockSignals(True)
        self.level.setCurrentIndex(max(0, self.level.findData(line.level if line else "")))
        self.level.blockSignals(False)

    def _selection_changed(self) -> None:
        line, data = self.selected(), self.data
        writable = data is not None and data.is_month and data.state != PeriodState.LOCKED.value
        self.show_level(line)
        rated = data is not None and data.rated
        self.level.setVisible(rated)
        self.level_label.setVisible(rated)
        self.level.setEnabled(writable and line is not None and not line.excluded)
        self.remark_button.setEnabled(writable and line is not None)
        self.excuse_button.setEnabled(data is not None and data.state == PeriodState.REVIEW.value
                                      and line is not None and line.confirm_status in (None, "excused"))
