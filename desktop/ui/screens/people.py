"""人员: the roster — filter, add, edit, photo (for certificates and the performance file), and
each person's reviewer (审核人, configured in 设置 → 审核人)."""

from __future__ import annotations

import mimetypes
from pathlib import Path

from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtGui import QKeySequence, QPixmap, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from desktop.models.enums import Identity
from desktop.models.people import Person
from desktop.services import department_moves, queries, roster
from desktop.services.errors import JifenError
from desktop.ui.context import AppContext
from desktop.ui.models.people import PeopleModel, RosterRow
from desktop.ui.widgets.person_dialog import PersonDialog

PHOTO_SIZE = (150, 200)
WIDTHS = (80, 110, 56, 120, 90, 130, 92, 92, 44, 140)


class PeopleScreen(QWidget):
    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.model = PeopleModel(ctx, self)
        self.department = QComboBox(self)
        self.department.setMinimumWidth(130)
        self.text = QLineEdit(self)
        self.text.setPlaceholderText("警号、姓名、职务或拼音首字母")
        self.text.setClearButtonEnabled(True)
        self.inactive = QCheckBox("显示已离岗人员", self)
        self.add_button = QPushButton("新增人员（Ctrl+N）", self)
        self.edit_button = QPushButton("修改…", self)
        self.photo_button = QPushButton("设置照片…", self)
        bar = QHBoxLayout()
        bar.addWidget(self.department)
        bar.addWidget(self.text, 1)
        bar.addWidget(self.inactive)
        bar.addStretch(1)
        for button in (self.add_button, self.edit_button, self.photo_button):
            bar.addWidget(button)

        self.view = QTableView(self)
        self.view.setModel(self.model)
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.view.setAlternatingRowColors(True)
        self.view.verticalHeader().setVisible(False)
        self.view.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 10)
        self.view.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        self.view.horizontalHeader().setStretchLastSection(True)
        self.view.horizontalHeader().setSortIndicator(3, Qt.SortOrder.AscendingOrder)
        self.view.setSortingEnabled(True)
        for column, width in enumerate(WIDTHS):
            self.view.setColumnWidth(column, width)
        self.photo = QLabel("无照片", self)
        self.photo.setFixedSize(*PHOTO_SIZE)
        self.photo.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.photo.setStyleSheet("border: 1px solid #bbb; background: #fafafa; color: #888")
        self.details = QLabel(self)
        self.details.setWordWrap(True)
        self.details.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.details.setFixedWidth(PHOTO_SIZE[0] + 40)
        side = QVBoxLayout()
        side.addWidget(self.photo)
        side.addWidget(self.details, 1)
        body = QHBoxLayout()
        body.addWidget(self.view, 1)
        body.addLayout(side)
        self.count = QLabel(self)
        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        layout.addLayout(body, 1)
        layout.addWidget(self.count)

        editable = ctx.can("roster.edit")
        for button in (self.add_button, self.edit_button, self.photo_button):
            button.setVisible(editable)
        self.department.activated.connect(self.apply_filter)
        self.text.textChanged.connect(self.apply_filter)
        self.inactive.toggled.connect(self.apply_filter)
        self.add_button.clicked.connect(self.add_person)
        self.edit_button.clicked.connect(self.edit_person)
        self.photo_button.clicked.connect(self.choose_photo)
        self.view.doubleClicked.connect(lambda _index: self.edit_person() if editable else None)
        self.view.selectionModel().currentRowChanged.connect(self._show_current)
        self.model.modelReset.connect(self._after_reset)
        shortcut = QShortcut(QKeySequence("Ctrl+N"), self)
        shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        shortcut.activated.connect(lambda: self.add_person() if editable else None)

    # -- loading -------------------------------------------------------------------------
    def refresh(self) -> None:
        depts = self.ctx.read(queries.department_rows)
        current = self.department.currentData()
        self.department.clear()
        self.department.addItem("全部部门", None)
        for dept in depts:
            self.department.addItem(dept.name, dept.id)
        self.department.setCurrentIndex(max(0, self.department.findData(current)))
        self.model.forget_reviewers()  # a refresh follows a change: heads or 分管领导 may differ now
        self.apply_filter()

    def apply_filter(self) -> None:
        self.model.set_filter(department_id=self.department.currentData(), text=self.text.text(),
                              include_inactive=self.inactive.isChecked())

    def _after_reset(self) -> None:
        self.count.setText(f"共 {self.model.rowCount()} 人")
        self._show_current(self.view.currentIndex())

    def current(self) -> RosterRow | None:
        index = self.view.currentIndex()
        return self.model.row_at(index.row()) if index.isValid() else None

    def select(self, person_id: int) -> None:
        row = self.model.index_of(person_id)
        if row >= 0:
            self.view.selectRow(row)

    def _show_current(self, index: QModelIndex) -> None:
        row = self.model.row_at(index.row()) if index.isValid() else None
        self.edit_button.setEnabled(row is not None)
        self.photo_button.setEnabled(row is not None)
        if row is None:
            self.photo.setPixmap(QPixmap())
            self.photo.setText("无照片")
            self.details.setText("")
            return
        data, _mime = self.ctx.read(lambda s: queries.person_photo(s, row.id)) if row.has_photo else (None, "")
        pixmap = QPixmap()
        if data and pixmap.loadFromData(data):
            self.photo.setPixmap(pixmap.scaled(*PHOTO_SIZE, Qt.AspectRatioMode.KeepAspectRatio,
                                               Qt.TransformationMode.SmoothTransformation))
        else:
            self.photo.setPixmap(QPixmap())
            self.photo.setText("无照片")
        lines = [f"<b>{row.name}</b>　{row.badge}", f"{Identity(row.identity).label}　{row.position}",
                 row.department, f"序列：{row.sequence or '—'}"]
        if row.is_head:
            lines.append("一把手：不参加排名")
        if row.active_to:
            lines.append(f"离岗：{row.active_to.isoformat()}")
        if row.reviewer_basis:
            who = "" if row.reviewer == "—" else f"{row.reviewer}<br>"
            lines.append(f"审核人：{who}<span style='color:#666'>{row.reviewer_basis}</span>")
        self.details.setText("<br>".join(lines))

    # -- writing -------------------------------------------------------------------------
    def _dialog(self, person: Person | None) -> PersonDialog:
        depts = [(d.id, d.name) for d in self.ctx.read(queries.department_rows)]
        moves = self.ctx.read(lambda s: department_moves.history(s, person.id)) if person is not None else None
        return PersonDialog(depts, self.ctx.read(queries.sequences), self, person, moves=moves)

    def add_person(self) -> None:
        dialog = self._dialog(None)

        def submit() -> bool:
            data = dialog.value()
            person_id = self.ctx.write(dialog, lambda s, a: roster.add_person(s, a, data).id, topic="people")
            if person_id is not None:
                self.refresh()
                self.select(person_id)
            return person_id is not None

        dialog.submit = submit
        dialog.exec()

    def edit_person(self) -> None:
        row = self.current()
        if row is None:
            return
        person = self.ctx.read(lambda s: s.get(Person, row.id))
        dialog = self._dialog(person)

        def submit() -> bool:
            data = dialog.value()
            try:
                impact = self.ctx.read(lambda s: roster.update_impact(s, row.id, data))
            except JifenError:
                impact = []  # the write below reports what is wrong with the input
            if impact and QMessageBox.question(
                    dialog, "修改会影响已有记录", "这次修改会影响已经记录的月份：\n\n" + "\n\n".join(impact)
                    + "\n\n仍要保存吗？") != QMessageBox.StandardButton.Yes:
                return False
            done = self.ctx.write(dialog, lambda s, a: roster.update_person(s, a, row.id, data).id, topic="people")
            if done is not None:
                self.refresh()
                self.select(row.id)
            return done is not None

        dialog.submit = submit
        dialog.exec()

    def choose_photo(self) -> None:
        row = self.current()
        if row is None:
            return
        path, _ = QFileDialog.getOpenFileName(self, f"选择 {row.name} 的照片", "", "图片 (*.jpg *.jpeg *.png *.bmp)")
        if not path:
            return
        data = Path(path).read_bytes()
        if not QPixmap().loadFromData(data):
            self.ctx.show_error(self, f"“{Path(path).name}”不是可识别的图片")
            return
        mime = mimetypes.guess_type(path)[0] or "image/jpeg"
        if self.ctx.write(self, lambda s, a: roster.set_photo(s, a, row.id, data, mime) or True,
                          topic="people") is not None:
            self.refresh()
            self.select(row.id)
