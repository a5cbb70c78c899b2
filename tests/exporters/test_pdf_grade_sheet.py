"""The grade sheet read back: values match scoring, signatures, pagination, embedded fonts."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import text

from desktop.exporters.pdf.data import GradeSheetData
from desktop.models.enums import Identity
from desktop.services import documents, ledger, periods, scoring
from desktop.services.errors import PermissionDenied, ValidationError
from desktop.services.points import fmt
from desktop.services.text import cn_date
from tests import factories
from tests.exporters.conftest import MARCH, fonts_of, march, pdf_pages, pdf_text, sign_all


def _tokens(page: str) -> list[str]:
    """The page's words: a row of the score table reads as one line, its cells apart by spaces."""
    return page.split()


def test_every_row_matches_the_scores(station_db, tmp_path):
    out = tmp_path / "grade.pdf"
    with station_db.session() as s:
        documents.write_grade_sheets(s, MARCH, out)
        rows = scoring.results(s, march(s))
        policy_labels = {"A": "A类", "B": "B类", "C": "C类", "D": "D类"}
    pages = pdf_pages(out)
    assert len(pages) == 2  # one page per department
    for row in rows:
        page = next(p for p in pages if row.department in p)
        tokens = _tokens(page)
        at = tokens.index(row.badge)
        expected = [row.badge, row.name, Identity(row.identity).label, fmt(row.base), fmt(row.dept_bonus),
                    fmt(row.dept_deduction), fmt(row.higher_bonus), fmt(row.higher_deduction), fmt(row.total)]
        assert tokens[at:at + len(expected)] == expected
        if row.rank_department is not None:
            assert tokens[at + len(expected):at + len(expected) + 2] == [str(row.rank_department),
                                                                         policy_labels[row.grade]]
        else:
            assert "一把手不参与本单位排名" in page
    assert {r.grade for r in rows if r.grade} >= {"A", "B", "C"}  # the data exercises several grades


def test_one_department_and_distribution(station_db, tmp_path):
    with station_db.session() as s:
        sheets = documents.grade_sheet_data(s, MARCH, "治安中队")
        out = documents.write_grade_sheets(s, MARCH, tmp_path / "one.pdf", "治安中队")
    assert [d.department for d in sheets] == ["治安中队"]
    counts = {q.label: q.count for q in sheets[0].distribution}
    assert counts == {"A类": 1, "B类": 2, "C类": 2, "D类": 0, "不参与排名": 1}
    text = pdf_text(out)
    assert "测试派出所 2026年3月 民警积分考核等次评定表" in text
    assert "≤20%，至多1人" in text and "须达60.0分" in text
    assert "城关警务室" not in text


def test_post_sheet_explains_the_merged_ranking(station_db):
    with station_db.session() as s:
        sheet = documents.grade_sheet_data(s, MARCH, "城关警务室")[0]
    assert "一类警务室合并排名" in sheet.distribution_note


def test_unsigned_sheet_has_empty_signature_lines(station_db, tmp_path):
    with station_db.session() as s:
        out = documents.write_grade_sheets(s, MARCH, tmp_path / "draft.pdf", "治安中队")
    text = pdf_text(out)
    assert "中队长审核" in text and "教导员签字" in text
    assert text.count("签字：＿＿") == 2 and text.count("日期：＿＿＿＿年") == 2
    assert "chief" not in text and "jdy" not in text
    assert "录入中" in text


def test_signed_sheet_shows_signers_and_dates(station_db, tmp_path):
    sign_all(station_db)
    with station_db.session() as s:
        out = documents.write_grade_sheets(s, MARCH, tmp_path / "signed.pdf", "治安中队")
        signed_on = documents.signers_for(s, march(s))[0].signed_on
    text = pdf_text(out)
    assert "chief（所长/教导员）" in text and "jdy（所长/教导员）" in text
    assert signed_on is not None and _tokens(text).count(f"日期：{cn_date(signed_on)}") == 2
    assert "签字：＿＿" not in text and "已锁定" in text


def test_signature_image_is_placed(station_db, tmp_path):
    import io

    from PIL import Image as PILImage
    from pypdf import PdfReader

    buf = io.BytesIO()
    PILImage.new("RGB", (300, 100), "white").save(buf, "PNG")
    with station_db.transaction() as s:
        documents.set_signature(s, factories.login(s, "jdy"), buf.getvalue())
    sign_all(station_db)
    with station_db.session() as s:
        out = documents.write_grade_sheets(s, MARCH, tmp_path / "image.pdf", "治安中队")
    xobjects = PdfReader(str(out)).pages[0]["/Resources"]["/XObject"]
    assert any(x.get_object()["/Subtype"] == "/Image" for x in xobjects.values())


def test_every_font_is_embedded(station_db, tmp_path):
    sign_all(station_db)
    with station_db.session() as s:
        out = documents.write_grade_sheets(s, MARCH, tmp_path / "fonts.pdf")
    fonts = fonts_of(out)
    assert fonts and all(fonts.values()), fonts
    assert not any("Helvetica" in name for name in fonts)


def test_300_people_paginate_with_header_and_page_count(db, tmp_path):
    with db.transaction() as s:
        factories.station(s)
        dept = factories.department(s, "巡特警大队")
        people = [factories.person(s, dept, f"5{i:05d}", f"巡警{i:03d}") for i in range(300)]
        for day in range(2, 12):
            ledger.record(s, factories.SYSTEM, ledger.EntryInput(
                person_ids=[p.id for p in people], item_code="ZB-01", occurred_on=dt.date(2026, 3, day)))
        for n, p in enumerate(people):
            ledger.record(s, factories.SYSTEM, ledger.EntryInput(
                person_ids=[p.id], item_code="BA-03", occurred_on=dt.date(2026, 3, 15), quantity=n % 17 + 1))
        periods.get_or_create(s, MARCH)
    out = tmp_path / "big.pdf"
    with db.session() as s:
        documents.write_grade_sheets(s, MARCH, out)
    pages = pdf_pages(out)
    n = len(pages)
    assert n >= 5
    seen: list[str] = []
    for i, page in enumerate(pages, start=1):
        tokens = _tokens(page)
        assert f"第 {i} 页 共 {n} 页" in page
        badges = [t for t in tokens if t.startswith("5") and len(t) == 6]
        if badges:  # the closing block (signatures, code) may sit alone on the last page
            header = tokens.index("序号")
            assert tokens[header:header + 3] == ["序号", "警号", "姓名"], f"page {i}"
            assert header < tokens.index(badges[0])
        seen += badges
    assert sorted(seen) == sorted(p.badge for p in people)  # every person once, none lost at a break
    assert "核验码" in pages[-1] and "审核签字" in pages[-1]


def test_batch_numbers_each_department_on_its_own(station_db, tmp_path):
    with station_db.session() as s:
        out = documents.write_grade_sheets(s, MARCH, tmp_path / "batch.pdf")
    assert all("第 1 页 共 1 页" in page for page in pdf_pages(out))


def test_start_score_column_appears_only_when_used(db, tmp_path):
    with db.transaction() as s:
        factories.station(s, starting_score=1000)
        dept = factories.department(s)
        factories.person(s, dept, "700001", "周强")
        periods.get_or_create(s, MARCH)
    with db.session() as s:
        sheet: GradeSheetData = documents.grade_sheet_data(s, MARCH)[0]
        out = documents.write_grade_sheets(s, MARCH, tmp_path / "start.pdf")
    assert sheet.show_start
    assert "起始分" in pdf_text(out) and "100.0" in pdf_text(out)


def test_who_may_register_a_signature_image(station_db):
    png = b"\x89PNG\r\n\x1a\n" + b"0" * 20
    with station_db.transaction() as s:
        with pytest.raises(PermissionDenied):
            documents.set_signature(s, factories.login(s, "clerk"), png)
        with pytest.raises(PermissionDenied):
            documents.set_signature(s, factories.login(s, "chief"), png, username="jdy")
        with pytest.raises(ValidationError, match="PNG"):
            documents.set_signature(s, factories.login(s, "chief"), b"GIF89a")
        documents.set_signature(s, factories.login(s, "admin"), png, username="jdy")
        assert s.scalar(text("SELECT action FROM audit_events ORDER BY id DESC LIMIT 1")) == "user.signature"
