"""Everyone's 政绩档案 of a year into a folder (`documents_batch`): worker processes print what one
file at a time does, and a batch that fails or is cancelled leaves the folder as it was."""

from __future__ import annotations

from pathlib import Path

import pytest

from desktop.services import documents, documents_batch
from desktop.services.errors import NotFound, ValidationError
from desktop.services.exchange.report import Cancelled
from tests.exporters.conftest import pdf_pages


def _listing(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in folder.iterdir()}


def test_worker_processes_print_what_one_file_at_a_time_does(station_db, tmp_path: Path) -> None:
    folder = tmp_path / "全员"
    folder.mkdir()
    seen: list[tuple[int, int]] = []
    with station_db.session() as s:
        badges = documents_batch.people_of_year(s, 2026)
        files = documents_batch.write_performance_files(s, 2026, folder, workers=2,
                                                        progress=lambda done, total: seen.append((done, total)))
        one = documents.write_performance_file(s, 2026, badges[1], tmp_path / "one.pdf")
        names = documents_batch.file_names(s, 2026, badges)
    assert len(badges) == 9 and [f.name for f in files] == names
    assert sorted(p.name for p in folder.iterdir()) == sorted(f.name for f in files)  # no temporary folder left
    assert pdf_pages(files[1]) == pdf_pages(one)  # the same pages, laid out in another process
    assert files[0].name == "100001 赵所长 2026年度政绩档案.pdf"
    assert seen[-1] == (9, 9) and [d for d, _ in seen] == sorted(d for d, _ in seen)


@pytest.mark.parametrize("workers", [1, 2], ids=["here", "in-workers"])
def test_a_cancelled_batch_leaves_the_folder_as_it_was(station_db, tmp_path: Path, workers: int) -> None:
    folder = tmp_path / "全员"
    folder.mkdir()
    earlier = folder / "100001 赵所长 2026年度政绩档案.pdf"
    earlier.write_bytes(b"last year's print")
    (folder / "别的文件.txt").write_text("不动", encoding="utf-8")
    before = _listing(folder)
    with station_db.session() as s, pytest.raises(Cancelled):
        documents_batch.write_performance_files(s, 2026, folder, workers=workers,
                                                progress=lambda done, total: None,
                                                cancel=_after(3))
    assert _listing(folder) == before  # the earlier print of the same person too


def _after(calls: int):
    count = {"n": 0}

    def cancel() -> bool:
        count["n"] += 1
        return count["n"] > calls
    return cancel


def test_an_unknown_person_or_year_is_refused_before_any_file(station_db, tmp_path: Path) -> None:
    tmp_path = tmp_path / "档案"
    tmp_path.mkdir()
    with station_db.session() as s:
        with pytest.raises(NotFound, match="没有警号为 999999 的人员"):
            documents_batch.write_performance_files(s, 2026, tmp_path, ["100001", "999999"])
        with pytest.raises(ValidationError, match="年份“1999”不对"):
            documents_batch.write_performance_files(s, 1999, tmp_path)
        with pytest.raises(ValidationError, match="不存在"):
            documents_batch.write_performance_files(s, 2026, tmp_path / "没有这个文件夹")
        with pytest.raises(ValidationError, match="2030 年没有在册人员"):
            documents_batch.write_performance_files(s, 2030, tmp_path, [])
    assert list(tmp_path.iterdir()) == []


def test_a_large_batch_uses_a_worker_a_core_and_a_small_one_this_process(monkeypatch) -> None:
    monkeypatch.setattr(documents_batch, "cores", lambda: 8)
    assert documents_batch.worker_count(10) == 1
    assert documents_batch.worker_count(2000) == documents_batch.MOST_WORKERS
    monkeypatch.setattr(documents_batch, "cores", lambda: 2)
    assert documents_batch.worker_count(2000) == 2 and documents_batch.worker_count(5, asked=3) == 3


def test_on_a_server_the_data_is_read_here_and_laid_out_in_workers(pg_db, tmp_path: Path) -> None:
    """The workers have no password: over a server the caller's session reads, the workers lay out."""
    from tests.exporters.conftest import build_station

    build_station(pg_db)
    with pg_db.session() as s:
        assert documents_batch._local_file(s) is None
        files = documents_batch.write_performance_files(s, 2026, tmp_path, workers=2)
        one = documents.write_performance_file(s, 2026, "100102", tmp_path / "one.pdf")
    (same,) = [f for f in files if f.name.startswith("100102 ")]
    assert len(files) == 9 and pdf_pages(same) == pdf_pages(one)
