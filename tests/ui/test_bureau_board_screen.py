"""全局公示栏 as a 考核办 officer uses it (issue #19): two stations on one bureau server, the
period chosen in the main window, every station's people ranked together, narrowed to one
station or one 考核序列, and exported to Excel; absent where it makes no sense."""

from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QToolButton
from python_calamine import CalamineWorkbook
from sqlalchemy import select

from desktop.models import stores
from desktop.models.db import Database, open_database
from desktop.models.enums import Role
from desktop.models.station import Station
from desktop.services import accounts, roster
from desktop.services.actor import Actor
from desktop.services.bureau_board import BOARD_RULE
from desktop.ui.context import AppContext
from desktop.ui.main_window import MainWindow
from desktop.ui.screens.bureau_board import BureauBoardScreen
from tests import factories
from tests.factories import PASSWORD, db_arg
from tests.services.builders import locked, rec, world

MARCH = "2026-03"


def _station(address: str, code: str, name: str, people: list[tuple[str, str, str, int]], *,
             lock: bool = False) -> None:
    """A small station in its own schema on the server: (badge, name, sequence, on-time days) each."""
    db = open_database(stores.with_station(address, code))
    try:
        w = world(db)
        with w.tx() as s:
            station = s.scalars(select(Station)).one()
            station.code, station.name = code, name
            for badge, person_name, sequence, days in people:
                who = factories.person(s, w.dept, badge, person_name, sequence=sequence)
                for day in range(2, 2 + days):
                    rec(s, w.clerk, who, "ZB-01", dt.date(2026, 3, day))
            if lock:
                locked(s, w, MARCH)
    finally:
        db.dispose()


@pytest.fixture
def bureau(pg_db: Database) -> str:
    return build_bureau(pg_db)


def build_bureau(pg_db: Database) -> str:
    """A bureau server: two stations (滨河 locked March, 城关 did not) and the bureau's own schema
    with its station row, a 考核办 account and an officer's."""
    address = db_arg(pg_db)
    _station(address, "610921001", "滨河派出所", [("100001", "赵一", "治安", 9), ("100002", "钱二", "社区", 3)],
             lock=True)
    _station(address, "610921002", "城关派出所", [("200001", "孙三", "治安", 6), ("200002", "李四", "社区", 5),
                                                 ("200003", "周五", "治安", 1)])
    with pg_db.transaction() as s:
        roster.create_station(s, Actor.system(), code="6109", name="测试县公安局")
        accounts.create_user(s, Actor.system(), "kaohe", "考核办", Role.ASSESSMENT, PASSWORD)
        accounts.create_user(s, Actor.system(), "mj", "民警", Role.OFFICER, PASSWORD)
    return address


def _window(qtbot, db: Database, address: str, username: str) -> MainWindow:  # type: ignore[no-untyped-def]
    with db.transaction() as s:
        actor = accounts.login(s, username, PASSWORD)
    window = MainWindow(AppContext(db, actor, address=stores.shown(address)))
    qtbot.addWidget(window)
    window.show()
    return window


def _titles(window: MainWindow) -> list[str]:
    return [window.nav.item(i).text() for i in range(window.nav.count())]


def _wait(qtbot, screen: BureauBoardScreen) -> None:  # type: ignore[no-untyped-def]
    qtbot.waitUntil(lambda: not screen.loading, timeout=60000)


def _column(screen: BureauBoardScreen, title: str) -> list[str]:
    proxy = screen.table.model()
    column = screen.model.headers().index(title)
    return [proxy.index(r, column).data() for r in range(proxy.rowCount())]


def test_the_officer_sees_every_station_ranked_filters_and_exports(qtbot, pg_db, bureau, modals, tmp_path):  # type: ignore[no-untyped-def]
    window = _window(qtbot, pg_db, bureau, "kaohe")
    assert _titles(window)[0] == "全局公示栏"  # the office's business comes first
    # The bureau's schema has no entries of its own: the months of the stations are offered anyway.
    index = window.period.findData(MARCH)
    assert index >= 0
    window.period.setCurrentIndex(index)
    window.period.activated.emit(index)
    screen = window.show_screen("bureau_board")
    assert isinstance(screen, BureauBoardScreen)
    _wait(qtbot, screen)

    assert _column(screen, "姓名") == ["赵一", "孙三", "李四", "钱二", "周五"]  # by total over the bureau
    assert _column(screen, "全局名次") == ["1", "2", "3", "4", "5"]
    assert _column(screen, "序列名次") == ["1", "2", "1", "2", "3"]  # 治安: 赵一 孙三 周五; 社区: 李四 钱二
    assert _column(screen, "单位")[:2] == ["滨河派出所", "城关派出所"]
    assert _column(screen, "已锁定") == ["是", "否", "否", "是", "否"]
    summary = screen.summary.text()
    assert "2026年3月：2 个单位，5 人" in summary
    assert "尚未锁定本周期的单位：610921002 城关派出所" in summary and "滨河" not in summary
    assert screen.rule.text() == "排名规则：" + BOARD_RULE and screen.rule.isVisible()
    hint = window.minimumSizeHint()  # fits the commonest station monitor, as every screen must
    assert hint.width() <= 1366 and hint.height() <= 768 - 40 - 32

    # One station, then one sequence across the bureau: the ranks stay the bureau's.
    screen.choose(station="610921002")
    assert _column(screen, "姓名") == ["孙三", "李四", "周五"]
    assert _column(screen, "全局名次") == ["2", "3", "5"]
    assert "（当前显示 3 人）" in screen.summary.text()
    screen.choose(sequence="社区")
    assert _column(screen, "姓名") == ["李四", "钱二"]
    assert [screen.sequence.itemText(i) for i in range(screen.sequence.count())] == ["全部序列", "治安", "社区"]

    # Export what is shown, in the order shown (sorted by name here, as a user may click a header).
    screen.choose(station="610921002")
    screen.table.sortByColumn(screen.model.headers().index("全局名次"), Qt.SortOrder.DescendingOrder)
    target = tmp_path / "局公示栏.xlsx"
    modals.files.append([str(target)])
    qtbot.mouseClick(screen.export_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: screen.task is None, timeout=30000)
    assert target.exists(), modals.messages
    assert "已导出 3 人" in modals.last
    book = CalamineWorkbook.from_path(str(target))
    assert book.sheet_names == ["全局公示栏", "说明"]
    sheet = book.get_sheet_by_name("全局公示栏").to_python()
    header = [str(c) for c in sheet[0]]
    assert header[:9] == ["全局名次", "考核序列", "序列名次", "单位代码", "单位", "部门", "警号", "姓名", "总分"]
    body = [row for row in sheet[1:] if any(str(c) for c in row)]
    assert [r[header.index("姓名")] for r in body] == ["周五", "李四", "孙三"]
    assert [int(r[0]) for r in body] == [5, 3, 2]
    assert {r[header.index("单位代码")] for r in body} == {"610921002"}
    assert [float(r[header.index("总分")]) for r in body] == [float(t) for t in reversed(
        [row["total"] for row in screen.shown])]
    about = book.get_sheet_by_name("说明").to_python()
    text = "\n".join(str(c) for row in about for c in row)
    assert "城关派出所" in text and "全部序列" in text and BOARD_RULE in text
    window.close()


def test_the_scope_buttons_rank_the_quarter(qtbot, pg_db, bureau):  # type: ignore[no-untyped-def]
    window = _window(qtbot, pg_db, bureau, "kaohe")
    window.ctx.set_period(MARCH)
    screen = window.show_screen("bureau_board")
    _wait(qtbot, screen)
    qtbot.mouseClick(screen.findChild(QToolButton, "scope_quarter"), Qt.MouseButton.LeftButton)
    assert screen.loading  # read again, in the worker
    _wait(qtbot, screen)
    assert window.ctx.period_code == "2026-Q1" and screen.model.rowCount() == 5
    summary = screen.summary.text()
    assert summary.startswith("2026年第一季度：2 个单位，5 人") and "滨河派出所、" in summary  # nobody locked Q1
    window.close()


def test_the_board_is_not_offered_to_an_officer_nor_on_a_station(qtbot, pg_db, bureau):  # type: ignore[no-untyped-def]
    officer = _window(qtbot, pg_db, bureau, "mj")
    assert "全局公示栏" not in _titles(officer) and officer.show_screen("bureau_board") is None
    officer.close()
    on_station = stores.with_station(bureau, "610921002")
    station_db = open_database(on_station)
    try:
        admin = _window(qtbot, station_db, on_station, "admin")  # may read the board, but not here
        assert "全局公示栏" not in _titles(admin) and _titles(admin)[0] == "考核日记"
        admin.close()
    finally:
        station_db.dispose()


def test_a_station_file_has_no_bureau_board(qtbot, station_ctx_for):  # type: ignore[no-untyped-def]
    window = MainWindow(station_ctx_for("admin"))
    qtbot.addWidget(window)
    assert "全局公示栏" not in _titles(window)
    window.close()


def test_a_refusal_is_said_on_the_screen(qtbot, pg_db, bureau, monkeypatch):  # type: ignore[no-untyped-def]
    from desktop.services import bureau_board
    from desktop.services.errors import ValidationError

    def refuse(*_args: object) -> None:
        raise ValidationError("全局公示栏只在局服务器上使用")

    monkeypatch.setattr(bureau_board, "board", refuse)
    window = _window(qtbot, pg_db, bureau, "kaohe")
    screen = window.show_screen("bureau_board")
    _wait(qtbot, screen)
    assert screen.summary.text() == "全局公示栏只在局服务器上使用"
    assert screen.model.rowCount() == 0 and not screen.export_button.isEnabled()
    window.close()
