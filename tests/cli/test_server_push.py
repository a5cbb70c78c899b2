"""`jifen server push` and the bureau's board (issue #19): a station's file copied into a bureau
server scores exactly as it did on the PC; two stations pushed to one server are ranked together;
what would lose or mix up records is refused with one Chinese line and exit status 2."""

from __future__ import annotations

import datetime as dt
import io
import json
from pathlib import Path

import pytest
from sqlalchemy import select

from desktop import cli
from desktop.models import stores
from desktop.models.db import open_database
from desktop.models.enums import Role
from desktop.models.people import Person
from desktop.models.station import Station
from desktop.services import accounts, audit, roster, seal_verify
from desktop.services.actor import Actor
from desktop.services.errors import AuthError
from tests.conftest import copy_database
from tests.factories import PASSWORD, period_scores
from tests.services.builders import rec, world


def run(monkeypatch: pytest.MonkeyPatch, argv: list[str], password: str = "") -> int:
    monkeypatch.setattr("sys.stdin", io.StringIO(password + "\n"))
    return cli.main(argv)


def push(monkeypatch: pytest.MonkeyPatch, path: Path, to: str, user: str = "admin",
         password: str = "admin123") -> int:
    return run(monkeypatch, ["--db", str(path), "server", "push", "--to", to, "--user", user], password)


@pytest.fixture
def demo_file(demo_template: Path, tmp_path: Path) -> Path:
    path = tmp_path / "demo.db"
    copy_database(demo_template, path)
    return path


def test_a_pushed_demo_station_scores_exactly_as_on_its_file(  # type: ignore[no-untyped-def]
        demo_file, bureau, monkeypatch, capsys) -> None:
    assert push(monkeypatch, demo_file, bureau) == 0
    out = capsys.readouterr().out
    assert "已推送" in out and "station=150302001" in out
    on_server = stores.with_station(bureau, "150302001")
    assert period_scores(on_server) == period_scores(demo_file)
    assert any(rows for rows in period_scores(on_server).values())
    db = open_database(on_server)
    try:
        with db.transaction() as session:  # the station's own accounts and chain came along
            chain = audit.verify(session)
            assert chain.ok and chain.checked > 100
            assert seal_verify.verify_rows(session).ok
            actor = accounts.login(session, "neiqin", "neiqin123")
            assert actor.role == Role.CLERK
    finally:
        db.dispose()
    # The station works on the server: a clerk's command signs in with the same password.
    assert run(monkeypatch, ["--db", on_server, "periods", "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out)


def test_two_pushed_stations_are_ranked_together_on_the_bureau_board(  # type: ignore[no-untyped-def]
        demo_file, bureau, tmp_path, monkeypatch, capsys) -> None:
    second = tmp_path / "second.db"
    w = world(open_database(second))
    with w.tx() as s:  # a small station whose one officer outscores everyone in February
        from tests import factories

        star = factories.person(s, w.dept, "990001", "高分")
        for day in range(2, 20):
            rec(s, w.clerk, star, "ZB-01", dt.date(2026, 2, day))
    w.db.dispose()
    assert push(monkeypatch, demo_file, bureau) == 0
    assert push(monkeypatch, second, bureau, "chief", PASSWORD) == 0
    bureau_db = open_database(bureau)  # the bureau's own schema: its station row and an office
    with bureau_db.transaction() as s:
        roster.create_station(s, Actor.system(), code="6109", name="测试县公安局")
        accounts.create_user(s, Actor.system(), "kaohe", "考核办", Role.ASSESSMENT, PASSWORD)
        accounts.create_user(s, Actor.system(), "mj", "民警", Role.OFFICER, PASSWORD)
    bureau_db.dispose()
    capsys.readouterr()

    assert run(monkeypatch, ["--db", bureau, "server", "stations", "--format", "json"]) == 0
    assert {s["code"] for s in json.loads(capsys.readouterr().out)} == {"150302001", "150302"}

    assert run(monkeypatch, ["--db", bureau, "bureau", "board", "--period", "2026-02", "--user", "kaohe",
                             "--format", "json"], PASSWORD) == 0
    rows = json.loads(capsys.readouterr().out)
    demo_people = period_scores(demo_file)["2026-02"]
    assert {r["station_code"] for r in rows} == {"150302001", "150302"}
    assert len(rows) == len(demo_people) + 1
    ranked = [r for r in rows if r["rank_all"] is not None]
    totals = [float(r["total"]) for r in ranked]
    assert totals == sorted(totals, reverse=True) and ranked[0]["rank_all"] == 1
    # The second station's officer takes his place among the demo's people by his total.
    [star] = [r for r in rows if r["badge"] == "990001"]
    assert star["station"] == "测试派出所" and star["sequence"] == "治安"
    assert star["rank_all"] == 1 + sum(1 for t in totals if t > float(star["total"]))
    assert star["rank_sequence"] == 1 + sum(1 for r in ranked if r["sequence"] == "治安"
                                            and float(r["total"]) > float(star["total"]))
    assert {r["sequence"] for r in rows} >= {"治安"}

    # An officer's account of the bureau may not read the board; a station's account is not the bureau's.
    assert run(monkeypatch, ["--db", bureau, "bureau", "board", "--period", "2026-02", "--user", "mj"],
               PASSWORD) == 2
    assert "无权查看全局各单位的排名" in capsys.readouterr().err
    assert run(monkeypatch, ["--db", bureau, "bureau", "board", "--period", "2026-02", "--user", "neiqin"],
               "neiqin123") == 2
    assert "Traceback" not in capsys.readouterr().err


def small_station(path: Path, code: str | None = None) -> Path:
    """A station file of a few rows (the tests' `world`), under `code` when given; its chief
    signs in with factories.PASSWORD. Pushing it takes a fraction of the demo's seconds."""
    w = world(open_database(path))
    if code is not None:
        with w.tx() as s:
            s.scalars(select(Station)).one().code = code
    w.db.dispose()
    return path


def test_a_station_account_signs_in_only_to_its_own_station(  # type: ignore[no-untyped-def]
        bureau, tmp_path, monkeypatch) -> None:
    first = small_station(tmp_path / "first.db", "610921001")
    db = open_database(first)
    with db.transaction() as s:  # an account and a person only the first station has
        accounts.create_user(s, Actor.system(), "onlyhere", "本所内勤", Role.CLERK, PASSWORD)
        from tests import factories

        factories.person(s, factories.department(s, "巡逻中队"), "777001")
    db.dispose()
    assert push(monkeypatch, first, bureau, "chief", PASSWORD) == 0
    assert push(monkeypatch, small_station(tmp_path / "second.db"), bureau, "chief", PASSWORD) == 0
    mine = open_database(stores.with_station(bureau, "610921001"))
    other = open_database(stores.with_station(bureau, "150302"))
    try:
        with mine.transaction() as session:
            assert accounts.login(session, "onlyhere", PASSWORD).role == Role.CLERK
        with other.transaction() as session, pytest.raises(AuthError):
            accounts.login(session, "onlyhere", PASSWORD)
        with other.session() as session:
            assert session.scalar(select(Person).where(Person.badge == "777001")) is None
    finally:
        mine.dispose()
        other.dispose()


def test_pushing_again_updates_and_a_different_station_is_refused(  # type: ignore[no-untyped-def]
        bureau, tmp_path, monkeypatch, capsys) -> None:
    mine = small_station(tmp_path / "mine.db")
    assert push(monkeypatch, mine, bureau, "chief", PASSWORD) == 0
    assert push(monkeypatch, mine, bureau, "chief", PASSWORD) == 0
    assert "已更新" in capsys.readouterr().out
    # Another database under the same code (made on another PC): refused, the server's copy untouched.
    impostor = small_station(tmp_path / "impostor.db")
    on_server = stores.with_station(bureau, "150302")
    before = audit_head(on_server)
    assert push(monkeypatch, impostor, bureau, "chief", PASSWORD) == 2
    err = capsys.readouterr().err
    assert "服务器上已有单位代码为“150302”的另一个单位" in err and "Traceback" not in err
    assert audit_head(on_server) == before


def audit_head(url: str) -> tuple[int, bool]:
    db = open_database(url)
    try:
        with db.session() as session:
            chain = audit.verify(session)
            return chain.checked, chain.ok
    finally:
        db.dispose()


def test_work_done_on_the_server_is_not_overwritten_by_an_older_file(  # type: ignore[no-untyped-def]
        bureau, tmp_path, monkeypatch, capsys) -> None:
    mine = small_station(tmp_path / "mine.db")
    assert push(monkeypatch, mine, bureau, "chief", PASSWORD) == 0
    on_server = stores.with_station(bureau, "150302")
    db = open_database(on_server)
    with db.transaction() as session:
        audit.record(session, Actor.system(), "test.work", "entry", "1")
    db.dispose()
    before = audit_head(on_server)
    capsys.readouterr()
    assert push(monkeypatch, mine, bureau, "chief", PASSWORD) == 2
    assert "推送会丢失这些记录" in capsys.readouterr().err
    assert audit_head(on_server) == before and before[1]


def test_bad_push_targets_get_one_chinese_line(demo_file, tmp_path, monkeypatch, capsys) -> None:  # type: ignore[no-untyped-def]
    assert push(monkeypatch, demo_file, str(tmp_path / "other.db")) == 2
    assert "不是数据库服务器地址" in capsys.readouterr().err
    assert push(monkeypatch, demo_file, f"postgresql://jifen@/jifen?host={tmp_path}") == 2
    assert "连不上数据库服务器" in capsys.readouterr().err
    assert push(monkeypatch, demo_file, "postgresql://jifen@10.0.0.1") == 2
    err = capsys.readouterr().err
    assert "没有写数据库名" in err and "Traceback" not in err
    assert push(monkeypatch, tmp_path / "missing.db", "postgresql://jifen@/x") == 2
    assert "不存在" in capsys.readouterr().err
    assert push(monkeypatch, demo_file, "postgresql://jifen@/x", "minjing", "minjing123") == 2
    assert "无权推送到局服务器" in capsys.readouterr().err


def test_an_unknown_station_on_the_server_is_named(bureau, monkeypatch, capsys) -> None:  # type: ignore[no-untyped-def]
    open_database(bureau).dispose()
    assert run(monkeypatch, ["--db", stores.with_station(bureau, "nope"), "people"]) == 2
    assert "没有单位代码为“nope”的派出所" in capsys.readouterr().err
