"""County merge of several stations' exports: one ranking per sequence across stations."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import openpyxl
import pytest

from desktop.services import periods, scoring
from desktop.services.errors import ValidationError
from desktop.services.exchange.export import export_period
from desktop.services.exchange.merge import merge_county
from tests.exchange.stations import Station, fill_month, sign_and_lock, station

NAMES = (("150301", "城关派出所"), ("150302", "滨河派出所"), ("150303", "新村派出所"))


def export(st: Station, code: str, path: Path) -> Path:
    with st.db.session() as s:
        export_period(s, code, path)
    return path


@pytest.fixture
def three(tmp_path: Path) -> list[tuple[Station, Path]]:
    out = []
    for i, (code, name) in enumerate(NAMES):
        st = station(tmp_path, code, name, seed=i * 2)
        if i == 0:
            sign_and_lock(st, "2026-03")
        out.append((st, export(st, "2026-03", tmp_path / f"{name}.xlsx")))
    return out


def expected_ranking(stations: list[Station]) -> dict[str, list[tuple[str, int | None]]]:
    """badge order and competition rank per sequence, computed from the stations' own results."""
    rows = []
    for st in stations:
        with st.db.session() as s:
            rows += scoring.results(s, periods.find_period(s, "2026-03") or periods.get_or_create(s, "2026-03"))
    out: dict[str, list[tuple[str, int | None]]] = {}
    for seq in sorted({r.sequence for r in rows}):
        ranked = sorted((r for r in rows if r.sequence == seq and not r.excluded_reason),
                        key=lambda r: (-r.total, r.deductions, -r.base))
        ranks, last, position = [], None, 0
        for i, r in enumerate(ranked, start=1):
            key = (r.total, r.deductions, r.base)
            position = position if key == last else i
            last = key
            ranks.append((r.badge, position))
        excluded = [(r.badge, None) for r in sorted(
            (r for r in rows if r.sequence == seq and r.excluded_reason), key=lambda r: (-r.total, r.deductions, -r.base))]
        out[seq] = ranks + excluded
    return out


def test_three_stations_ranked_within_sequence(three: list[tuple[Station, Path]], tmp_path: Path) -> None:
    result = merge_county([p for _, p in three], tmp_path / "county.xlsx")
    assert result.period == "2026-03" and len(result.stations) == 3 and not result.warnings
    wb = openpyxl.load_workbook(tmp_path / "county.xlsx")
    assert wb.sheetnames == ["说明", "序列排名", "等次分布", "单位汇总"]
    sheet = wb["序列排名"]
    header = [c.value for c in sheet[1]]
    got: dict[str, list[tuple[str, int | None]]] = {}
    for row in sheet.iter_rows(min_row=2, values_only=True):
        data = dict(zip(header, row, strict=True))
        got.setdefault(data["考核序列"], []).append((data["警号"], data["序列排名"]))
    assert got == expected_ranking([st for st, _ in three])
    assert {r[2] for r in sheet.iter_rows(min_row=2, values_only=True)} == {c for c, _ in NAMES}


def test_grade_distribution_and_station_totals(three: list[tuple[Station, Path]], tmp_path: Path) -> None:
    merge_county([p for _, p in three], tmp_path / "county.xlsx")
    wb = openpyxl.load_workbook(tmp_path / "county.xlsx")
    dist = {r[0]: r for r in wb["等次分布"].iter_rows(min_row=2, values_only=True)}
    header = [c.value for c in wb["等次分布"][1]]
    totals = {r[0]: r for r in wb["单位汇总"].iter_rows(min_row=2, values_only=True)}
    for st, _ in three:
        code = next(c for c, n in NAMES if st.people[0].badge.startswith(c[-2:]))
        with st.db.session() as s:
            rows = scoring.results(s, periods.find_period(s, "2026-03") or periods.get_or_create(s, "2026-03"))
        grades = Counter(r.grade for r in rows)
        for grade in ("A", "B", "C", "D"):
            column = f"{grade}（人）"
            assert dist[code][header.index(column)] == grades[grade] if column in header else grades[grade] == 0
        ranked = [r.total for r in rows if not r.excluded_reason]
        assert totals[code][5] == len(rows) and totals[code][6] == len(ranked)
        assert round(totals[code][7] * 10) == sum(ranked)


def test_mixed_periods_are_refused(three: list[tuple[Station, Path]], tmp_path: Path) -> None:
    st, _ = three[1]
    with st.db.transaction() as s:
        fill_month(s, st, 2026, 4)
    april = export(st, "2026-04", tmp_path / "april.xlsx")
    with pytest.raises(ValidationError, match="考核周期不一致") as info:
        merge_county([three[0][1], april], tmp_path / "county.xlsx")
    assert "april.xlsx" in str(info.value) and "2026年4月" in str(info.value)
    assert not (tmp_path / "county.xlsx").exists()


def test_a_station_twice_is_refused(three: list[tuple[Station, Path]], tmp_path: Path) -> None:
    again = export(three[0][0], "2026-03", tmp_path / "again.xlsx")
    with pytest.raises(ValidationError, match=r"城关派出所.*出现了 2 次"):
        merge_county([three[0][1], three[1][1], again], tmp_path / "county.xlsx")


def test_a_bureau_workbook_is_not_a_station_export(three: list[tuple[Station, Path]], tmp_path: Path) -> None:
    from tests.exchange import messy

    with pytest.raises(ValidationError, match="不是本程序导出的工作簿"):
        merge_county([three[0][1], messy.roster_book(tmp_path / "r.xlsx")], tmp_path / "county.xlsx")


def test_an_edited_export_is_flagged(three: list[tuple[Station, Path]], tmp_path: Path) -> None:
    wb = openpyxl.load_workbook(three[2][1])
    wb["积分汇总"]["L2"] = 99.0
    wb.save(tmp_path / "edited.xlsx")
    result = merge_county([three[0][1], tmp_path / "edited.xlsx"], tmp_path / "county.xlsx")
    assert result.warnings and "edited.xlsx" in result.warnings[0]


def test_an_edited_entry_is_flagged_though_the_entries_are_read_as_columns(
        three: list[tuple[Station, Path]], tmp_path: Path) -> None:
    # The merge reads 积分明细 without building its rows (`merge.ROWS_READ`); a changed fact in it
    # must still fail the digest, and an untouched copy still pass.
    wb = openpyxl.load_workbook(three[2][1])
    ws = wb["积分明细"]
    head = next(r for r in ws.iter_rows() if any(c.value == "记录UUID" for c in r))
    note = next(c.column for c in head if c.value == "事实说明")
    ws.cell(head[0].row + 1, note).value = "改过的事实"
    wb.save(tmp_path / "edited.xlsx")
    result = merge_county([three[0][1], three[2][1]], tmp_path / "county.xlsx")
    assert not result.warnings
    result = merge_county([three[0][1], tmp_path / "edited.xlsx"], tmp_path / "county.xlsx")
    assert result.warnings and "edited.xlsx" in result.warnings[0]
