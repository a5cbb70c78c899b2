"""Add or edit one person on the roster (警号, 姓名, 身份, 部门, 职务, 序列, dates)."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import QCheckBox, QComboBox, QLabel, QLineEdit, QWidget

from desktop.models.enums import Identity
from desktop.models.people import Person
from desktop.services.id_numbers import mask
from desktop.services.roster import PersonInput
from desktop.ui.widgets.forms import FormDialog, OptionalDate, combo


class PersonDialog(FormDialog):
    def __init__(self, departments: list[tuple[int, str]], sequences: list[str], parent: QWidget | None = None,
                 person: Person | None = None, submit: Callable[[], bool] | None = None,
                 moves: list[str] | None = None) -> None:
        super().__init__("修改人员" if person else "新增人员", parent, submit)
        self.badge = QLineEdit(person.badge if person else "")
        self.name = QLineEdit(person.name if person else "")
        self.identity = combo([(i, i.label) for i in Identity], Identity(person.identity) if person else None)
        self.department = combo(list(departments), person.department_id if person else None)
        self.position = QLineEdit(person.position if person else "")
        self.sequence = QComboBox()
        self.sequence.setEditable(True)
        self.sequence.addItems(sequences)
        self.sequence.setCurrentText(person.sequence if person else "")
        self.is_head = QCheckBox("一把手（不参加本单位排名和比例）")
        self.is_head.setChecked(bool(person and person.is_head))
        self.active_from = OptionalDate("有在岗起始日")
        self.active_to = OptionalDate("已离岗")
        self.phone = QLineEdit(person.phone if person else "")
        # The full 身份证号 is never shown: a stored one appears masked as the hint, and an empty
        # field keeps it (typing a new number replaces it).
        self.id_number = QLineEdit()
        self.id_number.setObjectName("idNumber")
        stored = getattr(person, "id_number", "") if person else ""
        self.id_number.setPlaceholderText(f"已登记 {mask(stored)}，留空不变" if stored else "18 位，可不填")
        if person:
            self.active_from.set_value(person.active_from)
            self.active_to.set_value(person.active_to)
        # A department change takes an effective date (调动生效日期): the month it falls in is ranked
        # in the new department. Left unticked, it counts from the day after the last locked period.
        self.moved_on = OptionalDate("指定调动生效日期")
        self.moved_on.setObjectName("movedOn")
        self.moved_on.setToolTip("该日所在的月份起按新部门排名和评定（以月末所在部门为准）；"
                                 "不指定则自最后一个锁定周期的次日起")
        self._department_before = person.department_id if person else None
        self.moved_on.setEnabled(False)
        self.department.currentIndexChanged.connect(self._department_changed)
        self.badge.setPlaceholderText("例如 150231 或 FJ0001")
        rows: list[tuple[str, QWidget]] = [("部门", self.department)]
        if person is not None:
            rows.append(("调动", self.moved_on))
        if moves:
            history = QLabel("\n".join(moves))
            history.setObjectName("moveHistory")
            history.setWordWrap(True)
            rows.append(("调动记录", history))
        for label, widget in (("警号", self.badge), ("姓名", self.name), ("身份", self.identity),
                              *rows, ("职务", self.position), ("考核序列", self.sequence),
                              ("", self.is_head), ("在岗日期", self.active_from), ("离岗日期", self.active_to),
                              ("电话", self.phone), ("身份证号", self.id_number)):
            self.form.addRow(label, widget)
        self.setMinimumWidth(420)

    def _department_changed(self) -> None:
        moved = self._department_before is not None and self.department.currentData() != self._department_before
        self.moved_on.setEnabled(moved)
        if not moved:
            self.moved_on.set_value(None)

    def value(self) -> PersonInput:
        return PersonInput(
            badge=self.badge.text(), name=self.name.text(), identity=Identity(self.identity.currentData()),
            department_id=self.department.currentData(), position=self.position.text(),
            sequence=self.sequence.currentText(), is_head=self.is_head.isChecked(),
            active_from=self.active_from.value(), active_to=self.active_to.value(), phone=self.phone.text(),
            id_number=self.id_number.text().strip() or None,
            moved_on=self.moved_on.value() if self.moved_on.isEnabled() else None,
        )
