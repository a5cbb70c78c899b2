"""`jifen units`, `jifen unit …` and `jifen record --unit`: units as assessed subjects from a
terminal, signed in, through the units and ledger services, one Chinese line and exit 2 for
every refusal."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from sqlalchemy import func, select

from desktop.models.db import open_database
from desktop.models.enums import Component
from desktop.models.ledger import Entry
from desktop.models.units import Unit
from desktop.services import catalogue
from desktop.services.catalogue import ItemSpec
from tests import factories
from tests.cli.conftest import run
from tests.services.builders import PASSWORD, World

UNIT_KEYS = ["code", "name", "kind", "kind_label", "class", "class_label", "sequence", "department", "head",
             "head_name", "members", "active"]
Capture = pytest.CaptureFixture[str]


def _path(w: World) -> Path:
    assert w.db.path is not None
    return w.db.path


def _signed(w: World, mp: pytest.MonkeyPatch, *argv: str, user: str = "clerk") -> int:
    return run(_path(w), *argv, "--user", user, password=PASSWORD, monkeypatch=mp)


def _units(w: World, capsys: Capture, *argv: str) -> dict[str, dict[str, object]]:
    capsys.readouterr()
    assert run(_path(w), "units", *argv, "--format", "json") == 0
    return {row["code"]: row for row in json.loads(capsys.readouterr().out)}


def _refused(capsys: Capture, words: str) -> None:
    err = capsys.readouterr().err
    assert err.startswith("错误：") and words in err and len(err.splitlines()) == 1, err


def _count(w: World, model: type) -> int:
    db = open_database(_path(w))
    try:
        with db.session() as s:
            return s.scalar(select(func.count()).select_from(model)) or 0
    finally:
        db.dispose()


def _branch(w: World, mp: pytest.MonkeyPatch) -> None:
    assert _signed(w, mp, "unit", "add", "DZB-01", "--name", "第一党支部", "--kind", "branch") == 0


def _dangjian(w: World) -> None:
    """A 党建 catalogue (scheme dangjian) in force from 2026: items for units, not for people."""
    specs = [ItemSpec(code="DJ-01", category="组织建设", name="按期召开支部委员会", component=Component.BASE,
                      points_tenths=20)]
    with w.tx() as s:
        catalogue.create_version(s, w.clerk, dt.date(2026, 1, 1), "党建工作考核细则", specs, scheme="dangjian")
    w.db.dispose()


def test_units_of_each_kind_are_added_and_listed(station: World, capsys: Capture, monkeypatch: pytest.MonkeyPatch) -> None:
    for argv in (("SZ-01", "--name", "治安中队", "--kind", "department", "--department", "治安中队"),
                 ("JWS-01", "--name", "滨河警务室", "--kind", "警务室", "--class", "一类"),
                 ("JWS-02", "--name", "河西警务室", "--kind", "post", "--class", "3"),
                 ("DZB-01", "--name", "第一党支部", "--kind", "branch"),
                 ("ZF-XZ", "--name", "刑侦办案组", "--kind", "enforcement", "--sequence", "刑侦")):
        assert _signed(station, monkeypatch, "unit", "add", *argv) == 0
    assert capsys.readouterr().out.splitlines()[-1] == "已新增执法办案单位“刑侦办案组”（代码 ZF-XZ）"
    rows = _units(station, capsys)
    assert all(list(row) == UNIT_KEYS for row in rows.values())
    assert set(rows) == {"SZ-01", "JWS-01", "JWS-02", "DZB-01", "ZF-XZ"}
    assert rows["JWS-01"] == {
        "code": "JWS-01", "name": "滨河警务室", "kind": "post", "kind_label": "警务室", "class": 1,
        "class_label": "一类", "sequence": "", "department": None, "head": None, "head_name": None,
        "members": [], "active": True}
    assert (rows["SZ-01"]["department"], rows["SZ-01"]["members"]) == ("治安中队", ["101", "102"])
    assert (rows["ZF-XZ"]["sequence"], rows["ZF-XZ"]["class"], rows["DZB-01"]["kind_label"]) == ("刑侦", None, "党支部")
    assert list(_units(station, capsys, "--kind", "post")) == ["JWS-01", "JWS-02"]
    assert list(_units(station, capsys, "--kind", "党支部")) == ["DZB-01"]


@pytest.mark.parametrize(("argv", "words"), [
    (("X1", "--name", "甲", "--kind", "team"), "单位类型“team”不对"),
    (("X1", "--name", "甲", "--kind", "post"), "须有类别"),
    (("X1", "--name", "甲", "--kind", "post", "--class", "4"), "警务室类别“4”不对"),
    (("X1", "--name", "甲", "--kind", "branch", "--class", "1"), "只有警务室分类别"),
    (("X1", "--name", "甲", "--kind", "enforcement"), "须写明考核序列"),
    (("X1", "--name", "甲", "--kind", "branch", "--department", "治安中队"), "只有所队室和警务室对应部门"),
    (("X1", "--name", "甲", "--kind", "department", "--department", "没有的部门"), "没有名为“没有的部门”的部门"),
])
def test_a_bad_unit_is_one_chinese_line_and_nothing_is_added(
        station: World, argv: tuple[str, ...], words: str, capsys: Capture, monkeypatch: pytest.MonkeyPatch) -> None:
    assert _signed(station, monkeypatch, "unit", "add", *argv) == 2
    _refused(capsys, words)
    assert _count(station, Unit) == 0


def test_a_duplicate_code_and_an_officer_are_refused(
        station: World, capsys: Capture, monkeypatch: pytest.MonkeyPatch) -> None:
    _branch(station, monkeypatch)
    assert _signed(station, monkeypatch, "unit", "add", "DZB-01", "--name", "第二党支部", "--kind", "branch") == 2
    _refused(capsys, "单位代码“DZB-01”已被使用")
    assert _signed(station, monkeypatch, "unit", "add", "DZB-02", "--name", "第二党支部", "--kind", "branch",
                   user="officer") == 2
    _refused(capsys, "无权维护人员名册")
    assert _count(station, Unit) == 1


def test_members_and_heads_are_dated_and_a_new_head_ends_the_old_term(
        station: World, capsys: Capture, monkeypatch: pytest.MonkeyPatch) -> None:
    _branch(station, monkeypatch)
    assert _signed(station, monkeypatch, "unit", "member", "DZB-01", "--person", "101", "--from", "2026-01-01") == 0
    assert _signed(station, monkeypatch, "unit", "member", "DZB-01", "--person", "102", "--from", "2026-01-01",
                   "--role", "head") == 0
    capsys.readouterr()
    assert _signed(station, monkeypatch, "unit", "member", "DZB-01", "--person", "101", "--from", "2026-04-01",
                   "--role", "负责人") == 0
    assert capsys.readouterr().out.splitlines() == [
        "已将 张三（101）列为“第一党支部”的负责人，自 2026年4月1日起",
        "原负责人 =1+2（102）的任期到 2026年3月31日 结束"]

    march = _units(station, capsys, "--date", "2026-03-15")["DZB-01"]
    assert (march["head"], march["head_name"], march["members"]) == ("102", "=1+2", ["101", "102"])
    april = _units(station, capsys, "--date", "2026-04-15")["DZB-01"]
    assert (april["head"], april["members"]) == ("101", ["101"])  # 102 was only its head

    assert _signed(station, monkeypatch, "unit", "leave", "DZB-01", "--person", "101", "--on", "2026-05-31") == 0
    assert capsys.readouterr().out == "张三（101）在“第一党支部”中到 2026年5月31日 为止\n"
    june = _units(station, capsys, "--date", "2026-06-01")["DZB-01"]
    assert (june["head"], june["members"]) == (None, [])
    assert _units(station, capsys, "--date", "2026-05-31")["DZB-01"]["head"] == "101"

    assert _signed(station, monkeypatch, "unit", "member", "DZB-01", "--person", "102", "--from", "2026-01-01",
                   "--role", "boss") == 2
    _refused(capsys, "成员角色“boss”不对")
    assert _signed(station, monkeypatch, "unit", "leave", "DZB-01", "--person", "102", "--on", "2026-09-30") == 2
    _refused(capsys, "之后不在“第一党支部”中")
    assert run(_path(station), "units", "--date", "2026-02-30") == 2
    _refused(capsys, "不存在（该月没有这一天）")


def test_sync_departments_makes_the_missing_mirrors_once(
        station: World, capsys: Capture, monkeypatch: pytest.MonkeyPatch) -> None:
    with station.tx() as s:
        factories.department(s, "滨河警务室", post_class=2)
    station.db.dispose()
    assert _signed(station, monkeypatch, "unit", "sync-departments") == 0
    made = capsys.readouterr().out.splitlines()
    assert len(made) == 2 and made[0].startswith("已建立所队室“治安中队”") and made[1].startswith("已建立警务室“滨河警务室”")
    rows = {row["name"]: row for row in _units(station, capsys).values()}
    assert (rows["滨河警务室"]["kind"], rows["滨河警务室"]["class"], rows["滨河警务室"]["department"]) == (
        "post", 2, "滨河警务室")
    assert (rows["治安中队"]["kind"], rows["治安中队"]["members"]) == ("department", ["101", "102"])
    assert _signed(station, monkeypatch, "unit", "sync-departments") == 0
    assert "没有新建" in capsys.readouterr().out
    assert _count(station, Unit) == 2


def test_a_clerk_records_a_unit_scheme_item_against_a_unit(
        station: World, capsys: Capture, monkeypatch: pytest.MonkeyPatch) -> None:
    _dangjian(station)
    _branch(station, monkeypatch)
    capsys.readouterr()
    assert _signed(station, monkeypatch, "record", "--unit", "DZB-01", "--item", "DJ-01", "--date", "2026-03-05",
                   "--note", "3月支委会") == 0
    uuid, code, name, item, points = capsys.readouterr().out.strip().split("  ")
    assert (code, name, item, points) == ("DZB-01", "第一党支部", "DJ-01 按期召开支部委员会", "+2.0")
    assert _signed(station, monkeypatch, "record", "--person", "101", "--item", "ZB-01", "--date", "2026-03-06") == 0

    capsys.readouterr()
    assert run(_path(station), "entries", "--period", "2026-03", "--format", "json") == 0
    rows = json.loads(capsys.readouterr().out)
    unit_row, person_row = rows
    assert (unit_row["uuid"], unit_row["badge"], unit_row["name"], unit_row["unit"], unit_row["unit_name"]) == (
        uuid, None, "", "DZB-01", "第一党支部")
    assert (unit_row["scheme"], unit_row["points"], unit_row["department"]) == ("dangjian", 2.0, "")
    assert (person_row["badge"], person_row["unit"], person_row["unit_name"], person_row["scheme"]) == (
        "101", None, "", "person")
    assert run(_path(station), "entries", "--period", "2026-03", "--unit", "DZB-01", "--format", "json") == 0
    assert [r["uuid"] for r in json.loads(capsys.readouterr().out)] == [uuid]
    assert run(_path(station), "entries", "--period", "2026-03") == 0
    assert "第一党支部" in capsys.readouterr().out  # the table gains a 单位 column

    assert _signed(station, monkeypatch, "reverse", uuid, "--reason", "录错支部") == 0
    assert capsys.readouterr().out.startswith("已冲正：第一党支部（DZB-01）2026-03-05 DJ-01")
    assert _signed(station, monkeypatch, "record", "--unit", "DZB-01", "--item", "DJ-01", "--date", "2026-03-07",
                   user="officer") == 2
    _refused(capsys, "民警不能给单位记分")
    assert _count(station, Entry) == 3


@pytest.mark.parametrize(("argv", "words"), [
    (("--unit", "DZB-01", "--item", "ZB-01"), "是个人积分项目，不能记给单位"),
    (("--unit", "DZB-01", "--person", "101", "--item", "DJ-01"), "--person 和 --unit 只能写一个"),
    (("--item", "DJ-01"), "请用 --person 写警号，或用 --unit 写单位代码"),
    (("--unit", "DZB-09", "--item", "DJ-01"), "没有代码为“DZB-09”的考核单位"),
    (("--unit", "DZB-01,DZB-01", "--item", "DJ-01"), "单位重复"),
    (("--unit", " , ", "--item", "DJ-01"), "至少要写一个单位代码"),
    (("--unit", "DZB-01", "--item", "DJ-01", "--case-type", "刑事"), "请同时填写案件编号"),
])
def test_a_bad_unit_record_is_one_chinese_line_and_writes_nothing(
        station: World, argv: tuple[str, ...], words: str, capsys: Capture, monkeypatch: pytest.MonkeyPatch) -> None:
    _dangjian(station)
    _branch(station, monkeypatch)
    capsys.readouterr()
    assert _signed(station, monkeypatch, "record", *argv, "--date", "2026-03-05") == 2
    _refused(capsys, words)
    assert _count(station, Entry) == 0


def test_a_case_number_is_recorded_and_listed(station: World, capsys: Capture, monkeypatch: pytest.MonkeyPatch) -> None:
    assert _signed(station, monkeypatch, "record", "--person", "101", "--item", "ZB-01", "--date", "2026-03-05",
                   "--case", "AJ-2026-031", "--case-type", "刑事") == 0
    assert capsys.readouterr().out.rstrip().endswith("  案件 AJ-2026-031")
    assert run(_path(station), "entries", "--period", "2026-03", "--format", "json") == 0
    (row,) = json.loads(capsys.readouterr().out)
    assert (row["badge"], row["case_no"], row["case_type"], row["unit"]) == ("101", "AJ-2026-031", "刑事", None)
    assert run(_path(station), "entries", "--period", "2026-03", "--person", "101", "--unit", "DZB-01") == 2
    _refused(capsys, "只能写一个")
