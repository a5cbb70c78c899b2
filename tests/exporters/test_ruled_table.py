"""The grade sheets' ruled table: wrapping, page breaks with the header repeated, every row once."""

from __future__ import annotations

from pathlib import Path

from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import SimpleDocTemplate

from desktop.exporters.pdf.fonts import register_font
from desktop.exporters.pdf.ruled_table import PAD_Y, RuledColumn, RuledTable, wrap_text
from tests.exporters.conftest import pdf_pages


def test_wrap_text_by_character_prefers_spaces_and_keeps_line_breaks() -> None:
    font = register_font("")
    remark = "一把手不参与本单位排名，本月病假十五天，未确认"
    lines = wrap_text(remark, font, 9, 60)
    assert "".join(text for text, _ in lines) == remark and len(lines) > 1
    assert all(width <= 60 and abs(width - stringWidth(text, font, 9)) < 0.01 for text, width in lines)
    latin = [t for t, _ in wrap_text("Zhang San Feng", font, 9, stringWidth("Zhang San", font, 9) + 1)]
    assert latin == ["Zhang San", "Feng"]  # broken at the space, not inside a word
    assert [t for t, _ in wrap_text("第一行\n第二行", font, 9, 200)] == ["第一行", "第二行"]
    assert wrap_text("", font, 9, 50) == [("", 0.0)]


def test_a_long_table_breaks_between_rows_with_its_header_on_every_page(tmp_path: Path) -> None:
    font = register_font("")
    columns = [RuledColumn(15 * mm), RuledColumn(30 * mm), RuledColumn(40 * mm, "LEFT")]
    rows = [[str(n), f"B{n:05d}", "很长的备注，" * 6 if n % 50 == 0 else "未确认"] for n in range(1, 301)]
    table = RuledTable(["序号", "警号", "备注"], rows, columns, font)
    one_line = table._heights[1]
    assert table._heights[50] > one_line  # the long remark wraps, and its row grows
    assert one_line == 9 * 1.25 + 2 * PAD_Y
    out = tmp_path / "table.pdf"
    SimpleDocTemplate(str(out), pagesize=landscape(A4)).build([table])
    pages = pdf_pages(out)
    assert len(pages) > 5
    assert all(page.split()[:3] == ["序号", "警号", "备注"] for page in pages)
    seen = [word for page in pages for word in page.split() if word.startswith("B0")]
    assert seen == [f"B{n:05d}" for n in range(1, 301)]  # every row once, in order
