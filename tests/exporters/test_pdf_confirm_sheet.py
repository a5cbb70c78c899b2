"""The month confirmation sheet read back: every entry, reversals, totals, signature lines."""

from __future__ import annotations

import pytest
from pypdf import PdfReader

from desktop.models.enums import Component
from desktop.services import documents, ledger, review, scoring
from desktop.services.errors import NotFound
from desktop.services.points import fmt
from tests import factories
from tests.exporters.conftest import MARCH, fonts_of, march, pdf_text, sign_all
from tests.services.builders import confirm_everyone


def _person(session, badge):
    from desktop.services import roster

    return roster.person_by_badge(session, badge)


def test_every_entry_and_the_totals(station_db, tmp_path):
    with station_db.session() as s:
        person = _person(s, "100103")  # 张伟: one wrong entry and its reversal
        out = documents.write_confirm_sheets(s, MARCH, tmp_path / "zw.pdf", ["100103"])
        entries = ledger.entries_of(s, person.id, march(s).start, march(s).end)
        row = next(r for r in scoring.results(s, march(s)) if r.person_id == person.id)
    text = pdf_text(out)
    assert "测试派出所 2026年3月 月积分核查确认单" in text
    assert "张伟" in text and "100103" in text
    assert len(entries) > 40
    for e in entries:
        assert e.item_name.split("（")[0] in text
    flat = text.replace("\n", "")
    assert "［已作废］未佩戴警号" in flat and "［作废］作废：经核实当日佩戴，录入错误" in flat
    assert "-1.0" in text and "+1.0" in text  # the deduction and its reversal, with signs
    assert f"基础工作积分\n{fmt(sum(e.points_tenths for e in entries if e.component == 'base'))}" in text
    assert f"\n{fmt(row.total)}\n" in text and f"第 {row.rank_department} 名" in text


def test_component_totals_match_scoring(station_db):
    with station_db.session() as s:
        sheet = documents.confirm_sheet_data(s, MARCH, ["100102"])[0]
        row = next(r for r in scoring.results(s, march(s)) if r.badge == "100102")
    counted = {c.label: c.counted for c in sheet.components}
    assert counted == {c.label: getattr(row, c.value) for c in Component}
    assert sheet.total == row.total == sum(c.sign * c.counted for c in sheet.components)
    deduction = next(c for c in sheet.components if c.label == "部门扣分")
    assert deduction.sign == -1 and deduction.counted == 20


def test_monthly_cap_is_explained(station_db):
    with station_db.transaction() as s:
        p = _person(s, "100101")
        for day in range(1, 32):  # 31 days of 到岗 (cap 25) on top of the 20 already recorded
            ledger.record(s, factories.SYSTEM, ledger.EntryInput([p.id], "ZB-01", march(s).start.replace(day=day)))
    with station_db.session() as s:
        sheet = documents.confirm_sheet_data(s, MARCH, ["100101"])[0]
    base = sheet.components[0]
    assert base.recorded > base.counted


def test_signature_lines_for_officer_and_chain(station_db, tmp_path):
    with station_db.session() as s:
        draft = pdf_text(documents.write_confirm_sheets(s, MARCH, tmp_path / "draft.pdf", ["100101"]))
    assert "民警本人签字" in draft and "中队长审核" in draft and "教导员签字" in draft
    assert draft.count("签字：＿＿") == 3 and "chief" not in draft
    with station_db.transaction() as s:
        from desktop.services import periods

        periods.start_review(s, factories.SYSTEM, march(s))
        review.confirm(s, factories.login(s, "clerk"), march(s), _person(s, "100101").id)
    sign_all_after_review(station_db)
    with station_db.session() as s:
        signed = pdf_text(documents.write_confirm_sheets(s, MARCH, tmp_path / "signed.pdf", ["100101"]))
    assert "在系统中确认" in signed
    assert signed.count("签字：＿＿") == 1 and "chief（所长/教导员）" in signed


def sign_all_after_review(db) -> None:
    from desktop.services import signoff

    with db.transaction() as s:
        confirm_everyone(s, factories.login(s, "clerk"), march(s))
    for username in ("chief", "jdy"):
        with db.transaction() as s:
            signoff.sign(s, factories.login(s, username), march(s), factories.PASSWORD)


def test_batch_for_a_department_numbers_each_person(station_db, tmp_path):
    sign_all(station_db)
    with station_db.session() as s:
        out = documents.write_confirm_sheets(s, MARCH, tmp_path / "dept.pdf", department="城关警务室")
    pages = [p.extract_text() for p in PdfReader(str(out)).pages]
    firsts = [p for p in pages if "月积分核查确认单" in p and "第 1 页" in p]
    assert len(firsts) == 3
    assert all(fonts_of(out).values())


def test_unknown_person_is_a_user_error(station_db, tmp_path):
    with station_db.session() as s, pytest.raises(NotFound, match="999999"):
        documents.write_confirm_sheets(s, MARCH, tmp_path / "x.pdf", ["999999"])
    assert not (tmp_path / "x.pdf").exists()
