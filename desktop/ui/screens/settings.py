"""设置: station, departments, users and roles, grade policy, sign-off chain, reviewers (with the
publish and early-warning settings), units, schemes.

Catalogue versions have their own screen (考核细则). Window layout is kept in QSettings;
everything here is station policy and lives in the database, so it travels with the data.
"""

from __future__ import annotations

from PySide6.QtWidgets import QTabWidget, QVBoxLayout, QWidget

from desktop.ui.context import AppContext
from desktop.ui.widgets.policy_editor import PolicyPage
from desktop.ui.widgets.reviewers_page import ReviewersPage
from desktop.ui.widgets.settings_pages import ChainPage, DepartmentsPage, StationPage, UsersPage
from desktop.ui.widgets.units_page import SchemesPage, UnitsPage


class SettingsScreen(QWidget):
    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.tabs = QTabWidget(self)
        self.station = StationPage(ctx)
        self.departments = DepartmentsPage(ctx)
        self.users = UsersPage(ctx)
        self.policy = PolicyPage(ctx)
        self.chain = ChainPage(ctx)
        self.reviewers = ReviewersPage(ctx)
        self.units = UnitsPage(ctx)
        self.schemes = SchemesPage(ctx)
        self.tabs.addTab(self.station, "单位")
        self.tabs.addTab(self.departments, "部门")
        if ctx.can("users.edit"):
            self.tabs.addTab(self.users, "用户与角色")
        self.tabs.addTab(self.policy, "等次政策")
        self.tabs.addTab(self.chain, "签核流程")
        self.tabs.addTab(self.reviewers, "审核人")
        self.tabs.addTab(self.units, "考核单位")
        self.tabs.addTab(self.schemes, "积分制")
        layout = QVBoxLayout(self)
        layout.addWidget(self.tabs)
        self.tabs.currentChanged.connect(lambda _i: self._refresh_current())

    def pages(self) -> list[QWidget]:
        return [self.tabs.widget(i) for i in range(self.tabs.count())]

    def refresh(self) -> None:
        self._refresh_current()

    def _refresh_current(self) -> None:
        page = self.tabs.currentWidget()
        refresh = getattr(page, "refresh", None)
        if refresh is not None:
            refresh()
