"""County merge of units: three stations' posts ranked by class across stations, ties shared,
and a tampered score row (its 总分 not its components' sum) warned about and left out."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import openpyxl
import pytest
from python_calamine import CalamineWorkbook

from desktop.services import scheme_registry, scheme_scoring
from desktop.services.exchange.export import export_period
from desktop.services.exchange.merge import merge_county
from tests.exchange.stations import Station, station, with_schemes

# Station code, name, and the JC-11 cases per post: equal totals across stations make ties.
STATIONS = (("150301", "城关派出所", (2, 1, 0, 1)), ("150302", "滨河派出所", (3, 2, 1, 0)),
            ("150303", "新村派出所", (2, 0, 1, 1)))
SHEET = "全县警务室排名（按类别）"


@pytest.fixture(scope="module")
def three(tmp_path_factory: pytest.TempPathFactory) -> list[tuple[Station, Path]]:
    tmp = tmp_path_factory.mktemp("county")
    out = []
    for i, (code, name, bonus) in enumerate(STATIONS):
        st = station(tmp, code, name, seed=i * 2)
        with_schemes(st, bonus=bonus, cases=i == 0)
        path = tmp / f"{name}.xlsx"
        with st.db.session() as s:
            export_period(s, "2026-03", path)
        out.append((st, path))
    return out


def ranking(path: Path, name: str = SHEET) -> list[dict[str, Any]]:
    wb = CalamineWorkbook.from_path(str(path))
    rows = wb.get_sheet_by_name(name).to_python()
    return [dict(zip(rows[0], r, strict=True)) for r in rows[1:]]


def expected(stations: list[Station]) -> dict[str, list[tuple[str, str, int]]]:
    """(station, post code, county rank) per class, by competition ranking of the stations' own totals."""
    rows = []
    for st in stations:
        with st.db.session() as s:
            scheme = scheme_registry.scheme_of(s, "jiceng")
            name = next(n for c, n, _ in STATIONS if st.people[0].badge.startswith(c[-2:]))
            rows += [(name, r.code, r.klass, r.total) for r in scheme_scoring.score(s, scheme, "2026-03")]
    out: dict[str, list[tuple[str, str, int]]] = {}
    for klass, label in ((1, "一类"), (2, "二类")):
        group = sorted((r for r in rows if r[2] == klass), key=lambda r: -r[3])
        out[label] = [(r[0], r[1], 1 + sum(1 for o in group if o[3] > r[3])) for r in group]
    return out


def test_posts_are_ranked_by_class_across_stations(three: list[tuple[Station, Path]], tmp_path: Path) -> None:
    result = merge_county([p for _, p in three], tmp_path / "county.xlsx")
    assert not result.warnings, result.warnings
    names = CalamineWorkbook.from_path(str(tmp_path / "county.xlsx")).sheet_names
    assert names == ["说明", "序列排名", "等次分布", "单位汇总", SHEET, "全县执法办案排名（按序列）"]
    rows = ranking(tmp_path / "county.xlsx")
    assert list(rows[0]) == ["派出所", "代码", "名称", "类别", "总分", "全县排名", "所内排名", "备注"]
    got: dict[str, list[tuple[str, str, int]]] = {}
    for r in rows:
        got.setdefault(r["类别"], []).append((r["派出所"], r["代码"], int(r["全县排名"])))
    want = expected([st for st, _ in three])
    assert {k: sorted(v) for k, v in got.items()} == {k: sorted(v) for k, v in want.items()}
    assert [rank for _, _, rank in got["一类"]] == sorted(rank for _, _, rank in got["一类"])  # best first
    tied = [rank for _, _, rank in got["二类"]]
    assert tied[:2] == [1, 1] and tied[2] == 3  # competition ranking: 1, 1, 3
    station_rank = {(r["派出所"], r["代码"]): r["所内排名"] for r in rows}
    assert station_rank[("城关派出所", "JWS-01")] == 1 and station_rank[("城关派出所", "JWS-02")] == 2
    about = {r[0].value: r[1].value for r in openpyxl.load_workbook(tmp_path / "county.xlsx")["说明"].iter_rows()}
    assert "同一类别" in about["单位排名规则"]


def test_a_tampered_score_row_is_warned_about_and_left_out(three: list[tuple[Station, Path]], tmp_path: Path) -> None:
    wb = openpyxl.load_workbook(three[2][1])
    ws = wb["基层基础积分"]
    assert [c.value for c in ws[2]][:7] == ["代码", "名称", "类别", "基础分", "加分项", "扣分项", "总分"]
    assert ws["A3"].value == "JWS-01"
    ws["G3"] = 99.0  # 新村's 城关警务室: 15 + 4 − 0 = 19, not 99
    wb.save(tmp_path / "tampered.xlsx")
    paths = [three[0][1], three[1][1], tmp_path / "tampered.xlsx"]
    result = merge_county(paths, tmp_path / "county.xlsx")
    warning = next(w for w in result.warnings if "基层基础积分" in w)
    assert warning == ("“tampered.xlsx”（150303 新村派出所）的“基层基础积分”第 3 行 JWS-01 城关警务室："
                       "按积分制“基层基础”的组成计算应为 19.0 分，表中总分为 99.0 分，两者不符，该行未参加全县排名")
    assert any("数据校验不符" in w for w in result.warnings)  # and the workbook as a whole was edited
    rows = ranking(tmp_path / "county.xlsx")
    left_out = next(r for r in rows if r["派出所"] == "新村派出所" and r["代码"] == "JWS-01")
    assert left_out["全县排名"] == "" and left_out["备注"].startswith("未参加排名：按积分制“基层基础”的组成计算")
    assert rows.index(left_out) == max(i for i, r in enumerate(rows) if r["类别"] == "一类")  # last of its class
    first_class = [r for r in rows if r["类别"] == "一类" and r["全县排名"] != ""]
    assert [int(r["全县排名"]) for r in first_class] == [1, 2, 2, 4, 5]  # ranked without it
    about = {r[0].value: r[1].value for r in openpyxl.load_workbook(tmp_path / "county.xlsx")["说明"].iter_rows()
             if r[0].value == "注意" and "基层基础积分" in str(r[1].value)}
    assert about


def test_a_score_sheet_without_a_component_column(three: list[tuple[Station, Path]], tmp_path: Path) -> None:
    wb = openpyxl.load_workbook(three[1][1])
    wb["基层基础积分"].delete_cols(5)  # 加分项
    wb.save(tmp_path / "cut.xlsx")
    result = merge_county([three[0][1], tmp_path / "cut.xlsx"], tmp_path / "county.xlsx")
    assert any("“cut.xlsx”（150302 滨河派出所）的“基层基础积分”缺少 加分项 列，无法核对总分，未参加全县排名" == w
               for w in result.warnings), result.warnings
    assert {r["派出所"] for r in ranking(tmp_path / "county.xlsx")} == {"城关派出所"}


def test_officers_of_the_case_scheme_are_ranked_by_sequence(three: list[tuple[Station, Path]],
                                                            tmp_path: Path) -> None:
    merge_county([p for _, p in three], tmp_path / "county.xlsx")
    rows = ranking(tmp_path / "county.xlsx", "全县执法办案排名（按序列）")
    # only officers with something in 执法办案 are ranked (the 社区 officers handled no case)
    assert list(rows[0])[3] == "序列" and {r["序列"] for r in rows} == {"治安"}
    top = rows[0]
    assert (top["派出所"], top["总分"], top["全县排名"]) == ("城关派出所", 10, 1)  # ZF-01 × 2, confirmed
