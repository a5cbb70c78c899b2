"""`jifen user …`, `jifen users`: accounts administered from a terminal, signed in, by the same
services as 设置 › 用户与角色; the first administrator of a database without one; and a login
that costs an unknown user name as much as a known one."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from desktop.models.accounts import User
from desktop.models.audit import AuditEvent
from desktop.models.db import open_database
from desktop.services import accounts
from desktop.services.errors import AuthError
from tests.cli.conftest import digest, run
from tests.services.builders import PASSWORD, World

ROOT = Path(__file__).resolve().parents[2]


class Opened:
    """The station file opened again after a command, as the next program to use it would."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def __enter__(self) -> Session:
        self.db = open_database(self.path)
        self.session = self.db.session()
        return self.session

    def __exit__(self, *_exc: object) -> None:
        self.session.close()
        self.db.dispose()


def user(path: Path, username: str) -> User | None:
    with Opened(path) as s:
        return s.scalar(select(User).where(User.username == username))


def can_login(path: Path, username: str, password: str) -> bool:
    db = open_database(path)
    try:
        with db.transaction() as s:
            accounts.login(s, username, password)
        return True
    except AuthError:
        return False
    finally:
        db.dispose()


def actions(path: Path) -> list[str]:
    with Opened(path) as s:
        return list(s.scalars(select(AuditEvent.action).order_by(AuditEvent.id)))


def one_error_line(err: str) -> str:
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("错误：") and "Traceback" not in err, err
    return lines[0]


@pytest.fixture
def path(station: World) -> Path:
    assert station.db.path is not None
    return station.db.path


@pytest.fixture
def empty_db(tmp_path: Path) -> Iterator[Path]:
    """A database with the schema and nothing in it, as a station rebuilt from an export has no accounts."""
    path = tmp_path / "rebuilt.db"
    open_database(path).dispose()
    yield path


# -- an administrator's writes -----------------------------------------------------------

def test_admin_adds_a_user_linked_to_a_person(path: Path, monkeypatch: pytest.MonkeyPatch,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    assert run(path, "user", "add", "zhang", "--display-name", "张三", "--role", "clerk", "--person", "101",
               "--user", "admin", password=f"{PASSWORD}\nnewpass1", monkeypatch=monkeypatch) == 0
    assert "已建立用户“zhang”" in capsys.readouterr().out
    made = user(path, "zhang")
    assert made is not None and (made.display_name, made.role, made.active) == ("张三", "clerk", True)
    assert can_login(path, "zhang", "newpass1")
    assert "user.create" in actions(path)
    assert run(path, "users", "--format", "json") == 0
    row = next(r for r in json.loads(capsys.readouterr().out) if r["username"] == "zhang")
    assert (row["person_badge"], row["person_name"], row["role_label"]) == ("101", "张三", "内勤")


def test_a_new_password_needs_its_own_line(path: Path, monkeypatch: pytest.MonkeyPatch,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    assert run(path, "user", "add", "zhang", "--role", "clerk", "--user", "admin", password=PASSWORD,
               monkeypatch=monkeypatch) == 2
    assert "新密码" in one_error_line(capsys.readouterr().err)
    assert user(path, "zhang") is None


def test_admin_resets_a_password_and_a_user_changes_their_own(path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert run(path, "user", "passwd", "clerk", "--user", "admin", password=f"{PASSWORD}\nreset123",
               monkeypatch=monkeypatch) == 0
    assert can_login(path, "clerk", "reset123") and not can_login(path, "clerk", PASSWORD)
    # One's own password: the sign-in password is the old one; no administrator needed.
    assert run(path, "user", "passwd", "clerk", "--user", "clerk", password="reset123\nmine4567",
               monkeypatch=monkeypatch) == 0
    assert can_login(path, "clerk", "mine4567")
    assert actions(path).count("user.reset_password") == 1 and "user.change_password" in actions(path)


def test_only_an_admin_resets_someone_elses_password(path: Path, monkeypatch: pytest.MonkeyPatch,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    assert run(path, "user", "passwd", "officer", "--user", "clerk", password=f"{PASSWORD}\nhijack12",
               monkeypatch=monkeypatch) == 2
    assert "无权管理用户" in one_error_line(capsys.readouterr().err)
    assert can_login(path, "officer", PASSWORD)


def test_admin_changes_a_role_and_details(path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert run(path, "user", "role", "clerk", "--role", "chief", "--user", "admin", password=PASSWORD,
               monkeypatch=monkeypatch) == 0
    changed = user(path, "clerk")
    assert changed is not None and changed.role == "chief"
    assert run(path, "user", "update", "clerk", "--display-name", "李内勤", "--role", "内勤", "--person", "102",
               "--user", "admin", password=PASSWORD, monkeypatch=monkeypatch) == 0
    changed = user(path, "clerk")
    assert changed is not None and (changed.display_name, changed.role) == ("李内勤", "clerk")
    assert changed.person_id is not None


def test_an_unknown_role_is_refused_in_chinese(path: Path, monkeypatch: pytest.MonkeyPatch,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    before = digest(path)
    assert run(path, "user", "role", "clerk", "--role", "boss", "--user", "admin", password=PASSWORD,
               monkeypatch=monkeypatch) == 2
    assert "未知角色“boss”" in one_error_line(capsys.readouterr().err)
    assert digest(path) == before  # refused before signing in: not even a login event


def test_admin_unlocks_a_locked_user(path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for _ in range(accounts.MAX_FAILURES):
        can_login(path, "clerk", "wrong")
    assert not can_login(path, "clerk", PASSWORD)  # locked, even with the right password
    assert run(path, "user", "unlock", "clerk", "--user", "admin", password=PASSWORD, monkeypatch=monkeypatch) == 0
    assert can_login(path, "clerk", PASSWORD)  # the password is unchanged
    assert "user.unlock" in actions(path)


def test_a_disabled_user_cannot_log_in_until_enabled(path: Path, monkeypatch: pytest.MonkeyPatch,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    assert run(path, "user", "disable", "officer", "--user", "admin", password=PASSWORD,
               monkeypatch=monkeypatch) == 0
    assert not can_login(path, "officer", PASSWORD)
    assert run(path, "user", "passwd", "officer", "--user", "officer", password=f"{PASSWORD}\nother123",
               monkeypatch=monkeypatch) == 2
    assert one_error_line(capsys.readouterr().err) == "错误：用户名或密码错误"  # same as an unknown name
    assert run(path, "user", "enable", "officer", "--user", "admin", password=PASSWORD,
               monkeypatch=monkeypatch) == 0
    assert can_login(path, "officer", PASSWORD)


def test_the_last_admin_cannot_disable_themself(path: Path, monkeypatch: pytest.MonkeyPatch,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    assert run(path, "user", "disable", "admin", "--user", "admin", password=PASSWORD,
               monkeypatch=monkeypatch) == 2
    assert "不能更改自己的角色或停用自己的账户" in one_error_line(capsys.readouterr().err)
    found = user(path, "admin")
    assert found is not None and found.active


def test_a_clerk_cannot_add_a_user(path: Path, monkeypatch: pytest.MonkeyPatch,
                                   capsys: pytest.CaptureFixture[str]) -> None:
    with Opened(path) as s:
        before = s.scalar(select(func.count()).select_from(User))
    assert run(path, "user", "add", "sneaky", "--role", "admin", "--user", "clerk",
               password=f"{PASSWORD}\nsneaky12", monkeypatch=monkeypatch) == 2
    assert "无权管理用户" in one_error_line(capsys.readouterr().err)
    with Opened(path) as s:
        assert s.scalar(select(func.count()).select_from(User)) == before
    assert user(path, "sneaky") is None


def test_users_json_never_shows_a_password_hash(path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(path, "users", "--format", "json") == 0
    out = capsys.readouterr().out
    rows = json.loads(out)
    assert {r["username"] for r in rows} == {"admin", "chief", "jdy", "clerk", "officer"}
    assert set(rows[0]) == {"username", "display_name", "role", "role_label", "person_badge", "person_name",
                            "active", "locked", "locked_until", "failed_logins", "last_login", "created_at",
                            "badge", "reviews"}
    assert "scrypt" not in out and "password" not in out
    for fmt in ("csv", "table"):
        assert run(path, "users", "--format", fmt) == 0
        assert "scrypt" not in capsys.readouterr().out


# -- the first administrator -------------------------------------------------------------

def test_first_admin_on_a_database_without_one(empty_db: Path, monkeypatch: pytest.MonkeyPatch,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    assert run(empty_db, "user", "add", "root", "--display-name", "管理员", "--role", "admin",
               password="rootpass1", monkeypatch=monkeypatch) == 0
    assert "第一个管理员" in capsys.readouterr().out
    assert can_login(empty_db, "root", "rootpass1")
    assert actions(empty_db)[0] == "user.bootstrap_admin"
    # Now one exists: a second is refused and nothing changes.
    before = digest(empty_db)
    assert run(empty_db, "user", "add", "root2", "--role", "admin", password="rootpass2",
               monkeypatch=monkeypatch) == 2
    assert "已有在用的管理员" in one_error_line(capsys.readouterr().err)
    assert digest(empty_db) == before and user(empty_db, "root2") is None


def test_first_admin_is_refused_where_an_admin_exists(path: Path, monkeypatch: pytest.MonkeyPatch,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    before = digest(path)
    assert run(path, "user", "add", "intruder", "--role", "admin", password="intruder1",
               monkeypatch=monkeypatch) == 2
    assert "已有在用的管理员" in one_error_line(capsys.readouterr().err)
    assert digest(path) == before


def test_first_admin_when_the_only_admin_is_disabled(path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    db = open_database(path)
    with db.transaction() as s:
        s.scalars(select(User).where(User.username == "admin")).one().active = False
    db.dispose()
    assert run(path, "user", "add", "newroot", "--role", "admin", password="newroot1", monkeypatch=monkeypatch) == 0
    assert can_login(path, "newroot", "newroot1")


def test_without_user_only_an_admin_can_be_made(empty_db: Path, monkeypatch: pytest.MonkeyPatch,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    assert run(empty_db, "user", "add", "clerk1", "--role", "clerk", password="clerkpw1",
               monkeypatch=monkeypatch) == 2
    assert "--user" in one_error_line(capsys.readouterr().err)
    assert user(empty_db, "clerk1") is None


# -- login timing --------------------------------------------------------------------------

@pytest.mark.parametrize("username", ["nobody", "officer"])
def test_an_unknown_or_disabled_user_costs_a_password_check(station: World, monkeypatch: pytest.MonkeyPatch,
                                                           username: str) -> None:
    if username == "officer":
        with station.tx() as s:
            s.scalars(select(User).where(User.username == "officer")).one().active = False
    checked: list[str] = []
    real = accounts.check_password

    def spy(password: str, stored: str) -> bool:
        checked.append(stored)
        return real(password, stored)

    monkeypatch.setattr(accounts, "check_password", spy)
    with pytest.raises(AuthError, match=r"^用户名或密码错误$"), station.tx() as s:
        accounts.login(s, username, PASSWORD)
    assert checked == [accounts._dummy_hash()]  # one scrypt, against the cached dummy hash
    assert checked[0].startswith(f"scrypt${accounts.SCRYPT_N}$")


# -- end to end ----------------------------------------------------------------------------

def test_python_m_desktop_adds_a_user_with_both_passwords_on_stdin(path: Path) -> None:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    done = subprocess.run(
        [sys.executable, "-m", "desktop", "--db", str(path), "user", "add", "wang", "--role", "officer",
         "--user", "admin"], input=f"{PASSWORD}\nwangpass1\n", capture_output=True, text=True, cwd=ROOT, env=env,
        timeout=120)
    assert done.returncode == 0, done.stderr
    assert "已建立用户“wang”" in done.stdout
    assert can_login(path, "wang", "wangpass1")
