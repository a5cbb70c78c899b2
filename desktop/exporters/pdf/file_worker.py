"""What a worker process does for `documents_batch`: lay out one person's 政绩档案 into a file.

Kept apart from the services so a spawned worker imports reportlab and the PDF modules only (no
database, no Qt): it starts in a fraction of a second.
"""

from __future__ import annotations

from desktop.exporters.pdf.data import PerformanceFileData
from desktop.exporters.pdf.fonts import register_font
from desktop.exporters.pdf.performance_file import render_performance_file


def start(font: str) -> None:
    """The pool's initializer: load the station's print font once, before the first file."""
    register_font(font)


def render(data: PerformanceFileData, path: str, font: str) -> str:
    return str(render_performance_file(data, path, font=font))
