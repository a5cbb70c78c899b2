"""A station's own 积分制 from a definition file (`scheme add`), its catalogue with it or later
(`catalogue add-version --scheme`), and the clear refusals of a malformed definition."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.cli.conftest import run
from tests.services.builders import PASSWORD, World

DEFINITION = {
    "code": "xingzheng", "name": "行政案件办理", "subject": "person",
    "components": [{"key": "quantity", "label": "办案分", "sign": "+"},
                   {"key": "quality", "label": "质量扣分", "sign": "-"}],
    "categories": ["办案", "质量"], "periods": ["month", "year"], "policy": "abcd", "item_prefix": "XZ-",
    "signoff": [{"title": "法制员审核", "role": "clerk"}, {"title": "所长审定", "role": "chief"}],
    "rank_within": "sequence",
    "items": [{"code": "XZ-01", "category": "办案", "name": "办结行政案件", "component": "quantity", "points": "2"},
              {"code": "XZ-11", "category": "质量", "name": "案卷不合格", "component": "quality", "points": "1"}],
}


def write(tmp_path: Path, data: object, name: str = "定义.json") -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return path


def test_a_station_adds_its_own_scheme_and_scores_it(station: World, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    path = station.db.path
    assert path is not None
    assert run(path, "scheme", "add", str(write(tmp_path, DEFINITION)), "--from", "2026-01-01", "--user", "admin",
               password=PASSWORD, monkeypatch=monkeypatch) == 0
    assert "已开始运行积分制“行政案件办理”（xingzheng），考核细则 2 项" in capsys.readouterr().out
    assert run(path, "record", "--person", "101", "--item", "XZ-01", "--date", "2026-03-05", "--user", "clerk",
               password=PASSWORD, monkeypatch=monkeypatch) == 0
    capsys.readouterr()
    assert run(path, "score", "--period", "2026-03", "--scheme", "xingzheng", "--format", "json") == 0
    rows = {r["code"]: r for r in json.loads(capsys.readouterr().out)}
    assert (rows["101"]["quantity"], rows["101"]["total"], rows["101"]["rank"]) == (2, 2, 1)
    assert run(path, "scheme", "export", "xingzheng") == 0
    exported = json.loads(capsys.readouterr().out)
    assert exported["signoff"][0]["title"] == "法制员审核" and "items" not in exported
    # a later version of its catalogue: the file must fit the scheme
    later = {"name": "2026年7月修订", "items": [dict(DEFINITION["items"][0], points="3")]}  # type: ignore[index]
    assert run(path, "catalogue", "add-version", str(write(tmp_path, later, "v2.json")), "--from", "2026-07-01",
               "--scheme", "xingzheng", "--user", "clerk", password=PASSWORD, monkeypatch=monkeypatch) == 0
    capsys.readouterr()
    assert run(path, "catalogue", "export-version", "--date", "2026-07-02", "--scheme", "xingzheng") == 0
    assert json.loads(capsys.readouterr().out)["items"][0]["points"] == "3.0"
    wrong = {"name": "错的", "items": [dict(DEFINITION["items"][0], code="ZB-99")]}  # type: ignore[index]
    assert run(path, "catalogue", "add-version", str(write(tmp_path, wrong, "v3.json")), "--from", "2026-08-01",
               "--scheme", "xingzheng", "--user", "clerk", password=PASSWORD, monkeypatch=monkeypatch) == 2
    assert "编号应以“XZ-”开头" in capsys.readouterr().err


@pytest.mark.parametrize(("change", "words"), [
    ({"components": [{"key": "quantity", "label": "办案分", "sign": "*"}]}, "符号"),
    ({"item_prefix": "ZB-", "items": None}, "前缀“ZB-”已被现有项目"),  # the person scheme's items are ZB-
    ({"items": [{"code": "XZ-01", "category": "没有的类别", "name": "x", "component": "quantity", "points": "1"}]},
     "不在本积分制的考核类别中"),
    ({"subject": "team"}, "考核对象“team”不对"),
])
def test_a_malformed_definition_is_one_clear_line_and_stores_nothing(
        station: World, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
        change: dict, words: str) -> None:
    path = station.db.path
    assert path is not None
    assert run(path, "scheme", "add", str(write(tmp_path, DEFINITION | change)), "--from", "2026-01-01",
               "--user", "admin", password=PASSWORD, monkeypatch=monkeypatch) == 2
    err = capsys.readouterr().err
    assert words in err and err.count("\n") == 1 and "Traceback" not in err
    run(path, "schemes", "--format", "json")
    assert [s["code"] for s in json.loads(capsys.readouterr().out)] == ["person"]
