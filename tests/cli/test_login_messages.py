"""An unknown user and a wrong password get the very same answer, on the command line too."""

from __future__ import annotations

from pathlib import Path

import pytest

from desktop.services import accounts
from desktop.services.errors import AuthError
from tests.cli.conftest import run
from tests.exchange import messy
from tests.services.builders import World


def _login_message(w: World, username: str, password: str) -> str:
    with pytest.raises(AuthError) as caught, w.tx() as s:
        accounts.login(s, username, password)
    return str(caught.value)


def test_unknown_user_and_wrong_password_read_the_same(station: World) -> None:
    unknown = _login_message(station, "nobody", "wrong")
    wrong = [_login_message(station, "clerk", "wrong") for _ in range(accounts.MAX_FAILURES - 1)]
    assert unknown == "用户名或密码错误"
    assert wrong == [unknown] * (accounts.MAX_FAILURES - 1)
    assert "锁定" in _login_message(station, "clerk", "wrong")  # the fifth still says the account is locked


def test_the_import_command_answers_both_alike(station: World, tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    path = station.db.path
    assert path is not None
    book = messy.roster_book(tmp_path / "名册.xlsx")
    assert run(path, "import", str(book), "--user", "nobody", password="wrong", monkeypatch=monkeypatch) == 2
    unknown = capsys.readouterr().err
    assert run(path, "import", str(book), "--user", "clerk", password="wrong", monkeypatch=monkeypatch) == 2
    assert capsys.readouterr().err == unknown == "错误：用户名或密码错误\n"
