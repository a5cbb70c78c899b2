"""`jifen schemes`, `scheme install` and `score --scheme` on a station running the 汉阴 presets."""

from __future__ import annotations

import json

import pytest

from desktop.services import units
from tests.cli.conftest import run
from tests.services.builders import PASSWORD, World


def test_each_preset_installs_and_scores(station: World, monkeypatch: pytest.MonkeyPatch,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    path = station.db.path
    assert path is not None
    for code in ("dangjian", "jiceng", "zhifa", "duiwu"):
        assert run(path, "scheme", "install", code, "--from", "2026-01-01", "--user", "admin",
                   password=PASSWORD, monkeypatch=monkeypatch) == 0
    capsys.readouterr()
    assert run(path, "schemes", "--format", "json") == 0
    listed = json.loads(capsys.readouterr().out)
    assert [s["code"] for s in listed] == ["person", "dangjian", "jiceng", "zhifa", "duiwu"]
    assert {"code", "name", "subject", "categories"} <= set(listed[0])
    with station.tx() as s:
        units.add_unit(s, station.admin, units.UnitInput(code="J1", name="城关警务室", kind="post", post_class=1))
    assert run(path, "record", "--unit", "J1", "--item", "JC-01", "--points", "18", "--date", "2026-03-05", "--user", "clerk",
               password=PASSWORD, monkeypatch=monkeypatch) == 0
    capsys.readouterr()
    assert run(path, "score", "--period", "2026-03", "--scheme", "jiceng", "--format", "json") == 0
    [row] = json.loads(capsys.readouterr().out)
    assert {"code", "name", "kind", "class", "sequence", "total", "rank", "grade", "why", "base", "bonus",
            "deduction"} <= set(row)
    assert (row["code"], row["kind"], row["class"], row["rank"]) == ("J1", "post", 1, 1)
    assert row["total"] == row["base"] == 18


def test_an_unknown_scheme_and_a_second_install_are_one_line(station: World, monkeypatch: pytest.MonkeyPatch,
                                                            capsys: pytest.CaptureFixture[str]) -> None:
    path = station.db.path
    assert path is not None
    assert run(path, "score", "--period", "2026-03", "--scheme", "nope") == 2
    assert "没有代码为“nope”的积分制" in capsys.readouterr().err
    assert run(path, "scheme", "install", "zhifa", "--from", "2026-01-01", "--user", "admin", password=PASSWORD,
               monkeypatch=monkeypatch) == 0
    assert run(path, "scheme", "install", "zhifa", "--from", "2026-01-01", "--user", "admin", password=PASSWORD,
               monkeypatch=monkeypatch) == 2
    assert "已经在运行" in capsys.readouterr().err
    assert run(path, "scheme", "install", "dangjian", "--from", "2026-01-01", "--user", "clerk",
               password=PASSWORD, monkeypatch=monkeypatch) == 2


def test_a_unit_entry_must_suit_the_schemes_subject(station: World, monkeypatch: pytest.MonkeyPatch,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    path = station.db.path
    assert path is not None
    assert run(path, "scheme", "install", "jiceng", "--from", "2026-01-01", "--user", "admin", password=PASSWORD,
               monkeypatch=monkeypatch) == 0
    with station.tx() as s:
        units.add_unit(s, station.admin, units.UnitInput(code="DZB-1", name="第一党支部", kind="branch"))
    capsys.readouterr()
    assert run(path, "record", "--unit", "DZB-1", "--item", "JC-11", "--date", "2026-03-05", "--user", "clerk",
               password=PASSWORD, monkeypatch=monkeypatch) == 2
    assert "属于积分制“基层基础”，只能记给警务室；“第一党支部”不是" in capsys.readouterr().err


def test_the_reviewing_unit_confirms_and_adjusts_cases(station: World, monkeypatch: pytest.MonkeyPatch,
                                                       capsys: pytest.CaptureFixture[str]) -> None:
    path = station.db.path
    assert path is not None
    assert run(path, "scheme", "install", "zhifa", "--from", "2026-01-01", "--user", "admin", password=PASSWORD,
               monkeypatch=monkeypatch) == 0
    for case in ("A-1", "A-2"):
        assert run(path, "record", "--person", "101", "--item", "ZF-01", "--date", "2026-03-05", "--case", case,
                   "--user", "clerk", password=PASSWORD, monkeypatch=monkeypatch) == 0
    capsys.readouterr()
    assert run(path, "case", "ledger", "--period", "2026-03", "--format", "json") == 0
    ledger = json.loads(capsys.readouterr().out)
    assert [(c["case_no"], c["counted"], c["pending"]) for c in ledger] == [("A-1", 0, 1), ("A-2", 0, 1)]
    first, second = ledger[0]["entries"][0], ledger[1]["entries"][0]
    recorded = ledger[0]["recorded"]
    assert run(path, "case", "review", first, "--user", "clerk", password=PASSWORD, monkeypatch=monkeypatch) == 0
    assert run(path, "case", "review", second, "--points", "1", "--user", "clerk", password=PASSWORD,
               monkeypatch=monkeypatch) == 2
    assert "须写明理由" in capsys.readouterr().err
    assert run(path, "case", "review", second, "--points", "1", "--reason", "证据不足", "--user", "clerk",
               password=PASSWORD, monkeypatch=monkeypatch) == 0
    assert run(path, "case", "review", second, "--user", "officer", password=PASSWORD,
               monkeypatch=monkeypatch) == 2
    capsys.readouterr()
    assert run(path, "case", "ledger", "--period", "2026-03", "--format", "json") == 0
    after = json.loads(capsys.readouterr().out)
    assert [(c["counted"], c["pending"]) for c in after] == [(recorded, 0), (1, 0)]
