"""First run: create a new station (name, code, bureau, departments, first administrator)
or build the demo station in a worker thread with a progress dialog."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path

from PySide6.QtWidgets import (
    QFormLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QRadioButton,
    QVBoxLayout,
    QWidget,
    QWizard,
    QWizardPage,
)

from desktop.models.db import open_database
from desktop.models.enums import DepartmentKind, Role
from desktop.services import accounts, catalogue, policies, roster
from desktop.services.actor import Actor
from desktop.services.demo import build_demo
from desktop.services.errors import JifenError, ValidationError
from desktop.ui.workers import Progress, Task, run_with_progress

SYSTEM = Actor.system("wizard")
CLASSES = {"一类": 1, "二类": 2, "三类": 3}
DEFAULT_DEPARTMENTS = "综合室\n治安管理中队\n案件办理中队\n城关警务室 一类\n东街警务室 二类"
PAGE_CHOICE, PAGE_STATION, PAGE_ADMIN, PAGE_DEMO = range(4)


@dataclass
class StationSetup:
    name: str
    code: str
    county_bureau: str
    departments: list[tuple[str, int | None]] = field(default_factory=list)  # name, post class
    admin: str = "admin"
    admin_name: str = "系统管理员"
    password: str = ""


def parse_departments(text: str) -> list[tuple[str, int | None]]:
    """One department a line; a police post ends with its class: '城关警务室 一类'."""
    out = []
    for line in text.splitlines():
        line = line.strip()
        if not line:
            continue
        m = re.match(r"^(.+?)[\s,，（(]*([一二三]类)(?:警务室)?[)）]?$", line)
        out.append((m[1].strip(), CLASSES[m[2]]) if m else (line, None))
    return out


def create_station(path: Path, setup: StationSetup) -> None:
    """One transaction: station, preset catalogue (from 1 January) and policies, departments,
    the first administrator. On any error nothing is kept."""
    if not setup.departments:
        raise ValidationError("请至少填写一个部门")
    db = open_database(path)
    try:
        with db.transaction() as session:
            roster.create_station(session, SYSTEM, code=setup.code, name=setup.name,
                                  county_bureau=setup.county_bureau)
            policies.install_presets(session, SYSTEM)
            policies.set_station_policy(session, SYSTEM, "abcd")
            catalogue.install_preset(session, SYSTEM, dt.date(dt.date.today().year, 1, 1))
            for name, post_class in setup.departments:
                kind = DepartmentKind.POST if post_class else DepartmentKind.OFFICE
                roster.add_department(session, SYSTEM, name, kind=kind, post_class=post_class)
            accounts.create_user(session, SYSTEM, setup.admin, setup.admin_name, Role.ADMIN, setup.password)
    finally:
        db.dispose()


class ChoicePage(QWizardPage):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setTitle("欢迎使用积分考核台账")
        self.setSubTitle("本机还没有考核数据。请选择：")
        self.new = QRadioButton("新建单位：填写单位信息、部门和管理员账户")
        self.demo = QRadioButton("打开演示单位：一个有一年数据的示例派出所，用于熟悉操作")
        # A station whose data the bureau keeps on its server makes no file here at all.
        self.server = QRadioButton("连接局服务器：本单位的数据在县局的数据库服务器上")
        self.new.setChecked(True)
        layout = QVBoxLayout(self)
        layout.addWidget(self.new)
        layout.addWidget(self.demo)
        layout.addWidget(self.server)
        # The server choice ends the wizard here (完成, then the connect dialog). Only marking the
        # page final makes QWizard swap 下一步 for 完成 at once; nextId alone is read too late.
        self.server.toggled.connect(self.setFinalPage)

    def nextId(self) -> int:
        if self.server.isChecked():
            return -1
        return PAGE_STATION if self.new.isChecked() else PAGE_DEMO


class StationPage(QWizardPage):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setTitle("单位信息")
        self.setSubTitle("部门每行一个；警务室在名称后写类别，例如“城关警务室 一类”。")
        self.name, self.code, self.bureau = QLineEdit(), QLineEdit(), QLineEdit()
        self.name.setPlaceholderText("例如 滨河派出所")
        self.code.setPlaceholderText("例如 150302001（与县局工作簿一致）")
        self.bureau.setPlaceholderText("例如 海勃湾区公安分局")
        self.departments = QPlainTextEdit(DEFAULT_DEPARTMENTS)
        form = QFormLayout(self)
        form.addRow("单位名称", self.name)
        form.addRow("单位代码", self.code)
        form.addRow("上级公安机关", self.bureau)
        form.addRow("部门", self.departments)
        self.registerField("name*", self.name)
        self.registerField("code*", self.code)

    def nextId(self) -> int:
        return PAGE_ADMIN


class AdminPage(QWizardPage):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setTitle("管理员账户")
        self.setSubTitle("管理员负责建立用户和设置；内勤、所长的账户可在“设置”中添加。")
        self.username, self.display = QLineEdit("admin"), QLineEdit("系统管理员")
        self.password, self.again = QLineEdit(), QLineEdit()
        for edit in (self.password, self.again):
            edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.message = QLabel()
        self.message.setStyleSheet("color: #b3261e")
        form = QFormLayout(self)
        for title, widget in (("用户名", self.username), ("显示名", self.display), ("密码（至少 6 位）", self.password),
                              ("再次输入", self.again), ("", self.message)):
            form.addRow(title, widget)

    def nextId(self) -> int:
        return -1

    def validatePage(self) -> bool:
        if self.password.text() != self.again.text():
            self.message.setText("两次输入的密码不一致")
            return False
        wizard = self.wizard()
        assert isinstance(wizard, FirstRunWizard)
        return wizard.create()


class DemoPage(QWizardPage):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setTitle("打开演示单位")
        self.setSubTitle("将生成“滨河派出所”一年的演示数据（约 35 人、2 万条积分记录），需要几秒钟。")
        self.message = QLabel("点击“完成”开始生成。登录账户会在登录窗口中列出。")
        self.message.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addWidget(self.message)
        self.built = False
        self.task: Task | None = None

    def nextId(self) -> int:
        return -1

    def validatePage(self) -> bool:
        if self.built:
            return True
        if self.task is None:
            wizard = self.wizard()
            assert isinstance(wizard, FirstRunWizard)
            self.message.setText("正在生成演示数据，请稍候…")
            wizard.button(QWizard.WizardButton.FinishButton).setEnabled(False)
            self.task = run_with_progress(self, "打开演示单位", lambda _p: wizard.build_demo(_p),
                                          self._done, self._failed, label="正在生成演示数据…")
        return False

    def _done(self, _result: object) -> None:
        self.built = True
        self.task = None
        self.wizard().accept()

    def _failed(self, exc: BaseException) -> None:
        self.task = None
        self.message.setText(f"生成失败：{exc}")
        self.wizard().button(QWizard.WizardButton.FinishButton).setEnabled(True)


class FirstRunWizard(QWizard):
    def __init__(self, path: Path, parent: QWidget | None = None, *, demo: bool = False) -> None:
        super().__init__(parent)
        self.path = path
        self.setWindowTitle("首次使用")
        self.setWizardStyle(QWizard.WizardStyle.ModernStyle)
        self.setButtonText(QWizard.WizardButton.NextButton, "下一步")
        self.setButtonText(QWizard.WizardButton.BackButton, "上一步")
        self.setButtonText(QWizard.WizardButton.FinishButton, "完成")
        self.setButtonText(QWizard.WizardButton.CancelButton, "取消")
        self.choice, self.station, self.admin, self.demo = ChoicePage(), StationPage(), AdminPage(), DemoPage()
        for page_id, page in ((PAGE_CHOICE, self.choice), (PAGE_STATION, self.station),
                              (PAGE_ADMIN, self.admin), (PAGE_DEMO, self.demo)):
            self.setPage(page_id, page)
        if demo:
            self.choice.demo.setChecked(True)
        self.resize(620, 480)

    @property
    def server_chosen(self) -> bool:
        """连接局服务器 was chosen: the program asks for the server once the wizard closes."""
        return self.choice.server.isChecked()

    def setup(self) -> StationSetup:
        return StationSetup(
            name=self.station.name.text().strip(), code=self.station.code.text().strip(),
            county_bureau=self.station.bureau.text().strip(),
            departments=parse_departments(self.station.departments.toPlainText()),
            admin=self.admin.username.text().strip(), admin_name=self.admin.display.text().strip(),
            password=self.admin.password.text(),
        )

    def create(self) -> bool:
        try:
            create_station(self.path, self.setup())
        except JifenError as exc:
            self.admin.message.setText(str(exc))
            return False
        return True

    def build_demo(self, _progress: Progress) -> object:
        return build_demo(self.path, force=True)
