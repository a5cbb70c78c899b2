"""`jifen server push` and the bureau's board (issue #19): a station's file copied into a bureau
server scores exactly as it did on the PC; two stations pushed to one server are ranked together;
what would lose or mix up records is refused with one Chinese line and exit status 2."""

from __future__ import annotations

import datetime as dt
import io
import itertools
import json
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

from desktop import cli
from desktop.models import stores
from desktop.models.db import open_database
from desktop.models.enums import Role
from desktop.models.people import Person
from desktop.models.periods import Period
from desktop.models.station import Station
from desktop.services import accounts, audit, roster, scoring, seal_verify
from desktop.services.actor import Actor
from desktop.services.errors import AuthError
from tests.conftest import copy_database
from tests.factories import PASSWORD, pg_admin
from tests.services.builders import rec, world

_NAMES = itertools.count()


@pytest.fixture
def bureau(pg_cluster) -> Iterator[str]:  # type: ignore[no-untyped-def]
    """An empty bureau database on the test cluster; its address as a user writes it."""
    name = f"bureau{os.getpid()}_{next(_NAMES)}"
    with pg_admin(pg_cluster) as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    yield pg_cluster.url(name).replace("+psycopg", "")
    with pg_admin(pg_cluster) as conn:
        conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def run(monkeypatch: pytest.MonkeyPatch, argv: list[str], password: str = "") -> int:
    monkeypatch.setattr("sys.stdin", io.StringIO(password + "\n"))
    return cli.main(argv)


def push(monkeypatch: pytest.MonkeyPatch, path: Path, to: str, user: str = "admin",
         password: str = "admin123") -> int:
    return run(monkeypatch, ["--db", str(path), "server", "push", "--to", to, "--user", user], password)


def _scores(url: str | Path) -> dict[str, list[tuple[object, ...]]]:
    db = open_database(url)
    try:
        with db.session() as session:
            out = {}
            for period in session.scalars(select(Period).order_by(Period.code)):
                out[period.code] = [(r.badge, r.department, r.total, r.ranked_total, r.rank_department,
                                     r.rank_sequence, r.grade, r.excluded_reason)
                                    for r in scoring.results(session, period)]
            return out
    finally:
        db.dispose()


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
    assert _scores(on_server) == _scores(demo_file)
    assert any(rows for rows in _scores(on_server).values())
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
    demo_people = _scores(demo_file)["2026-02"]
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


def test_a_station_account_signs_in_only_to_its_own_station(  # type: ignore[no-untyped-def]
        demo_file, bureau, tmp_path, monkeypatch) -> None:
    second = tmp_path / "second.db"
    world(open_database(second)).db.dispose()
    assert push(monkeypatch, demo_file, bureau) == 0
    assert push(monkeypatch, second, bureau, "chief", PASSWORD) == 0
    other = open_database(stores.with_station(bureau, "150302"))
    try:
        with other.transaction() as session, pytest.raises(AuthError):
            accounts.login(session, "neiqin", "neiqin123")  # the demo's clerk is not this station's
        with other.session() as session:
            assert session.scalar(select(Person).where(Person.badge.like("1502%"))) is None
    finally:
        other.dispose()


def test_pushing_again_updates_and_a_different_station_is_refused(  # type: ignore[no-untyped-def]
        demo_file, bureau, tmp_path, monkeypatch, capsys) -> None:
    assert push(monkeypatch, demo_file, bureau) == 0
    assert push(monkeypatch, demo_file, bureau) == 0
    assert "已更新" in capsys.readouterr().out
    # Another database under the demo's code: refused, the server's copy untouched.
    impostor = tmp_path / "impostor.db"
    w = world(open_database(impostor))
    with w.tx() as s:
        station = s.scalars(select(Station)).one()
        station.code = "150302001"
    w.db.dispose()
    before = _scores(stores.with_station(bureau, "150302001"))
    assert push(monkeypatch, impostor, bureau, "chief", PASSWORD) == 2
    err = capsys.readouterr().err
    assert "服务器上已有单位代码为“150302001”的另一个单位" in err and "Traceback" not in err
    assert _scores(stores.with_station(bureau, "150302001")) == before


def test_work_done_on_the_server_is_not_overwritten_by_an_older_file(  # type: ignore[no-untyped-def]
        demo_file, bureau, monkeypatch, capsys) -> None:
    assert push(monkeypatch, demo_file, bureau) == 0
    on_server = stores.with_station(bureau, "150302001")
    db = open_database(on_server)
    with db.transaction() as session:
        audit.record(session, Actor.system(), "test.work", "entry", "1")
    db.dispose()
    capsys.readouterr()
    assert push(monkeypatch, demo_file, bureau) == 2
    assert "推送会丢失这些记录" in capsys.readouterr().err
    db = open_database(on_server)
    try:
        with db.session() as session:
            assert audit.verify(session).ok
    finally:
        db.dispose()


def test_bad_push_targets_get_one_chinese_line(demo_file, tmp_path, monkeypatch, capsys) -> None:  # type: ignore[no-untyped-def]
    assert push(monkeypatch, demo_file, str(tmp_path / "other.db")) == 2
    assert "不是数据库服务器地址" in capsys.readouterr().err
    assert push(monkeypatch, demo_file, f"postgresql://jifen@/jifen?host={tmp_path}") == 2
    assert "连不上数据库服务器" in capsys.readouterr().err
    assert push(monkeypatch, tmp_path / "missing.db", "postgresql://jifen@/x") == 2
    assert "不存在" in capsys.readouterr().err
    assert push(monkeypatch, demo_file, "postgresql://jifen@/x", "minjing", "minjing123") == 2
    assert "无权推送到局服务器" in capsys.readouterr().err


def test_an_unknown_station_on_the_server_is_named(bureau, monkeypatch, capsys) -> None:  # type: ignore[no-untyped-def]
    open_database(bureau).dispose()
    assert run(monkeypatch, ["--db", stores.with_station(bureau, "nope"), "people"]) == 2
    assert "没有单位代码为“nope”的派出所" in capsys.readouterr().err
