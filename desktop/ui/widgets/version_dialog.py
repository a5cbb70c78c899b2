"""新建考核细则版本: a copy of a version with a new effective date and editable points.

Earlier months keep the points they were recorded with (entries carry a snapshot), so a
new version only changes what is recorded from its effective date on.
"""

from __future__ import annotations

import copy
import datetime as dt
from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QLabel,
    QLineEdit,
    QTableWidget,
    QTableWidgetItem,
    QWidget,
)

from desktop.models.enums import PointsMode
from desktop.services.catalogue import ItemSpec
from desktop.services.points import fmt, to_tenths
from desktop.ui.widgets.date_edit import DateEdit
from desktop.ui.widgets.entry_list import pydate, qdate
from desktop.ui.widgets.forms import FormDialog

# (title, editable, width)
COLUMNS = (("编号", False, 60), ("类别", False, 90), ("项目名称", True, 300), ("积分组成", False, 90),
           ("计分方式", False, 84), ("分值", True, 56), ("下限", True, 50), ("上限", True, 50),
           ("月上限", True, 60), ("单位", True, 44))
POINTS, LOW, HIGH, CAP, UNIT, NAME = 5, 6, 7, 8, 9, 2


def _cell(text: str, editable: bool) -> QTableWidgetItem:
    item = QTableWidgetItem(text)
    if not editable:
        item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsEditable)
        item.setForeground(Qt.GlobalColor.darkGray)
    return item


class VersionDialog(FormDialog):
    def __init__(self, specs: list[ItemSpec], name: str, effective: dt.date, parent: QWidget | None = None,
                 submit: Callable[[], bool] | None = None) -> None:
        super().__init__("新建考核细则版本", parent, submit)
        self._specs = [copy.deepcopy(s) for s in specs]
        self.effective = DateEdit(qdate(effective))
        self.effective.setCalendarPopup(True)
        self.effective.setDisplayFormat("yyyy-MM-dd")
        self.name = QLineEdit(name)
        self.note = QLineEdit()
        self.note.setPlaceholderText("修订说明，例如：夜间巡查每夜由 1 分调整为 1.5 分")
        self.table = QTableWidget(len(specs), len(COLUMNS))
        self.table.setHorizontalHeaderLabels([c[0] for c in COLUMNS])
        self.table.verticalHeader().setVisible(False)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectItems)
        for column, (_title, _editable, width) in enumerate(COLUMNS):
            self.table.setColumnWidth(column, width)
        for row, spec in enumerate(self._specs):
            ranged = spec.points_mode == PointsMode.RANGE
            values = (spec.code, spec.category, spec.name, spec.component.label, spec.points_mode.label,
                      fmt(spec.points_tenths), fmt(spec.min_tenths), fmt(spec.max_tenths),
                      fmt(spec.monthly_cap_tenths), spec.unit)
            for column, value in enumerate(values):
                editable = COLUMNS[column][1] and (ranged or column not in (LOW, HIGH))
                self.table.setItem(row, column, _cell(value, editable))
        self.form.addRow("生效日期", self.effective)
        self.form.addRow("版本名称", self.name)
        self.form.addRow("修订说明", self.note)
        self.form.addRow(QLabel("双击分值、上下限、月上限、名称或单位即可修改；月上限留空表示不设上限。"))
        self.form.addRow(self.table)
        self.resize(980, 620)

    def effective_day(self) -> dt.date:
        return pydate(self.effective.date())

    def specs(self) -> list[ItemSpec]:
        """The edited items; a number that is not one raises ValidationError naming the cell."""
        out = []
        for row, base in enumerate(self._specs):
            spec = copy.deepcopy(base)

            def number(column: int, required: bool, spec: ItemSpec = spec, row: int = row) -> int | None:
                text = self.table.item(row, column).text().strip()
                if not text and not required:
                    return None
                return to_tenths(text or "0", field=f"{spec.code} 的{COLUMNS[column][0]}")

            spec.name = self.table.item(row, NAME).text().strip()
            spec.unit = self.table.item(row, UNIT).text().strip() or base.unit
            spec.points_tenths = number(POINTS, True) or 0
            if spec.points_mode == PointsMode.RANGE:
                spec.min_tenths, spec.max_tenths = number(LOW, True), number(HIGH, True)
            spec.monthly_cap_tenths = number(CAP, False)
            out.append(spec)
        return out
