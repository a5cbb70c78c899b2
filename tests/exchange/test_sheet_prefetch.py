"""The background reader: same sheets as a plain read, in order, never ahead of the guard."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import openpyxl
import pytest
from python_calamine import CalamineWorkbook

from desktop.services.errors import ValidationError
from desktop.services.exchange import guard, sheet_prefetch
from desktop.services.exchange.sheet_prefetch import Prefetcher


def _book(path: Path, *, big_rows: int = 4000, hidden: bool = False) -> Path:
    """A workbook with a large sheet (its XML well over `BACKGROUND_BYTES`), a small one and,
    optionally, a hidden one."""
    wb = openpyxl.Workbook()
    small = wb.active
    small.title = "说明"
    small.append(["格式标识", "示例"])
    big = wb.create_sheet("积分记录")
    big.append(["记录编号", "警号", "姓名", "项目", "分值"])
    for i in range(big_rows):
        big.append([f"{i:08d}-0000-4000-8000-000000000000", f"{100000 + i}", f"民警{i}", "接处警", i % 7])
    if hidden:
        lookup = wb.create_sheet("查找表")
        lookup.append(["隐藏的内容"])
        lookup.sheet_state = "hidden"
    wb.save(path)
    return path


def _plain(path: Path, name: str) -> list[list[object]]:
    return CalamineWorkbook.from_path(str(path)).get_sheet_by_name(name).to_python(skip_empty_area=False)


def test_books_come_in_order_with_the_same_sheets_as_a_plain_read(tmp_path: Path) -> None:
    paths = [_book(tmp_path / f"{i}.xlsx", big_rows=3000 + i) for i in range(3)]
    assert guard.check_workbook(paths[0])["积分记录"] >= sheet_prefetch.BACKGROUND_BYTES
    assert guard.check_workbook(paths[0])["说明"] < sheet_prefetch.BACKGROUND_BYTES
    with Prefetcher(paths) as prefetch:
        seen = []
        for book in prefetch.books():
            assert book.names == ["说明", "积分记录"]
            assert "积分记录" in book._sheets and "说明" not in book._sheets  # only the large one in the thread
            for name in book.names:
                assert book.sheet(name).to_python(skip_empty_area=False) == _plain(book.path, name)
            assert "积分记录" not in book._sheets  # the thread's parse is handed over once, not kept
            assert book.sheet("积分记录").to_python() == _plain(book.path, "积分记录")  # asked again: parsed here
            with pytest.raises(KeyError):
                book.sheet("没有这张表")
            seen.append(book.path)
    assert seen == paths
    assert not prefetch._thread.is_alive()


def test_a_refused_file_raises_at_its_turn_and_calamine_never_opens_it(tmp_path: Path,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    good = _book(tmp_path / "a.xlsx")
    bad = tmp_path / "b.xlsx"
    bad.write_text("警号,姓名\n1001,张三\n", encoding="utf-8")  # a CSV renamed to .xlsx
    after = _book(tmp_path / "c.xlsx")
    events: list[tuple[str, str]] = []
    real_check, real_open = guard.check_workbook, sheet_prefetch._calamine

    def check(path: Path) -> dict[str, int]:
        events.append(("check", path.name))
        return real_check(path)

    def open_(path: Path) -> CalamineWorkbook:
        events.append(("open", path.name))
        return real_open(path)

    monkeypatch.setattr(guard, "check_workbook", check)
    monkeypatch.setattr(sheet_prefetch, "_calamine", open_)
    with Prefetcher([good, bad, after]) as prefetch:
        books = prefetch.books()
        first = next(books)
        assert first.sheet("积分记录").to_python()[0][0] == "记录编号"
        with pytest.raises(ValidationError, match=r"b\.xlsx"):
            next(books)
    assert ("open", "b.xlsx") not in events
    for name in ("a.xlsx", "c.xlsx"):  # each file checked before calamine touched it
        if ("open", name) in events:
            assert events.index(("check", name)) < events.index(("open", name))
    assert not prefetch._thread.is_alive()


def test_at_most_two_workbooks_are_open_at_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    paths = [_book(tmp_path / f"{i}.xlsx", big_rows=2500) for i in range(5)]
    open_now: Counter[str] = Counter()  # workbook → its handles open (the thread's, the caller's)
    most = [0]
    real_open = sheet_prefetch._calamine

    class Counted:
        def __init__(self, path: Path) -> None:
            self._book, self._name = real_open(path), path.name
            open_now[self._name] += 1
            most[0] = max(most[0], len(+open_now))

        def __getattr__(self, attr: str) -> object:
            return getattr(self._book, attr)

        def close(self) -> None:
            open_now[self._name] -= 1
            self._book.close()

    monkeypatch.setattr(sheet_prefetch, "_calamine", Counted)
    with Prefetcher(paths) as prefetch:
        for book in prefetch.books():
            for name in book.names:
                book.sheet(name)
    assert 1 <= most[0] <= 2  # the book being read and the next, never more
    assert +open_now == Counter()  # every handle closed


def test_leaving_early_stops_the_thread(tmp_path: Path) -> None:
    paths = [_book(tmp_path / f"{i}.xlsx", big_rows=2500) for i in range(6)]
    with Prefetcher(paths) as prefetch:
        for book in prefetch.books():
            book.sheet("说明")
            break
    assert not prefetch._thread.is_alive()
    assert all(f.done() for f in prefetch._books)  # nobody is left waiting on a file
    assert isinstance(prefetch._books[-1].exception(), sheet_prefetch.Stopped)  # never opened
    with pytest.raises(RuntimeError, match="停止"):
        try:
            with Prefetcher(paths) as prefetch:
                next(prefetch.books())
                raise RuntimeError("中途停止")
        finally:
            assert not prefetch._thread.is_alive()


def test_hidden_sheets_are_parsed_only_when_asked(tmp_path: Path) -> None:
    path = _book(tmp_path / "h.xlsx", big_rows=3000, hidden=True)
    with Prefetcher([path]) as prefetch:
        book = next(prefetch.books())
        assert book.hidden == {"查找表"}
        assert "查找表" not in book._sheets
    with Prefetcher([path], include_hidden=True) as prefetch:
        book = next(prefetch.books())
        assert book.sheet("查找表").to_python() == [["隐藏的内容"]]
