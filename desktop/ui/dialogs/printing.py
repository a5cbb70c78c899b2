"""Make a PDF off the GUI thread, then show it in the print preview (to print) or save it.

"打印" writes the document to a temporary file and shows it in the program's own print preview
(`print_preview`: the printer is chosen there), which deletes the file when it closes; "保存"
asks where to keep the file.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QStandardPaths, QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QFileDialog, QWidget
from sqlalchemy.orm import Session

from desktop.services.errors import JifenError
from desktop.ui.context import AppContext, settings
from desktop.ui.workers import Cancelled, Progress, Task, run_with_progress

# builder(session, path) writes the PDF; it runs in the worker thread with its own session.
Builder = Callable[[Session, Path], object]
_LAST_DIR = "pdf/last_dir"


def open_file(path: Path) -> bool:
    """Open a file with the system's default program (kept separate so tests can replace it)."""
    return QDesktopServices.openUrl(QUrl.fromLocalFile(str(path)))


def preview(parent: QWidget | None, path: Path) -> int:
    """The print preview of a temporary PDF, which is gone once it closes (tests replace this)."""
    from desktop.ui.dialogs.print_preview import show_print_preview

    return show_print_preview(parent, path)


def default_dir() -> Path:
    saved = settings().value(_LAST_DIR, "")
    if saved and Path(str(saved)).is_dir():
        return Path(str(saved))
    docs = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
    return Path(docs) if docs else Path.home()


def ask_save_path(parent: QWidget | None, default_name: str, *, title: str = "保存 PDF",
                  filters: str = "PDF 文件 (*.pdf)", suffix: str = ".pdf") -> Path | None:
    """Ask where to save; None when the user cancelled. Adds the suffix when it was left off."""
    chosen, _ = QFileDialog.getSaveFileName(parent, title, str(default_dir() / default_name), filters)
    if not chosen:
        return None
    path = Path(chosen)
    if path.suffix.lower() != suffix:
        path = path.with_name(path.name + suffix)
    settings().setValue(_LAST_DIR, str(path.parent))
    return path


def show_failure(ctx: AppContext, parent: QWidget | None, exc: BaseException, what: str) -> None:
    """One place that turns a worker's error into a message; a cancel is not an error."""
    if isinstance(exc, Cancelled):
        return
    if isinstance(exc, JifenError):
        ctx.show_error(parent, str(exc), f"{what}未完成")
    else:
        ctx.show_error(parent, f"{what}时出错：{exc}", f"{what}未完成")


def make_pdf(parent: QWidget | None, ctx: AppContext, builder: Builder, default_name: str, *,
             print_now: bool, on_done: Callable[[Path], None] | None = None) -> Task | None:
    """Write a PDF in a worker; `print_now` opens it in the viewer, else it is saved where asked.

    Returns the running task (keep a reference until it finishes) or None when cancelled.
    """
    if print_now:
        from desktop.ui.dialogs.print_preview import temp_folder

        path = temp_folder() / default_name
    else:
        asked = ask_save_path(parent, default_name)
        if asked is None:
            return None
        path = asked

    def job(progress: Progress) -> Path:
        progress(0, 0)
        with ctx.db.session() as session:
            builder(session, path)
        return path

    def done(result: object) -> None:
        written = Path(str(result))
        if print_now:
            preview(parent, written)
        else:
            ctx.show_info(parent, f"已保存：{written}", "保存 PDF")
        if on_done is not None:
            on_done(written)

    return run_with_progress(parent, "生成 PDF", job, done,
                             lambda exc: show_failure(ctx, parent, exc, "生成 PDF"), label="正在生成 PDF…")
