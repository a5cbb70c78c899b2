"""`jifen import` writes only as a signed-in user: `--user` and that user's password."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from desktop.models.accounts import User
from desktop.models.audit import AuditEvent
from desktop.models.db import open_database
from desktop.models.people import Person
from tests.cli.conftest import run
from tests.exchange import messy
from tests.services.builders import PASSWORD, World


def _badges(path: Path) -> set[str]:
    db = open_database(path)
    try:
        with db.session() as s:
            return set(s.scalars(select(Person.badge)))
    finally:
        db.dispose()


def _failed_logins(path: Path, username: str) -> int:
    db = open_database(path)
    try:
        with db.session() as s:
            return s.scalars(select(User.failed_logins).where(User.username == username)).one()
    finally:
        db.dispose()


@pytest.fixture
def book(tmp_path: Path) -> Path:
    return messy.roster_book(tmp_path / "名册.xlsx")


def test_an_import_without_user_is_refused_and_writes_nothing(
        station: World, book: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = station.db.path
    assert path is not None
    before = _badges(path)
    assert run(path, "import", str(book)) == 2
    err = capsys.readouterr().err
    assert "--user" in err and len(err.strip().splitlines()) == 1
    assert _badges(path) == before


def test_a_wrong_password_is_refused_counted_and_writes_nothing(
        station: World, book: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    path = station.db.path
    assert path is not None
    before = _badges(path)
    assert run(path, "import", str(book), "--user", "clerk", password="wrong", monkeypatch=monkeypatch) == 2
    assert capsys.readouterr().err.strip() == "错误：用户名或密码错误"
    assert _badges(path) == before
    assert _failed_logins(path, "clerk") == 1  # toward the lock-out, like the login window


def test_an_officer_may_not_import(station: World, book: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = station.db.path
    assert path is not None
    before = _badges(path)
    assert run(path, "import", str(book), "--user", "officer", password=PASSWORD, monkeypatch=monkeypatch) == 2
    assert _badges(path) == before


def test_the_clerk_imports_with_the_password_and_is_recorded(
        station: World, book: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    path = station.db.path
    assert path is not None
    assert run(path, "import", str(book), "--user", "clerk", password=PASSWORD, monkeypatch=monkeypatch) == 0
    assert "已导入" in capsys.readouterr().out
    assert {"150001", "150003", "150004"} <= _badges(path)
    db = open_database(path)
    try:
        with db.session() as s:
            event = s.scalars(select(AuditEvent).where(AuditEvent.action == "exchange.import")).one()
            assert event.username == "clerk"
            logins = s.scalars(select(AuditEvent.username).where(AuditEvent.action == "user.login")).all()
            assert logins == ["clerk"]
    finally:
        db.dispose()


def test_a_dry_run_needs_no_user(station: World, book: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = station.db.path
    assert path is not None
    before = _badges(path)
    assert run(path, "import", str(book), "--dry-run") in (0, 1)
    assert "试导入" in capsys.readouterr().out
    assert _badges(path) == before
