"""考核日记: record what happened, keyboard first, and see the period's entries below.

Undo/redo (QUndoStack) never deletes: undoing a save reverses its entries with the reason
“撤销录入”, redoing records the same event again as new entries.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence, QShortcut, QShowEvent, QUndoCommand, QUndoStack
from PySide6.QtWidgets import QInputDialog, QLineEdit, QMessageBox, QPushButton, QVBoxLayout, QWidget

from desktop.services import ledger, queries
from desktop.services.errors import JifenError
from desktop.services.ledger import EntryInput
from desktop.services.periods import month_of, parse_period
from desktop.services.queries import EntryFilter
from desktop.ui.context import AppContext
from desktop.ui.models.entries import PAGE
from desktop.ui.screens.lazy import after_first_paint
from desktop.ui.widgets.entry_form import EntryForm, FormChoices, load_schemes
from desktop.ui.widgets.entry_form import read_choices as read_form_choices
from desktop.ui.widgets.entry_list import EntryListPanel, FilterChoices
from desktop.ui.widgets.entry_list import read_choices as read_filter_choices
from desktop.ui.workers import load_later

if TYPE_CHECKING:
    from desktop.models.db import Database

UNDO_REASON = "撤销录入"


def warm(db: Database) -> None:
    """What the list below the form reads first, run once while the login window waits
    (`desktop.ui.warm`): this month's count, its first block of ids and a page of rows."""
    spec = month_of(dt.date.today())
    f = EntryFilter(start=spec.start, end=spec.end)
    with db.session() as session:
        total = queries.count_entries(session, f)
        ids = queries.entry_id_range(session, f, "occurred_on", True, 0, PAGE, total)
        queries.entry_rows(session, ids)


class RecordCommand(QUndoCommand):
    """One saved event; its first redo is the save already done by the screen."""

    def __init__(self, ctx: AppContext, screen: QWidget, data: EntryInput, ids: list[int], text: str) -> None:
        super().__init__(text)
        self.ctx, self.screen, self.data, self.ids = ctx, screen, data, ids
        self._first = True

    def redo(self) -> None:
        if self._first:
            self._first = False
            return
        data = self.data
        ids = self.ctx.write(self.screen, lambda s, a: [e.id for e in ledger.record(s, a, data)],
                             topic="entries", title="无法重做")
        if ids is None:
            self.setObsolete(True)
        else:
            self.ids = ids

    def undo(self) -> None:
        ids = self.ids

        def reverse_all(session: object, actor: object) -> int:
            for entry_id in ids:
                ledger.reverse(session, actor, entry_id, UNDO_REASON)  # type: ignore[arg-type]
            return len(ids)

        if self.ctx.write(self.screen, reverse_all, topic="entries", title="无法撤销") is None:
            self.setObsolete(True)


class DiaryScreen(QWidget):
    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.undo_stack = QUndoStack(self)
        self.undo_stack.setUndoLimit(30)
        self.form = EntryForm(ctx, self)
        self.undo_button = QPushButton("撤销上次录入", self)
        self.redo_button = QPushButton("重做", self)
        self.form.buttons.insertWidget(1, self.undo_button)
        self.form.buttons.insertWidget(2, self.redo_button)
        self.entries = EntryListPanel(ctx, self)
        self.reverse_button = QPushButton("作废所选…", self)
        self.reverse_button.setToolTip("作废所选记录：追加一条分值相反的记录抵消它，原记录保留可查")
        self.entries.actions.addWidget(self.reverse_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.form)
        layout.addWidget(self.entries, 1)

        writable = ctx.can("entry.write")
        self.form.setVisible(writable)
        self.reverse_button.setVisible(writable)
        self.form.save_requested.connect(self.save)
        self.undo_button.clicked.connect(self.undo_stack.undo)
        self.redo_button.clicked.connect(self.undo_stack.redo)
        self.undo_stack.indexChanged.connect(self._update_undo)
        self.reverse_button.clicked.connect(self.reverse_selected)
        self.entries.selection_changed.connect(self._update_reverse)
        for keys, slot in (("Ctrl+Z", self.undo_stack.undo), ("Ctrl+Y", self.undo_stack.redo)):
            shortcut = QShortcut(QKeySequence(keys), self)
            shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            shortcut.activated.connect(slot)
        ctx.period_changed.connect(self._period_changed)
        self._loads = 0  # counts loads of the choices: a late one from a worker yields to a newer
        self.loading = False  # the choices are being read in a worker (`refresh_staged`)
        self.form.date.blockSignals(True)  # the day set here is not a reason to read the choices:
        self._period_changed(ctx.period_code, reload=False)  # `refresh` (or its staged form) does
        self.form.date.blockSignals(False)
        self._update_undo()
        self._update_reverse()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if self.ctx.can("entry.write"):
            self.form.people.search.edit.setFocus()  # ready to type the first person

    def refresh(self) -> None:
        self._loads += 1
        self.loading = False
        if self.ctx.can("entry.write"):
            self.form.load_schemes()  # a scheme installed since: its items and subjects appear
            self.form.reload_choices()
        self.entries.refresh()

    def refresh_staged(self) -> None:
        """`refresh` for the screen the main window opens on after login: the month's entries at
        once; the choices of the form and the filters (the roster twice and the catalogue, 0.1 s
        for a county's 2,000 people) from a worker once the window is on screen, "正在载入…"
        meanwhile. The window then comes up within 0.25 s of the password being accepted."""
        self._loads += 1
        self.loading = True
        writable = self.ctx.can("entry.write")
        schemes = load_schemes(self.ctx)  # a few rows, read now: the layout depends on them
        if writable:
            self.form.set_schemes(schemes)  # the scheme chooser and the case fields, shown or not
            self.form.show_loading()
        self.entries.set_schemes([(s.code, s.name) for s in schemes])
        self.entries.show_loading()
        self.entries.apply_filter()
        after_first_paint(self, lambda load=self._loads: self._read_choices(load, writable))

    def _read_choices(self, load: int, writable: bool) -> None:
        if load != self._loads:
            return  # refreshed meanwhile
        ctx, day, keep = self.ctx, self.form.day(), self.form.scheme.currentData()

        def read() -> tuple[FormChoices | None, FilterChoices]:
            return read_form_choices(ctx, day, keep) if writable else None, read_filter_choices(ctx)

        load_later(self, read, lambda found: self._choices_read(load, *found),
                   lambda _exc: self._choices_failed(load))

    def _choices_read(self, load: int, form: FormChoices | None, filters: FilterChoices) -> None:
        if load != self._loads:
            return
        if form is not None:
            self.form.apply_choices(form)
        self.entries.apply_choices(filters)
        self.loading = False

    def _choices_failed(self, load: int) -> None:
        """Read again here, so that whatever went wrong is reported as in any other refresh."""
        if load == self._loads:
            self.refresh()

    def _period_changed(self, code: str, reload: bool = True) -> None:
        spec = parse_period(code)
        today = dt.date.today()
        if not spec.start <= self.form.day() <= spec.end:
            self.form.set_day(min(max(today, spec.start), spec.end))
        self.entries.set_period(code)
        if reload:
            self.entries.apply_filter()

    # -- saving --------------------------------------------------------------------------
    def save(self) -> None:
        if not self.ctx.can("entry.write"):
            self.ctx.show_error(self, "当前用户无权录入积分。")
            return
        if not self.form.people.selected_ids():
            who = self.form.subject_label.text().split("（")[0]
            self._say(f"请先选择{who}：输入{'警号、姓名' if who == '人员' else '名称、代码'}或拼音首字母后按 Enter。")
            self.form.people.search.edit.setFocus()
            return
        if self.form.current_item() is None:
            self._say("请先选择考核项目。")
            self.form.item.search.edit.setFocus()
            return
        try:
            data = self.form.entry_input()
        except JifenError as exc:
            self.ctx.show_error(self, str(exc))
            return
        ids = self.ctx.write(self, lambda s, a: [e.id for e in ledger.record(s, a, data)], topic="entries")
        if ids is None:
            return
        info = self.form.current_item()
        assert info is not None
        count = "人" if self.form.current_scheme().subject == "person" else "个单位"
        text = f"录入 {info.name}（{len(ids)} {count}）"
        self.undo_stack.push(RecordCommand(self.ctx, self, data, ids, text))
        self._say(f"已保存：{data.occurred_on.isoformat()} {info.name}，{len(ids)} 条。")
        self.form.reset_after_save()

    def _say(self, text: str) -> None:
        self.form.message.setText(text)

    def _update_undo(self) -> None:
        self.undo_button.setEnabled(self.undo_stack.canUndo())
        self.redo_button.setEnabled(self.undo_stack.canRedo())
        self.undo_button.setToolTip(self.undo_stack.undoText() or "没有可撤销的录入")
        self.redo_button.setToolTip(self.undo_stack.redoText() or "没有可重做的录入")

    # -- reversing -----------------------------------------------------------------------
    def _update_reverse(self) -> None:
        rows = self.entries.selected_rows()
        self.reverse_button.setEnabled(any(not r.reversed and r.reverses_id is None for r in rows))

    def reverse_selected(self) -> None:
        rows = [r for r in self.entries.selected_rows() if not r.reversed and r.reverses_id is None]
        if not rows:
            self.ctx.show_info(self, "请选择尚未作废的记录。")
            return
        names = "、".join(f"{r.name} {r.item_name}" for r in rows[:3]) + ("等" if len(rows) > 3 else "")
        reason, ok = QInputDialog.getText(self, "作废记录", f"作废 {len(rows)} 条记录（{names}）。\n请填写作废理由：",
                                          QLineEdit.EchoMode.Normal, "")
        if not ok:
            return
        if not reason.strip():
            QMessageBox.warning(self, "作废记录", "作废需要填写理由。")
            return
        ids = [r.id for r in rows]

        def reverse_all(session: object, actor: object) -> int:
            for entry_id in ids:
                ledger.reverse(session, actor, entry_id, reason)  # type: ignore[arg-type]
            return len(ids)

        if self.ctx.write(self, reverse_all, topic="entries") is not None:
            self._say(f"已作废 {len(ids)} 条记录。")
