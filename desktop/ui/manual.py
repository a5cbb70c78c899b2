"""使用说明: the manual shipped in resources/manual, shown in the program and written as a PDF.

The text is Markdown, rendered by Qt itself (QTextDocument.setMarkdown, md4c): the window and
the PDF come from the same document, so what is read on screen is what is printed. The PDF is
laid out by QTextDocument on an A4 QPdfWriter in the CJK font the program uses, with page
numbers; no second renderer to keep in step with the first.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QMarginsF
from PySide6.QtGui import QFont, QGuiApplication, QPageLayout, QPageSize, QPdfWriter, QTextDocument

from desktop.paths import resource

MANUAL_NAME = "使用说明.md"
PDF_NAME = "积分考核台账使用说明.pdf"
POINT_SIZE = 10.5
MARGINS_MM = QMarginsF(18, 16, 18, 16)
PDF_DPI = 300


class ManualMissing(Exception):
    """The installation lacks its manual file (a damaged copy)."""


@dataclass(frozen=True)
class Heading:
    level: int  # 1 the title, 2 chapters, 3 sections
    text: str
    block: int  # the block number in the document, to scroll to


def manual_path() -> Path:
    return resource("manual", MANUAL_NAME)


def manual_text() -> str:
    path = manual_path()
    try:
        return path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ManualMissing(f"找不到使用说明文件 {path}：安装可能不完整，请重新安装") from exc


def document(family: str | None = None, point_size: float = POINT_SIZE) -> QTextDocument:
    """The manual as a Qt document in the program's CJK font."""
    doc = QTextDocument()
    doc.setDocumentMargin(4)
    font = QFont(family) if family else QGuiApplication.font()
    font.setPointSizeF(point_size)
    doc.setDefaultFont(font)
    # Tables and code blocks: thin rules and a little padding, as on the program's own sheets.
    doc.setDefaultStyleSheet("table { border-collapse: collapse; } th, td { padding: 3px 6px; }")
    doc.setMarkdown(manual_text(), QTextDocument.MarkdownFeature.MarkdownDialectGitHub)
    return doc


def headings(doc: QTextDocument) -> list[Heading]:
    out = []
    block = doc.begin()
    while block.isValid():
        level = block.blockFormat().headingLevel()
        if level:
            out.append(Heading(level, block.text().strip(), block.blockNumber()))
        block = block.next()
    return out


def write_pdf(path: str | Path, family: str | None = None) -> Path:
    """The manual as an A4 PDF with page numbers (Qt prints them for a document without a page
    size of its own); returns the path written."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(target.name + ".part")
    writer = QPdfWriter(str(partial))
    writer.setTitle("积分考核台账 使用说明")
    writer.setCreator("积分考核台账")
    writer.setResolution(PDF_DPI)
    writer.setPageLayout(QPageLayout(QPageSize(QPageSize.PageSizeId.A4), QPageLayout.Orientation.Portrait,
                                     MARGINS_MM, QPageLayout.Unit.Millimeter))
    doc = document(family)
    doc.print_(writer)
    del writer  # the file is finished when the writer goes
    if not partial.is_file():  # Qt says nothing when it cannot open the file
        raise OSError(f"无法在 {target.parent} 中写入文件")
    os.replace(partial, target)  # never a half-written PDF under the real name
    return target



def write_pdf_without_window(path: str | Path) -> tuple[Path, str | None]:
    """`write_pdf` from the command line: a Qt application (no window) for the fonts, if none
    runs yet; returns the path and the CJK family used (None: the machine has none)."""
    from desktop.ui.fonts import ensure_cjk_font

    app = QGuiApplication.instance() or QGuiApplication([])
    family = ensure_cjk_font(app)  # type: ignore[arg-type]
    return write_pdf(path, family), family
