"""A read-only table model over rows prepared in Python, for the review, board, profile,
awards and exchange screens (tables of tens to a few thousand rows, rebuilt on refresh).

Each cell is a `Cell`: its text, the value it sorts by (numbers sort as numbers), a tooltip
and colours. `RowProxy` sorts by that value and filters one column by an exact value.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
)
from PySide6.QtGui import QBrush, QColor, QFont
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableView, QWidget

SORT_ROLE = Qt.ItemDataRole.UserRole
KEY_ROLE = Qt.ItemDataRole.UserRole + 1  # the row's key (e.g. a person id), same in every column
Index = QModelIndex | QPersistentModelIndex

_ALIGN = {
    "left": Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
    "right": Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
    "center": Qt.AlignmentFlag.AlignCenter,
}


@dataclass(frozen=True)
class Cell:
    text: str
    sort: float | str | None = None  # None: sort by the text
    tip: str = ""
    fg: str | None = None  # "#rrggbb"
    bg: str | None = None
    align: str = "left"  # left | right | center
    bold: bool = False


def num(text: str, value: float | None, **kwargs: Any) -> Cell:
    """A right-aligned number; a missing value sorts after every number."""
    return Cell(text, float("inf") if value is None else float(value), align="right", **kwargs)


class RowsModel(QAbstractTableModel):
    def __init__(self, headers: list[str], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._headers = list(headers)
        self._rows: list[list[Cell]] = []
        self._keys: list[object] = []
        self._bold = QFont()
        self._bold.setBold(True)

    # -- filling ---------------------------------------------------------------------------
    def set_headers(self, headers: list[str]) -> None:
        """New columns (a scheme with other components); the rows are cleared."""
        if headers == self._headers:
            return
        self.beginResetModel()
        self._headers, self._rows, self._keys = list(headers), [], []
        self.endResetModel()

    def set_rows(self, rows: list[list[Cell]], keys: list[object] | None = None) -> None:
        if any(len(r) != len(self._headers) for r in rows):
            raise ValueError("每一行的单元格数必须与表头一致")
        self.beginResetModel()
        self._rows = rows
        self._keys = list(keys) if keys is not None else list(range(len(rows)))
        self.endResetModel()

    def key(self, row: int) -> object:
        return self._keys[row]

    def row_of(self, key: object) -> int:
        return self._keys.index(key) if key in self._keys else -1

    def cell(self, row: int, column: int) -> Cell:
        return self._rows[row][column]

    def headers(self) -> list[str]:
        return list(self._headers)

    # -- QAbstractTableModel -----------------------------------------------------------------
    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(self._headers)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not (0 <= index.row() < len(self._rows)):
            return None
        cell = self._rows[index.row()][index.column()]
        if role == Qt.ItemDataRole.DisplayRole:
            return cell.text
        if role == SORT_ROLE:
            return cell.text if cell.sort is None else cell.sort
        if role == KEY_ROLE:
            return self._keys[index.row()]
        if role == Qt.ItemDataRole.ToolTipRole:
            return cell.tip or None
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return int(_ALIGN[cell.align].value)
        if role == Qt.ItemDataRole.ForegroundRole and cell.fg:
            return QBrush(QColor(cell.fg))
        if role == Qt.ItemDataRole.BackgroundRole and cell.bg:
            return QBrush(QColor(cell.bg))
        if role == Qt.ItemDataRole.FontRole and cell.bold:
            return self._bold
        return None

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        if orientation == Qt.Orientation.Horizontal:
            return self._headers[section] if 0 <= section < len(self._headers) else None
        return str(section + 1)


class RowProxy(QSortFilterProxyModel):
    """Sorts by `SORT_ROLE`; `set_filter(column, text)` keeps rows whose cell equals text."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.setSortRole(SORT_ROLE)
        self._column = -1
        self._value = ""

    def set_filter(self, column: int, value: str | None) -> None:
        if hasattr(self, "beginFilterChange"):  # Qt 6.10+; invalidateFilter() is deprecated there
            self.beginFilterChange()
            self._column, self._value = (column, value) if value else (-1, "")
            self.endFilterChange(QSortFilterProxyModel.Direction.Rows)
        else:
            self._column, self._value = (column, value) if value else (-1, "")
            self.invalidateFilter()

    def filterAcceptsRow(self, source_row: int, source_parent: Index) -> bool:
        if self._column < 0:
            return True
        index = self.sourceModel().index(source_row, self._column, source_parent)
        return self.sourceModel().data(index) == self._value


def table_view(name: str, headers: list[str], parent: QWidget, *, single_selection: bool = False,
               striped: bool = False, row_padding: int = 8) -> tuple[QTableView, RowsModel]:
    """A read-only, sortable table over a new `RowsModel` (through a `RowProxy`): whole rows
    selected, columns sized to their contents and the last one stretched."""
    model = RowsModel(headers, parent)
    proxy = RowProxy(parent)
    proxy.setSourceModel(model)
    view = QTableView()
    view.setObjectName(name)
    view.setModel(proxy)
    view.setSortingEnabled(True)
    view.sortByColumn(-1, Qt.SortOrder.AscendingOrder)
    view.setAlternatingRowColors(striped)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    if single_selection:
        view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    view.verticalHeader().hide()
    view.verticalHeader().setDefaultSectionSize(view.fontMetrics().height() + row_padding)
    view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    view.horizontalHeader().setSectionResizeMode(len(headers) - 1, QHeaderView.ResizeMode.Stretch)
    return view, model
