"""The roster list: filter by department, text (also pinyin initials) and on-roster date."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QObject

from desktop.models.enums import Identity
from desktop.services.queries import PersonRow, people_rows
from desktop.ui.context import AppContext
from desktop.ui.models.rows import RowColumn, RowsModel
from desktop.ui.widgets.pinyin import rank, search_key


def _date(value: dt.date | None) -> str:
    return value.isoformat() if value else ""


class PeopleModel(RowsModel):
    columns = (
        RowColumn("badge", "警号", lambda r: r.badge),
        RowColumn("name", "姓名", lambda r: r.name + ("（一把手）" if r.is_head else "")),
        RowColumn("identity", "身份", lambda r: Identity(r.identity).label),
        RowColumn("department", "部门", lambda r: r.department),
        RowColumn("position", "职务", lambda r: r.position),
        RowColumn("sequence", "考核序列", lambda r: r.sequence),
        RowColumn("active_from", "在岗起", lambda r: _date(r.active_from)),
        RowColumn("active_to", "离岗日", lambda r: _date(r.active_to)),
        RowColumn("photo", "照片", lambda r: "有" if r.has_photo else "", sortable=False),
    )
    default_sort = "department"

    def __init__(self, ctx: AppContext, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.department_id: int | None = None
        self.text = ""
        self.include_inactive = False

    def set_filter(self, *, department_id: int | None, text: str, include_inactive: bool) -> None:
        self.department_id, self.text, self.include_inactive = department_id, text, include_inactive
        self.reload()

    def fetch(self) -> list[PersonRow]:
        text = self.text.strip()
        pinyin = text.isascii() and text.isalpha()  # 'zsf': matched in Python on pinyin keys
        rows = self.ctx.read(lambda s: people_rows(
            s, department_id=self.department_id, text="" if pinyin else text,
            active_on=None if self.include_inactive else dt.date.today(),
            sort=self.sort_key, descending=self.descending))
        if pinyin:
            rows = [r for r in rows if rank(text, search_key(r.badge, r.name, r.position)) is not None]
        return rows

    def is_grey(self, row: PersonRow) -> bool:
        return not row.active_on(dt.date.today())

    def tooltip(self, row: PersonRow) -> str | None:
        return "已不在岗" if self.is_grey(row) else None

    def index_of(self, person_id: int) -> int:
        return next((i for i, r in enumerate(self.rows()) if r.id == person_id), -1)
