"""`jifen record` by an officer, `review`, `rate`, `period sign --department`, `users`, `reviewers`,
`probation`, `complaint`, `alerts`, `late`: issue #15 from a terminal."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from desktop.models.db import Database
from tests.cli.conftest import run
from tests.services.builders import PASSWORD
from tests.services.review_world import Station, review_station


@pytest.fixture
def station(db: Database) -> Station:
    st = review_station(db)
    db.dispose()
    return st


class Cli:
    def __init__(self, path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
        self.path, self.capsys, self.monkeypatch = path, capsys, monkeypatch

    def __call__(self, *argv: str, user: str | None = None) -> tuple[int, str, str]:
        self.capsys.readouterr()
        if user is None:
            code = run(self.path, *argv)
        else:
            code = run(self.path, *argv, "--user", user, password=PASSWORD, monkeypatch=self.monkeypatch)
        out, err = self.capsys.readouterr()
        return code, out.strip(), err.strip()

    def json(self, *argv: str, user: str | None = None) -> object:
        code, out, err = self(*argv, "--format", "json", user=user)
        assert code == 0, err
        return json.loads(out)


@pytest.fixture
def cli(station: Station, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> Cli:
    assert station.w.db.path is not None
    return Cli(station.w.db.path, capsys, monkeypatch)


def test_an_officer_records_a_pending_report_his_head_decides(cli: Cli) -> None:
    code, out, err = cli("record", "--item", "ZB-03", "--date", "2026-03-10", user="uA")
    assert code == 0 and out.startswith("已提交自报（待审核") and "韩队长" in out, err
    code, out, _ = cli("record", "--item", "JJ-01", "--date", "2026-03-10", "--qty", "2", user="uA")
    assert code == 0
    code, _, err = cli("record", "--person", "B01", "--item", "ZB-01", "--date", "2026-03-10", user="uA")
    assert code == 2 and "只能自报本人" in err

    rows = cli.json("entries", "--period", "2026-03", "--person", "A01")
    assert [(r["item_code"], r["review_status"], r["status"], r["reviewer"]) for r in rows] == [
        ("ZB-03", "pending", "待审核", "韩队长"), ("JJ-01", "pending", "待审核", "韩队长")]
    assert cli.json("score", "--period", "2026-03")  # nothing counted yet
    queue = cli.json("review", "pending", user="uH")
    assert [r["item_code"] for r in queue] == ["ZB-03", "JJ-01"] and cli.json("review", "pending", user="uG") == []
    night, calls = (r["id"] for r in queue)
    assert cli("review", "approve", str(night), user="uG")[0] == 2  # not his officer
    assert cli("review", "approve", str(night), user="uH")[0] == 0
    code, _, err = cli("review", "reject", str(calls), user="uH")
    assert code == 2 and "须填写理由" in err
    assert cli("review", "reject", str(calls), "--reason", "当日无处警记录", user="uH")[0] == 0
    rows = cli.json("entries", "--period", "2026-03", "--person", "A01")
    assert [(r["item_code"], r["review_status"], r["source"]) for r in rows] == [
        ("ZB-03", "counted", "民警自报"), ("JJ-01", "rejected", "民警自报")]
    mine = cli.json("review", "mine", user="uA")
    assert {r["item_code"]: (r["status"], r["reason"]) for r in mine} == {
        "ZB-03": ("approved", ""), "JJ-01": ("rejected", "当日无处警记录")}


def test_users_list_the_badges_each_account_reviews(cli: Cli) -> None:
    users = {u["username"]: u for u in cli.json("users")}
    assert users["uH"]["badge"] == "H01" and sorted(users["uH"]["reviews"]) == ["A01", "B01"]
    assert sorted(users["uL"]["reviews"]) == ["G01", "H01"] and users["uA"]["reviews"] == []
    who = {p["badge"]: (p["reviewer_badge"], p["basis"]) for p in cli.json("reviewers")["people"]}
    assert who["A01"] == ("H01", "head") and who["H01"] == ("L01", "leader")


def test_department_sheets_are_signed_by_their_heads(cli: Cli) -> None:
    march = ("--period", "2026-03")
    assert cli("period", "submit", *march, user="clerk")[0] == 0
    for badge in ("H01", "A01", "G01", "C01", "L01"):
        assert cli("period", "confirm", *march, "--person", badge, user="clerk")[0] == 0
    code, _, err = cli("period", "sign", *march, user="uH")
    assert code == 2 and "白民警尚未确认" in err
    assert cli("period", "excuse", *march, "--person", "B01", "--reason", "病假", user="clerk")[0] == 0
    code, _, err = cli("period", "sign", *march, "--step", "2", user="uH")
    assert code == 2 and "当前待签的是第 1 步" in err
    code, _, err = cli("period", "sign", *march, "--department", "巡逻中队", user="uH")
    assert code == 2 and "不需要" in err
    code, out, _ = cli("period", "sign", *march, "--step", "1", user="uH")
    assert code == 0 and "[治安中队]" in out
    assert cli("period", "sign", *march, user="uG")[0] == 0
    code, out, _ = cli("period", "sign", *march, user="uL")  # the heads' lines
    assert code == 0 and "韩队长一行" in out and "高队长一行" in out
    assert cli("period", "sign", *march, user="chief")[0] == 0  # the 副所长's own line
    code, out, _ = cli("period", "sign", *march, "--checked", user="jdy")
    assert code == 0 and out.endswith("已锁定")
    march_row = next(p for p in cli.json("periods") if p["code"] == "2026-03")
    assert {s["department"] for s in march_row["sheet_signatures"]} == {"治安中队", "巡逻中队"}
    assert cli("period", "reopen", *march, "--reason", "督察通报迟到未记", user="chief")[0] == 0
    march_row = next(p for p in cli.json("periods") if p["code"] == "2026-03")
    assert march_row["sheet_signatures"] == [] and len(march_row["revoked_signatures"]) == 6
    assert all("督察通报迟到未记" in line for line in march_row["revoked_signatures"])


def test_rate_probation_complaints_alerts_and_bad_input(cli: Cli) -> None:
    code, _, err = cli("rate", "--period", "2026-03", "--person", "A01", "--level", "优秀", user="uH")
    assert code == 2 and "按积分评定等次" in err  # the station's policy grades from points
    assert cli("rate", "--period", "2026-03", "--person", "A01", "--remark", "本月表现好", user="uH")[0] == 0
    code, _, err = cli("probation", "add", "--person", "A01", "--start", "2026-04-01", "--end", "2026-06-30",
                       "--cause", "迟到", user="chief")
    assert code == 2 and "试岗原因" in err
    assert cli("probation", "add", "--person", "A01", "--start", "2026-04-01", "--end", "2026-06-30",
               "--cause", "discipline", user="chief")[0] == 0
    assert [p["cause_label"] for p in cli.json("probation", "list")] == ["不遵守纪律规定"]
    assert cli("complaint", "add", "--date", "2026-03-12", "--source", "hotline", "--content", "态度生硬",
               "--person", "A01", "--anonymous", user="clerk")[0] == 0
    [complaint] = cli.json("complaint", "list")
    assert complaint["outcome"] == "pending" and complaint["anonymous"] is True
    code, _, err = cli("complaint", "verify", str(complaint["id"]), "--outcome", "真的", "--finding", "x",
                       user="clerk")
    assert code == 2 and "核实结果" in err
    for day in ("2026-03-03", "2026-03-09", "2026-03-17"):
        assert cli("record", "--person", "A01", "--item", "ZB-08", "--date", day, user="clerk")[0] == 0
    alerts = cli.json("alerts", "--date", "2026-03-20")
    assert [(a["badge"], a["rule"], a["reviewer"]) for a in alerts] == [("A01", "deductions", "韩队长")]
    assert cli("publish", "on", user="admin")[0] == 0
    assert cli("publish", "on", user="uA")[0] == 2


def test_alert_rules_are_set_from_the_command_line(cli: Cli) -> None:
    code, _, err = cli("alerts", "rules", "--deductions", "三次", user="admin")
    assert code == 2 and "应写作数字" in err
    code, out, _ = cli("alerts", "rules", "--deductions", "2/10", "--low-months", "off", user="admin")
    assert code == 0 and out == "预警规则已保存：10 天内同类扣分 2 次"
    assert cli("alerts", "rules", "--low-months", "3", user="clerk")[0] == 2  # an administrator's setting
    for day in ("2026-03-03", "2026-03-09"):
        assert cli("record", "--person", "A01", "--item", "ZB-08", "--date", day, user="clerk")[0] == 0
    assert [a["badge"] for a in cli.json("alerts", "--date", "2026-03-10")] == ["A01"]
