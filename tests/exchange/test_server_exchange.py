"""The exchange workbook in both directions between a station's file and a server database
(issue #19): a station that worked offline hands its locked month in to the server, and a
station rebuilt from the server's export on a PC gives the same grade sheet."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import func, select

from desktop.models.ledger import Entry
from desktop.models.periods import SignOff
from desktop.services import audit, periods
from desktop.services.actor import Actor
from desktop.services.exchange.export import export_period
from desktop.services.exchange.import_ import import_file
from tests.exchange.stations import results, sign_and_lock, station
from tests.factories import new_db, new_pg_db

CLI = Actor.system("test")


def _count(db, model) -> int:  # type: ignore[no-untyped-def]
    with db.session() as s:
        return s.scalar(select(func.count()).select_from(model)) or 0


def test_a_station_file_is_handed_in_to_the_server(pg_cluster, pg_template, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    st = station(tmp_path)
    sign_and_lock(st, "2026-03")
    book = tmp_path / "交上来.xlsx"
    with st.db.session() as s:
        export_period(s, "2026-03", book)
    server, drop = new_pg_db(pg_cluster, pg_template)
    try:
        report = import_file(server, CLI, book)
        assert report.imported and report.restored, report.text()
        assert results(server, "2026-03") == results(st.db, "2026-03")
        for model in (Entry, SignOff):
            assert _count(server, model) == _count(st.db, model), model.__name__
        with server.session() as s:
            assert periods.find_period(s, "2026-03").state == "locked"  # type: ignore[union-attr]
            assert audit.verify(s).ok
        again = import_file(server, CLI, book)  # handed in twice: nothing added
        assert sum(c.new for c in again.counts.values()) == 0, again.text()
    finally:
        server.dispose()
        drop()


def test_a_station_kept_on_the_server_is_rebuilt_on_a_pc(pg_cluster, pg_template, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    server, drop = new_pg_db(pg_cluster, pg_template)
    try:
        st = station(tmp_path, db=server)
        sign_and_lock(st, "2026-03")
        book = tmp_path / "服务器导出.xlsx"
        with server.session() as s:
            export_period(s, "2026-03", book)
        pc = new_db(tmp_path, "pc.db")
        report = import_file(pc, CLI, book)
        assert report.imported and report.restored, report.text()
        assert results(pc, "2026-03") == results(server, "2026-03")
        assert _count(pc, Entry) == _count(server, Entry)
        pc.dispose()
    finally:
        server.dispose()
        drop()
