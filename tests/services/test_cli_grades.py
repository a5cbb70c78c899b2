"""`jifen score` for every period form, `jifen explain`, `jifen policy show|set|history`."""

from __future__ import annotations

import io
import json
import sys
from pathlib import Path

import pytest

from desktop import cli
from desktop.services import policies
from tests.factories import db_arg
from tests.services.builders import PASSWORD, World, person, rec

D_PERIODS = ("2026-03", "2026-Q1", "2026-H1", "2026")


@pytest.fixture
def station(w: World) -> World:
    with w.tx() as s:
        people = [person(s, w.dept, f"10{i}") for i in range(6)]
        for i, p in enumerate(people):
            rec(s, w.clerk, p, "BA-03", qty=90 - 10 * i)  # 90 … 40 points in March
        rec(s, w.clerk, people[5], "DL-08", with_evidence=True)
    w.db.dispose()
    return w


def run(w: World, *argv: str, stdin: str | None = None, monkeypatch: pytest.MonkeyPatch | None = None) -> int:
    if stdin is not None and monkeypatch is not None:
        monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
    return cli.main(["--db", db_arg(w.db), *argv])


@pytest.mark.parametrize("code", D_PERIODS)
def test_score_json_for_every_period_form(station: World, code: str, capsys) -> None:
    assert run(station, "score", "--period", code, "--format", "json") == 0
    rows = json.loads(capsys.readouterr().out)
    assert len(rows) == 6
    for row in rows:
        assert {"days_present", "period_days", "ranked_total", "why"} <= set(row)
        assert row["period"] == code and row["why"]
    vetoed = next(r for r in rows if r["badge"] == "105")
    assert vetoed["grade"] == "D" and "一票否决" in vetoed["why"]


def test_explain_names_the_quota_line_threshold_and_veto(station: World, capsys) -> None:
    assert run(station, "explain", "--period", "2026-03", "--person", "101", "--format", "json") == 0
    data = json.loads(capsys.readouterr().out)
    assert data["grade"] == "B" and data["reason"] == "cap" and data["missed"] == "A"
    assert "A类 ≤20%（向下取整），本组 6 人，至多 1 人" in data["quota"]
    assert "名额已满" in data["why"]
    assert run(station, "explain", "--period", "2026-Q1", "--person", "104") == 0
    text = capsys.readouterr().out
    assert "C类分数线 180 分（60 分/月 × 3 个月）" in text  # 50 points for the quarter
    assert run(station, "explain", "--period", "2026-03", "--person", "105") == 0
    assert "一票否决（2026年3月2日 受到党纪政务处分）" in capsys.readouterr().out


def test_explain_of_an_unknown_badge_is_one_chinese_line(station: World, capsys) -> None:
    assert run(station, "explain", "--period", "2026-03", "--person", "999") == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("错误：") and "999" in err and "\n" not in err


def test_policy_show_then_set_with_preview_and_password(station: World, tmp_path: Path, capsys,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    assert run(station, "policy", "show") == 0
    data = json.loads(capsys.readouterr().out)
    assert data["code"] == "abcd" and data["period_rule"] == "scaled"
    for level in data["levels"]:
        if level["code"] == "C":
            level["min_score"] = "70"
    data["code"], data["name"] = "abcd70", "C类70分"
    path = tmp_path / "政策.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")

    assert run(station, "policy", "set", str(path), "--from", "2026-03", "--preview", "--user", "chief",
               stdin=PASSWORD + "\n", monkeypatch=monkeypatch) == 0
    out = capsys.readouterr().out
    assert "将改变 1 人的等次" in out and "103 民警103（治安中队）：B → D" in out and "（仅预览，未保存）" in out
    with station.db.session() as s:
        assert len(policies.versions(s)) == 1

    assert run(station, "policy", "set", str(path), "--from", "2026-03", "--user", "chief",
               stdin=PASSWORD + "\n", monkeypatch=monkeypatch) == 0
    assert "已保存" in capsys.readouterr().out
    assert run(station, "policy", "history", "--format", "json") == 0
    history = json.loads(capsys.readouterr().out)
    assert [v["code"] for v in history] == ["abcd", "abcd70"] and history[1]["effective_from"] == "2026-03"
    assert run(station, "score", "--period", "2026-03", "--format", "json") == 0
    assert next(r for r in json.loads(capsys.readouterr().out) if r["badge"] == "103")["grade"] == "D"


@pytest.mark.parametrize(("user", "password", "message"), [
    ("clerk", PASSWORD, "无权修改等次政策"),
    ("chief", "wrong-password", "用户名或密码错误"),
    ("nobody", PASSWORD, "用户名或密码错误"),
])
def test_policy_set_is_refused_without_the_right_account(station: World, tmp_path: Path, capsys,
                                                         monkeypatch: pytest.MonkeyPatch, user: str,
                                                         password: str, message: str) -> None:
    assert run(station, "policy", "show") == 0
    path = tmp_path / "p.json"
    path.write_text(capsys.readouterr().out, encoding="utf-8")
    assert run(station, "policy", "set", str(path), "--from", "2026-04", "--user", user,
               stdin=password + "\n", monkeypatch=monkeypatch) == 2
    assert message in capsys.readouterr().err
    with station.db.session() as s:
        assert len(policies.versions(s)) == 1


def test_a_bad_policy_file_names_the_field(station: World, tmp_path: Path, capsys,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "bad.json"
    path.write_text(json.dumps({"code": "x", "name": "x", "levels": [{"code": "A", "max_share": "1.5"},
                                                                       {"code": "B"}]}), encoding="utf-8")
    assert run(station, "policy", "set", str(path), "--from", "2026-04", "--user", "chief",
               stdin=PASSWORD + "\n", monkeypatch=monkeypatch) == 2
    assert "levels[0].max_share" in capsys.readouterr().err


def test_demo_policy_option_takes_a_preset_or_a_file(tmp_path: Path, capsys) -> None:
    assert cli.main(["--db", str(tmp_path / "a.db"), "demo", "--policy", "no_such"]) == 2
    assert "既不是预设等次政策" in capsys.readouterr().err


def test_leave_recorded_on_the_command_line_keeps_a_long_absence_out_of_ranking(
        station: World, tmp_path: Path, capsys, monkeypatch: pytest.MonkeyPatch) -> None:
    assert run(station, "policy", "show") == 0
    data = json.loads(capsys.readouterr().out) | {"long_leave_days": 10}
    path = tmp_path / "p.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    assert run(station, "policy", "set", str(path), "--from", "2026-01", "--user", "chief",
               stdin=PASSWORD + "\n", monkeypatch=monkeypatch) == 0
    assert run(station, "leave", "add", "--person", "102", "--from", "2026-03-01", "--to", "2026-03-20",
               "--kind", "病假", "--user", "clerk", stdin=PASSWORD + "\n", monkeypatch=monkeypatch) == 0
    assert "共 20 天" in capsys.readouterr().out
    assert run(station, "leave", "add", "--person", "102", "--from", "2026-03-10", "--to", "2026-03-12",
               "--kind", "病假", "--user", "clerk", stdin=PASSWORD + "\n", monkeypatch=monkeypatch) == 2
    assert "已有请假记录" in capsys.readouterr().err
    assert run(station, "leave", "add", "--person", "101", "--from", "2026-03-01", "--to", "2026-03-02",
               "--kind", "休息", "--user", "clerk", stdin=PASSWORD + "\n", monkeypatch=monkeypatch) == 2
    assert "请假类别“休息”不对" in capsys.readouterr().err
    assert run(station, "leave", "add", "--person", "101", "--from", "2026-03-01", "--to", "2026-03-02",
               "--kind", "病假", "--user", "officer", stdin=PASSWORD + "\n", monkeypatch=monkeypatch) == 2
    assert run(station, "leave", "list", "--format", "json") == 0
    capsys.readouterr()
    assert run(station, "score", "--period", "2026-03", "--format", "json") == 0
    row = next(r for r in json.loads(capsys.readouterr().out) if r["badge"] == "102")
    assert row["grade"] is None and row["excluded_reason"] == "本期请假 20 天，超过 10 天"
