"""A bureau office reads a station on the bureau server (issue #19: 政工室, 考核办, 纪检督察
"read every station"): it signs in at the station's address with its bureau account, reads,
writes nothing, and leaves the station's chain as it was, so the station can still push."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import pytest
from sqlalchemy import func, select

from desktop import cli
from desktop.models import stores
from desktop.models.accounts import User
from desktop.models.audit import AuditEvent
from desktop.models.db import open_database
from desktop.models.enums import Role
from desktop.services import accounts, audit, roster, visit
from desktop.services.actor import Actor, can
from desktop.services.errors import AuthError, PermissionDenied
from tests.factories import PASSWORD
from tests.services.builders import rec, world

CODE = "150302"  # the tests' `world` station


def run(monkeypatch: pytest.MonkeyPatch, argv: list[str], password: str = "") -> int:
    monkeypatch.setattr("sys.stdin", io.StringIO(password + "\n"))
    return cli.main(argv)


def _station_file(path: Path) -> Path:
    w = world(open_database(path))
    with w.tx() as s:
        from tests import factories

        rec(s, w.clerk, factories.person(s, w.dept, "880001", "王五"), "ZB-01", dt.date(2026, 2, 3))
    w.db.dispose()
    return path


def _bureau_offices(address: str) -> None:
    db = open_database(address)
    try:
        with db.transaction() as s:
            roster.create_station(s, Actor.system(), code="6109", name="测试县公安局")
            for name, role in (("kaohe", Role.ASSESSMENT), ("jijian", Role.INSPECTION), ("mj", Role.OFFICER)):
                accounts.create_user(s, Actor.system(), name, f"局{role.label}", role, PASSWORD)
    finally:
        db.dispose()


def _events(address: str, action: str | None = None) -> int:
    db = open_database(address)
    try:
        with db.session() as s:
            query = select(func.count()).select_from(AuditEvent)
            if action:
                query = query.where(AuditEvent.action == action)
            return s.scalar(query) or 0
    finally:
        db.dispose()


@pytest.fixture
def server(bureau: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[str, Path]:
    """(station address, its file): a small station pushed to a bureau that has three offices."""
    path = _station_file(tmp_path / "station.db")
    assert run(monkeypatch, ["--db", str(path), "server", "push", "--to", bureau, "--user", "chief"],
               PASSWORD) == 0
    _bureau_offices(bureau)
    return stores.with_station(bureau, CODE), path


def test_a_bureau_office_reads_a_station_and_writes_nothing(server, bureau, monkeypatch, capsys) -> None:  # type: ignore[no-untyped-def]
    address, path = server
    station_events = _events(address)
    db = open_database(address)
    try:
        actor = visit.login(db, "kaohe", PASSWORD)
        assert (actor.visiting, actor.user_id, actor.person_id, actor.role) == (CODE, None, None, Role.ASSESSMENT)
        assert not any(can(actor, action) for action in ("entry.write", "period.lock", "roster.edit", "import"))
        with db.transaction() as s, pytest.raises(PermissionDenied, match="只能查看"):
            audit.record(s, actor, "entry.record")  # even a service that asks no permission stops here
    finally:
        db.dispose()

    capsys.readouterr()
    assert run(monkeypatch, ["--db", address, "record", "--person", "880001", "--item", "ZB-01",
                             "--date", "2026-02-04", "--user", "kaohe"], PASSWORD) == 2
    err = capsys.readouterr().err
    assert "只能查看" in err and "Traceback" not in err
    assert run(monkeypatch, ["--db", address, "entries", "--period", "2026-02", "--format", "json"]) == 0
    assert "880001" in capsys.readouterr().out

    # Nothing was added to the station's chain (it stays the file's, so the file can push again);
    # the bureau's chain says who read which station.
    assert _events(address) == station_events
    assert _events(bureau, "bureau.visit") == 2  # kaohe through visit.login and the command line
    assert run(monkeypatch, ["--db", str(path), "server", "push", "--to", bureau, "--user", "chief"],
               PASSWORD) == 0
    db = open_database(address)
    try:  # the station's own accounts are the station's, on the same address
        assert visit.login(db, "chief", PASSWORD).visiting is None
    finally:
        db.dispose()


def test_only_the_offices_may_visit_and_wrong_passwords_count_at_the_bureau(server, bureau) -> None:  # type: ignore[no-untyped-def]
    address, _path = server
    db = open_database(address)
    try:
        assert visit.login(db, "jijian", PASSWORD).role == Role.INSPECTION
        with pytest.raises(AuthError, match="不能查看各派出所的数据"):
            visit.login(db, "mj", PASSWORD)  # an officer's account of the bureau is not an office
        with pytest.raises(AuthError, match=r"^用户名或密码错误$"):
            visit.login(db, "nobody", PASSWORD)
        with pytest.raises(AuthError, match=r"^用户名或密码错误$"):
            visit.login(db, "kaohe", "wrong-password")
    finally:
        db.dispose()
    bureau_db = open_database(bureau)
    try:
        with bureau_db.session() as s:
            assert s.scalar(select(User.failed_logins).where(User.username == "kaohe")) == 1
    finally:
        bureau_db.dispose()


def test_on_the_bureau_schema_and_on_a_file_nobody_visits(server, bureau) -> None:  # type: ignore[no-untyped-def]
    _address, path = server
    for target in (bureau, str(path)):
        db = open_database(target)
        try:
            with pytest.raises(AuthError):
                visit.login(db, "kaohe" if target == str(path) else "chief", PASSWORD)
        finally:
            db.dispose()
    db = open_database(bureau)
    try:  # on its own schema the office is itself, writing what its role may
        actor = visit.login(db, "kaohe", PASSWORD)
        assert actor.visiting is None and can(actor, "entry.write")
    finally:
        db.dispose()
