"""The daily duty sheet: people (rows) × the day's duty items (columns).

A cell holds what the clerk wants the day to say: checked/unchecked for fixed items, a
count for per-unit items (接处警). The model also knows what is already saved, so saving
only writes the difference (`plan()`): new cells are recorded, a raised count records the
extra quantity, and an unchecked or lowered saved cell is reversed (and re-recorded at
the lower count). The ledger stays append-only.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush, QColor

Index = QModelIndex | QPersistentModelIndex
SAVED = QColor("#e4f2e4")
CHANGED = QColor("#fff1b8")
PERSON_COLUMNS = ("警号", "姓名", "部门")
MAX_COUNT = 99


@dataclass(frozen=True)
class DutyItem:
    code: str
    name: str
    per_unit: bool
    describe: str


@dataclass(frozen=True)
class DutyPerson:
    id: int
    badge: str
    name: str
    department: str


@dataclass
class DutyPlan:
    """What one save writes: grouped inputs (item code, quantity) -> people, and reversals."""

    records: dict[tuple[str, int], list[int]] = field(default_factory=lambda: defaultdict(list))
    reversals: list[int] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not self.records and not self.reversals

    def count(self) -> int:
        return sum(len(ids) for ids in self.records.values())


class DutySheetModel(QAbstractTableModel):
    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.people: list[DutyPerson] = []
        self.items: list[DutyItem] = []
        self._saved: dict[tuple[int, str], list[tuple[int, int]]] = {}
        self._wanted: dict[tuple[int, str], int] = {}
        self.read_only = False  # a day in a locked month: shown, never changed

    # -- loading -------------------------------------------------------------------------
    def load(self, people: list[DutyPerson], items: list[DutyItem],
             saved: dict[tuple[int, str], list[tuple[int, int]]]) -> None:
        self.beginResetModel()
        self.people, self.items, self._saved = people, items, saved
        self._wanted = {}
        self.endResetModel()

    # -- cell values ---------------------------------------------------------------------
    def item_of(self, column: int) -> DutyItem | None:
        i = column - len(PERSON_COLUMNS)
        return self.items[i] if 0 <= i < len(self.items) else None

    def saved_value(self, person_id: int, item: DutyItem) -> int:
        total = sum(q for _id, q in self._saved.get((person_id, item.code), []))
        return total if item.per_unit else min(total, 1)

    def value(self, row: int, column: int) -> int:
        item = self.item_of(column)
        if item is None or not 0 <= row < len(self.people):
            return 0
        key = (self.people[row].id, item.code)
        return self._wanted.get(key, self.saved_value(key[0], item))

    def set_value(self, row: int, column: int, value: int) -> None:
        item = self.item_of(column)
        if item is None or not 0 <= row < len(self.people) or self.read_only:
            return
        value = max(0, min(MAX_COUNT if item.per_unit else 1, value))
        person = self.people[row]
        if value == self.saved_value(person.id, item):
            self._wanted.pop((person.id, item.code), None)
        else:
            self._wanted[(person.id, item.code)] = value
        index = self.index(row, column)
        self.dataChanged.emit(index, index)

    def toggle(self, row: int, column: int) -> None:
        self.set_value(row, column, 0 if self.value(row, column) else 1)

    def set_column(self, column: int, value: int) -> None:
        for row in range(len(self.people)):
            self.set_value(row, column, value)

    def apply_pattern(self, pattern: dict[tuple[int, str], int]) -> int:
        """Copy another day's pattern onto cells that are still empty; returns cells set."""
        changed = 0
        for row, person in enumerate(self.people):
            for i, item in enumerate(self.items):
                quantity = pattern.get((person.id, item.code), 0)
                column = i + len(PERSON_COLUMNS)
                if quantity and not self.value(row, column):
                    self.set_value(row, column, quantity)
                    changed += 1
        return changed

    def dirty(self) -> bool:
        return bool(self._wanted)

    def column_total(self, column: int) -> int:
        return sum(self.value(r, column) for r in range(len(self.people)))

    def plan(self) -> DutyPlan:
        """The entries to record and reverse so the ledger says what the sheet says."""
        plan = DutyPlan()
        items = {i.code: i for i in self.items}
        for (person_id, code), wanted in sorted(self._wanted.items()):
            item = items[code]
            saved = self.saved_value(person_id, item)
            if wanted > saved and (saved == 0 or item.per_unit):
                plan.records[(code, wanted - saved)].append(person_id)
            elif wanted < saved:
                plan.reversals += [entry_id for entry_id, _q in self._saved[(person_id, code)]]
                if wanted:
                    plan.records[(code, wanted)].append(person_id)
        plan.records = dict(plan.records)
        return plan

    # -- Qt model interface --------------------------------------------------------------
    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.people)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(PERSON_COLUMNS) + len(self.items)

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        flags = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        item = self.item_of(index.column())
        if item is not None and item.per_unit and not self.read_only:
            flags |= Qt.ItemFlag.ItemIsEditable
        return flags

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if not index.isValid() or not 0 <= index.row() < len(self.people):
            return None
        person, item = self.people[index.row()], self.item_of(index.column())
        if item is None:
            if role == Qt.ItemDataRole.DisplayRole:
                return (person.badge, person.name, person.department)[index.column()]
            return None
        value = self.value(index.row(), index.column())
        changed = (person.id, item.code) in self._wanted
        if role == Qt.ItemDataRole.DisplayRole:
            return str(value) if item.per_unit and value else None
        if role == Qt.ItemDataRole.EditRole:
            return value if item.per_unit else None
        if role == Qt.ItemDataRole.CheckStateRole and not item.per_unit:
            return Qt.CheckState.Checked if value else Qt.CheckState.Unchecked
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return int(Qt.AlignmentFlag.AlignCenter)
        if role == Qt.ItemDataRole.BackgroundRole:
            if changed:
                return QBrush(CHANGED)
            return QBrush(SAVED) if self.saved_value(person.id, item) else None
        if role == Qt.ItemDataRole.ToolTipRole:
            state = "未保存的更改" if changed else ("已保存" if self.saved_value(person.id, item) else "")
            return f"{person.name} · {item.name}（{item.describe}）" + (f"\n{state}" if state else "")
        return None

    def setData(self, index: Index, value: object, role: int = Qt.ItemDataRole.EditRole) -> bool:
        item = self.item_of(index.column()) if index.isValid() else None
        if item is None or not item.per_unit or role != Qt.ItemDataRole.EditRole:
            return False
        try:
            number = int(str(value).strip() or 0)
        except ValueError:
            return False
        self.set_value(index.row(), index.column(), number)
        return True

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if orientation == Qt.Orientation.Vertical:
            return str(section + 1) if role == Qt.ItemDataRole.DisplayRole else None
        if section < len(PERSON_COLUMNS):
            return PERSON_COLUMNS[section] if role == Qt.ItemDataRole.DisplayRole and section >= 0 else None
        item = self.item_of(section)
        if item is None:
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            name = item.name.replace("（", "\n（", 1)
            return f"{name}\n（填数量）" if item.per_unit else name
        if role == Qt.ItemDataRole.ToolTipRole:
            action = "按数字键填数量" if item.per_unit else "点击列头整列勾选或取消"
            return f"{item.code} {item.name}：{item.describe}\n{action}"
        return None
