"""Edit dialogs of 设置: the station's name/bureau/starting score, a department, a user account.

Each dialog stays open when the service refuses (its Chinese message is shown) so the
clerk can correct the field; nothing is changed until the service accepts.
"""

from __future__ import annotations

from decimal import Decimal

from PySide6.QtWidgets import QCheckBox, QDoubleSpinBox, QLineEdit, QWidget

from desktop.models.accounts import User
from desktop.models.enums import DepartmentKind, Role
from desktop.models.station import POST_CLASS_LABELS, Department
from desktop.services import accounts, queries, roster
from desktop.ui.context import AppContext
from desktop.ui.widgets.forms import FormDialog, combo


def edit_station(ctx: AppContext, parent: QWidget) -> bool:
    station = ctx.read(roster.get_station)
    dialog = FormDialog("修改单位信息", parent)
    name, bureau = QLineEdit(station.name), QLineEdit(station.county_bureau)
    use_start = QCheckBox("每月加基础分")
    start = QDoubleSpinBox()
    start.setRange(0, 1000)
    start.setDecimals(1)
    start.setSuffix(" 分")
    use_start.setChecked(station.starting_score_tenths is not None)
    start.setValue((station.starting_score_tenths or 0) / 10)
    start.setEnabled(use_start.isChecked())
    use_start.toggled.connect(start.setEnabled)
    for title, widget in (("单位名称", name), ("上级公安机关", bureau), ("基础分", use_start), ("", start)):
        dialog.form.addRow(title, widget)

    def submit() -> bool:
        tenths = int(Decimal(str(start.value())) * 10) if use_start.isChecked() else None
        values = (name.text(), bureau.text(), tenths)
        done = ctx.write(dialog, lambda s, a: roster.update_station(
            s, a, name=values[0], county_bureau=values[1], starting_score_tenths=values[2]).id, topic="station")
        return done is not None

    dialog.submit = submit
    return bool(dialog.exec())


def edit_department(ctx: AppContext, parent: QWidget, department_id: int) -> bool:
    dept = ctx.read(lambda s: s.get(Department, department_id))
    if dept is None:
        return False
    dialog = FormDialog(f"修改部门“{dept.name}”", parent)
    name = QLineEdit(dept.name)
    kind = combo([(k.value, k.label) for k in DepartmentKind], dept.kind)
    post_class = combo([(None, "（不是警务室）")] + [(c, t) for c, t in POST_CLASS_LABELS.items()], dept.post_class)
    active = QCheckBox("在用（停用后不再出现在新录入中）")
    active.setChecked(dept.active)
    for title, widget in (("名称", name), ("类型", kind), ("警务室类别", post_class), ("状态", active)):
        dialog.form.addRow(title, widget)

    def submit() -> bool:
        values = (name.text(), DepartmentKind(kind.currentData()), post_class.currentData(), active.isChecked())
        done = ctx.write(dialog, lambda s, a: roster.update_department(
            s, a, department_id, name=values[0], kind=values[1], post_class=values[2], active=values[3]).id,
            topic="people")
        return done is not None

    dialog.submit = submit
    return bool(dialog.exec())


def edit_user(ctx: AppContext, parent: QWidget, username: str) -> bool:
    from sqlalchemy import select

    user = ctx.read(lambda s: s.scalar(select(User).where(User.username == username)))
    if user is None:
        return False
    people = ctx.read(queries.people_rows)
    dialog = FormDialog(f"修改用户“{username}”", parent)
    display = QLineEdit(user.display_name)
    role = combo([(r.value, r.label) for r in Role], user.role)
    person = combo([(None, "（无）")] + [(p.id, f"{p.badge} {p.name}") for p in people], user.person_id)
    active = QCheckBox("可以登录（停用后保留历史记录）")
    active.setChecked(user.active)
    for title, widget in (("显示名", display), ("角色", role), ("对应人员", person), ("状态", active)):
        dialog.form.addRow(title, widget)

    def submit() -> bool:
        values = (display.text(), Role(role.currentData()), active.isChecked(), person.currentData())
        done = ctx.write(dialog, lambda s, a: accounts.update_user(
            s, a, username, display_name=values[0], role=values[1], active=values[2], person_id=values[3]).id,
            topic="users")
        return done is not None

    dialog.submit = submit
    return bool(dialog.exec())
