"""打印: the document's pages in the program's own print preview, with the printer chosen there.

Qt's PDF module is not in PySide6-Essentials, so the PDF that `printing.make_pdf` wrote is
rendered with pypdfium2 (PDFium, the renderer of Chrome: small wheels for Windows and Linux,
exact with the embedded CJK fonts) page by page onto the printer QPrintPreviewDialog hands
over. Nothing goes to an outside viewer, and the temporary PDF — it holds personal scores —
is deleted as soon as the preview closes; folders a crash left behind are swept at start-up.
"""

from __future__ import annotations

import shutil
import tempfile
import time
from pathlib import Path

import pypdfium2 as pdfium
from PySide6.QtCore import QRectF, QSizeF
from PySide6.QtGui import QImage, QPageLayout, QPageSize, QPainter
from PySide6.QtPrintSupport import QPrinter, QPrintPreviewDialog
from PySide6.QtWidgets import QWidget

TEMP_PREFIX = "jifen-print-"
SWEPT = (TEMP_PREFIX, "jifen-evidence-")  # evidence opened from the review queue is personal too
MAX_DPI = 300  # sharp on paper; a 600-dpi printer would only make rendering four times slower
STALE_SECONDS = 24 * 3600


def temp_folder() -> Path:
    return Path(tempfile.mkdtemp(prefix=TEMP_PREFIX))


def remove_temp(path: Path) -> None:
    """Delete a temporary PDF and the folder made for it (only ever one of ours)."""
    folder = path.parent if path.parent.name.startswith(TEMP_PREFIX) else None
    path.unlink(missing_ok=True)
    if folder is not None:
        shutil.rmtree(folder, ignore_errors=True)


def sweep_stale(now: float | None = None) -> int:
    """Remove print folders older than a day (left by a crash or a killed program); returns how many."""
    now = time.time() if now is None else now
    removed = 0
    for folder in (f for prefix in SWEPT for f in Path(tempfile.gettempdir()).glob(f"{prefix}*")):
        try:
            if folder.is_dir() and now - folder.stat().st_mtime > STALE_SECONDS:
                shutil.rmtree(folder, ignore_errors=True)
                removed += 1
        except OSError:
            continue
    return removed


def render_page(page: pdfium.PdfPage, dpi: float) -> QImage:
    """One page as an image at `dpi` (white background, RGB)."""
    bitmap = page.render(scale=dpi / 72, rev_byteorder=True)
    image = QImage(bitmap.buffer, bitmap.width, bitmap.height, bitmap.stride, QImage.Format.Format_RGB888)
    return image.copy()  # the bitmap's memory goes with it; the copy is Qt's own


class PdfPrintPreview(QPrintPreviewDialog):
    """The preview of one PDF; 打印 in its tool bar opens the system print dialog (printer, copies)."""

    def __init__(self, path: Path, parent: QWidget | None = None) -> None:
        self.printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        super().__init__(self.printer, parent)
        self.setObjectName("printPreview")
        self.setWindowTitle(f"打印预览 — {path.name}")
        self.path = path
        self.document = pdfium.PdfDocument(str(path))
        width, height = self.document[0].get_size() if len(self.document) else (595.0, 842.0)
        size = QPageSize(QSizeF(width, height), QPageSize.Unit.Point, "", QPageSize.SizeMatchPolicy.FuzzyMatch)
        self.printer.setPageSize(size)  # A4 stays A4: the fuzzy match names the standard size
        orientation = QPageLayout.Orientation.Landscape if width > height else QPageLayout.Orientation.Portrait
        self.printer.setPageOrientation(orientation)
        self.printer.setDocName(path.stem)
        self.paintRequested.connect(self.paint)
        self.resize(1000, 700)

    def page_count(self) -> int:
        return len(self.document)

    def paint(self, printer: QPrinter) -> None:
        """Every page, scaled into the printable area keeping its proportions."""
        painter = QPainter()
        if not painter.begin(printer):
            return
        try:
            dpi = min(printer.resolution(), MAX_DPI)
            for index in range(len(self.document)):
                if index:
                    printer.newPage()
                image = render_page(self.document[index], dpi)
                area = QRectF(painter.viewport())
                scale = min(area.width() / image.width(), area.height() / image.height())
                target = QRectF(area.x(), area.y(), image.width() * scale, image.height() * scale)
                painter.drawImage(target, image)
        finally:
            painter.end()

    def done(self, result: int) -> None:
        self.document.close()
        super().done(result)


def show_print_preview(parent: QWidget | None, path: Path) -> int:
    """Show the preview (modal); the temporary PDF is removed however the dialog ends."""
    dialog: PdfPrintPreview | None = None
    try:
        dialog = PdfPrintPreview(path, parent)
        return dialog.exec()
    finally:
        if dialog is not None:
            try:
                dialog.document.close()
            except Exception:
                pass
        remove_temp(path)
