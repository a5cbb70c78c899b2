"""考核细则: the catalogue versions by effective date and the items of the chosen one.

A new version is a copy of the chosen one with a later effective date and edited points;
old months keep the points they were recorded with.
"""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from desktop.models.catalogue import CatalogueVersion
from desktop.services import catalogue, queries
from desktop.services.catalogue import ItemSpec
from desktop.services.errors import JifenError
from desktop.ui.context import AppContext
from desktop.ui.models.catalogue import CatalogueItemsModel
from desktop.ui.widgets.version_dialog import VersionDialog

WIDTHS = (62, 120, 300, 96, 210, 100)
NAME_COLUMN = 2


def _first_of_next_month(day: dt.date) -> dt.date:
    return (day.replace(day=28) + dt.timedelta(days=4)).replace(day=1)


class CatalogueScreen(QWidget):
    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.versions: list[CatalogueVersion] = []
        self.model = CatalogueItemsModel(ctx, self)
        self.version_list = QListWidget(self)
        self.version_list.setWordWrap(True)
        self.version_list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.version_list.setSpacing(2)
        self.version_note = QLabel(self)
        self.version_note.setWordWrap(True)
        self.new_button = QPushButton("新建版本…", self)
        self.new_button.setToolTip("复制所选版本，设定生效日期并修改分值")
        left = QWidget(self)
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.addWidget(QLabel("版本（按生效日期）"))
        left_layout.addWidget(self.version_list, 1)
        left_layout.addWidget(self.version_note)
        left_layout.addWidget(self.new_button)

        self.category = QComboBox(self)
        self.category.setMinimumWidth(140)
        self.text = QLineEdit(self)
        self.text.setPlaceholderText("搜索编号或项目名称")
        self.text.setClearButtonEnabled(True)
        self.count = QLabel(self)
        bar = QHBoxLayout()
        bar.addWidget(self.category)
        bar.addWidget(self.text, 1)
        bar.addWidget(self.count)
        self.view = QTableView(self)
        self.view.setModel(self.model)
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setAlternatingRowColors(True)
        self.view.setWordWrap(False)
        self.view.verticalHeader().setVisible(False)
        self.view.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 10)
        self.view.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        self.view.horizontalHeader().setSortIndicator(0, Qt.SortOrder.AscendingOrder)
        self.view.setSortingEnabled(True)
        for column, width in enumerate(WIDTHS):
            self.view.setColumnWidth(column, width)
        self.view.horizontalHeader().setSectionResizeMode(NAME_COLUMN, QHeaderView.ResizeMode.Stretch)
        right = QWidget(self)
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(0, 0, 0, 0)
        right_layout.addLayout(bar)
        right_layout.addWidget(self.view, 1)

        splitter = QSplitter(Qt.Orientation.Horizontal, self)
        splitter.addWidget(left)
        splitter.addWidget(right)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([260, 1000])
        layout = QVBoxLayout(self)
        layout.addWidget(splitter)

        self.new_button.setVisible(ctx.can("catalogue.edit"))
        self.version_list.currentRowChanged.connect(self._version_changed)
        self.category.activated.connect(self.apply_filter)
        self.text.textChanged.connect(self.apply_filter)
        self.new_button.clicked.connect(self.new_version)
        self.model.modelReset.connect(lambda: self.count.setText(f"{self.model.rowCount()} 项"))

    # -- loading -------------------------------------------------------------------------
    def refresh(self) -> None:
        def read(session: object) -> tuple[list[CatalogueVersion], dict[int, int], int | None]:
            versions = catalogue.list_versions(session)  # type: ignore[arg-type]
            sizes = {v.id: len(v.items) for v in versions}
            try:
                current = catalogue.version_in_force(session, dt.date.today()).id  # type: ignore[arg-type]
            except JifenError:
                current = None
            return versions, sizes, current

        selected = self.selected_version()
        self.versions, sizes, in_force = self.ctx.read(read)
        self.version_list.blockSignals(True)
        self.version_list.clear()
        for version in self.versions:
            mark = "（现行）" if version.id == in_force else ""
            item = QListWidgetItem(f"{version.effective_from.isoformat()} 起{mark}\n{version.name}（{sizes[version.id]} 项）")
            item.setData(Qt.ItemDataRole.UserRole, version.id)
            self.version_list.addItem(item)
        self.version_list.blockSignals(False)
        ids = [v.id for v in self.versions]
        wanted = selected.id if selected else in_force
        row = ids.index(wanted) if wanted in ids else len(ids) - 1
        cats = self.ctx.read(queries.categories)
        current_cat = self.category.currentData()
        self.category.clear()
        self.category.addItem("全部类别", None)
        for cat in cats:
            self.category.addItem(cat, cat)
        self.category.setCurrentIndex(max(0, self.category.findData(current_cat)))
        self.version_list.setCurrentRow(row)
        self._version_changed(row)

    def selected_version(self) -> CatalogueVersion | None:
        row = self.version_list.currentRow()
        return self.versions[row] if 0 <= row < len(self.versions) else None

    def _version_changed(self, _row: int) -> None:
        version = self.selected_version()
        self.version_note.setText(version.note if version and version.note else "")
        self.apply_filter()

    def apply_filter(self) -> None:
        version = self.selected_version()
        self.model.set_filter(version_id=version.id if version else None, category=self.category.currentData(),
                              text=self.text.text())

    # -- new version ---------------------------------------------------------------------
    def new_version(self) -> None:
        base = self.selected_version()
        if base is None:
            self.ctx.show_info(self, "还没有考核细则版本。")
            return
        specs = self.ctx.read(lambda s: [ItemSpec.of(i) for i in queries.version_items(s, base.id)])
        latest = max(v.effective_from for v in self.versions)
        start = max(_first_of_next_month(dt.date.today()), _first_of_next_month(latest))
        dialog = VersionDialog(specs, base.name, start, self)

        def submit() -> bool:
            try:
                items = dialog.specs()
            except JifenError as exc:
                self.ctx.show_error(dialog, str(exc))
                return False
            day, name, note = dialog.effective_day(), dialog.name.text().strip(), dialog.note.text().strip()
            created = self.ctx.write(dialog, lambda s, a: catalogue.create_version(s, a, day, name, items, note).id,
                                     topic="catalogue")
            if created is not None:
                self.refresh()
                ids = [v.id for v in self.versions]
                self.version_list.setCurrentRow(ids.index(created) if created in ids else 0)
            return created is not None

        dialog.submit = submit
        dialog.exec()
