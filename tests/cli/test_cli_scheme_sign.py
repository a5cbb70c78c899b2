"""`jifen scheme freeze|sign|status|reopen`: a 基层基础 month signed by 所长 then 治安大队 on the
command line, and `score --scheme` showing what was signed."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from desktop.services import units
from tests.cli.conftest import run
from tests.services.builders import PASSWORD, World


def test_a_month_is_submitted_signed_locked_and_reopened(station: World, monkeypatch: pytest.MonkeyPatch,
                                                        capsys: pytest.CaptureFixture[str]) -> None:
    path = station.db.path
    assert path is not None

    def as_user(user: str, *argv: str) -> int:
        return run(path, *argv, "--user", user, password=PASSWORD, monkeypatch=monkeypatch)

    assert as_user("admin", "scheme", "install", "jiceng", "--from", "2026-01-01") == 0
    with station.tx() as s:
        units.add_unit(s, station.admin, units.UnitInput(code="J1", name="城关警务室", kind="post", post_class=1))
    assert as_user("clerk", "record", "--unit", "J1", "--item", "JC-01", "--points", "18", "--date", "2026-03-05") == 0
    assert as_user("clerk", "scheme", "freeze", "jiceng", "--period", "2026-03") == 0
    assert "已提交签核：基层基础 2026年3月" in capsys.readouterr().out
    assert as_user("clerk", "scheme", "sign", "jiceng", "--period", "2026-03") == 2
    assert "“派出所所长审核”需由所长/教导员签字" in capsys.readouterr().err
    assert as_user("chief", "scheme", "sign", "jiceng", "--period", "2026-03") == 0
    assert as_user("clerk", "scheme", "sign", "jiceng", "--period", "2026-03") == 0
    assert "签核完毕，已锁定" in capsys.readouterr().out
    assert run(path, "scheme", "status", "jiceng", "--period", "2026-03", "--format", "json") == 0
    status = json.loads(capsys.readouterr().out)
    assert (status["state"], status["next_step"], [x["step"] for x in status["signatures"]]) == (
        "locked", "", ["派出所所长审核", "治安大队复核通报"])
    assert as_user("clerk", "record", "--unit", "J1", "--item", "JC-11", "--date", "2026-03-06") == 2
    assert "已签核锁定" in capsys.readouterr().err
    assert run(path, "score", "--period", "2026-03", "--scheme", "jiceng", "--format", "json") == 0
    [row] = json.loads(capsys.readouterr().out)
    assert (row["total"], row["state"], row["rank"]) == (18, "locked", 1)
    assert as_user("chief", "scheme", "reopen", "jiceng", "--period", "2026-03", "--reason", "治安大队通报有误") == 0
    assert as_user("clerk", "record", "--unit", "J1", "--item", "JC-11", "--date", "2026-03-06") == 0


def test_the_person_scheme_and_an_unknown_period_are_one_line(station: World, monkeypatch: pytest.MonkeyPatch,
                                                             capsys: pytest.CaptureFixture[str]) -> None:
    path = station.db.path
    assert path is not None
    assert run(path, "scheme", "freeze", "person", "--period", "2026-03", "--user", "clerk", password=PASSWORD,
               monkeypatch=monkeypatch) == 2
    assert "jifen period submit/sign" in capsys.readouterr().err
    assert run(path, "scheme", "status", "person", "--period", "2026-13") == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err


def test_score_units_ranks_enforcement_units_and_refuses_a_scheme_without(
        station: World, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    path = station.db.path
    assert path is not None
    for code in ("zhifa", "jiceng"):
        assert run(path, "scheme", "install", code, "--from", "2026-01-01", "--user", "admin", password=PASSWORD,
                   monkeypatch=monkeypatch) == 0
    with station.tx() as s:
        units.add_unit(s, station.admin, units.UnitInput(code="E1", name="办案组", kind="enforcement",
                                                         sequence="派出所序列"))
        units.add_member(s, station.admin, "E1", "101", start=dt.date(2026, 1, 1))
    capsys.readouterr()
    assert run(path, "score", "--period", "2026-03", "--scheme", "zhifa", "--units", "--format", "json") == 0
    [row] = json.loads(capsys.readouterr().out)
    assert (row["code"], row["kind"], row["sequence"], row["members"], row["rank"]) == (
        "E1", "enforcement", "派出所序列", 1, 1)
    assert run(path, "score", "--period", "2026-03", "--scheme", "jiceng", "--units") == 2
    assert "不做单位排名" in capsys.readouterr().err
