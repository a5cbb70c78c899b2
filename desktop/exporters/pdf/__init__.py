"""Printed documents as PDF (reportlab): grade sheets, confirmation sheets, certificates,
the ranking board and the performance file. Plain data in (see `data.py`), a PDF file out."""

from desktop.exporters.pdf.board import render_board
from desktop.exporters.pdf.certificate import render_certificates
from desktop.exporters.pdf.confirm_sheet import render_confirm_sheets
from desktop.exporters.pdf.fonts import FontMissing, register_font
from desktop.exporters.pdf.grade_sheet import render_grade_sheets
from desktop.exporters.pdf.performance_file import render_performance_file

__all__ = [
    "FontMissing",
    "register_font",
    "render_board",
    "render_certificates",
    "render_confirm_sheets",
    "render_grade_sheets",
    "render_performance_file",
]
