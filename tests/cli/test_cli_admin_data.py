"""`jifen person|department|catalogue|settings`: the roster, the scoring catalogue and the station
settings written from a terminal, signed in, with the desktop's checks and one-line refusals."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import select

from desktop.models.catalogue import CatalogueVersion
from desktop.models.people import Person
from desktop.models.station import Department
from desktop.services import catalogue, roster, signoff
from tests.cli.conftest import digest, run
from tests.cli.test_cli_admin import Opened, actions, one_error_line
from tests.services.builders import PASSWORD, World

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


@pytest.fixture
def path(station: World) -> Path:
    assert station.db.path is not None
    return station.db.path


def person(path: Path, badge: str) -> Person | None:
    with Opened(path) as s:
        found = s.scalar(select(Person).where(Person.badge == badge))
        if found is not None:
            _ = found.department.name  # loaded while the session is open
        return found


# -- people --------------------------------------------------------------------------------

def test_clerk_adds_and_updates_a_person(path: Path, monkeypatch: pytest.MonkeyPatch,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    assert run(path, "department", "add", "一号警务室", "--kind", "警务室", "--post-class", "一类", "--user", "clerk",
               password=PASSWORD, monkeypatch=monkeypatch) == 0
    assert run(path, "person", "add", "--badge", "150231", "--name", "王五", "--department", "治安中队",
               "--identity", "民警", "--position", "副中队长", "--sequence", "治安", "--from", "2026-03-01",
               "--user", "clerk", password=PASSWORD, monkeypatch=monkeypatch) == 0
    assert "已新增：150231 王五" in capsys.readouterr().out
    added = person(path, "150231")
    assert added is not None and (added.name, added.position, added.identity) == ("王五", "副中队长", "police")
    assert added.active_from is not None and added.active_from.isoformat() == "2026-03-01" and not added.is_head
    assert run(path, "person", "update", "150231", "--department", "一号警务室", "--to", "2026-06-30", "--head",
               "--identity", "auxiliary", "--user", "clerk", password=PASSWORD, monkeypatch=monkeypatch) == 0
    moved = person(path, "150231")
    assert moved is not None and moved.department.name == "一号警务室" and moved.is_head
    assert moved.active_to is not None and moved.active_to.isoformat() == "2026-06-30"
    assert (moved.name, moved.position, moved.identity) == ("王五", "副中队长", "auxiliary")  # the rest stays
    # Back on the roster: an empty --to clears the leaving date.
    assert run(path, "person", "update", "150231", "--to", "", "--no-head", "--user", "clerk", password=PASSWORD,
               monkeypatch=monkeypatch) == 0
    back = person(path, "150231")
    assert back is not None and back.active_to is None and not back.is_head
    assert actions(path).count("person.update") == 2


@pytest.mark.parametrize(("argv", "message"), [
    (["--badge", "150299", "--name", "赵六", "--department", "不存在的中队", "--identity", "民警"], "没有部门“不存在的中队”"),
    (["--badge", "101", "--name", "赵六", "--department", "治安中队", "--identity", "民警"], "警号 101 已属于 张三"),
    (["--badge", "150299", "--name", "赵六", "--department", "治安中队", "--identity", "民警", "--from", "2026/3/1"],
     "在岗日期“2026/3/1”应写作 2026-03-05"),
    (["--badge", "150299", "--name", "赵六", "--department", "治安中队", "--identity", "军人"], "未知身份“军人”"),
    (["--badge", "150299", "--name", "赵六", "--department", "治安中队", "--identity", "民警", "--from", "2026-05-01",
      "--to", "2026-04-01"], "离岗日期早于在岗日期"),
    (["--badge", "150299", "--name", "赵六", "--department", "治安中队", "--identity", "民警", "--id-number",
      "150302198506120130"], "身份证号“150302198506120130”的校验位不对（应为 X）"),
])
def test_bad_person_input_is_one_chinese_line_and_changes_nothing(
        path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
        argv: list[str], message: str) -> None:
    before = actions(path).count("person.create")
    assert run(path, "person", "add", *argv, "--user", "clerk", password=PASSWORD, monkeypatch=monkeypatch) == 2
    assert message in one_error_line(capsys.readouterr().err)
    assert person(path, "150299") is None
    assert actions(path).count("person.create") == before


def test_an_id_number_is_kept_and_listed_masked(path: Path, monkeypatch: pytest.MonkeyPatch,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    import json

    assert run(path, "person", "update", "101", "--id-number", "15030219850612013x", "--user", "clerk",
               password=PASSWORD, monkeypatch=monkeypatch) == 0
    found = person(path, "101")
    assert found is not None and found.id_number == "15030219850612013X"
    capsys.readouterr()
    assert run(path, "people", "--format", "json", monkeypatch=monkeypatch) == 0
    listed = {p["badge"]: p for p in json.loads(capsys.readouterr().out)}
    assert listed["101"]["id_number"] == "150302********013X"
    assert "15030219850612013X" not in json.dumps(listed, ensure_ascii=False)


def test_a_department_move_takes_its_effective_date(path: Path, monkeypatch: pytest.MonkeyPatch,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    from desktop.models.people import DepartmentMove

    assert run(path, "department", "add", "一号警务室", "--kind", "警务室", "--post-class", "一类", "--user", "clerk",
               password=PASSWORD, monkeypatch=monkeypatch) == 0
    assert run(path, "person", "update", "101", "--department", "一号警务室", "--moved-on", "2026-11-15",
               "--user", "clerk", password=PASSWORD, monkeypatch=monkeypatch) == 0
    out = capsys.readouterr().out
    assert "注意：部门由“治安中队”改为“一号警务室”，自2026年11月15日起生效" in out
    assert "2026年11月（调动当月，以月末所在部门为准）起按“一号警务室”排名和评定" in out
    with Opened(path) as s:
        assert [m.effective_on.isoformat() for m in s.scalars(select(DepartmentMove))] == ["2026-11-15"]
    for argv, message in ((["--moved-on", "2026-11-20"], "--moved-on 是部门调动的生效日期：请同时用 --department 给出调入的部门"),
                          (["--department", "治安中队", "--moved-on", "2026-11-10"],
                           "已有一次2026年11月15日生效的调动；新的调动生效日期不能早于它"),
                          (["--department", "治安中队", "--moved-on", "11/20"], "调动生效日期“11/20”应写作")):
        assert run(path, "person", "update", "101", *argv, "--user", "clerk", password=PASSWORD,
                   monkeypatch=monkeypatch) == 2
        assert message in one_error_line(capsys.readouterr().err)
    found = person(path, "101")
    assert found is not None and found.department.name == "一号警务室"


def test_an_officer_cannot_edit_the_roster(path: Path, monkeypatch: pytest.MonkeyPatch,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    assert run(path, "person", "update", "101", "--name", "李四", "--user", "officer", password=PASSWORD,
               monkeypatch=monkeypatch) == 2
    assert "无权维护人员名册" in one_error_line(capsys.readouterr().err)
    found = person(path, "101")
    assert found is not None and found.name == "张三"


def test_a_photo_is_set_and_a_non_image_refused(path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "照片.dat").write_bytes(PNG)  # the type comes from the bytes, not the name
    (tmp_path / "note.jpg").write_text("不是图片", encoding="utf-8")
    assert run(path, "person", "photo", "101", str(tmp_path / "照片.dat"), "--user", "clerk", password=PASSWORD,
               monkeypatch=monkeypatch) == 0
    with Opened(path) as s:
        assert s.execute(select(Person.photo, Person.photo_mime).where(Person.badge == "101")).one() == (
            PNG, "image/png")
    assert run(path, "person", "photo", "102", str(tmp_path / "note.jpg"), "--user", "clerk", password=PASSWORD,
               monkeypatch=monkeypatch) == 2
    assert "JPEG、PNG 或 BMP" in one_error_line(capsys.readouterr().err)
    assert run(path, "person", "photo", "102", str(tmp_path / "missing.png"), "--user", "clerk",
               password=PASSWORD, monkeypatch=monkeypatch) == 2
    assert "不存在" in one_error_line(capsys.readouterr().err)


# -- departments ---------------------------------------------------------------------------

def test_departments_are_added_updated_and_listed(path: Path, monkeypatch: pytest.MonkeyPatch,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    assert run(path, "department", "add", "刑侦中队", "--user", "clerk", password=PASSWORD,
               monkeypatch=monkeypatch) == 0
    assert run(path, "department", "add", "二号警务室", "--kind", "post", "--user", "clerk", password=PASSWORD,
               monkeypatch=monkeypatch) == 2  # a post needs its class
    assert "需要指定类别" in one_error_line(capsys.readouterr().err)
    assert run(path, "department", "update", "刑侦中队", "--name", "刑事侦查中队", "--disable", "--user", "clerk",
               password=PASSWORD, monkeypatch=monkeypatch) == 0
    assert run(path, "department", "update", "治安中队", "--disable", "--user", "clerk", password=PASSWORD,
               monkeypatch=monkeypatch) == 2
    assert "还有在岗人员" in one_error_line(capsys.readouterr().err)
    capsys.readouterr()
    assert run(path, "departments", "--format", "json") == 0
    rows = {r["name"]: r for r in json.loads(capsys.readouterr().out)}
    assert set(rows) == {"治安中队", "刑事侦查中队"}
    assert rows["治安中队"] == {"name": "治安中队", "code": rows["治安中队"]["code"], "kind": "office",
                              "kind_label": "部门", "post_class": None, "post_class_label": None, "active": True,
                              "people": 2}
    assert rows["刑事侦查中队"]["active"] is False


# -- catalogue -----------------------------------------------------------------------------

def test_catalogue_json_lists_the_items_in_force(path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(path, "catalogue", "--date", "2026-03-05", "--format", "json") == 0
    rows = json.loads(capsys.readouterr().out)
    assert len(rows) > 50
    assert set(rows[0]) == {"code", "category", "subcategory", "name", "component", "component_label",
                            "points_mode", "points_mode_label", "points", "points_value", "points_min",
                            "points_max", "monthly_cap", "unit", "evidence_required", "veto", "daily_duty",
                            "self_report", "version", "effective_from"}
    first = next(r for r in rows if r["code"] == "ZB-01")
    assert (first["points"], first["points_value"], first["monthly_cap"]) == ("1.0 分/天，月上限 25.0", 1.0, 25.0)
    assert first["daily_duty"] is True and first["component"] == "base"
    ranged = next(r for r in rows if r["points_mode"] == "range")
    assert ranged["points_value"] is None and ranged["points_min"] is not None
    assert any(r["veto"] for r in rows)
    assert run(path, "catalogue", "--date", "2025-06-01") == 2  # before the first version
    assert "没有生效的考核细则" in one_error_line(capsys.readouterr().err)


def test_an_exported_version_edited_and_added_back(path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    assert run(path, "catalogue", "export-version", "--date", "2026-03-05") == 0
    data = json.loads(capsys.readouterr().out)
    assert data["items"][0] == {
        "code": "ZB-01", "category": "值班备勤", "subcategory": "", "component": "base", "name": "按时到岗",
        "unit": "天", "points_mode": "fixed", "points": "1.0", "min": None, "max": None, "monthly_cap": "25.0",
        "evidence_required": False, "veto": False, "daily_duty": True, "self_report": True}
    data["items"][0]["points"] = "1.5"
    edited = tmp_path / "细则.json"
    edited.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    assert run(path, "catalogue", "add-version", str(edited), "--from", "2026-07-01", "--name", "2026年7月修订",
               "--note", "按时到岗 1.5 分", "--user", "clerk", password=PASSWORD, monkeypatch=monkeypatch) == 0
    with Opened(path) as s:
        old = [catalogue.ItemSpec.of(i) for i in catalogue.items_in_force(s, catalogue.dt.date(2026, 3, 5))]
        new = [catalogue.ItemSpec.of(i) for i in catalogue.items_in_force(s, catalogue.dt.date(2026, 7, 1))]
        assert catalogue.version_in_force(s, catalogue.dt.date(2026, 7, 1)).name == "2026年7月修订"
    assert new[0].points_tenths == 15 and old[0].points_tenths == 10
    assert new[1:] == old[1:]  # everything else made the round trip unchanged
    capsys.readouterr()
    assert run(path, "catalogue", "versions", "--format", "json") == 0
    versions = json.loads(capsys.readouterr().out)
    assert [v["effective_from"] for v in versions] == ["2026-01-01", "2026-07-01"]
    assert versions[1]["items"] == len(new) and versions[1]["note"] == "按时到岗 1.5 分"
    # The same start date again is refused whole.
    assert run(path, "catalogue", "add-version", str(edited), "--from", "2026-07-01", "--user", "clerk",
               password=PASSWORD, monkeypatch=monkeypatch) == 2
    assert "已存在" in one_error_line(capsys.readouterr().err)


@pytest.mark.parametrize(("text", "message"), [
    ("{not json", "不是有效的 JSON"),
    ('{"name": "x", "items": []}', "没有项目"),
    ('{"name": "x", "items": [{"code": "A", "category": "c", "name": "n", "component": "base", "veto": "false"}]}',
     "veto 应为 true 或 false"),
    ('{"name": "x", "items": [{"code": "A", "category": "c", "name": "n", "component": "bonus"}]}', "格式不对"),
    ('{"name": "x", "items": [{"code": "A", "category": "c", "name": "n", "component": "base", "points": "1.25"}]}',
     "最多保留一位小数"),
])
def test_a_bad_catalogue_file_is_refused_before_anything_is_written(
        path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
        text: str, message: str) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text(text, encoding="utf-8")
    before = digest(path)
    assert run(path, "catalogue", "add-version", str(bad), "--from", "2026-07-01", "--user", "clerk",
               password=PASSWORD, monkeypatch=monkeypatch) == 2
    assert message in one_error_line(capsys.readouterr().err)
    assert digest(path) == before
    with Opened(path) as s:
        assert len(s.scalars(select(CatalogueVersion)).all()) == 1


# -- settings ------------------------------------------------------------------------------

def test_settings_set_and_show(path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(path, "settings", "set", "--name", "城关派出所", "--starting-score", "100", "--user", "admin",
               password=PASSWORD, monkeypatch=monkeypatch) == 0
    assert run(path, "settings", "signoff-chain", "所长审核：chief，教导员签字:所长/教导员", "--user", "admin",
               password=PASSWORD, monkeypatch=monkeypatch) == 0
    capsys.readouterr()
    assert run(path, "settings", "show", "--format", "json") == 0
    data = json.loads(capsys.readouterr().out)
    assert data == {"code": "150302", "name": "城关派出所", "county_bureau": "测试县公安局", "starting_score": 100.0,
                    "signoff_chain": [
                        {"seq": 1, "title": "所长审核", "role": "chief", "role_label": "所长/教导员",
                         "scope": "station", "signer": "role", "signer_badge": "", "signer_label": "所长/教导员"},
                        {"seq": 2, "title": "教导员签字", "role": "chief", "role_label": "所长/教导员",
                         "scope": "station", "signer": "role", "signer_badge": "", "signer_label": "所长/教导员"}]}
    assert run(path, "settings", "set", "--starting-score", "", "--county-bureau", "某县公安局", "--user", "admin",
               password=PASSWORD, monkeypatch=monkeypatch) == 0
    with Opened(path) as s:
        station = roster.get_station(s)
        assert (station.name, station.county_bureau, station.starting_score_tenths) == ("城关派出所", "某县公安局", None)
        assert [step.title for step in signoff.chain(s)] == ["所长审核", "教导员签字"]
    assert run(path, "settings", "show") == 0
    assert 'signoff-chain "所长审核:chief,教导员签字:chief"' in capsys.readouterr().out


@pytest.mark.parametrize(("chain", "user", "message"), [
    ("所长签字:officer", "admin", "不能由民警签字"),
    ("所长签字", "admin", "应写作“环节名称:角色”"),
    (" :chief", "admin", "每个环节都要有名称"),
    ("所长签字:chief", "clerk", "无权修改单位设置"),
])
def test_a_bad_chain_or_role_changes_nothing(path: Path, monkeypatch: pytest.MonkeyPatch,
                                             capsys: pytest.CaptureFixture[str], chain: str, user: str,
                                             message: str) -> None:
    assert run(path, "settings", "signoff-chain", chain, "--user", user, password=PASSWORD,
               monkeypatch=monkeypatch) == 2
    assert message in one_error_line(capsys.readouterr().err)
    with Opened(path) as s:
        assert [step.title for step in signoff.chain(s)] == ["中队长审核", "教导员签字"]
        assert s.scalar(select(Department.name)) == "治安中队"
