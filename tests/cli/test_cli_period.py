"""`jifen period …`, `periods`, `override`, `award …`: a month reviewed, signed along the default
chain (所长, then 教导员) and locked from a terminal, with the services' own refusals."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from desktop.models.db import Database
from tests.cli.conftest import run
from tests.services.builders import PASSWORD, World, five_people, locked, world

PERIOD_KEYS = ["code", "label", "kind", "kind_label", "state", "state_label", "signatures", "next_step",
               "computed_at", "locked_at", "sheet_signatures", "revoked_signatures"]
AWARD_KEYS = ["id", "uuid", "period", "badge", "name", "title", "note", "given_by", "given_by_name", "given_at"]


@pytest.fixture
def graded(db: Database) -> World:
    """Five 民警 001…005 at 105 … 101 points in March: grades A B B C C under abcd."""
    w = world(db, starting_score=1000)
    with w.tx() as s:
        five_people(s, w)
    w.db.dispose()
    return w


class Cli:
    """`jifen --db …` for one station, signing in with the builders' password."""

    def __init__(self, w: World, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
        assert w.db.path is not None
        self.path: Path = w.db.path
        self.capsys, self.monkeypatch = capsys, monkeypatch

    def __call__(self, *argv: str, user: str | None = None, password: str = PASSWORD) -> tuple[int, str, str]:
        self.capsys.readouterr()
        if user is None:
            code = run(self.path, *argv)
        else:
            code = run(self.path, *argv, "--user", user, password=password, monkeypatch=self.monkeypatch)
        out, err = self.capsys.readouterr()
        return code, out.strip(), err.strip()

    def refused(self, *argv: str, user: str | None = None, password: str = PASSWORD) -> str:
        """A refusal: exit 2 and one Chinese line on stderr, no traceback."""
        code, _out, err = self(*argv, user=user, password=password)
        assert code == 2 and err.startswith("错误：") and len(err.splitlines()) == 1, err
        return err

    def json(self, *argv: str) -> list[dict[str, object]]:
        code, out, err = self(*argv, "--format", "json")
        assert code == 0, err
        return json.loads(out)

    def confirm_all(self, code: str, badges: str = "001 002 003 004 005") -> None:
        """The clerk records everyone's paper confirmation: an unconfirmed sheet is not signed."""
        for badge in badges.split():
            assert self("period", "confirm", "--period", code, "--person", badge, user="clerk")[0] == 0

    def period(self, code: str) -> dict[str, object]:
        return next(p for p in self.json("periods") if p["code"] == code)


@pytest.fixture
def cli(graded: World, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> Cli:
    return Cli(graded, capsys, monkeypatch)


def test_a_month_is_submitted_signed_by_each_step_and_locked(cli: Cli, graded: World) -> None:
    code, out, _ = cli("period", "submit", "--period", "2026-03", user="clerk")
    assert (code, out) == (0, "已提交审核：2026年3月现为“审核中”，民警可确认或提出异议")
    cli.confirm_all("2026-03")
    march = cli.period("2026-03")
    assert (march["state"], march["state_label"], march["next_step"]) == ("review", "审核中", "中队长审核")

    code, out, _ = cli("period", "sign", "--period", "2026-03", user="chief")
    assert code == 0 and out.startswith("已签字：2026年3月“中队长审核”") and "下一步“教导员签字”" in out
    # One person may not sign two steps of the chain.
    assert "同一人不能" in cli.refused("period", "sign", "--period", "2026-03", user="chief")
    # The last signature locks the month: the lock checklist must be acknowledged first.
    refused = cli.refused("period", "sign", "--period", "2026-03", user="jdy")
    assert "签字前须逐项核对：1. 本月还没有评定奖励" in refused and "加 --checked 再签字" in refused
    assert all(p["state"] != "locked" for p in cli.json("periods") if p["code"] == "2026-03")
    code, out, _ = cli("period", "sign", "--period", "2026-03", "--checked", user="jdy")
    assert code == 0 and out.endswith("签核流程完成，2026年3月已锁定")

    march = cli.period("2026-03")
    assert list(march) == PERIOD_KEYS
    assert (march["kind"], march["state"], march["state_label"], march["next_step"]) == (
        "month", "locked", "已锁定", None)
    assert march["locked_at"] and march["computed_at"]
    signatures = march["signatures"]
    assert isinstance(signatures, list)
    assert [(s["step"], s["role"], s["user"], s["display_name"]) for s in signatures] == [
        ("中队长审核", "chief", "chief", "chief"), ("教导员签字", "chief", "jdy", "jdy")]
    assert all(str(s["signed_at"]).endswith("+00:00") for s in signatures)
    # A month is locked by its last signature, not by `lock`; and nothing more can be recorded.
    assert "需先提交审核" in cli.refused("period", "lock", "--period", "2026-03", user="chief")
    assert "已锁定" in cli.refused("record", "--person", "001", "--item", "ZB-01", "--date", "2026-03-20",
                                   user="clerk")

    # `lock` is for a quarter whose months are all locked (January and February here in-process).
    with graded.tx() as s:
        locked(s, graded, "2026-01")
        locked(s, graded, "2026-02")
    graded.db.dispose()
    assert cli("period", "submit", "--period", "2026-Q1", user="clerk")[0] == 0
    assert "无权锁定考核周期" in cli.refused("period", "lock", "--period", "2026-Q1", user="clerk")
    code, out, _ = cli("period", "lock", "--period", "2026-Q1", user="chief")
    assert (code, out) == (0, "已锁定：2026年第一季度，结果已保存，积分不能再更改")
    quarter = cli.period("2026-Q1")
    assert (quarter["kind"], quarter["state"], quarter["signatures"]) == ("quarter", "locked", [])


def test_a_wrong_password_signs_nothing(cli: Cli) -> None:
    assert cli("period", "submit", "--period", "2026-03", user="clerk")[0] == 0
    cli.confirm_all("2026-03")
    assert cli.refused("period", "sign", "--period", "2026-03", user="chief", password="wrong") == \
        "错误：用户名或密码错误"
    assert cli.period("2026-03")["signatures"] == []


def test_confirmations_disputes_and_their_resolution(cli: Cli) -> None:
    march = ("--period", "2026-03")
    assert "不在审核中" in cli.refused("period", "confirm", *march, "--person", "001", user="clerk")
    assert cli("period", "submit", *march, user="clerk")[0] == 0
    cli.confirm_all("2026-03")
    # The officer account is nobody's: it may speak only for its own sheet.
    assert "只能确认或反馈本人" in cli.refused("period", "confirm", *march, "--person", "001", user="officer")
    code, out, _ = cli("period", "confirm", *march, "--person", "001", user="clerk")
    assert (code, out) == (0, "已登记确认：民警001（001）2026年3月的积分")
    code, out, _ = cli("period", "dispute", *march, "--person", "002", "--comment", "3月5日值班漏记", user="clerk")
    assert code == 0 and out.startswith("已登记异议：民警002（002）")
    assert "异议未处理" in cli.refused("period", "sign", *march, user="chief")
    assert "无权处理异议" in cli.refused("period", "resolve", *march, "--person", "002", "--resolution", "已补录",
                                        user="clerk")
    assert "处理意见" in cli.refused("period", "resolve", *march, "--person", "002", "--resolution", " ",
                                     user="chief")
    assert cli("period", "resolve", *march, "--person", "002", "--resolution", "已补录", user="chief")[0] == 0
    assert cli("period", "sign", *march, user="chief")[0] == 0
    assert "没有警号为 999" in cli.refused("period", "confirm", *march, "--person", "999", user="clerk")


def test_several_confirmed_at_once_and_taken_back_until_someone_signs(cli: Cli) -> None:
    march = ("--period", "2026-03")
    assert cli("period", "submit", *march, user="clerk")[0] == 0
    assert cli("period", "dispute", *march, "--person", "005", "--comment", "漏记", user="clerk")[0] == 0
    # All or nothing: the disputed 005 refuses the lot, and nobody is registered.
    err = cli.refused("period", "confirm", *march, "--person", "001,002,005", user="clerk")
    assert "民警005的异议尚未处理" in err and "其余人员未登记" in err
    assert "没有可撤销的确认" in cli.refused("period", "unconfirm", *march, "--person", "001", user="clerk")
    code, out, _ = cli("period", "confirm", *march, "--person", "001，002 003", user="clerk")
    assert (code, out) == (0, "已登记确认（3 人）：民警001（001）、民警002（002）、民警003（003）2026年3月的积分")
    code, out, _ = cli("period", "unconfirm", *march, "--person", "002,003", "--reason", "登记错人", user="clerk")
    assert (code, out) == (0, "已撤销确认（2 人）：民警002（002）、民警003（003）2026年3月现为未确认")
    assert "只能确认或反馈本人" in cli.refused("period", "unconfirm", *march, "--person", "001", user="officer")
    cli("period", "resolve", *march, "--person", "005", "--resolution", "已补录", user="chief")
    cli.confirm_all("2026-03", "002 003 004 005")
    assert cli("period", "sign", *march, user="chief")[0] == 0
    assert "已有人签字" in cli.refused("period", "unconfirm", *march, "--person", "001", user="clerk")


def test_withdraw_back_and_reopen(cli: Cli) -> None:
    march = ("--period", "2026-03")
    assert cli("period", "submit", *march, user="clerk")[0] == 0
    cli.confirm_all("2026-03")
    assert cli("period", "sign", *march, user="chief")[0] == 0
    assert "只有所长/教导员" in cli.refused("period", "withdraw", *march, "--reason", "数据有变", user="clerk")
    code, out, _ = cli("period", "withdraw", *march, "--reason", "数据有变", user="chief")
    assert (code, out) == (0, "已撤回签字：2026年3月的 1 个签字作废，需按流程重新签核")
    assert cli.period("2026-03")["signatures"] == []
    assert "理由" in cli.refused("period", "back", *march, "--reason", "  ", user="clerk")
    code, out, _ = cli("period", "back", *march, "--reason", "补录值班", user="clerk")
    assert code == 0 and out.startswith("已退回修改：2026年3月回到“录入中”")
    assert cli.period("2026-03")["state"] == "open"
    assert "没有锁定" in cli.refused("period", "reopen", *march, "--reason", "更正", user="chief")

    assert cli("period", "submit", *march, user="clerk")[0] == 0

    cli.confirm_all("2026-03")
    assert cli("period", "sign", *march, user="chief")[0] == 0
    assert cli("period", "sign", *march, "--checked", user="jdy")[0] == 0
    assert "无权解锁" in cli.refused("period", "reopen", *march, "--reason", "更正", user="clerk")
    code, out, _ = cli("period", "reopen", *march, "--reason", "更正3月值班", user="chief")
    assert code == 0 and out.startswith("已解锁：2026年3月回到“录入中”")
    march_row = cli.period("2026-03")
    assert (march_row["state"], march_row["signatures"], march_row["locked_at"]) == ("open", [], None)


def test_the_chief_overrides_a_grade_with_a_reason(cli: Cli) -> None:
    march = ("--period", "2026-03")
    assert "无权调整等次" in cli.refused("override", *march, "--person", "003", "--grade", "C", "--reason", "x",
                                        user="clerk")
    assert "不在" in cli.refused("override", *march, "--person", "003", "--grade", "Z", "--reason", "x",
                                 user="chief")
    code, out, _ = cli("override", *march, "--person", "003", "--grade", "C类", "--reason", "3月多次迟到",
                       user="chief")
    assert (code, out) == (0, "已调整等次：民警003（003）2026年3月 B类 → C类，理由已记入审计")
    row = next(r for r in cli.json("score", *march) if r["badge"] == "003")
    assert row["grade"] == "C" and row["engine_grade"] == "B" and "override" in row["flags"]  # type: ignore[operator]


def test_awards_candidates_give_list_and_revoke(cli: Cli) -> None:
    march = ("--period", "2026-03")
    assert cli("period", "submit", *march, user="clerk")[0] == 0
    cli.confirm_all("2026-03")
    candidates = cli.json("award", "candidates", *march)
    assert [(c["badge"], c["grade"], c["title"], c["total"]) for c in candidates] == [("001", "A类", "闪光民警", 105.0)]
    assert "无权评定奖励" in cli.refused("award", "give", *march, "--person", "001", "--title", "闪光民警",
                                        user="clerk")
    assert "最高等次" in cli.refused("award", "give", *march, "--person", "002", "--title", "闪光民警",
                                     user="chief")
    code, out, _ = cli("award", "give", *march, "--person", "001", "--title", "闪光民警", "--note", "3月表现突出",
                       user="chief")
    assert code == 0 and out.startswith("已评定：民警001（001）2026-03“闪光民警”，奖励编号 ")
    assert "已获得这一奖励" in cli.refused("award", "give", *march, "--person", "001", "--title", "闪光民警",
                                          user="chief")
    awards = cli.json("award", "list", *march)
    assert [list(a) for a in awards] == [AWARD_KEYS]
    award = awards[0]
    assert (award["period"], award["badge"], award["name"], award["title"], award["note"], award["given_by"]) == (
        "2026-03", "001", "民警001", "闪光民警", "3月表现突出", "chief")
    assert cli.json("award", "list", "--period", "2026-04") == []

    assert "理由" in cli.refused("award", "revoke", str(award["id"]), "--reason", " ", user="chief")
    assert "没有编号为“999”" in cli.refused("award", "revoke", "999", "--reason", "x", user="chief")
    code, out, _ = cli("award", "revoke", str(award["uuid"]), "--reason", "评错人", user="chief")
    assert (code, out) == (0, "已撤销：民警001（001）的“闪光民警”")
    assert cli.json("award", "list", *march) == []


def test_periods_as_a_table_and_csv(cli: Cli) -> None:
    assert cli("period", "submit", "--period", "2026-03", user="clerk")[0] == 0
    cli.confirm_all("2026-03")
    assert cli("period", "sign", "--period", "2026-03", user="chief")[0] == 0
    code, out, _ = cli("periods")
    assert code == 0 and "2026年3月" in out and "审核中" in out and "中队长审核：chief" in out
    code, out, _ = cli("periods", "--format", "csv")
    header, row = out.splitlines()
    assert header.startswith("代码,周期,类型代码") and row.startswith("2026-03,2026年3月,month,月度,review,审核中")


def test_period_commands_need_a_user_and_a_good_period(cli: Cli) -> None:
    with pytest.raises(SystemExit) as stop:  # an argparse usage error, before any database is opened
        cli("period", "submit", "--period", "2026-03")
    assert stop.value.code == 2 and "--user" in cli.capsys.readouterr().err
    assert "格式不对" in cli.refused("period", "submit", "--period", "三月", user="clerk")
