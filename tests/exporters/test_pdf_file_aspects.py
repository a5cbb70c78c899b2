"""The 政绩档案 PDF's six-aspect part, read back: headings, the month by aspect, remark, award,
complaint, probation, 半年排名 and 年终总评; the summary before it unchanged."""

from __future__ import annotations

import re

from desktop.exporters.pdf.performance_file import render_performance_file
from desktop.services import documents, file_aspects
from desktop.services.documents_file import performance_file_data
from tests.exporters.conftest import fonts_of, pdf_pages, pdf_text
from tests.services import file_world


def flat(text: str) -> str:
    """Extracted text without the line breaks a wrapped cell puts in."""
    return re.sub(r"\s+", "", text)


def test_the_file_has_the_six_aspects_remark_and_award(db, tmp_path) -> None:
    fw = file_world.build(db)
    with db.session() as s:
        data = performance_file_data(s, 2026, fw.badge, today=file_world.TODAY)
    out = render_performance_file(data, tmp_path / "file.pdf")
    text = pdf_text(out)
    compact = flat(text)
    for heading in ("一、月度积分", "四、一票否决及惩处", "五、月度等次与审核评语", "六、半年排名与年终总评",
                    "七、政绩档案六个方面（全年）", "八、奖励惩处（全年）", "九、逐月政绩"):
        assert heading in compact, heading
    for aspect in file_aspects.ASPECTS:
        assert compact.count(aspect) >= 5, aspect  # the summary row, and each printed month's table
    assert file_world.REMARK in compact and file_world.APRIL_REMARK in compact
    assert f"审核评语：{file_world.REMARK}" in compact
    assert file_world.YEAR_TITLE in compact and "全年办案数第一" in compact
    assert "3月（已锁定）" in compact and "等次：优秀" in compact and "审核人评定" in compact
    assert "按时到岗（5次）" in compact and "2–6日" in compact  # one line for the repeated entry
    assert "证明材料：证明材料.pdf" in compact
    assert "态度生硬属实" in compact and "关联扣分" in compact
    assert "试岗：不遵守纪律规定" in compact and "5月1日至7月31日" in compact
    assert "锁定后查实：迟到、早退" in compact
    assert "上半年" in compact and "下半年" in compact and "期末未到" in compact
    assert "着装不规范" not in compact  # reversed: no live fact
    assert "以下月份无政绩记录" in compact and "9月（未到）" in compact
    assert all(fonts_of(out).values())
    pages = pdf_pages(out)
    assert len(pages) >= 3 and all("政绩档案" in p for p in pages)


def test_the_printed_file_of_the_documents_service(db, tmp_path) -> None:
    fw = file_world.build(db)
    with db.session() as s:
        out = documents.write_performance_file(s, 2026, fw.badge, tmp_path / "file.pdf")
    compact = flat(pdf_text(out))
    assert "九、逐月政绩" in compact and file_world.REMARK in compact and "年终总评" in compact
