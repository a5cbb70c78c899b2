"""Python's cycle collector runs on the GUI thread only.

Left automatic, the collector runs in whichever thread happens to allocate when a threshold is
crossed, and that is often a worker (an export, a print job, opening the database). If the
garbage it finds holds a Qt widget (a closed dialog caught in a reference cycle), the widget is
destroyed from that worker thread, which Qt does not allow; the program crashes later, at some
unrelated moment, with a segmentation fault. Anki, Picard and other PySide/PyQt programs work
around it the same way: automatic collection is switched off and the GUI thread collects on a
timer, generation by generation with the thresholds Python itself would have used.
"""

from __future__ import annotations

import gc

from PySide6.QtCore import QObject, QTimer

INTERVAL_MS = 1000


def collect_if_due() -> int:
    """Collect the generations whose counts are past their thresholds, as Python would have done
    automatically; return how many objects were found unreachable. Cheap when nothing is due."""
    thresholds = gc.get_threshold()
    counts = gc.get_count()
    found = 0
    for generation in (2, 1, 0):  # the oldest due generation includes the younger ones
        if thresholds[generation] and counts[generation] > thresholds[generation]:
            found += gc.collect(generation)
            break
    return found


def keep_what_is_loaded() -> None:
    """Put every object alive now out of the collector's way for good (`gc.freeze`): called once
    the database is open, when SQLAlchemy, the models and the screens' modules are loaded and
    will live as long as the program. Otherwise the first collection after that walks all of
    them (some 0.07–0.14 s), and it came just as the main window was being shown after login;
    every later full collection would walk them again. Nothing is freed by this: objects still
    go away when their last reference does, only cycles among these stay."""
    gc.freeze()


def take_over() -> None:
    """Switch automatic collection off; from now on `collect_if_due` (or the timer) collects."""
    gc.disable()


class GarbageCollector(QObject):
    """Owns the timer that collects on the GUI thread; create one, parented to the application."""

    def __init__(self, parent: QObject, interval_ms: int = INTERVAL_MS) -> None:
        super().__init__(parent)
        take_over()
        self._timer = QTimer(self)
        self._timer.timeout.connect(collect_if_due)
        self._timer.start(interval_ms)
