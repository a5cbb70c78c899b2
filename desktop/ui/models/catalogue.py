"""The items of one catalogue version: filter by category and text, sort by column in SQL."""

from __future__ import annotations

from PySide6.QtCore import QObject

from desktop.models.catalogue import CatalogueItem
from desktop.models.enums import Component
from desktop.services.catalogue import describe_points
from desktop.services.queries import version_items
from desktop.ui.context import AppContext
from desktop.ui.models.rows import RowColumn, RowsModel


def _flags(item: CatalogueItem) -> str:
    flags = []
    if item.daily_duty:
        flags.append("值勤表")
    if item.evidence_required:
        flags.append("需材料")
    if item.veto:
        flags.append("一票否决")
    return "、".join(flags)


class CatalogueItemsModel(RowsModel):
    columns = (
        RowColumn("code", "编号", lambda i: i.code),
        RowColumn("category", "类别", lambda i: i.category + (f"·{i.subcategory}" if i.subcategory else "")),
        RowColumn("name", "项目", lambda i: i.name),
        RowColumn("component", "积分组成", lambda i: Component(i.component).label),
        RowColumn("points", "分值", describe_points),
        RowColumn("flags", "标记", _flags, sortable=False),
    )
    default_sort = "code"

    def __init__(self, ctx: AppContext, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.version_id: int | None = None
        self.category: str | None = None
        self.text = ""

    def set_filter(self, *, version_id: int | None, category: str | None, text: str) -> None:
        self.version_id, self.category, self.text = version_id, category, text
        self.reload()

    def fetch(self) -> list[CatalogueItem]:
        if self.version_id is None:
            return []
        version_id = self.version_id
        return self.ctx.read(lambda s: version_items(s, version_id, category=self.category, text=self.text,
                                                     sort=self.sort_key, descending=self.descending))

    def tooltip(self, item: CatalogueItem) -> str | None:
        return f"{item.code} {item.name}\n{describe_points(item)}"
