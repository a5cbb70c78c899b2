"""Workbooks parsed by calamine in a background thread while the caller works on earlier sheets.

calamine parses a sheet's XML in Rust with the GIL released, so that part can run beside the
Python that turns the previous sheet's cells into rows. A county merge reads 20 stations'
workbooks: serially the clerk waits for calamine (about a third of the time) and for the
Python in turn; with a thread one workbook ahead, calamine's share of the next workbook is
done by the time the Python reaches it. An import's one workbook gains the same way.

Who does what follows from Python's GIL: a thread that released it (in calamine, or zlib)
waits out the switch interval (5 ms) to get it back while the other thread runs Python. So the
thread does only what runs in Rust: opening each workbook and parsing its large sheets, whose
XML unpacks to `BACKGROUND_BYTES` or more (a station's entries, summary and roster; a few per
workbook, so few hand-overs). The caller parses the small sheets itself from a handle of its
own, and runs `guard.check_workbook`, which is mostly Python: handing the guard or all of a
merge's 340 sheets to the thread made the merge slower, not faster.

Order and safety: the caller checks file i+1 with the guard just before it reads file i, and
the thread opens a file only after its check has passed, so calamine never touches a file the
guard refuses, and at most two workbooks are open at once. A refusal, or a sheet's read error,
reaches the caller when it asks for that file or sheet, in the order a serial read meets it.
The thread owns its `CalamineWorkbook` alone (its methods borrow it mutably, so a second
thread touching it would fail); the caller gets parsed `CalamineSheet`s only. Leaving the
`with` block, normally or by an error or cancellation, stops the thread and waits for it.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator, Sequence
from concurrent.futures import Future
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from python_calamine import CalamineError, CalamineWorkbook

from desktop.services.errors import ValidationError
from desktop.services.exchange import guard

BACKGROUND_BYTES = 64 * 1024


@contextmanager
def calamine_errors(message: str) -> Iterator[None]:
    """calamine's errors, and its panics, as a `ValidationError` of `message` and what calamine
    said. pyo3 raises a panic in the Rust code (a record too short for what it should hold, say)
    as `PanicException`, a BaseException that no `except Exception` catches; its class exists only
    once a panic has happened, so it is recognised by name."""
    try:
        yield
    except (CalamineError, OSError, ValueError) as exc:
        raise ValidationError(f"{message}：{exc}") from exc
    except BaseException as exc:
        if type(exc).__name__ != "PanicException":
            raise
        raise ValidationError(f"{message}：读取器在文件里遇到无法理解的内容（{exc}）；请在 Excel 或 WPS 中打开，"
                              "另存为 .xlsx 后再导入") from exc


def open_book(path: Path) -> CalamineWorkbook:
    """`path` checked by the guard, then opened by calamine; a refusal is a `ValidationError`
    (a missing file `NotFound`)."""
    guard.check_workbook(path)  # zip bombs, huge or far-flung sheets, encrypted files: refused first
    return _calamine(path)


def _calamine(path: Path) -> CalamineWorkbook:
    with calamine_errors(f"“{path.name}”不是能读取的工作簿（.xlsx、.xls 或 .ods）"):
        return CalamineWorkbook.from_path(str(path))


def hidden_sheets(book: CalamineWorkbook) -> set[str]:
    try:
        return {m.name for m in book.sheets_metadata if str(m.visible).rsplit(".", 1)[-1].lower() != "visible"}
    except (AttributeError, CalamineError):
        return set()


class Stopped(Exception):
    """The reading was stopped before this sheet was parsed (only seen if asked for after `close`)."""


@dataclass
class OpenedBook:
    """One workbook, checked by the guard: its large sheets the producer parses in order
    (`sheet` waits for one), the others `sheet` parses itself."""

    path: Path
    names: list[str]
    hidden: set[str]
    _sheets: dict[str, Future[Any]] = field(default_factory=dict, repr=False)
    _own: CalamineWorkbook | None = field(default=None, repr=False)  # the caller's handle, for small sheets

    def sheet(self, name: str) -> Any:
        """The parsed sheet `name` (a `CalamineSheet`). The thread's parse is handed over once
        and not kept (the caller holds it as long as it needs it); asked for again, or a small
        sheet, it is parsed here."""
        future = self._sheets.pop(name, None)
        if future is not None:
            return future.result()
        if name not in self.names:
            raise KeyError(name)
        if self._own is None:
            self._own = _calamine(self.path)  # the guard has passed this file already
        with calamine_errors(f"工作表“{name}”无法读取"):
            return self._own.get_sheet_by_name(name)

    def close(self) -> None:
        if self._own is not None:
            self._own.close()
            self._own = None


class Prefetcher:
    """`with Prefetcher(paths) as books:` then `for book in books.books(): …`, in the given order.

    `include_hidden`: hidden sheets are parsed too (otherwise they are listed in `hidden`
    and never parsed, as the reader skips them)."""

    def __init__(self, paths: Sequence[Path], *, include_hidden: bool = False) -> None:
        self._paths = [Path(p) for p in paths]
        self._include_hidden = include_hidden
        self._books: list[Future[OpenedBook]] = [Future() for _ in self._paths]
        # The guard's answers (each sheet's size), set by the caller; the thread waits on them.
        self._checked: list[Future[dict[str, int]]] = [Future() for _ in self._paths]
        self._stop = False
        self._thread = threading.Thread(target=self._produce, name="读取工作簿", daemon=True)

    def __enter__(self) -> Prefetcher:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Stop the thread and wait for it (called on the caller's thread, which alone sets
        `_checked`, so a file it never checked is told `Stopped` without a race)."""
        self._stop = True
        for answer in self._checked:
            if not answer.done():
                answer.set_exception(Stopped())
        if self._thread.is_alive():
            self._thread.join()

    def books(self) -> Iterator[OpenedBook]:
        """Each workbook in order; a file the guard or calamine refuses raises here, at its turn."""
        if self._paths:
            self._check(0)
        for index, future in enumerate(self._books):
            if index + 1 < len(self._paths):
                self._check(index + 1)  # the next file's check, while the thread parses this one
            book: OpenedBook | None = None
            try:
                book = future.result()
                yield book
            finally:
                if book is not None:
                    book.close()

    def _check(self, index: int) -> None:
        """The guard on file `index`, here on the caller's thread; the thread may then open it."""
        answer = self._checked[index]
        try:
            answer.set_result(guard.check_workbook(self._paths[index]))
        except BaseException as exc:  # the refusal reaches the caller at this file's turn
            answer.set_exception(exc)

    def _produce(self) -> None:
        for index, path in enumerate(self._paths):
            target = self._books[index]
            try:
                sizes = self._checked[index].result()  # a refusal, or `Stopped`, raises here
                book = _calamine(path)
            except BaseException as exc:  # handed to the caller at this file's turn
                target.set_exception(exc)
                continue
            try:
                opened = OpenedBook(path, list(book.sheet_names), hidden_sheets(book))
                # Not an .xlsx (no sizes): an .xls or .ods, usually one sheet, all parsed here.
                wanted = [n for n in opened.names if (self._include_hidden or n not in opened.hidden)
                          and sizes.get(n, BACKGROUND_BYTES) >= BACKGROUND_BYTES]
            except BaseException as exc:  # never leave the caller waiting on this file
                book.close()
                target.set_exception(exc)
                continue
            futures: dict[str, Future[Any]] = {name: Future() for name in wanted}
            opened._sheets = dict(futures)
            target.set_result(opened)
            try:
                self._parse(book, futures)
            finally:
                book.close()

    def _parse(self, book: CalamineWorkbook, futures: dict[str, Future[Any]]) -> None:
        for name, future in futures.items():
            if self._stop:
                future.set_exception(Stopped())
                continue
            try:
                with calamine_errors(f"工作表“{name}”无法读取"):
                    future.set_result(book.get_sheet_by_name(name))
            except BaseException as exc:  # a refusal or anything else, raised at that sheet's turn
                future.set_exception(exc)
