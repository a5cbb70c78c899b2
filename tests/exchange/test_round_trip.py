"""Export a station's period and rebuild it from the workbook alone in an empty database."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import openpyxl
import pytest
from sqlalchemy import func, select

from desktop.models.audit import AuditEvent
from desktop.models.db import open_database
from desktop.models.enums import Identity
from desktop.models.grading import Award, GradeOverride
from desktop.models.ledger import Entry
from desktop.models.periods import Confirmation, SignOff
from desktop.services import audit, periods, roster
from desktop.services.actor import Actor
from desktop.services.exchange.export import export_period
from desktop.services.exchange.import_ import import_file
from desktop.services.exchange.report import ImportRejected
from tests.exchange.stations import Station, results, sign_and_lock, station

CLI = Actor.system("test")


def count(db, model) -> int:  # type: ignore[no-untyped-def]
    with db.session() as s:
        return s.scalar(select(func.count()).select_from(model)) or 0


@pytest.fixture
def locked_station(tmp_path: Path) -> Station:
    st = station(tmp_path)
    sign_and_lock(st, "2026-03")
    return st


def export(st: Station, code: str, path: Path) -> Path:
    with st.db.session() as s:
        export_period(s, code, path)
    return path


def test_locked_period_round_trip_gives_identical_results(locked_station: Station, tmp_path: Path) -> None:
    book = export(locked_station, "2026-03", tmp_path / "out.xlsx")
    fresh = open_database(tmp_path / "fresh.db")
    report = import_file(fresh, CLI, book)
    assert report.imported and report.restored, report.text()
    assert results(fresh, "2026-03") == results(locked_station.db, "2026-03")
    with fresh.session() as s:
        period = periods.find_period(s, "2026-03")
        assert period is not None and period.state == "locked"
        assert audit.verify(s).ok
    for model in (Entry, Confirmation, SignOff, Award, GradeOverride):
        assert count(fresh, model) == count(locked_station.db, model), model.__name__
    with fresh.session() as s, locked_station.db.session() as t:
        assert sorted(s.scalars(select(Entry.uuid))) == sorted(t.scalars(select(Entry.uuid)))
        reversal = s.scalar(select(Entry).where(Entry.reverses_id.is_not(None)))
        assert reversal is not None and reversal.points_tenths < 0
        assert s.get(Entry, reversal.reverses_id).points_tenths == -reversal.points_tenths  # type: ignore[union-attr]
        assert [x.signer_name for x in s.scalars(select(SignOff).order_by(SignOff.seq))] == \
               [x.signer_name for x in t.scalars(select(SignOff).order_by(SignOff.seq))]


def test_open_period_round_trip_recomputes_the_same_grades(tmp_path: Path) -> None:
    st = station(tmp_path)
    book = export(st, "2026-03", tmp_path / "open.xlsx")
    fresh = open_database(tmp_path / "fresh.db")
    import_file(fresh, CLI, book)
    assert results(fresh, "2026-03") == results(st.db, "2026-03")


def test_reimport_adds_nothing(locked_station: Station, tmp_path: Path) -> None:
    book = export(locked_station, "2026-03", tmp_path / "out.xlsx")
    fresh = open_database(tmp_path / "fresh.db")
    import_file(fresh, CLI, book)
    entries, events = count(fresh, Entry), count(fresh, AuditEvent)
    again = import_file(fresh, CLI, book)
    assert again.imported and not again.restored
    assert all(c.new == 0 and c.updated == 0 for c in again.counts.values()), again.text()
    assert again.counts["积分记录"].unchanged == entries
    assert count(fresh, Entry) == entries
    assert count(fresh, AuditEvent) == events + 1  # one audit event per import
    assert results(fresh, "2026-03") == results(locked_station.db, "2026-03")


def test_the_own_station_reimport_into_the_source_is_a_no_op(locked_station: Station, tmp_path: Path) -> None:
    book = export(locked_station, "2026-03", tmp_path / "out.xlsx")
    before = count(locked_station.db, Entry)
    report = import_file(locked_station.db, locked_station.clerk, book)
    assert report.counts["积分记录"].new == 0 and count(locked_station.db, Entry) == before


def test_another_station_export_is_refused(locked_station: Station, tmp_path: Path) -> None:
    other = station(tmp_path, "150399", "另一派出所")
    book = export(other, "2026-03", tmp_path / "other.xlsx")
    with pytest.raises(ImportRejected) as info:
        import_file(locked_station.db, locked_station.clerk, book)
    assert "150399" in info.value.report.text()


def test_formula_looking_text_is_exported_as_text(locked_station: Station, tmp_path: Path) -> None:
    with locked_station.db.transaction() as s:
        roster.add_person(s, locked_station.admin, roster.PersonInput(
            badge="99001", name="=SUM(A1:A9)", identity=Identity.POLICE,
            department_id=locked_station.people[0].department_id, position="+1", sequence="@序列"))
    book = export(locked_station, "2026-03", tmp_path / "f.xlsx")
    wb = openpyxl.load_workbook(book)
    people = {row[1].value: row for row in wb["人员"].iter_rows(min_row=2)}
    name_cell = people["99001"][2]
    assert name_cell.data_type == "s" and name_cell.value == "=SUM(A1:A9)"
    assert people["99001"][4].value == "+1" and people["99001"][4].data_type == "s"
    notes = [c for c in wb["积分明细"]["M"] if c.value == "=县局通报表扬"]
    assert notes and all(c.data_type == "s" for c in notes)


def test_export_formatting(locked_station: Station, tmp_path: Path) -> None:
    wb = openpyxl.load_workbook(export(locked_station, "2026-03", tmp_path / "f.xlsx"))
    assert wb.sheetnames == ["说明", "部门", "人员", "考核细则", "积分明细", "积分汇总", "奖励", "签核", "个人确认"]
    ws = wb["积分明细"]
    assert ws["A1"].font.bold and ws.freeze_panes == "A2" and ws.sheet_properties.pageSetUpPr.fitToPage
    assert ws.auto_filter.ref and ws.auto_filter.ref.startswith("A1:")
    assert ws.print_title_rows == "$1:$1" and int(ws.page_setup.paperSize) == 9  # A4
    assert ws.column_dimensions["M"].width > 20
    assert ws["B2"].is_date and ws["B2"].number_format == "yyyy-mm-dd"
    assert ws["L2"].number_format == "0.0" and isinstance(ws["L2"].value, int | float)
    about = {r[0].value: r[1].value for r in wb["说明"].iter_rows(min_row=2)}
    assert about["单位代码"] == "150302" and about["考核周期"] == "2026-03" and len(about["数据校验（SHA-256）"]) == 64


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice is not installed")
def test_round_trip_through_libreoffice(locked_station: Station, tmp_path: Path) -> None:
    book = export(locked_station, "2026-03", tmp_path / "out.xlsx")
    saved = tmp_path / "lo"
    subprocess.run(["soffice", "--headless", "--convert-to", "xlsx", "--outdir", str(saved), str(book)],
                   check=True, capture_output=True, timeout=180)
    fresh = open_database(tmp_path / "fresh.db")
    report = import_file(fresh, CLI, saved / "out.xlsx")
    assert report.imported, report.text()
    assert not any("数据校验" in n.reason for n in report.notices), report.text()  # nothing changed on the way
    assert results(fresh, "2026-03") == results(locked_station.db, "2026-03")
