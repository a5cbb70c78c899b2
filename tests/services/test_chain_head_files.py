"""The audit-chain code read back from a file the user names (`jifen audit verify --against 文件`):
a workbook goes through the import guard first, a PDF is read only up to a sane size."""

from __future__ import annotations

from pathlib import Path

import pytest

from desktop.services import chain_head
from desktop.services.errors import ValidationError
from tests.reliability import workbooks as wb


def test_the_code_is_read_from_a_pdf(tmp_path: Path) -> None:
    path = tmp_path / "等次评定表.pdf"
    path.write_bytes(b"%PDF-1.4\n1 0 obj << /Keywords (jifen-chain: 1204-9F3A2C7B) >> endobj\n%%EOF\n")
    assert chain_head.code_in_file(path) == "1204-9F3A2C7B"


def test_a_crafted_workbook_is_refused_by_the_guard_not_read(tmp_path: Path) -> None:
    """It went straight to calamine before; a far cell there aborts the program."""
    body = wb.SHEET_HEAD + b'<row r="1"><c r="A1"><v>1</v></c><c r="GR1048576"><v>1</v></c></row>' + wb.SHEET_TAIL
    path = wb.write_xlsx(tmp_path / "导出.xlsx", [("说明", [body])])
    with pytest.raises(ValidationError, match="至少用到第 1,048,576 行"):
        chain_head.code_in_file(path)


def test_a_huge_pdf_is_refused_without_reading_it(tmp_path: Path) -> None:
    path = tmp_path / "录像.pdf"
    with path.open("wb") as fh:  # sparse: 300 MB on paper, nothing on disk
        fh.write(b"%PDF-1.4\n")
        fh.truncate(300 * 2**20)
    with pytest.raises(ValidationError, match="有 300 MB，不像本程序打印的表"):
        chain_head.code_in_file(path)
