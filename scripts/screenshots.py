"""Render the main window on each screen from the demo database into docs/screenshots/<key>.png.

    QT_QPA_PLATFORM=offscreen python scripts/screenshots.py            # every screen
    python scripts/screenshots.py diary duty --db /tmp/demo.db          # some screens, a given demo

Without --db the demo station is built into a temporary folder (a few seconds). Screens
whose module does not exist yet are skipped. Each screen is shown as the user who would
use it (SCREEN_USERS) on the demo's last month, in a 1366×768 window (the commonest station monitor).
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib.util
import os
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QWidget

from desktop.models.db import open_database
from desktop.services import accounts
from desktop.services.demo import build_demo
from desktop.services.demo_people import USERS
from desktop.ui.app import make_app
from desktop.ui.context import AppContext
from desktop.ui.main_window import MainWindow
from desktop.ui.screens import SCREENS

SIZE = (1366, 768)  # the commonest station monitor
PASSWORDS = {u[0]: u[3] for u in USERS} | {name: f"{name}123" for name in ("zhian", "anjian", "fusuozhang")}
# Who looks at each screen (default: the clerk). Add a line for a screen that needs another role.
SCREEN_USERS = {"settings": "admin", "review": "suozhang", "schemes": "neiqin", "awards": "suozhang", "board": "minjing",
                "profile": "minjing", "audit": "suozhang", "self_report": "minjing", "review_queue": "zhian"}


def _prepare_diary(screen: QWidget) -> None:
    """A half-filled form: two people chosen for one event, the item picked."""
    form = screen.form  # type: ignore[attr-defined]
    choices = form.people.search.choices()
    for choice in choices[3:5]:
        form.people.add(choice.id)
    form.item.choose("FW-02")
    form.note.setText("在户籍窗口耐心为群众办理业务，群众送来感谢信")


def _prepare_duty(screen: QWidget) -> None:
    """The last working day of the month: saved cells green, two fresh ticks yellow."""
    day = screen.day()  # type: ignore[attr-defined]
    while day.weekday() >= 5:
        day -= dt.timedelta(days=1)
    screen.set_day(day)  # type: ignore[attr-defined]
    model = screen.model  # type: ignore[attr-defined]
    for column in range(3, model.columnCount()):
        item = model.item_of(column)
        if item and item.code == "ZB-06":
            model.set_value(0, column, 1)
            model.set_value(2, column, 1)


def _prepare_settings(screen: QWidget) -> None:
    """The grade policy editor (the tab named 等次政策)."""
    tabs = screen.tabs  # type: ignore[attr-defined]
    tabs.setCurrentIndex(next(i for i in range(tabs.count()) if tabs.tabText(i) == "等次政策"))


def _prepare_people(screen: QWidget) -> None:
    screen.view.selectRow(1)  # type: ignore[attr-defined]


def _months_back(screen: QWidget, n: int) -> None:
    """Show an earlier month: the demo's last month is open, the one before is under review."""
    from desktop.services.periods import month_of, parse_period

    ctx = screen.ctx  # type: ignore[attr-defined]
    spec = parse_period(ctx.period_code)
    for _ in range(n):
        spec = month_of(spec.start - dt.timedelta(days=1))
    ctx.set_period(spec.code)


def _prepare_review(screen: QWidget) -> None:
    """The month under review, its disputed row selected."""
    _months_back(screen, 1)
    data = screen.data  # type: ignore[attr-defined]
    disputed = [pid for pid, c in data.confirmations.items() if c.status == "disputed"]
    if disputed:
        screen.select_person(disputed[0])  # type: ignore[attr-defined]


def _prepare_awards(screen: QWidget) -> None:
    """A signed month with its 闪光民警 / 闪光辅警 given."""
    _months_back(screen, 2)


def _prepare_audit(screen: QWidget) -> None:
    """The trail after 校验 (run here directly rather than in the worker)."""
    page = screen.audit  # type: ignore[attr-defined]
    page.show_check(page.check_chain())


def _prepare_schemes(screen: QWidget) -> None:
    """基层基础 of the month the schemes are still signing: posts by class, one signature in."""
    _months_back(screen, 1)
    combo = screen.combo  # type: ignore[attr-defined]
    combo.setCurrentIndex(max(0, combo.findData("jiceng")))
    screen.refresh()  # type: ignore[attr-defined]


PREPARE: dict[str, Callable[[QWidget], None]] = {
    "diary": _prepare_diary, "duty": _prepare_duty, "settings": _prepare_settings, "people": _prepare_people,
    "review": _prepare_review, "awards": _prepare_awards, "audit": _prepare_audit, "schemes": _prepare_schemes,
}


def module_exists(name: str) -> bool:
    return importlib.util.find_spec(f"desktop.ui.screens.{name}") is not None


def shoot(db_path: Path, out: Path, keys: list[str], period: str) -> list[Path]:
    app = make_app()
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, tempfile.mkdtemp())
    db = open_database(db_path)
    out.mkdir(parents=True, exist_ok=True)
    written = []
    try:
        for spec in SCREENS:
            if keys and spec.key not in keys:
                continue
            if not module_exists(spec.module):
                print(f"跳过 {spec.key}：desktop/ui/screens/{spec.module}.py 还不存在")
                continue
            username = SCREEN_USERS.get(spec.key, "neiqin")
            with db.transaction() as session:
                actor = accounts.login(session, username, PASSWORDS[username])
            ctx = AppContext(db, actor)
            ctx.set_period(period)
            window = MainWindow(ctx)
            window.resize(*SIZE)
            window.show()
            screen = window.show_screen(spec.key)
            if screen is None:
                print(f"跳过 {spec.key}：{username} 无权打开")
                window.close()
                continue
            if spec.key in PREPARE:
                PREPARE[spec.key](screen)
            for _ in range(5):
                app.processEvents()
            path = out / f"{spec.key}.png"
            window.grab().save(str(path))
            written.append(path)
            print(f"{path}")
            window.close()
            window.deleteLater()
            app.processEvents()
    finally:
        db.dispose()
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("keys", nargs="*", help="screens to render (default: all)")
    parser.add_argument("--db", type=Path, help="a demo database (default: build one)")
    parser.add_argument("--out", type=Path, default=Path(__file__).resolve().parent.parent / "docs" / "screenshots")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        if args.db is None:
            report = build_demo(Path(tmp) / "demo.db")
            db_path, period = report.path, report.months[-1]
        else:
            db_path = args.db
            from desktop.services import queries

            database = open_database(db_path)
            with database.session() as session:
                _first, last = queries.data_span(session)
            database.dispose()
            period = f"{last.year}-{last.month:02d}" if last else ""
        shoot(db_path, args.out, args.keys, period)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
