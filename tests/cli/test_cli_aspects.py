"""`jifen aspects`: the 政绩档案's category → aspect mapping listed and changed from a terminal."""

from __future__ import annotations

import json

import pytest

from desktop.models.db import open_database
from desktop.services import station_settings
from tests.cli.conftest import run
from tests.services.builders import PASSWORD, World


def listing(station: World, capsys: pytest.CaptureFixture[str]) -> dict[str, dict[str, object]]:
    assert run(station.db.path, "aspects", "--format", "json") == 0
    return {row["category"]: row for row in json.loads(capsys.readouterr().out)}


def stored(station: World) -> dict[str, str]:
    db = open_database(station.db.path)
    try:
        with db.session() as s:
            return station_settings.file_aspects(s)
    finally:
        db.dispose()


def test_list_the_mapping(station: World, capsys) -> None:
    rows = listing(station, capsys)
    assert rows["值班备勤"]["aspect"] == "考勤考核" and rows["值班备勤"]["source"] == "default"
    assert rows["上级考评"]["aspect"] == "奖励惩处" and rows["上级考评"]["exceptions"]["SJ-03"] == "工作成绩"
    assert set(rows["党风廉政"]) >= {"category", "aspect", "aspect_order", "source", "source_label", "default",
                                    "in_catalogue", "exceptions", "note"}
    assert run(station.db.path, "aspects") == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0].split() == ["方面", "类别", "归类来源", "说明"]
    assert "考勤考核  值班备勤" in out
    assert run(station.db.path, "aspects", "--format", "csv") == 0
    assert capsys.readouterr().out.startswith("方面,类别,归类来源,说明,")


def test_set_and_reset_a_category(station: World, capsys, monkeypatch) -> None:
    path = station.db.path
    assert run(path, "aspects", "set", "服务态度", "工作成绩", "--user", "admin", password=PASSWORD,
               monkeypatch=monkeypatch) == 0
    assert "已设置：类别“服务态度”计入“工作成绩”（本单位设置）" in capsys.readouterr().out
    assert stored(station) == {"服务态度": "工作成绩"}
    rows = listing(station, capsys)
    assert rows["服务态度"]["aspect"] == "工作成绩" and rows["服务态度"]["source_label"] == "本单位设置"
    assert run(path, "aspects", "set", "服务态度", "默认", "--user", "admin", password=PASSWORD,
               monkeypatch=monkeypatch) == 0
    assert "恢复默认" in capsys.readouterr().out
    assert stored(station) == {}


@pytest.mark.parametrize(("argv", "message"), [
    (["服务态度", "作风"], "“作风”不是政绩档案的方面"),
    (["后勤保障", "工作成绩"], "类别“后勤保障”不在考核细则中"),
])
def test_bad_input_is_one_chinese_line_and_status_2(station: World, capsys, monkeypatch, argv, message) -> None:
    code = run(station.db.path, "aspects", "set", *argv, "--user", "admin", password=PASSWORD,
               monkeypatch=monkeypatch)
    err = capsys.readouterr().err.strip()
    assert code == 2 and err.startswith("错误：") and message in err and "\n" not in err
    assert stored(station) == {}


def test_only_an_administrator_changes_it(station: World, capsys, monkeypatch) -> None:
    code = run(station.db.path, "aspects", "set", "服务态度", "工作成绩", "--user", "clerk", password=PASSWORD,
               monkeypatch=monkeypatch)
    assert code == 2 and "无权修改单位设置" in capsys.readouterr().err
    assert stored(station) == {}


def test_missing_aspect_is_a_usage_error(station: World, capsys) -> None:
    with pytest.raises(SystemExit) as exit_info:
        run(station.db.path, "aspects", "set", "服务态度", "--user", "admin")
    assert exit_info.value.code == 2 and "参数错误" in capsys.readouterr().err
