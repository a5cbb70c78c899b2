"""Shared GUI fixtures: a demo database per test, logged-in contexts, no modal ever blocks.

- `demo_db_path`: a fresh copy of the demo station (built once per session, until 2026-03).
- `demo_db`: that copy opened as a `Database`.
- `ctx_for("neiqin")`: an `AppContext` on `demo_db`, logged in with the demo password.
- `station_db` / `station_ctx_for`: a small station from tests.factories (no entries), for
  tests that want an empty ledger (users admin/chief/jdy/clerk/officer, password "secret123").
- `modals` (autouse): QMessageBox.*, QDialog.exec, QInputDialog.get*, QFileDialog.get* are
  stubbed and recorded; tests queue answers (`modals.texts.append("原因")`) or set
  `modals.on_dialog = lambda dlg: ...` to fill a dialog and return its result code.
- QSettings go to a temp folder (IniFormat), never the user's.
"""

from __future__ import annotations

import datetime as dt
import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QDialog, QFileDialog, QInputDialog, QMessageBox

from desktop.models.db import Database, open_database
from desktop.services import accounts
from desktop.services.demo_people import USERS
from tests.conftest import DEMO_UNTIL  # the session demo_template is built in tests/conftest.py

DEMO_PASSWORDS = {u[0]: u[3] for u in USERS}


# -- modal dialogs -------------------------------------------------------------------------
@dataclass
class Modals:
    """What the code under test tried to show, and the answers it gets back."""

    messages: list[tuple[str, str, str]] = field(default_factory=list)  # kind, title, text
    dialogs: list[QDialog] = field(default_factory=list)
    question_answer: QMessageBox.StandardButton = QMessageBox.StandardButton.Yes
    texts: list[str] = field(default_factory=list)  # answers for QInputDialog.getText/getItem
    files: list[list[str]] = field(default_factory=list)  # answers for QFileDialog.get*
    on_dialog: Callable[[QDialog], int] | None = None

    def texts_of(self, kind: str | None = None) -> list[str]:
        return [text for k, _t, text in self.messages if kind is None or k == kind]

    @property
    def last(self) -> str:
        return self.messages[-1][2] if self.messages else ""


@pytest.fixture(autouse=True)
def modals(monkeypatch: pytest.MonkeyPatch) -> Modals:
    rec = Modals()

    def message(kind: str) -> Callable[..., QMessageBox.StandardButton]:
        def show(_parent: Any, title: str, text: str, *args: Any, **kwargs: Any) -> QMessageBox.StandardButton:
            rec.messages.append((kind, title, text))
            if kind == "question":
                return rec.question_answer
            return QMessageBox.StandardButton.Ok
        return show

    for kind in ("warning", "information", "question", "critical", "about"):
        monkeypatch.setattr(QMessageBox, kind, staticmethod(message(kind)))

    def dialog_exec(self: QDialog, *args: Any) -> int:
        rec.dialogs.append(self)
        if isinstance(self, QMessageBox):
            rec.messages.append(("box", self.windowTitle(), self.text()))
            return int(rec.question_answer.value)
        if rec.on_dialog is not None:
            return int(rec.on_dialog(self))
        return int(QDialog.DialogCode.Rejected.value)

    monkeypatch.setattr(QDialog, "exec", dialog_exec)
    monkeypatch.setattr(QMessageBox, "exec", dialog_exec)

    def get_text(*_args: Any, **_kwargs: Any) -> tuple[str, bool]:
        return (rec.texts.pop(0), True) if rec.texts else ("", False)

    monkeypatch.setattr(QInputDialog, "getText", staticmethod(get_text))
    monkeypatch.setattr(QInputDialog, "getMultiLineText", staticmethod(get_text))
    monkeypatch.setattr(QInputDialog, "getItem", staticmethod(get_text))

    def get_files(*_args: Any, **_kwargs: Any) -> tuple[list[str], str]:
        return (rec.files.pop(0), "") if rec.files else ([], "")

    def get_file(*_args: Any, **_kwargs: Any) -> tuple[str, str]:
        return ((rec.files.pop(0) or [""])[0], "") if rec.files else ("", "")

    def get_dir(*_args: Any, **_kwargs: Any) -> str:
        return (rec.files.pop(0) or [""])[0] if rec.files else ""

    monkeypatch.setattr(QFileDialog, "getOpenFileNames", staticmethod(get_files))
    monkeypatch.setattr(QFileDialog, "getOpenFileName", staticmethod(get_file))
    monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(get_file))
    monkeypatch.setattr(QFileDialog, "getExistingDirectory", staticmethod(get_dir))
    return rec


@pytest.fixture(autouse=True)
def _temp_qsettings(tmp_path: Path) -> Iterator[None]:
    folder = str(tmp_path / "qsettings")
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    for fmt in (QSettings.Format.IniFormat, QSettings.Format.NativeFormat):
        for scope in (QSettings.Scope.UserScope, QSettings.Scope.SystemScope):
            QSettings.setPath(fmt, scope, folder)
    yield


# -- databases -----------------------------------------------------------------------------
@pytest.fixture
def demo_db_path(demo_template: Path, tmp_path: Path) -> Path:
    target = tmp_path / "demo.db"
    for suffix in ("", "-wal", "-shm"):
        src = Path(str(demo_template) + suffix)
        if src.exists():
            shutil.copy(src, str(target) + suffix)
    return target


@pytest.fixture
def demo_db(demo_db_path: Path) -> Iterator[Database]:
    database = open_database(demo_db_path)
    yield database
    database.dispose()


@pytest.fixture
def ctx_for(demo_db: Database, qapp: Any) -> Callable[..., Any]:
    """`ctx_for("neiqin")` → an AppContext logged in on the demo copy (period 2026-03)."""
    from desktop.ui.context import AppContext

    def make(username: str, password: str | None = None, period: str = DEMO_UNTIL) -> AppContext:
        with demo_db.transaction() as session:
            actor = accounts.login(session, username, password or DEMO_PASSWORDS[username])
        ctx = AppContext(demo_db, actor)
        ctx.set_period(period)
        return ctx

    return make


@pytest.fixture
def station_db(tmp_path: Path) -> Iterator[Database]:
    """A small station (preset catalogue from 2026-01-01, one department, three people)."""
    from tests import factories

    database = factories.new_db(tmp_path, "station.db")
    with database.transaction() as session:
        factories.station(session, catalogue_from=dt.date(2026, 1, 1))
        dept = factories.department(session, "治安中队")
        factories.person(session, dept, "150001", "张三丰")
        factories.person(session, dept, "150002", "李四")
        factories.person(session, dept, "150003", "王五")
    yield database
    database.dispose()


@pytest.fixture
def station_ctx_for(station_db: Database, qapp: Any) -> Callable[..., Any]:
    """`station_ctx_for("clerk")` → an AppContext on the small station (period 2026-03)."""
    from desktop.ui.context import AppContext
    from tests.factories import PASSWORD

    def make(username: str, period: str = DEMO_UNTIL) -> AppContext:
        with station_db.transaction() as session:
            actor = accounts.login(session, username, PASSWORD)
        ctx = AppContext(station_db, actor)
        ctx.set_period(period)
        return ctx

    return make


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The offscreen platform plugin warns that it cannot pass size hints to a window
    manager it does not have; that is no fault of the code under test."""
    for item in items:
        if "tests/ui/" in str(item.path).replace("\\", "/"):
            item.add_marker(pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints"))
