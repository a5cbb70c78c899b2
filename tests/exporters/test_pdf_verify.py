"""Verification codes of grade sheets: round trip, and one changed score is found and named."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from desktop.services import documents, ledger, signoff
from desktop.services.errors import NotFound, ValidationError
from desktop.services.points import fmt
from desktop.services.sheet_codes import parse_code
from tests import factories
from tests.exporters.conftest import MARCH, march, pdf_text, sign_all


@pytest.fixture
def signed_db(station_db):
    sign_all(station_db)
    return station_db


def _sheet(db, department: str = "治安中队"):
    with db.session() as s:
        return documents.grade_sheet_data(s, MARCH, department)[0]


def test_code_is_printed_and_round_trips(signed_db, tmp_path):
    sheet = _sheet(signed_db)
    assert sheet.verification is not None
    code = sheet.verification.code
    assert code.startswith("JF-2026-03-D01-") and len(code) == len("JF-2026-03-D01-XXXX-XXXX-XXXX")
    with signed_db.session() as s:
        out = documents.write_grade_sheets(s, MARCH, tmp_path / "sheet.pdf", "治安中队")
        printed = pdf_text(out)
        assert code in printed and sheet.verification.digest[:32] in printed
        for form in (code, code.lower(), f"  {code.replace('-', ' - ')} ", sheet.verification.qr_text,
                     code.translate(str.maketrans("0123456789-", "０１２３４５６７８９－"))):
            report = documents.verify_code(s, form)
            assert report.ok, (form, report.lines())
    assert "核验通过" in report.lines()[1]


def test_qr_text_names_station_period_department_and_full_digest(signed_db):
    v = _sheet(signed_db).verification
    assert v is not None
    assert v.qr_text == f"JF1;S=150302;P=2026-03;D=D01;H={v.digest}"
    ref = parse_code(v.qr_text)
    assert (ref.station_code, ref.period_code, ref.department_code, ref.digest) == ("150302", MARCH, "D01", v.digest)


def test_changed_score_row_is_detected_and_named(signed_db):
    code = _sheet(signed_db).verification.code
    with signed_db.session() as s:
        victim = next(r for r in documents.scoring.results(s, march(s)) if r.badge == "100103")
    with signed_db.transaction() as s:  # someone edits the frozen result in the SQLite file
        s.execute(text("UPDATE score_results SET total_tenths = total_tenths + 50 WHERE person_id = :p"),
                  {"p": victim.person_id})
    with signed_db.session() as s:
        report = documents.verify_code(s, code)
    assert not report.ok and not report.matches
    assert report.matched == "按台账重新计算的结果"
    assert [(d.badge, d.field, d.saved, d.ledger) for d in report.differences] == [
        ("100103", "总分", fmt(victim.total + 50), fmt(victim.total))]
    assert any("张伟（100103）总分" in line for line in report.lines())


def test_reversal_after_reopening_is_detected(signed_db):
    code = _sheet(signed_db).verification.code
    with signed_db.transaction() as s:
        chief = factories.login(s, "chief")
        signoff.reopen(s, chief, march(s), "更正李明的迟到记录")
        entry = next(e for e in ledger.entries_of(s, s.scalar(text("SELECT id FROM people WHERE badge='100102'")),
                                                  march(s).start, march(s).end) if e.item_code == "ZB-08")
        ledger.reverse(s, chief, entry.id, "经核实未迟到")
    with signed_db.session() as s:
        report = documents.verify_code(s, code)
    assert not report.ok and report.matched == "锁定时保存的结果"
    changed = {(d.badge, d.field) for d in report.differences}
    assert ("100102", "部门扣分") in changed and ("100102", "总分") in changed
    assert any("解锁" in note for note in report.notes)
    assert any("又有 1 条积分记录" in note for note in report.notes)


def test_code_of_one_department_does_not_pass_for_another(signed_db):
    code = _sheet(signed_db).verification.code
    other = _sheet(signed_db, "城关警务室").verification.code
    forged = code[: len("JF-2026-03-")] + "D02" + code[len("JF-2026-03-D01"):]
    with signed_db.session() as s:
        assert documents.verify_code(s, other).ok
        report = documents.verify_code(s, forged)
    assert not report.ok and report.matched == ""
    assert any("无法得知纸质表上的原值" in note for note in report.notes)


def test_bad_codes_are_user_errors(signed_db):
    code = _sheet(signed_db).verification.code
    with signed_db.session() as s:
        with pytest.raises(ValidationError, match="不是等次评定表的核验码"):
            documents.verify_code(s, "hello")
        with pytest.raises(NotFound, match="2025-03"):
            documents.verify_code(s, code.replace("2026-03", "2025-03"))
        with pytest.raises(NotFound, match="D09"):
            documents.verify_code(s, code.replace("D01", "D09"))
        qr = _sheet(signed_db).verification.qr_text.replace("S=150302", "S=999999")
        with pytest.raises(ValidationError, match="999999"):
            documents.verify_code(s, qr)
