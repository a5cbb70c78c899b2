"""设置 → 考核单位 and 积分制: the units a scheme assesses, their heads and members over time, and
the schemes the station runs (a preset started from a date).

The same services as `jifen units …` and `jifen scheme install`, so the same checks and audit.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from PySide6.QtWidgets import (
    QDateEdit,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy.orm import Session

from desktop.models.units import UNIT_KIND_LABELS, UNIT_KINDS, UnitMember
from desktop.services import queries, scheme_registry, schemes, units
from desktop.services.scheme_rules import MEMBERS, RANK_WITHIN, SUBJECT_LABELS
from desktop.ui.context import AppContext
from desktop.ui.widgets.date_edit import DateEdit
from desktop.ui.widgets.entry_list import pydate, qdate
from desktop.ui.widgets.forms import FormDialog, combo
from desktop.ui.widgets.settings_pages import fill, table

CLASSES = {1: "一类", 2: "二类", 3: "三类"}


def _date_edit(day: dt.date) -> QDateEdit:
    edit = DateEdit(qdate(day))
    edit.setCalendarPopup(True)
    edit.setDisplayFormat("yyyy-MM-dd")
    return edit


def unit_rows(session: Session) -> list[list[str]]:
    today = dt.date.today()
    out = []
    for unit in units.list_units(session):
        head = units.head_on(session, unit, today)
        group = CLASSES.get(unit.post_class or 0, "") or unit.sequence
        out.append([unit.code, unit.name, UNIT_KIND_LABELS.get(unit.kind, unit.kind), group,
                    head.name if head else "", str(len(units.members_on(session, unit, today))),
                    "" if unit.active else "已停用"])
    return out


def member_rows(session: Session, code: str) -> list[list[str]]:
    unit = units.unit_by_code(session, code)
    rows: list[UnitMember] = list(unit.members)
    return [[m.person.badge, m.person.name, "负责人" if m.role == "head" else "成员", m.start.isoformat(),
             m.end.isoformat() if m.end else "至今"] for m in rows]


class UnitsPage(QWidget):
    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.codes: list[str] = []
        self.view = table(["代码", "名称", "类型", "类别/序列", "负责人", "现有成员", "状态"],
                          [90, 180, 100, 110, 90, 80, 60])
        self.members = table(["警号", "姓名", "角色", "起", "止"], [90, 100, 70, 100, 100])
        self.view.itemSelectionChanged.connect(self._show_members)
        may = ctx.can("roster.edit")
        self.add_button = self._button("新增单位…", self.add_unit, may)
        self.member_button = self._button("加入成员…", self.add_member, may)
        self.end_button = self._button("成员离开…", self.end_member, may)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("所队室、警务室、党支部、执法办案单位：积分制按单位考核时的对象。所队室和警务室的成员即"
                                "该部门在岗人员；党支部、执法办案单位的成员在这里按日期登记。"))
        layout.addWidget(self.view, 2)
        layout.addWidget(QLabel("所选单位的成员（按日期）"))
        layout.addWidget(self.members, 1)
        row = QHBoxLayout()
        row.addStretch(1)
        for button in (self.add_button, self.member_button, self.end_button):
            row.addWidget(button)
        layout.addLayout(row)

    def _button(self, text: str, slot: object, visible: bool) -> QPushButton:
        button = QPushButton(text, self)
        button.setVisible(visible)
        button.clicked.connect(slot)
        return button

    def refresh(self) -> None:
        rows = self.ctx.read(unit_rows)
        self.codes = [r[0] for r in rows]
        fill(self.view, rows)
        self._show_members()

    def selected(self) -> str | None:
        row = self.view.currentRow()
        return self.codes[row] if 0 <= row < len(self.codes) else None

    def _show_members(self) -> None:
        code = self.selected()
        fill(self.members, self.ctx.read(lambda s: member_rows(s, code)) if code else [])

    def add_unit(self) -> None:
        dialog = FormDialog("新增考核单位", self)
        code, name, sequence = QLineEdit(), QLineEdit(), QLineEdit()
        kind = combo([(k, UNIT_KIND_LABELS[k]) for k in UNIT_KINDS])
        klass = combo([(None, "（不是警务室）"), *CLASSES.items()])
        depts = self.ctx.read(queries.department_rows)
        department = combo([("", "（不对应部门）"), *((d.name, d.name) for d in depts)])
        for title, widget in (("代码", code), ("名称", name), ("类型", kind), ("警务室类别", klass),
                              ("执法办案序列", sequence), ("对应部门", department)):
            dialog.form.addRow(title, widget)

        def submit() -> bool:
            data = units.UnitInput(code=code.text(), name=name.text(), kind=kind.currentData(),
                                   post_class=klass.currentData(), sequence=sequence.text(),
                                   department=department.currentData())
            done = self.ctx.write(dialog, lambda s, a: units.add_unit(s, a, data).id, topic="people")
            if done is not None:
                self.refresh()
            return done is not None

        dialog.submit = submit
        dialog.exec()

    def add_member(self) -> None:
        unit = self.selected()
        if unit is None:
            self.ctx.show_info(self, "请先选择一个单位。")
            return
        dialog = FormDialog(f"加入成员：{unit}", self)
        badge = QLineEdit()
        badge.setPlaceholderText("警号")
        role = combo([("member", "成员"), ("head", "负责人（原负责人任期到前一天）")])
        start = _date_edit(dt.date.today())
        for title, widget in (("警号", badge), ("角色", role), ("起始日期", start)):
            dialog.form.addRow(title, widget)

        def submit() -> bool:
            values = (badge.text().strip(), role.currentData(), pydate(start.date()))
            done = self.ctx.write(dialog, lambda s, a: units.add_member(s, a, unit, values[0], start=values[2],
                                                                        role=values[1]).id, topic="people")
            if done is not None:
                self.refresh()
            return done is not None

        dialog.submit = submit
        dialog.exec()

    def end_member(self) -> None:
        unit = self.selected()
        if unit is None:
            self.ctx.show_info(self, "请先选择一个单位。")
            return
        dialog = FormDialog(f"成员离开：{unit}", self)
        badge = QLineEdit()
        row = self.members.currentRow()
        if row >= 0 and self.members.item(row, 0) is not None:
            badge.setText(self.members.item(row, 0).text())
        end = _date_edit(dt.date.today())
        for title, widget in (("警号", badge), ("最后一天", end)):
            dialog.form.addRow(title, widget)

        def submit() -> bool:
            values = (badge.text().strip(), pydate(end.date()))
            done = self.ctx.write(dialog, lambda s, a: units.end_member(s, a, unit, values[0], values[1]) or True,
                                  topic="people")
            if done is not None:
                self.refresh()
            return done is not None

        dialog.submit = submit
        dialog.exec()


class SchemesPage(QWidget):
    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.view = table(["代码", "名称", "考核对象", "积分组成", "排名", "成员计分", "签核流程"],
                          [80, 110, 90, 220, 130, 150, 200])
        self.install_button = QPushButton("开始运行预设积分制…", self)
        self.install_button.setVisible(ctx.can("station.edit"))
        self.install_button.clicked.connect(self.install)
        self.add_button = QPushButton("从定义文件添加…", self)
        self.add_button.setToolTip("本单位自己的积分制：JSON 定义文件（格式同 jifen scheme export，可含细则项目）")
        self.add_button.setVisible(ctx.can("station.edit"))
        self.add_button.clicked.connect(self.add_from_file)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("本单位同时运行的积分制。个人积分始终运行；汉阴的党建工作、基层基础、执法办案、队伍管理"
                                "是预设，开始运行时装入各自的考核细则。"))
        layout.addWidget(self.view, 1)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(self.install_button)
        row.addWidget(self.add_button)
        layout.addLayout(row)

    def refresh(self) -> None:
        found = self.ctx.read(scheme_registry.active)
        fill(self.view, [[s.code, s.name, SUBJECT_LABELS.get(s.subject, s.subject),
                          " ".join(("+" if c.sign > 0 else "−") + c.label for c in s.components),
                          RANK_WITHIN.get(s.rank_within, s.rank_within), MEMBERS.get(s.members, s.members),
                          " → ".join(step.title for step in s.signoff)] for s in found])

    def install(self) -> None:
        running = {s.code for s in self.ctx.read(scheme_registry.active)}
        presets = [schemes.load_preset(c) for c in schemes.preset_codes() if c not in running]
        if not presets:
            self.ctx.show_info(self, "预设积分制都已在运行。")
            return
        dialog = FormDialog("开始运行预设积分制", self)
        choice = combo([(p.code, f"{p.name}（{SUBJECT_LABELS.get(p.subject, p.subject)}）") for p in presets])
        start = _date_edit(dt.date(dt.date.today().year, 1, 1))
        dialog.form.addRow("积分制", choice)
        dialog.form.addRow("细则生效日期", start)

        def submit() -> bool:
            code, day = choice.currentData(), pydate(start.date())
            done = self.ctx.write(dialog, lambda s, a: scheme_registry.install(s, a, code, catalogue_from=day).code,
                                  topic="station")
            if done is not None:
                self.refresh()
            return done is not None

        dialog.submit = submit
        dialog.exec()

    def add_from_file(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "选择积分制定义文件", "", "积分制定义 (*.json)")
        if not path:
            return
        try:
            raw = json.loads(Path(path).read_text(encoding="utf-8-sig"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
            self.ctx.show_error(self, f"积分制定义文件“{Path(path).name}”无法读取（应为 UTF-8 编码的 JSON）：{exc}")
            return
        dialog = FormDialog("添加积分制", self)
        name = raw.get("name", "") if isinstance(raw, dict) else ""
        start = _date_edit(dt.date(dt.date.today().year, 1, 1))
        dialog.form.addRow("定义文件", QLabel(Path(path).name))
        dialog.form.addRow("积分制", QLabel(str(name) or "（未写名称）"))
        dialog.form.addRow("细则生效日期", start)

        def submit() -> bool:
            day, where = pydate(start.date()), f"“{Path(path).name}”"
            done = self.ctx.write(dialog, lambda s, a: scheme_registry.add_definition(
                s, a, raw, catalogue_from=day, where=where).code, topic="station")
            if done is not None:
                self.refresh()
            return done is not None

        dialog.submit = submit
        dialog.exec()
