"""Python's cycle collector held off while one bounded, allocation-heavy piece of work runs.

Scoring a county's month builds some 50,000 small objects (rows, keys, tuples); reading 20
stations' workbooks builds a million cells. Each 700 allocations the collector runs, and every
tenth of those walks the older generation too: every module, class and compiled statement the
program has loaded. In a month's scoring that was 8 ms of 56 (one seventh), in a county merge
about 0.25 s. Almost none of it is garbage the collector is needed for: reference counting
frees these objects as soon as the work drops them.

The desktop program already collects only on the GUI thread, on a timer (`ui/gc_guard.py`), so
there the collector is off and `paused` changes nothing. On the command line, in the benchmark
and on a bureau server's clients it is on; `paused` switches it off for the work and back on
afterwards, and the next allocations collect whatever cycles the work left, as usual.

Nesting and threads: the collector is switched back on only when the outermost pause ends and
only if it was on when the first began; a pause never switches on a collector someone else
switched off.
"""

from __future__ import annotations

import functools
import gc
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import ParamSpec, TypeVar

P = ParamSpec("P")
R = TypeVar("R")

_lock = threading.Lock()
_depth = 0
_resume = False  # whether the outermost pause found the collector on


@contextmanager
def paused() -> Iterator[None]:
    """Hold the cycle collector off for the duration (see the module's notes)."""
    global _depth, _resume
    with _lock:
        if _depth == 0:
            _resume = gc.isenabled()
            gc.disable()
        _depth += 1
    try:
        yield
    finally:
        with _lock:
            _depth -= 1
            if _depth == 0 and _resume:
                gc.enable()


def pausing(fn: Callable[P, R]) -> Callable[P, R]:
    """`fn` run under `paused`."""
    @functools.wraps(fn)
    def run(*args: P.args, **kwargs: P.kwargs) -> R:
        with paused():
            return fn(*args, **kwargs)
    return run
