"""The cycle collector held off during heavy work (`gc_pause`), and always handed back as found."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from types import SimpleNamespace

import pytest

from desktop.services import gc_pause


@pytest.fixture(autouse=True)
def collector_as_found() -> Iterator[None]:
    was = gc.isenabled()
    yield
    (gc.enable if was else gc.disable)()


def test_a_pause_switches_the_collector_off_and_back_on() -> None:
    gc.enable()
    with gc_pause.paused():
        assert not gc.isenabled()
    assert gc.isenabled()


def test_nested_pauses_switch_it_back_on_only_at_the_outermost_end() -> None:
    gc.enable()
    with gc_pause.paused():
        with gc_pause.paused():
            assert not gc.isenabled()
        assert not gc.isenabled()  # the inner end leaves the outer pause in force
    assert gc.isenabled()


def test_a_collector_switched_off_by_someone_else_stays_off() -> None:
    gc.disable()  # as the desktop program does (`ui/gc_guard.take_over`)
    with gc_pause.paused():
        assert not gc.isenabled()
    assert not gc.isenabled()


def test_a_pausing_function_returns_its_result_and_restores_after_an_error() -> None:
    gc.enable()

    @gc_pause.pausing
    def work(n: int) -> int:
        assert not gc.isenabled()
        if n < 0:
            raise ValueError("负数")
        return n * 2

    assert work(21) == 42
    assert gc.isenabled()
    with pytest.raises(ValueError, match="负数"):
        work(-1)
    assert gc.isenabled()


def test_scoring_runs_with_the_collector_held_off(monkeypatch: pytest.MonkeyPatch) -> None:
    from desktop.services import scoring

    seen: list[bool] = []
    # The first thing a score does: start its side reads (`SideRead`).
    monkeypatch.setattr(scoring, "SideRead", lambda *a: (seen.append(gc.isenabled()), 1 / 0))
    gc.enable()
    with pytest.raises(ZeroDivisionError):
        scoring.calculate(None, SimpleNamespace(start=None, end=None, code=None))  # type: ignore[arg-type]
    assert seen == [False] and gc.isenabled()
