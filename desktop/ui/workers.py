"""Long work off the GUI thread, with a progress dialog and cancel.

`run_with_progress(parent, title, job)` runs `job(progress)` in a worker thread. The job
reports with `progress(done, total)`, which returns False once the user pressed 取消 so
the job can stop (and roll back its transaction). The result or the error comes back to
the GUI thread by signal; widgets are only touched there.

`run_blocking` waits for a job in a local event loop, for the moments when there is no
window whose own loop could receive the result (at start, and between two logins).
"""

from __future__ import annotations

import atexit
import threading
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QEventLoop, QObject, QThread, Signal, Slot
from PySide6.QtWidgets import QProgressDialog, QWidget

Progress = Callable[[int, int], bool]


class Cancelled(Exception):
    """Raised inside a job when the user cancelled; the job's transaction rolls back."""


class _Worker(QObject):
    progressed = Signal(int, int)
    finished = Signal(object)
    failed = Signal(object)

    def __init__(self, job: Callable[[Progress], Any]) -> None:
        super().__init__()
        self._job = job
        self.cancel_event = threading.Event()

    def report(self, done: int, total: int) -> bool:
        self.progressed.emit(done, total)
        return not self.cancel_event.is_set()

    @Slot()
    def run(self) -> None:
        try:
            result = self._job(self.report)
        except BaseException as exc:  # handed to the GUI thread to show
            self.failed.emit(exc)
        else:
            self.finished.emit(result)


class Task(QObject):
    """One background job and its progress dialog; keep a reference until `done` fires."""

    done = Signal(object)  # the job's result
    error = Signal(object)  # the exception (Cancelled when the user cancelled)

    def __init__(self, parent: QWidget | None, title: str, job: Callable[[Progress], Any],
                 *, label: str = "请稍候…", cancellable: bool = True) -> None:
        super().__init__(parent)
        self._thread = QThread()
        self._worker = _Worker(job)
        self._worker.moveToThread(self._thread)
        self.dialog = QProgressDialog(label, "取消", 0, 0, parent)
        self.dialog.setWindowTitle(title)
        self.dialog.setMinimumDuration(300)
        self.dialog.setAutoClose(False)
        self.dialog.setAutoReset(False)
        if cancellable:
            self.dialog.canceled.connect(self._worker.cancel_event.set)
        else:  # a job that must not be abandoned half-way (restoring a backup)
            self.dialog.setCancelButton(None)
        self._thread.started.connect(self._worker.run)
        self._worker.progressed.connect(self._on_progress)
        self._worker.finished.connect(self._on_finished)
        self._worker.failed.connect(self._on_failed)

    def start(self) -> None:
        self._thread.start()

    def wait(self, ms: int = 60000) -> bool:
        return self._thread.wait(ms)

    @Slot(int, int)
    def _on_progress(self, done: int, total: int) -> None:
        if total > 0:
            self.dialog.setMaximum(total)
            self.dialog.setValue(min(done, total))

    def _stop(self) -> None:
        self.dialog.reset()
        self.dialog.hide()
        self._thread.quit()
        self._thread.wait()

    @Slot(object)
    def _on_finished(self, result: object) -> None:
        self._stop()
        if self._worker.cancel_event.is_set():
            self.error.emit(Cancelled("已取消"))
        else:
            self.done.emit(result)

    @Slot(object)
    def _on_failed(self, exc: object) -> None:
        self._stop()
        self.error.emit(exc)


def run_with_progress(parent: QWidget | None, title: str, job: Callable[[Progress], Any],
                      on_done: Callable[[Any], None], on_error: Callable[[BaseException], None],
                      *, label: str = "请稍候…", cancellable: bool = True) -> Task:
    task = Task(parent, title, job, label=label, cancellable=cancellable)
    task.done.connect(on_done)
    task.error.connect(on_error)
    task.start()
    return task


def run_blocking(parent: QWidget | None, title: str, job: Callable[[Progress], Any], *,
                 label: str = "请稍候…") -> Any:
    """Run `job` in a worker (progress dialog, no cancel) and return its result or raise its error.

    A local QEventLoop, like a modal dialog's, keeps the progress dialog painted meanwhile.
    """
    loop = QEventLoop()
    outcome: dict[str, Any] = {}

    def finish(key: str, value: object) -> None:
        outcome[key] = value
        loop.quit()

    task = Task(parent, title, job, label=label, cancellable=False)
    task.done.connect(lambda result: finish("result", result))
    task.error.connect(lambda exc: finish("error", exc))
    task.start()
    loop.exec()  # the worker's signals are queued, so none is delivered before the loop runs
    task.dialog.deleteLater()
    task.deleteLater()
    if "error" in outcome:
        raise outcome["error"]
    return outcome.get("result")


class Background(QObject):
    """A job in a worker thread with no dialog, for work the user should not have to wait for
    (opening the database while the login window is already up). Keep a reference until
    `settled`; `wait()` runs a local event loop until then, so windows stay painted."""

    settled = Signal()

    def __init__(self, job: Callable[[], Any], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.result: Any = None
        self.error: BaseException | None = None
        self.done = False
        self._thread = QThread()
        self._worker = _Worker(lambda _progress: job())
        self._worker.moveToThread(self._thread)
        self._thread.started.connect(self._worker.run)
        self._worker.finished.connect(self._on_finished)
        self._worker.failed.connect(self._on_failed)

    def start(self) -> None:
        self._thread.start()

    def wait(self) -> None:
        if self.done:
            return
        loop = QEventLoop()
        self.settled.connect(loop.quit)
        if not self.done:  # the signal is queued: it cannot slip in between the check and exec
            loop.exec()

    def finish(self, msecs: int = 10000) -> None:
        """End the worker thread once its job is done, without an event loop (at exit): its
        results are not wanted any more, but a QThread destroyed while running aborts Qt."""
        self._thread.quit()
        self._thread.wait(msecs)

    def _settle(self) -> None:
        self._thread.quit()
        self._thread.wait()
        self.done = True
        self.settled.emit()

    @Slot(object)
    def _on_finished(self, result: object) -> None:
        self.result = result
        self._settle()

    @Slot(object)
    def _on_failed(self, exc: object) -> None:
        self.error = exc if isinstance(exc, BaseException) else RuntimeError(str(exc))
        self._settle()


_LOADING: set[Background] = set()  # running loads, kept alive until they settle (see `load_later`)


def finish_loads() -> None:
    """Let every load still running end (a window closed and the process ending at once, as the
    self-test does); registered to run at exit as well."""
    for job in list(_LOADING):
        job.finish()
    _LOADING.clear()


atexit.register(finish_loads)


def load_later(owner: QObject, job: Callable[[], Any], on_done: Callable[[Any], None],
               on_error: Callable[[BaseException], None]) -> None:
    """Run `job` (reads only, in sessions of its own) in a worker; hand its result to `on_done`
    on the GUI thread, or its error to `on_error`, unless `owner` has been deleted meanwhile.

    The job is held here rather than by `owner`: a window closed while it runs must not destroy
    a QThread that is still running (Qt aborts the program then)."""
    import shiboken6

    job_object = Background(job)
    _LOADING.add(job_object)

    def settled() -> None:
        _LOADING.discard(job_object)
        if not shiboken6.isValid(owner):
            return
        if job_object.error is not None:
            on_error(job_object.error)
        else:
            on_done(job_object.result)

    job_object.settled.connect(settled)
    job_object.start()
