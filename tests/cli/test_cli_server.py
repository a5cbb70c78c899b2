"""`jifen --db postgresql://…` (issue #19): a server that cannot be reached, a database that is
not there and an address without a database name each get one Chinese line and exit status 2;
a reachable one runs the command as on a station's file."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from desktop import cli
from tests import factories
from tests.factories import db_arg
from tests.services.builders import rec, world


def test_a_server_that_does_not_answer_is_named(tmp_path, capsys: pytest.CaptureFixture[str]) -> None:  # type: ignore[no-untyped-def]
    code = cli.main(["--db", f"postgresql://jifen@/jifen?host={tmp_path}", "people"])
    err = capsys.readouterr().err
    assert code == 2
    assert "连不上数据库服务器“postgresql://jifen@/jifen" in err and "Traceback" not in err


def test_an_address_without_a_database_is_refused(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["--db", "postgresql://jifen@10.0.0.1", "people"]) == 2
    assert "没有写数据库名" in capsys.readouterr().err


def test_a_database_missing_on_the_server_is_named(pg_cluster, capsys: pytest.CaptureFixture[str]) -> None:  # type: ignore[no-untyped-def]
    assert cli.main(["--db", pg_cluster.url("nowhere").replace("+psycopg", ""), "people"]) == 2
    assert "服务器上没有数据库“nowhere”" in capsys.readouterr().err


def test_commands_run_on_a_server_database(pg_db, capsys: pytest.CaptureFixture[str]) -> None:  # type: ignore[no-untyped-def]
    w = world(pg_db)
    with w.tx() as s:
        rec(s, w.clerk, factories.person(s, w.dept, "001", "王伟"), "ZB-01", dt.date(2026, 3, 5))
    assert cli.main(["--db", db_arg(pg_db), "people", "--format", "json"]) == 0
    assert [p["name"] for p in json.loads(capsys.readouterr().out)] == ["王伟"]
    assert cli.main(["--db", db_arg(pg_db), "score", "--period", "2026-03", "--format", "json"]) == 0
    [row] = json.loads(capsys.readouterr().out)
    assert row["badge"] == "001" and row["total"] is not None


@pytest.mark.parametrize("command", [["backup"], ["backups"], ["restore", "x.db", "--user", "admin"]])
def test_backups_of_a_server_database_are_the_administrators(pg_db, command, capsys) -> None:  # type: ignore[no-untyped-def]
    assert cli.main(["--db", db_arg(pg_db), *command]) == 2
    err = capsys.readouterr().err
    assert "pg_dump" in err and "Traceback" not in err


def test_audit_verify_runs_on_a_server_database(pg_db, capsys) -> None:  # type: ignore[no-untyped-def]
    w = world(pg_db)
    with w.tx() as s:
        rec(s, w.clerk, factories.person(s, w.dept, "001", "王伟"), "ZB-01", dt.date(2026, 3, 5))
    assert cli.main(["--db", db_arg(pg_db), "audit", "verify"]) == 0
    assert "审计记录哈希链逐条校验通过" in capsys.readouterr().out
