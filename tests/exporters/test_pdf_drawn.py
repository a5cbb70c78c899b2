"""The pieces the 政绩档案 draws straight onto the canvas: a one-line TextLine lands exactly where the
Paragraph it replaces did, the trend chart's axis, and the ruled table's spans, stacks and shades."""

from __future__ import annotations

from pathlib import Path

import pytest
from pypdf import PdfReader
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.platypus import KeepTogether, Paragraph, SimpleDocTemplate, Spacer

from desktop.exporters.pdf.fonts import register_font
from desktop.exporters.pdf.layout import esc, make_styles
from desktop.exporters.pdf.ruled_table import PAD_Y, RuledColumn, RuledTable, Stack
from desktop.exporters.pdf.text_line import NBSP, TextLine
from desktop.exporters.pdf.trend_chart import TrendChart, nice_ticks
from tests.exporters.conftest import pdf_pages


def _placed(path: Path) -> list[tuple[str, float, float]]:
    """Every piece of text on the first page with where it is drawn (x, y of its baseline)."""
    found: list[tuple[str, float, float]] = []

    def visit(text, cm, tm, font, size) -> None:
        if text.strip():
            found.append((text.strip(), round(tm[4] * cm[0] + cm[4], 2), round(tm[5] * cm[3] + cm[5], 2)))

    PdfReader(str(path)).pages[0].extract_text(visitor_text=visit)
    return found


def _build(path: Path, story: list) -> Path:
    SimpleDocTemplate(str(path), pagesize=A4).build(story)
    return path


@pytest.mark.parametrize("style_name", ["title", "body", "small"])
def test_a_text_line_lands_where_its_paragraph_did(tmp_path: Path, style_name: str) -> None:
    st = make_styles(register_font(""))
    style = getattr(st, style_name)
    texts = ["一、月度积分", f"3月（已锁定）{NBSP * 6}等次：优秀", "Zhang San 审核评语：态度端正"]
    as_paragraphs = [Paragraph(esc(t).replace(NBSP, "&nbsp;"), style) for t in texts]
    as_lines = [TextLine(t, style) for t in texts]
    old = _placed(_build(tmp_path / "p.pdf", [Spacer(1, 5 * mm), *as_paragraphs, KeepTogether([as_paragraphs[0]])]))
    new = _placed(_build(tmp_path / "t.pdf", [Spacer(1, 5 * mm), *as_lines, KeepTogether([TextLine(texts[0], style)])]))
    assert new == old and len(new) == 4


def _all_placed(path: Path) -> list[list[tuple[str, float, float]]]:
    """`_placed` for every page."""
    pages: list[list[tuple[str, float, float]]] = []
    for page in PdfReader(str(path)).pages:
        found: list[tuple[str, float, float]] = []

        def visit(text, cm, tm, font, size, found=found) -> None:
            if text.strip():
                found.append((text.strip(), round(tm[4] * cm[0] + cm[4], 2), round(tm[5] * cm[3] + cm[5], 2)))

        page.extract_text(visitor_text=visit)
        pages.append(found)
    return pages


@pytest.mark.parametrize("style_name", ["body", "small", "subtitle"])
def test_a_text_line_too_long_for_its_width_breaks_and_splits_as_its_paragraph(tmp_path: Path,
                                                                             style_name: str) -> None:
    """Wrapped notes break where the CJK Paragraph breaks (punctuation hangs, Latin words stay whole)
    and a page end splits them after the same line, leaving no single line behind."""
    st = make_styles(register_font(""))
    style = getattr(st, style_name)
    texts = ["注1：" + "本月工作认真负责，按时完成交办任务。" * 9,
             "注2：Zhang San 在 2026-11 调入，" + "考核周期内在岗不足一半，等次按规定不评优秀；" * 5,
             f"注3：超出比例{NBSP * 6}" + "「优秀」不超过百分之二十，" * 12,
             "注4：" + "一份比一页还长的说明，从上一页接到下一页再接到第三页。" * 90]
    fill = 30 if style_name == "small" else 24  # lines that push the notes over the first page's end
    filler = [f"第{n}行" for n in range(fill)]
    old_story = [*(Paragraph(t, style) for t in filler), *(Paragraph(esc(t).replace(NBSP, "&nbsp;"), style)
                                                            for t in texts * 2)]
    new_story = [*(TextLine(t, style) for t in filler), *(TextLine(t, style) for t in texts * 2)]
    old = _all_placed(_build(tmp_path / "p.pdf", old_story))
    new = _all_placed(_build(tmp_path / "t.pdf", new_story))
    assert len(old) >= 3 and new == old
    assert all(not page[0][0].startswith("注") for page in new[1:])  # the long notes run on over page ends
    assert TextLine(texts[0], style).wrap(300, 800)[1] == Paragraph(texts[0], style).wrap(300, 800)[1]


def test_a_text_line_a_paragraph_would_read_differently_is_that_paragraph(tmp_path: Path) -> None:
    st = make_styles(register_font(""))
    remark = "审核评语：" + "本月工作认真负责，  " * 20  # runs of spaces: the Paragraph collapses them
    line = TextLine(remark, st.body)
    _, height = line.wrap(400, 800)
    assert line.text_width is None and height > st.body.leading * 2
    text = pdf_pages(_build(tmp_path / "long.pdf", [TextLine(remark, st.body)]))[0]
    assert "".join(text.split()) == "".join(remark.split())


def test_the_chart_axis_ends_at_the_data_with_round_ticks() -> None:
    assert nice_ticks(0, 15) == (0, 15, [0, 5, 10, 15])
    assert nice_ticks(0, 41) == (0, 41, [0, 10, 20, 30, 40])  # reportlab's axis stops at the highest bar
    assert nice_ticks(-3.5, 12) == (-3.5, 12, [0, 5, 10])  # a month below zero: the axis goes down to it
    assert nice_ticks(0, 0) == (0, 1, [0, 0.2, 0.4, 0.6, 0.8, 1])  # no totals: an empty axis, not a division by zero


def test_the_chart_draws_every_total_its_months_and_no_bar_where_there_is_none(tmp_path: Path) -> None:
    font = register_font("")
    values = [10.0, -2.5, None, 12.5] + [None] * 8
    names = [f"{n}月" for n in range(1, 13)]
    out = _build(tmp_path / "chart.pdf", [TrendChart(180 * mm, 52 * mm, values, names, font, "月度总分走势（分）",
                                                     colors.blue)])
    words = pdf_pages(out)[0].split()
    assert "月度总分走势（分）" in words and all(name in words for name in names)
    assert "10.0" in words and "-2.5" in words and "12.5" in words
    assert [w for w in words if "." in w] == ["10.0", "-2.5", "12.5"]  # a label over each total, none elsewhere


def _table(font: str, rows: int) -> RuledTable:
    columns = [RuledColumn(25 * mm, shade=colors.lightgrey), RuledColumn(20 * mm, "LEFT"), RuledColumn(60 * mm)]
    body: list[list[str | Stack]] = []
    spans = []
    for group in range(rows // 5):
        first = len(body)
        body.append([Stack(((f"方面{group}", None), ("+1.0 分", 7.5))), f"{group}-0", "事项"])
        body += [["", f"{group}-{n}", "事项"] for n in range(1, 5)]
        spans.append((0, first, len(body) - 1))
    return RuledTable(["方面", "日期", "事项"], body, columns, font, 9, spans=spans, shades={0: colors.yellow})


def test_a_spanned_cell_is_drawn_once_over_its_rows_and_a_page_breaks_between_spans(tmp_path: Path) -> None:
    font = register_font("")
    table = _table(font, 200)  # 40 spans of 5 rows: several pages
    out = _build(tmp_path / "spans.pdf", [table])
    pages = pdf_pages(out)
    assert len(pages) > 2
    for page in pages:
        words = page.split()
        assert words[:3] == ["方面", "日期", "事项"]  # the header on every page
        dates = [w for w in words if "-" in w and w[0].isdigit()]
        assert dates and dates[0].endswith("-0") and dates[-1].endswith("-4")  # no span cut across a break
        assert words.count("+1.0") == len(dates) // 5  # each span's name once, with its smaller line
    seen = [w for page in pages for w in page.split() if w.startswith("方面") and w != "方面"]
    assert seen == [f"方面{g}" for g in range(40)]


def test_a_span_taller_than_a_page_is_cut_and_its_name_printed_again(tmp_path: Path) -> None:
    font = register_font("")
    columns = [RuledColumn(25 * mm), RuledColumn(20 * mm, "LEFT")]
    body = [[Stack((("工作成绩", None),)), "0"], *[["", str(n)] for n in range(1, 120)]]
    out = _build(tmp_path / "tall.pdf", [RuledTable(["方面", "日期"], body, columns, font, spans=[(0, 0, 119)])])
    pages = pdf_pages(out)
    assert len(pages) >= 2 and all("工作成绩" in page for page in pages)
    assert [w for p in pages for w in p.split() if w.isdigit()] == [str(n) for n in range(120)]


def test_a_span_grows_its_last_row_when_its_rows_are_too_short_for_it(tmp_path: Path) -> None:
    font = register_font("")
    columns = [RuledColumn(25 * mm), RuledColumn(20 * mm)]
    name = Stack((("政治表现", None), ("+1.0 分", 7.5), ("第三行", None)))
    table = RuledTable(["方面", "日期"], [[name, "1日"], ["", "2日"]], columns, font, spans=[(0, 0, 1)])
    one = 9 * 1.25 + 2 * PAD_Y
    assert table._heights[1] == one and table._heights[2] == 3 * 9 * 1.25 + 2 * PAD_Y - one
    note = Stack((("说明", 9),), "LEFT", 11.25)
    assert RuledTable(["说明"], [[note]], [RuledColumn(30 * mm)], font, 9.5)._heights[1] == 11.25 + 2 * PAD_Y
