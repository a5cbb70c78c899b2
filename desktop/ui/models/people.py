"""The roster list: filter by department, text (also pinyin initials) and on-roster date, with
each person's reviewer (审核人) worked out by one `ReviewMap` per refresh (kept while the
filter changes), never per row."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from PySide6.QtCore import QObject
from sqlalchemy import select
from sqlalchemy.orm import Session

from desktop.models.enums import Identity
from desktop.models.people import Person
from desktop.services import reviewers
from desktop.services.queries import PersonRow, people_rows
from desktop.ui.context import AppContext
from desktop.ui.models.rows import RowColumn, RowsModel
from desktop.ui.widgets.pinyin import rank, search_key


def _date(value: dt.date | None) -> str:
    return value.isoformat() if value else ""


@dataclass(frozen=True)
class RosterRow(PersonRow):
    """A roster row with its reviewer today ("" for someone no longer on the roster)."""

    reviewer: str = ""  # 姓名（警号）
    reviewer_basis: str = ""  # services.reviewers.BASIS_LABELS


def reviewer_labels(session: Session, day: dt.date) -> dict[int, tuple[str, str]]:
    """{person id: (reviewer, basis)} for everyone on the roster that day, from one ReviewMap
    (it reads every person once): the list of 2,000 people costs one pass, not a query per row."""
    review = reviewers.ReviewMap(session, day)
    out = {}
    for person in session.scalars(select(Person)):  # the objects ReviewMap loaded: no second copy
        if person.active_on(day):
            found = review.of(person)
            who = f"{found.person.name}（{found.person.badge}）" if found.person else "—"
            out[person.id] = (who, reviewers.BASIS_LABELS[found.basis if found.person else "none"])
    return out


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
        RowColumn("reviewer", "审核人", lambda r: r.reviewer, sortable=False),
    )
    default_sort = "department"

    def __init__(self, ctx: AppContext, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.department_id: int | None = None
        self.text = ""
        self.include_inactive = False
        # Worked out again when the data changes (`forget_reviewers`), not on every keystroke of the filter.
        self._reviewers: dict[int, tuple[str, str]] | None = None

    def set_filter(self, *, department_id: int | None, text: str, include_inactive: bool) -> None:
        self.department_id, self.text, self.include_inactive = department_id, text, include_inactive
        self.reload()

    def forget_reviewers(self) -> None:
        self._reviewers = None

    def fetch(self) -> list[RosterRow]:
        text = self.text.strip()
        pinyin = text.isascii() and text.isalpha()  # 'zsf': matched in Python on pinyin keys
        today = dt.date.today()

        def read(s: Session) -> list[RosterRow]:
            rows = people_rows(s, department_id=self.department_id, text="" if pinyin else text,
                               active_on=None if self.include_inactive else today,
                               sort=self.sort_key, descending=self.descending)
            if pinyin:
                rows = [r for r in rows if rank(text, search_key(r.badge, r.name, r.position)) is not None]
            if self._reviewers is None:
                self._reviewers = reviewer_labels(s, today)
            return [RosterRow(**r.__dict__, reviewer=who, reviewer_basis=basis)
                    for r in rows for who, basis in [self._reviewers.get(r.id, ("", ""))]]

        return self.ctx.read(read)

    def is_grey(self, row: PersonRow) -> bool:
        return not row.active_on(dt.date.today())

    def tooltip(self, row: RosterRow) -> str | None:
        if self.is_grey(row):
            return "已不在岗"
        if not row.reviewer_basis:
            return None
        return f"审核人：{row.reviewer_basis}" if row.reviewer == "—" else f"审核人：{row.reviewer}（{row.reviewer_basis}）"

    def index_of(self, person_id: int) -> int:
        return next((i for i, r in enumerate(self.rows()) if r.id == person_id), -1)
