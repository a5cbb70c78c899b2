"""The stations' exports the county-merge case merges: each its own small station database.

A county merges its stations' workbooks of one period. The benchmark's county is one database,
so for the merge it builds that many stations with the dataset's own builder (`dataset.build`,
the schemes included, so every export carries its score sheets), each of one month — the
dataset's score month — and exports that month through the ordinary export. Only the workbooks
are kept, in the dataset's cache folder under the dataset's own stem, so they go when it is
rebuilt; making them takes about as long as the county dataset itself, once.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from pathlib import Path

from desktop.bench.dataset import DatasetInfo, Scale, StationName, build
from desktop.models.db import open_database
from desktop.services.periods import parse_period

# How many stations a scale's county merges, and each station's size: a county of 2,000 people
# is twenty stations of 100; the station scale merges five like itself; the test's tiny, three.
MERGE_STATIONS = {
    "tiny": (3, Scale("tiny", 3, 4, 1)),
    "station": (5, Scale("station", 5, 7, 1)),
    "county": (20, Scale("county-station", 5, 20, 1)),
}
NAMES = ("城关", "新华", "滨河", "海北", "千里山", "乌达", "拉僧庙", "巴彦", "河西", "城南",
         "新村", "东山", "西园", "北湖", "南门", "石嘴", "黄河", "桥头", "青山", "白塔")


def export_paths(info: DatasetInfo) -> list[Path]:
    count, _ = MERGE_STATIONS[info.scale]
    return [info.db_path.with_name(f"{info.db_path.stem}-merge-{n:02d}.xlsx") for n in range(1, count + 1)]


def ensure_exports(info: DatasetInfo, say: Callable[[str], None] = print) -> list[Path]:
    """The stations' exports of the score month, made first if any is missing."""
    paths = export_paths(info)
    missing = [(n, path) for n, path in enumerate(paths, start=1) if not path.is_file()]
    if missing:
        say(f"正在生成县局合并用的 {len(paths)} 个派出所的导出工作簿（{info.score_month}）…")
    _, spec = MERGE_STATIONS[info.scale]
    for n, path in missing:
        _export_station(n, spec, info.score_month, path)
    return paths


def _export_station(n: int, spec: Scale, period: str, path: Path) -> None:
    from desktop.services.exchange.export import export_period

    station = StationName(f"1504{n:02d}", f"{NAMES[(n - 1) % len(NAMES)]}派出所", seed=f"-station-{n}")
    part = path.with_name(path.name + ".part.xlsx")
    with tempfile.TemporaryDirectory(prefix="jifen-bench-station-") as tmp:
        db_path = Path(tmp) / "station.db"
        build(db_path, spec, [parse_period(period)], station)
        db = open_database(db_path)
        try:
            with db.session() as session:
                export_period(session, period, part)
        finally:
            db.dispose()
    part.replace(path)
