"""A bureau server that demands a password (issue #19): the rest of the server tests run on a
cluster that trusts every login, so nothing there shows that a password is really asked for,
really sent, and still never kept.

Here one role of the test cluster must give its password (scram-sha-256, PostgreSQL's default
for a real server): `pg_hba.conf` gets a line for that role before the cluster's `trust` lines,
and the server reloads it. Everything else on the cluster stays trusted.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog
from sqlalchemy.engine import make_url

from desktop import cli
from desktop.models.db import Database
from desktop.ui import prefs
from desktop.ui.dialogs.server_connect import ServerConnectDialog
from tests import factories
from tests.factories import db_arg, pg_admin

ROLE = "kaohe_pw"
SECRET = "Kaohe-19-pw"


@pytest.fixture(scope="session")
def password_role(pg_cluster) -> str:  # type: ignore[no-untyped-def]
    """A role that signs in to the cluster with SECRET only."""
    with pg_admin(pg_cluster) as conn:
        # A superuser, so it reads every table a station's schema holds without a list of GRANTs:
        # what is tested is how it signs in, not what it may read once in.
        conn.exec_driver_sql(f"CREATE ROLE {ROLE} LOGIN SUPERUSER PASSWORD '{SECRET}'")
        hba = Path(conn.exec_driver_sql("SHOW hba_file").scalar_one())
        hba.write_text(f"local all {ROLE} scram-sha-256\n" + hba.read_text())
        conn.exec_driver_sql("SELECT pg_reload_conf()")
    return ROLE


@pytest.fixture
def station_address(pg_db: Database, password_role: str) -> str:
    """The test station's server address, signed in to as the password role (no password in it)."""
    with pg_db.transaction() as session:
        factories.station(session)
    return make_url(db_arg(pg_db)).set(drivername="postgresql", username=password_role) \
        .render_as_string(hide_password=False)


def test_the_command_line_without_the_password_is_refused_in_chinese(station_address, monkeypatch, capsys):  # type: ignore[no-untyped-def]
    monkeypatch.delenv("PGPASSWORD", raising=False)
    monkeypatch.setenv("PGPASSFILE", "/nonexistent")
    assert cli.main(["--db", station_address, "people"]) == 2
    err = capsys.readouterr().err
    assert "服务器拒绝了登录" in err and "PGPASSWORD" in err and "Traceback" not in err

    monkeypatch.setenv("PGPASSWORD", "wrong-one")
    assert cli.main(["--db", station_address, "people"]) == 2
    assert "服务器拒绝了登录" in capsys.readouterr().err


def test_the_command_line_takes_the_password_from_pgpassword_or_the_pgpass_file(
        station_address, monkeypatch, capsys, tmp_path):  # type: ignore[no-untyped-def]
    monkeypatch.setenv("PGPASSFILE", "/nonexistent")
    monkeypatch.setenv("PGPASSWORD", SECRET)
    assert cli.main(["--db", station_address, "people", "--format", "json"]) == 0
    assert capsys.readouterr().out.strip() == "[]"

    monkeypatch.delenv("PGPASSWORD")
    pgpass = tmp_path / "pgpass"
    pgpass.write_text(f"*:*:*:{ROLE}:{SECRET}\n")
    pgpass.chmod(0o600)  # libpq ignores a pgpass file others can read
    monkeypatch.setenv("PGPASSFILE", str(pgpass))
    assert cli.main(["--db", station_address, "people", "--format", "json"]) == 0


def test_the_dialog_asks_for_the_password_uses_it_and_keeps_it_nowhere(qtbot, station_address, monkeypatch):  # type: ignore[no-untyped-def]
    monkeypatch.delenv("PGPASSWORD", raising=False)
    monkeypatch.setenv("PGPASSFILE", "/nonexistent")
    dialog = ServerConnectDialog()
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.address.clear()
    qtbot.keyClicks(dialog.address, station_address)

    # Without the password: the server's refusal in Chinese, the dialog open for the password.
    qtbot.mouseClick(dialog.connect_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not dialog.connecting, timeout=30000)
    assert dialog.connected is None and dialog.isVisible()
    assert "服务器拒绝了登录" in dialog.message.text()

    qtbot.keyClicks(dialog.password, SECRET)
    qtbot.keyClick(dialog.password, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: dialog.connected is not None, timeout=30000)
    assert dialog.result() == QDialog.DialogCode.Accepted
    connected = dialog.connected
    assert connected.station == ("测试派出所", "150302")
    assert SECRET not in connected.target and SECRET not in connected.shown
    connected.db.dispose()

    store = prefs.settings()
    store.sync()
    kept = Path(store.fileName())
    assert prefs.last_server()[0] == station_address
    assert SECRET not in (kept.read_text("utf-8", "replace") if kept.exists() else "")
