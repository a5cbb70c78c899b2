"""Keyboard-first pickers: type a badge, a name or pinyin initials, Up/Down, Enter.

`SearchPicker` is a line edit over an always-visible list of matches (no popup window,
so nothing steals focus). `PersonPicker` collects several people as chips for mass
entry, and offers whole departments (or the whole station) as one choice each, a `Group`:
picking it adds every member, who can then be removed one by one. `ItemPicker` chooses one
catalogue item.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desktop.ui.widgets.pinyin import rank, search_key

MAX_SHOWN = 200
ITEM_HINT = "项目编号、名称或拼音首字母"


@dataclass(frozen=True)
class Choice:
    """One pickable thing: its id, the text shown, and what typing may match."""

    id: Any
    text: str
    search: tuple[str, ...]  # what typing may match (its pinyin too)
    exact: str = ""  # typing exactly this (a badge, an item code) picks it first

    @functools.cached_property
    def key(self) -> str:
        """Built when first searched: 2,000 people's pinyin would otherwise cost every start 0.4 s."""
        return search_key(*self.search)

    @classmethod
    def of(cls, id_: Any, text: str, *search: str, exact: str = "") -> Choice:
        return cls(id_, text, tuple(search), exact)


@dataclass(frozen=True)
class Group:
    """The id of a choice that stands for several: a department, the station, every post."""

    label: str
    members: tuple[int, ...]


class SearchPicker(QWidget):
    """A search box with its match list; `picked` fires on Enter or double-click."""

    picked = Signal(object)  # Choice
    empty_enter = Signal()  # Enter pressed with nothing typed: the caller moves on

    def __init__(self, placeholder: str, parent: QWidget | None = None, *, rows: int = 6) -> None:
        super().__init__(parent)
        self._choices: list[Choice] = []
        self.edit = QLineEdit(self)
        self.edit.setPlaceholderText(placeholder)
        self.edit.setClearButtonEnabled(True)
        self.list = QListWidget(self)
        self.list.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.list.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.list.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.list.setUniformItemSizes(True)
        self._rows = rows
        # Sized now as a filled list will be (whole rows), so that choices coming in after the
        # window is up (考核日记 at login) do not move the form.
        self.list.addItem(QListWidgetItem("国 0"))
        self._fit_rows()
        self.list.clear()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addWidget(self.edit)
        layout.addWidget(self.list)
        self.edit.textChanged.connect(self._filter)
        self.edit.installEventFilter(self)
        self.list.itemDoubleClicked.connect(lambda item: self._pick(item))

    def set_choices(self, choices: list[Choice]) -> None:
        self._choices = choices
        self._filter(self.edit.text())

    def choices(self) -> list[Choice]:
        return list(self._choices)

    def matches(self, text: str) -> list[Choice]:
        if not text.strip():  # nothing typed: everything, in order (no search keys needed)
            return list(self._choices)
        scored = []
        for order, choice in enumerate(self._choices):
            score = rank(text, choice.key, exact=choice.exact)
            if score is not None:
                scored.append((score, order, choice))
        scored.sort(key=lambda t: (t[0], t[1]))
        return [c for _s, _o, c in scored]

    def current(self) -> Choice | None:
        item = self.list.currentItem()
        return item.data(Qt.ItemDataRole.UserRole) if item is not None else None

    def clear(self) -> None:
        self.edit.clear()

    def _filter(self, text: str) -> None:
        self.list.clear()
        for choice in self.matches(text)[:MAX_SHOWN]:
            item = QListWidgetItem(choice.text)
            item.setData(Qt.ItemDataRole.UserRole, choice)
            self.list.addItem(item)
        if self.list.count():
            self.list.setCurrentRow(0)
            self._fit_rows()

    def _fit_rows(self) -> None:
        """Whole rows only: no half-cut last line."""
        self.list.setFixedHeight(self.list.sizeHintForRow(0) * self._rows + 2 * self.list.frameWidth())

    def _pick(self, item: QListWidgetItem | None) -> None:
        if item is not None:
            self.picked.emit(item.data(Qt.ItemDataRole.UserRole))

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.edit and event.type() == QEvent.Type.KeyPress:
            assert isinstance(event, QKeyEvent)
            key = event.key()
            if key in (Qt.Key.Key_Down, Qt.Key.Key_Up, Qt.Key.Key_PageDown, Qt.Key.Key_PageUp):
                step = {Qt.Key.Key_Down: 1, Qt.Key.Key_Up: -1, Qt.Key.Key_PageDown: 5, Qt.Key.Key_PageUp: -5}[key]
                row = max(0, min(self.list.count() - 1, self.list.currentRow() + step))
                self.list.setCurrentRow(row)
                return True
            if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
                if self.edit.text().strip():
                    self._pick(self.list.currentItem())
                else:
                    self.empty_enter.emit()
                return True
            if key == Qt.Key.Key_Escape and self.edit.text():
                self.edit.clear()
                return True
        return super().eventFilter(watched, event)


class PersonPicker(QWidget):
    """Several people for one event: each Enter adds the match as a chip and clears the box.

    Backspace in the empty box removes the last chip; Delete on a chip removes it."""

    changed = Signal()
    done = Signal()  # Enter in the empty box with at least one person chosen

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.search = SearchPicker("警号、姓名、拼音首字母（如 zsf）或部门名称", self, rows=5)
        self.chips = QListWidget(self)
        self.chips.setFlow(QListWidget.Flow.LeftToRight)
        self.chips.setWrapping(True)
        self.chips.setSpacing(3)
        self.chips.setFixedHeight(56)
        self.chips.setToolTip("已选人员：选中后按 Delete 或双击移除")
        self.count_label = QLabel("未选人员", self)
        self.count_label.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addWidget(self.search)
        layout.addWidget(self.count_label)
        layout.addWidget(self.chips)
        self.search.picked.connect(self._add_choice)
        self.search.empty_enter.connect(self._empty_enter)
        self.search.edit.installEventFilter(self)
        self.chips.installEventFilter(self)
        self.chips.itemDoubleClicked.connect(lambda item: self._remove(self.chips.row(item)))
        self._by_id: dict[Any, Choice] = {}

    def set_people(self, choices: list[Choice], groups: list[Choice] | None = None) -> None:
        """The people (or units) to pick from, and after them the groups (ids are `Group`s)."""
        self._by_id = {c.id: c for c in choices}
        self.search.set_choices(choices + list(groups or []))
        for row in reversed(range(self.chips.count())):
            if self.chips.item(row).data(Qt.ItemDataRole.UserRole) not in self._by_id:
                self._remove(row)

    def selected_ids(self) -> list[int]:
        return [self.chips.item(r).data(Qt.ItemDataRole.UserRole) for r in range(self.chips.count())]

    def add(self, person_id: int) -> None:
        choice = self._by_id.get(person_id)
        if choice is not None:
            self._add_choice(choice, clear=False)

    def clear(self) -> None:
        self.chips.clear()
        self.search.clear()
        self._update()

    def _add_choice(self, choice: Choice, clear: bool = True) -> None:
        if isinstance(choice.id, Group):
            self._add_group(choice.id)
        elif choice.id not in self.selected_ids():
            self._add_chip(choice)
            self._update()
        if clear:
            self.search.clear()

    def _add_chip(self, choice: Choice) -> None:
        item = QListWidgetItem(choice.text.split("  ")[0] + "  ×")
        item.setData(Qt.ItemDataRole.UserRole, choice.id)
        item.setToolTip(choice.text)
        self.chips.addItem(item)

    def _add_group(self, group: Group) -> None:
        """Every member not chosen yet, in the group's order; one `changed` for all of them."""
        chosen = set(self.selected_ids())
        added = 0
        for member in group.members:
            choice = self._by_id.get(member)
            if choice is not None and member not in chosen:
                self._add_chip(choice)
                chosen.add(member)
                added += 1
        self._update()
        already = len(group.members) - added
        note = f"，其中 {already} 人原已选" if already and added else ("，都已选过" if already else "")
        self.count_label.setText(f"{self.count_label.text()}\n刚加入{group.label} {added} 人{note}")

    def _remove(self, row: int) -> None:
        if 0 <= row < self.chips.count():
            self.chips.takeItem(row)
            self._update()

    def _update(self) -> None:
        n = self.chips.count()
        self.count_label.setText(f"已选 {n} 人（同一事件每人各记一条）" if n else "未选人员")
        self.changed.emit()

    def _empty_enter(self) -> None:
        if self.chips.count():
            self.done.emit()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.KeyPress:
            assert isinstance(event, QKeyEvent)
            if watched is self.search.edit and event.key() == Qt.Key.Key_Backspace and not self.search.edit.text():
                self._remove(self.chips.count() - 1)
                return True
            if watched is self.chips and event.key() in (Qt.Key.Key_Delete, Qt.Key.Key_Backspace):
                self._remove(self.chips.currentRow())
                return True
        return super().eventFilter(watched, event)


class ItemPicker(QWidget):
    """One catalogue item; the chosen one is shown under the box with how it scores."""

    chosen = Signal(object)  # the Choice's id (an item code) or None when cleared

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.search = SearchPicker(ITEM_HINT, self, rows=5)
        self.label = QLabel("未选项目", self)
        self.label.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addWidget(self.search)
        layout.addWidget(self.label)
        self._code: str | None = None
        self.search.picked.connect(self._choose)

    def set_items(self, choices: list[Choice]) -> None:
        self.search.set_choices(choices)
        if self._code and not any(c.id == self._code for c in choices):
            self.clear()

    def code(self) -> str | None:
        return self._code

    def choose(self, code: str) -> None:
        choice = next((c for c in self.search.choices() if c.id == code), None)
        if choice is not None:
            self._choose(choice)

    def clear(self) -> None:
        self._code = None
        self.search.clear()
        self.label.setText("未选项目")
        self.chosen.emit(None)

    def _choose(self, choice: Choice) -> None:
        self._code = choice.id
        self.label.setText(f"已选：{choice.text}")
        self.search.edit.setText(choice.exact)  # the list narrows to the chosen item
        self.chosen.emit(choice.id)
