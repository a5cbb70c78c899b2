"""The pages of 设置: station, departments, users and roles, sign-off chain (the grade policy
has its own module, policy_editor).

Each page reads through `ctx.read`, writes through `ctx.write` with the services (which
check the role again), and hides the buttons the user's role cannot use.
"""

from __future__ import annotations

from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desktop.models.enums import DepartmentKind, Role
from desktop.models.station import POST_CLASS_LABELS
from desktop.services import accounts, queries, roster, signoff
from desktop.services.points import fmt
from desktop.ui.context import AppContext
from desktop.ui.widgets.forms import FormDialog, combo
from desktop.ui.widgets.settings_edit import edit_department, edit_station, edit_user


def table(headers: list[str], widths: list[int]) -> QTableWidget:
    view = QTableWidget(0, len(headers))
    view.setHorizontalHeaderLabels(headers)
    view.verticalHeader().setVisible(False)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    view.setAlternatingRowColors(True)
    view.horizontalHeader().setStretchLastSection(True)
    view.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
    view.verticalHeader().setDefaultSectionSize(view.fontMetrics().height() + 10)
    for column, width in enumerate(widths):
        view.setColumnWidth(column, width)
    return view


def fill(view: QTableWidget, rows: list[list[str]]) -> None:
    view.setRowCount(len(rows))
    for r, values in enumerate(rows):
        for c, value in enumerate(values):
            view.setItem(r, c, QTableWidgetItem(value))


class StationPage(QWidget):
    """The station as created; it identifies the station's workbooks, so it is shown, not edited."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.labels = {key: QLabel(self) for key in ("name", "code", "county_bureau", "start", "db")}
        form = QFormLayout(self)
        for key, title in (("name", "单位名称"), ("code", "单位代码"), ("county_bureau", "上级公安机关"),
                           ("start", "基础分"), ("db", "数据文件")):
            form.addRow(title, self.labels[key])
        form.addRow("", QLabel("单位代码用于与县局交换的工作簿，建立后不能修改。"))
        self.edit_button = QPushButton("修改单位信息…", self)
        self.edit_button.setVisible(ctx.can("station.edit"))
        self.edit_button.clicked.connect(self.edit)
        form.addRow("", self.edit_button)

    def edit(self) -> None:
        if edit_station(self.ctx, self):
            self.refresh()

    def refresh(self) -> None:
        station = self.ctx.read(roster.get_station)
        self.labels["name"].setText(station.name)
        self.labels["code"].setText(station.code)
        self.labels["county_bureau"].setText(station.county_bureau or "—")
        start = station.starting_score_tenths
        self.labels["start"].setText(fmt(start) if start is not None else "不设基础分")
        address = getattr(self.ctx, "address", None)
        self.labels["db"].setText(f"数据库服务器 {address}" if address else str(self.ctx.db.path or ""))


class DepartmentsPage(QWidget):
    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.view = table(["部门", "类型", "警务室类别", "在岗人数"], [200, 100, 120, 80])
        self.add_button = QPushButton("新增部门…", self)
        self.add_button.setVisible(ctx.can("roster.edit"))
        self.edit_button = QPushButton("修改所选…", self)
        self.edit_button.setVisible(ctx.can("roster.edit"))
        self.edit_button.clicked.connect(self.edit_department)
        layout = QVBoxLayout(self)
        layout.addWidget(self.view, 1)
        row = QHBoxLayout()
        row.addWidget(QLabel("警务室按类别（一类、二类、三类）分别排名；其他部门各自排名。"), 1)
        row.addWidget(self.add_button)
        row.addWidget(self.edit_button)
        layout.addLayout(row)
        self.add_button.clicked.connect(self.add_department)

    def refresh(self) -> None:
        rows = self.ctx.read(queries.department_rows)
        self.department_ids = [d.id for d in rows]
        fill(self.view, [[d.name, DepartmentKind(d.kind).label, POST_CLASS_LABELS.get(d.post_class or 0, ""),
                          str(d.people)] for d in rows])

    def edit_department(self) -> None:
        row = self.view.currentRow()
        if not 0 <= row < len(self.department_ids):
            self.ctx.show_info(self, "请先选择一个部门。")
            return
        if edit_department(self.ctx, self, self.department_ids[row]):
            self.refresh()

    def add_department(self) -> None:
        dialog = FormDialog("新增部门", self)
        name = QLineEdit()
        kind = combo([(k, k.label) for k in DepartmentKind])
        post_class = combo([(None, "（不是警务室）")] + [(c, t) for c, t in POST_CLASS_LABELS.items()])
        for title, widget in (("名称", name), ("类型", kind), ("警务室类别", post_class)):
            dialog.form.addRow(title, widget)

        def submit() -> bool:
            values = (name.text(), DepartmentKind(kind.currentData()), post_class.currentData())
            done = self.ctx.write(dialog, lambda s, a: roster.add_department(
                s, a, values[0], kind=values[1], post_class=values[2]).id, topic="people")
            if done is not None:
                self.refresh()
            return done is not None

        dialog.submit = submit
        dialog.exec()


class UsersPage(QWidget):
    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.view = table(["用户名", "显示名", "角色", "对应人员", "状态"], [120, 200, 110, 140, 100])
        self.add_button = QPushButton("新建用户…", self)
        self.reset_button = QPushButton("重置密码…", self)
        self.edit_button = QPushButton("修改所选…", self)
        self.edit_button.clicked.connect(self.edit_user)
        layout = QVBoxLayout(self)
        layout.addWidget(self.view, 1)
        row = QHBoxLayout()
        row.addWidget(QLabel("内勤录入和维护名册，所长/教导员审核签字，民警只能查看和确认本人积分。"), 1)
        row.addWidget(self.add_button)
        row.addWidget(self.edit_button)
        row.addWidget(self.reset_button)
        layout.addLayout(row)
        for button in (self.add_button, self.edit_button, self.reset_button):
            button.setVisible(ctx.can("users.edit"))
        self.add_button.clicked.connect(self.add_user)
        self.reset_button.clicked.connect(self.reset_password)

    def refresh(self) -> None:
        people = {p.id: f"{p.badge} {p.name}" for p in self.ctx.read(queries.people_rows)}
        users = self.ctx.read(accounts.list_users)
        self.usernames = [u.username for u in users]
        fill(self.view, [[u.username, u.display_name, Role(u.role).label, people.get(u.person_id or 0, ""),
                          "已停用" if not u.active else ("已锁定" if u.locked_until else "正常")] for u in users])

    def add_user(self) -> None:
        people = self.ctx.read(lambda s: queries.people_rows(s))
        dialog = FormDialog("新建用户", self)
        username, display, password, again = QLineEdit(), QLineEdit(), QLineEdit(), QLineEdit()
        for edit in (password, again):
            edit.setEchoMode(QLineEdit.EchoMode.Password)
        role = combo([(r, r.label) for r in Role], Role.OFFICER)
        person = combo([(None, "（无）")] + [(p.id, f"{p.badge} {p.name}") for p in people])
        for title, widget in (("用户名", username), ("显示名", display), ("角色", role), ("对应人员", person),
                              ("密码", password), ("再次输入", again)):
            dialog.form.addRow(title, widget)

        def submit() -> bool:
            if password.text() != again.text():
                self.ctx.show_error(dialog, "两次输入的密码不一致")
                return False
            values = (username.text(), display.text(), Role(role.currentData()), password.text(), person.currentData())
            done = self.ctx.write(dialog, lambda s, a: accounts.create_user(
                s, a, values[0], values[1], values[2], values[3], person_id=values[4]).id, topic="users")
            if done is not None:
                self.refresh()
            return done is not None

        dialog.submit = submit
        dialog.exec()

    def edit_user(self) -> None:
        row = self.view.currentRow()
        if not 0 <= row < len(self.usernames):
            self.ctx.show_info(self, "请先选择一个用户。")
            return
        if edit_user(self.ctx, self, self.usernames[row]):
            self.refresh()

    def reset_password(self) -> None:
        row = self.view.currentRow()
        if not 0 <= row < len(self.usernames):
            self.ctx.show_info(self, "请先选择一个用户。")
            return
        user = self.usernames[row]
        dialog = FormDialog(f"重置“{user}”的密码", self)
        password, again = QLineEdit(), QLineEdit()
        for title, edit in (("新密码", password), ("再次输入", again)):
            edit.setEchoMode(QLineEdit.EchoMode.Password)
            dialog.form.addRow(title, edit)

        def submit() -> bool:
            if password.text() != again.text():
                self.ctx.show_error(dialog, "两次输入的密码不一致")
                return False
            new = password.text()
            done = self.ctx.write(dialog, lambda s, a: accounts.reset_password(s, a, user, new) or True,
                                  topic="users")
            if done is not None:
                self.refresh()
                self.ctx.show_info(self, f"“{user}”的密码已重置，锁定已解除。")
            return done is not None

        dialog.submit = submit
        dialog.exec()


class ChainPage(QWidget):
    """The month sign-off chain (三级审核) as data: steps in order, each with the signing role."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.view = table(["环节", "签字角色"], [260, 160])
        self.view.setEditTriggers(QAbstractItemView.EditTrigger.DoubleClicked
                                  | QAbstractItemView.EditTrigger.EditKeyPressed)
        self.buttons = [QPushButton(text, self) for text in ("添加环节", "删除", "上移", "下移", "保存流程")]
        row = QHBoxLayout()
        row.addWidget(QLabel("民警确认后，按顺序逐级签字；最后一级签字即锁定该月。"), 1)
        for button in self.buttons:
            row.addWidget(button)
            button.setVisible(ctx.can("station.edit"))
        if not ctx.can("station.edit"):
            self.view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        layout = QVBoxLayout(self)
        layout.addWidget(self.view, 1)
        layout.addLayout(row)
        add, remove, up, down, save = self.buttons
        add.clicked.connect(lambda: self._insert(self.view.rowCount(), "新环节", Role.CHIEF))
        remove.clicked.connect(lambda: self.view.removeRow(self.view.currentRow()))
        up.clicked.connect(lambda: self._move(-1))
        down.clicked.connect(lambda: self._move(1))
        save.clicked.connect(self.save)

    def refresh(self) -> None:
        steps = self.ctx.read(signoff.chain)
        self.view.setRowCount(0)
        for step in steps:
            self._insert(self.view.rowCount(), step.title, Role(step.role))

    def _insert(self, row: int, title: str, role: Role) -> None:
        self.view.insertRow(row)
        self.view.setItem(row, 0, QTableWidgetItem(title))
        box = combo([(r, r.label) for r in Role if r != Role.OFFICER], role)
        box.setEnabled(self.ctx.can("station.edit"))
        self.view.setCellWidget(row, 1, box)

    def steps(self) -> list[tuple[str, Role]]:
        out = []
        for row in range(self.view.rowCount()):
            box = self.view.cellWidget(row, 1)
            assert isinstance(box, QComboBox)
            out.append((self.view.item(row, 0).text().strip(), Role(box.currentData())))
        return out

    def _move(self, step: int) -> None:
        row = self.view.currentRow()
        steps = self.steps()
        if not 0 <= row < len(steps) or not 0 <= row + step < len(steps):
            return
        steps[row], steps[row + step] = steps[row + step], steps[row]
        self.view.setRowCount(0)
        for title, role in steps:
            self._insert(self.view.rowCount(), title, role)
        self.view.selectRow(row + step)

    def save(self) -> None:
        steps = self.steps()
        if any(not title for title, _r in steps):
            self.ctx.show_error(self, "每个环节都要有名称")
            return
        if self.ctx.write(self, lambda s, a: roster.set_signoff_chain(s, a, steps) or True,
                          topic="station") is not None:
            self.refresh()
            self.ctx.show_info(self, "签核流程已保存。")
