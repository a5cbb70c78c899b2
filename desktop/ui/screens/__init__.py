"""The screens of the main window, in navigation order.

Each screen is a QWidget subclass `cls(ctx: AppContext, parent=None)` with a `refresh()`
method the main window calls when the screen is shown or its data changed.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ScreenSpec:
    key: str
    title: str
    module: str  # desktop.ui.screens.<module>
    class_name: str
    shortcut: str  # switches to the screen
    permission: str | None = None  # hidden when the user lacks it
    # Who else it is for: "person" — accounts of a person on the roster (自报);
    # "reviewer" — accounts whose person reviews somebody, and chiefs (审核); "bureau" — a window
    # on a bureau server's own schema (全局公示栏). See main_window.
    audience: str | None = None


SCREENS: tuple[ScreenSpec, ...] = (
    ScreenSpec("diary", "考核日记", "diary", "DiaryScreen", "Ctrl+1"),
    ScreenSpec("duty", "每日值勤", "duty", "DutyScreen", "Ctrl+2", "entry.write"),
    ScreenSpec("people", "人员", "people", "PeopleScreen", "Ctrl+3"),
    ScreenSpec("catalogue", "考核细则", "catalogue", "CatalogueScreen", "Ctrl+4"),
    ScreenSpec("review", "月度考核", "review", "ReviewScreen", "Ctrl+5"),
    # Officers see these two first (main_window): their own reports are their daily business.
    ScreenSpec("self_report", "自报", "self_report", "SelfReportScreen", "Ctrl+Shift+B", audience="person"),
    ScreenSpec("review_queue", "审核", "review_queue", "ReviewQueueScreen", "Ctrl+Shift+H", audience="reviewer"),
    ScreenSpec("board", "公示栏", "board", "BoardScreen", "Ctrl+6"),
    # The bureau's offices (bureau.read) on the bureau's own schema: every station ranked together.
    ScreenSpec("bureau_board", "全局公示栏", "bureau_board", "BureauBoardScreen", "Ctrl+Shift+G", "bureau.read",
               audience="bureau"),
    ScreenSpec("profile", "个人档案", "profile", "ProfileScreen", "Ctrl+7"),
    ScreenSpec("awards", "奖励", "awards", "AwardsScreen", "Ctrl+8"),
    ScreenSpec("schemes", "积分制", "schemes", "SchemesScreen", "Ctrl+Shift+J"),
    ScreenSpec("exchange", "数据交换", "exchange", "ExchangeScreen", "Ctrl+9", "import"),
    # Clerks see the backups tab only; the audit trail needs "audit.read" (chief, admin).
    ScreenSpec("audit", "审计与备份", "audit", "AuditScreen", "Ctrl+Shift+A", "backup"),
    ScreenSpec("settings", "设置", "settings", "SettingsScreen", "Ctrl+0"),
)
