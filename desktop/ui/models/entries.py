"""The entries list: knows how many entries its filter selects; ids and rows come in pages.

In date order (the default) an index gives any stretch of the list in a few milliseconds,
so the model only counts the entries and reads the ids of a 5,000-row block when the view
reaches it: opening 400,000 entries and jumping to the end reads two blocks, not 400,000
ids. Other orders (a join or an unindexed column) read every id once, as 8-byte integers.
The display rows of the 200-row page the view paints are read on demand, and the last
pages and blocks are kept in small caches. Sorting and filtering are done by SQL
(`desktop.services.queries`).
"""

from __future__ import annotations

import dataclasses
from array import array
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush, QColor
from sqlalchemy.orm import Session

from desktop.models.enums import EntrySource
from desktop.services import visibility
from desktop.services.points import fmt
from desktop.services.queries import (
    EntryFilter,
    EntryRow,
    count_entries,
    entry_id_range,
    entry_ids,
    entry_rows,
    indexed_order,
)
from desktop.ui.context import AppContext

Index = QModelIndex | QPersistentModelIndex
PAGE = 200
MAX_PAGES = 40
BLOCK = 5000  # ids read at a time in date order (a multiple of PAGE: a page never spans two blocks)
MAX_BLOCKS = 20
GREY = QColor("#8a8a8a")
RED = QColor("#b3261e")


@dataclass(frozen=True)
class Column:
    key: str
    title: str
    numeric: bool = False


COLUMNS = (
    Column("occurred_on", "日期"), Column("badge", "警号"), Column("name", "姓名"),
    Column("department", "部门"), Column("item", "项目"), Column("category", "类别"),
    Column("quantity", "数量", True), Column("points", "分值", True), Column("note", "事实说明"),
    Column("source", "来源"), Column("recorded_by", "录入人"),
)
NOTE_COLUMN = 8


def signed_points(row: EntryRow) -> int:
    """The entry's effect on the total: deductions count negative."""
    return row.signed_points


def _text(row: EntryRow, key: str) -> str:
    match key:
        case "occurred_on":
            return row.occurred_on.isoformat()
        case "badge":
            return row.badge
        case "name":
            return row.name
        case "department":
            return row.department
        case "item":
            return f"{row.item_code} {row.item_name}"
        case "category":
            return row.category
        case "quantity":
            return str(row.quantity)
        case "points":
            value = signed_points(row)
            return ("+" if value > 0 else "") + fmt(value)
        case "note":
            return row.note + (f"  [材料 {row.evidence}]" if row.evidence else "")
        case "source":
            label = EntrySource(row.source).label
            return label + ("（已作废）" if row.reversed else "")
        case "recorded_by":
            return row.recorded_by
    return ""


class EntriesModel(QAbstractTableModel):
    """Entries matching a filter, sorted by a column, read page by page."""

    def __init__(self, ctx: AppContext, parent: QAbstractTableModel | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self._filter = EntryFilter()
        self._effective = self._filter  # with the officer's visibility applied (reload)
        self._sort = "occurred_on"
        self._descending = True
        self._count = 0
        self._ids: array[int] | None = array("q")  # every id, or None when read in blocks
        self._blocks: OrderedDict[int, list[int]] = OrderedDict()
        self._pages: OrderedDict[int, tuple[Sequence[int], dict[int, EntryRow]]] = OrderedDict()

    # -- loading -------------------------------------------------------------------------
    @property
    def filter(self) -> EntryFilter:
        return self._filter

    def set_filter(self, f: EntryFilter) -> None:
        self._filter = f
        self.reload()

    def reload(self) -> None:
        # Publish after review: an officer's list keeps to his own people in unsigned months.
        spans, own = self.ctx.read(lambda s: visibility.hidden_spans(s, self.ctx.actor))
        f = self._effective = dataclasses.replace(self._filter, hidden_spans=spans, own=own)
        sort, descending = self._sort, self._descending

        def load(session: Session) -> tuple[int, array[int] | None]:
            if indexed_order(f, sort):
                count = count_entries(session, f)
                if count > 2 * BLOCK:
                    return count, None
            ids = array("q", entry_ids(session, f, sort, descending))
            return len(ids), ids

        count, ids = self.ctx.read(load)
        self.beginResetModel()
        self._count, self._ids = count, ids
        self._blocks.clear()
        self._pages.clear()
        self.endResetModel()

    def _id_slice(self, first: int, last: int) -> Sequence[int]:
        """The ids of rows [first, last), which lie in one block."""
        if self._ids is not None:
            return self._ids[first:last]
        block = first // BLOCK
        ids = self._blocks.get(block)
        if ids is None:
            f, sort, descending, total = self._effective, self._sort, self._descending, self._count
            ids = self.ctx.read(lambda s: entry_id_range(s, f, sort, descending, block * BLOCK, BLOCK, total))
            self._blocks[block] = ids
            while len(self._blocks) > MAX_BLOCKS:
                self._blocks.popitem(last=False)
        else:
            self._blocks.move_to_end(block)
        return ids[first - block * BLOCK:last - block * BLOCK]

    def _row(self, row: int) -> EntryRow | None:
        page = row // PAGE
        cached = self._pages.get(page)
        if cached is None:
            ids = self._id_slice(page * PAGE, min((page + 1) * PAGE, self._count))
            cached = (ids, self.ctx.read(lambda s: entry_rows(s, ids)))
            self._pages[page] = cached
            while len(self._pages) > MAX_PAGES:
                self._pages.popitem(last=False)
        else:
            self._pages.move_to_end(page)
        ids, rows = cached
        at = row - page * PAGE
        return rows.get(ids[at]) if at < len(ids) else None

    def entry_at(self, row: int) -> EntryRow | None:
        return self._row(row) if 0 <= row < self._count else None

    def ids(self) -> list[int]:
        if self._ids is not None:
            return list(self._ids)
        return self.ctx.read(lambda s: entry_ids(s, self._effective, self._sort, self._descending))

    # -- Qt model interface --------------------------------------------------------------
    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else self._count

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if not index.isValid() or not 0 <= index.row() < self._count:
            return None
        column = COLUMNS[index.column()]
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole, Qt.ItemDataRole.ForegroundRole):
            row = self._row(index.row())
            if row is None:  # deleted meanwhile: never happens in an append-only ledger
                return None
            if role == Qt.ItemDataRole.DisplayRole:
                return _text(row, column.key)
            if role == Qt.ItemDataRole.ToolTipRole:
                return self._tooltip(row)
            if row.reversed or row.source == EntrySource.REVERSAL.value:
                return QBrush(GREY)
            if column.key == "points" and signed_points(row) < 0:
                return QBrush(RED)
            return None
        if role == Qt.ItemDataRole.TextAlignmentRole:
            horizontal = Qt.AlignmentFlag.AlignRight if column.numeric else Qt.AlignmentFlag.AlignLeft
            return int(horizontal | Qt.AlignmentFlag.AlignVCenter)
        return None

    @staticmethod
    def _tooltip(row: EntryRow) -> str:
        lines = [f"{row.item_code} {row.item_name}（{row.component_label}）"]
        if row.note:
            lines.append(row.note)
        if row.reversed:
            lines.append("此条已作废")
        if row.evidence:
            lines.append(f"证明材料 {row.evidence} 份")
        lines.append(f"录入：{row.recorded_by} {row.recorded_at:%Y-%m-%d %H:%M}")
        return "\n".join(lines)

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        if orientation == Qt.Orientation.Horizontal:
            return COLUMNS[section].title if 0 <= section < len(COLUMNS) else None
        return str(section + 1)

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        if not 0 <= column < len(COLUMNS):
            return
        key, descending = COLUMNS[column].key, order == Qt.SortOrder.DescendingOrder
        if (key, descending) == (self._sort, self._descending):
            # The view asks for its initial order when sorting is switched on, before any filter
            # is set: reloading then read every id of the ledger (0.5 s at county scale) for nothing.
            return
        self._sort, self._descending = key, descending
        self.reload()
