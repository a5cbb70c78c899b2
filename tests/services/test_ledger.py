"""The append-only diary ledger: record, mass record, reverse, points rules and evidence."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from pathlib import Path

import pytest
from sqlalchemy import select

from desktop.models.audit import AuditEvent
from desktop.models.enums import EntrySource
from desktop.models.ledger import Entry, EvidenceBlob, EvidenceFile
from desktop.services import ledger, scoring
from desktop.services.errors import NotFound, PermissionDenied, ValidationError
from desktop.services.ledger import Evidence, safe_filename
from tests.services.builders import MARCH, World, count, entry_input, period, person, rec, row_of


def test_record_one_entry_snapshots_the_item(w: World) -> None:
    with w.tx() as s:
        p = person(s, w.dept, "001")
        (entry,) = ledger.record(s, w.clerk, entry_input(p, "ZB-01", note="  按时到岗  "))
    with w.tx() as s:
        row = s.get(Entry, entry.id)
        assert row is not None
        assert (row.person_id, row.occurred_on, row.item_code, row.item_name) == (p.id, MARCH, "ZB-01", "按时到岗")
        assert (row.component, row.points_tenths, row.quantity, row.veto) == ("base", 10, 1, False)
        assert (row.note, row.source, row.batch_uuid, row.reverses_id) == ("按时到岗", "manual", None, None)
        assert (row.recorded_by_name, row.recorded_by_id) == ("clerk", w.clerk.user_id)
        last = s.scalars(select(AuditEvent).order_by(AuditEvent.id.desc()).limit(1)).one()
        assert (last.action, last.entity_ref) == ("entry.record", row.uuid)


def test_per_unit_item_multiplies_by_quantity(w: World) -> None:
    with w.tx() as s:
        p = person(s, w.dept, "001")
        (entry,) = ledger.record(s, w.clerk, entry_input(p, "BA-01", qty=3))  # 3.0 per case
        assert (entry.quantity, entry.points_tenths) == (3, 90)


@pytest.mark.parametrize("qty", [0, -1, ledger.MAX_QUANTITY + 1])
def test_quantity_out_of_bounds_is_refused(w: World, qty: int) -> None:
    with w.tx() as s:
        p = person(s, w.dept, "001")
        with pytest.raises(ValidationError, match="数量应在 1 到 1000 之间"):
            ledger.record(s, w.clerk, entry_input(p, "BA-01", qty=qty))


def test_mass_record_gives_each_person_an_entry_in_one_batch(w: World) -> None:
    with w.tx() as s:
        people = [person(s, w.dept, f"00{i}") for i in range(1, 5)]
        audit_before = count(s, AuditEvent)
        entries = ledger.record(s, w.clerk, entry_input(reversed(people), "ZB-05", note="春节安保"))
    assert [e.person_id for e in entries] == [p.id for p in reversed(people)]
    assert len({e.uuid for e in entries}) == 4
    assert entries[0].batch_uuid is not None
    assert {e.batch_uuid for e in entries} == {entries[0].batch_uuid}
    assert {(e.item_code, e.points_tenths, e.note) for e in entries} == {("ZB-05", 20, "春节安保")}
    with w.tx() as s:
        assert count(s, Entry) == 4
        assert count(s, AuditEvent) == audit_before + 1  # one event for the whole mass entry
        rows = scoring.calculate(s, period(s, "2026-03"))
        assert [row_of(rows, p).base for p in people] == [20, 20, 20, 20]


def test_mass_record_refuses_the_same_person_twice(w: World) -> None:
    with w.tx() as s:
        p = person(s, w.dept, "001")
        with pytest.raises(ValidationError, match="人员重复"):
            ledger.record(s, w.clerk, entry_input([p, p], "ZB-01"))


def test_record_refuses_unknown_person_and_unknown_item(w: World) -> None:
    with w.tx() as s:
        p = person(s, w.dept, "001")
        data = entry_input(p, "ZB-01")
        data.person_ids = [p.id, p.id + 100]
        with pytest.raises(NotFound):
            ledger.record(s, w.clerk, data)
        with pytest.raises(NotFound, match="XX-99"):
            ledger.record(s, w.clerk, entry_input(p, "XX-99"))
        with pytest.raises(ValidationError, match="至少选择一名人员"):
            ledger.record(s, w.clerk, entry_input([], "ZB-01"))


def test_reversal_cancels_the_points_and_keeps_both_rows(w: World) -> None:
    with w.tx() as s:
        p = person(s, w.dept, "001")
        (keep,) = rec(s, w.clerk, p, "ZB-01")
        (wrong,) = rec(s, w.clerk, p, "ZB-07")  # dept bonus 2.0
        before = row_of(scoring.calculate(s, period(s, "2026-03")), p)
        assert (before.base, before.dept_bonus, before.total) == (10, 20, 30)
    with w.tx() as s:
        reversal = ledger.reverse(s, w.clerk, wrong.id, "  记错了人  ")
    with w.tx() as s:
        after = row_of(scoring.calculate(s, period(s, "2026-03")), p)
        assert (after.base, after.dept_bonus, after.total) == (10, 0, 10)
        rows = s.scalars(select(Entry).where(Entry.person_id == p.id).order_by(Entry.id)).all()
        assert [(r.id, r.points_tenths, r.reverses_id, r.source) for r in rows] == [
            (keep.id, 10, None, "manual"),
            (wrong.id, 20, None, "manual"),
            (reversal.id, -20, wrong.id, EntrySource.REVERSAL.value),
        ]
        assert rows[2].note == "作废：记错了人"
        assert (rows[2].item_code, rows[2].component, rows[2].occurred_on) == ("ZB-07", "dept_bonus", MARCH)
        assert ledger.is_reversed(s, wrong.id) and not ledger.is_reversed(s, keep.id)


def test_a_reversal_cannot_be_reversed(w: World) -> None:
    with w.tx() as s:
        (entry,) = rec(s, w.clerk, person(s, w.dept, "001"), "ZB-01")
        reversal = ledger.reverse(s, w.clerk, entry.id, "重复录入")
    with w.tx() as s, pytest.raises(ValidationError, match="作废记录本身不能再作废"):
        ledger.reverse(s, w.clerk, reversal.id, "再冲一次")
    with w.tx() as s:
        assert count(s, Entry) == 2


def test_an_entry_cannot_be_reversed_twice(w: World) -> None:
    with w.tx() as s:
        (entry,) = rec(s, w.clerk, person(s, w.dept, "001"), "ZB-01")
        ledger.reverse(s, w.clerk, entry.id, "重复录入")
    with w.tx() as s, pytest.raises(ValidationError, match="已经作废过了"):
        ledger.reverse(s, w.chief, entry.id, "再冲一次")
    with w.tx() as s:
        assert count(s, Entry) == 2


def test_reversal_needs_a_reason_and_an_existing_entry(w: World) -> None:
    with w.tx() as s:
        (entry,) = rec(s, w.clerk, person(s, w.dept, "001"), "ZB-01")
        with pytest.raises(ValidationError, match="作废需要填写理由"):
            ledger.reverse(s, w.clerk, entry.id, "   ")
        with pytest.raises(NotFound):
            ledger.reverse(s, w.clerk, entry.id + 99, "不存在")


# JJ-03 处警中救助群众 is a range item of 1.0–5.0 points.
@pytest.mark.parametrize(("points", "message"), [
    (9, "分值 0.9 超出范围，应在 1.0 至 5.0 之间"),
    (51, "分值 5.1 超出范围，应在 1.0 至 5.0 之间"),
    (-10, "超出范围"),
    (None, "区间赋分项目，请填写 1.0 至 5.0 之间的分值"),
])
def test_range_item_refuses_points_outside_its_bounds(w: World, points: int | None, message: str) -> None:
    with w.tx() as s:
        p = person(s, w.dept, "001")
        with pytest.raises(ValidationError, match=re.escape(message)):
            ledger.record(s, w.clerk, entry_input(p, "JJ-03", points=points))
        assert count(s, Entry) == 0


@pytest.mark.parametrize(("points", "qty", "expected"), [(10, 1, 10), (50, 1, 50), (35, 2, 70)])
def test_range_item_accepts_points_within_bounds(w: World, points: int, qty: int, expected: int) -> None:
    with w.tx() as s:
        (entry,) = ledger.record(s, w.clerk, entry_input(person(s, w.dept, "001"), "JJ-03", points=points, qty=qty))
        assert entry.points_tenths == expected


def test_fixed_item_refuses_a_different_points_value(w: World) -> None:
    with w.tx() as s:
        p = person(s, w.dept, "001")
        with pytest.raises(ValidationError, match=re.escape("分值固定为 1.0，不能改为 2.0")):
            ledger.record(s, w.clerk, entry_input(p, "ZB-01", points=20))
        (entry,) = ledger.record(s, w.clerk, entry_input(p, "ZB-01", points=10))  # the same value is fine
        assert entry.points_tenths == 10


def test_evidence_required_item_refuses_an_entry_without_evidence(w: World) -> None:
    with w.tx() as s:
        p = person(s, w.dept, "001")
        with pytest.raises(ValidationError, match="需要附证明材料"):
            ledger.record(s, w.clerk, entry_input(p, "DL-02"))
        assert count(s, Entry) == 0


def test_evidence_is_stored_in_the_database_by_sha256(w: World, tmp_path: Path) -> None:
    source = tmp_path / "锦旗照片.pdf"
    content = b"%PDF-1.4\n" + bytes(range(256)) * 40
    source.write_bytes(content)
    with w.tx() as s:
        p = person(s, w.dept, "001")
        data = entry_input(p, "DL-02")
        data.evidence = [Evidence.from_path(source)]
        (entry,) = ledger.record(s, w.clerk, data)
    source.unlink()
    with w.tx() as s:
        (ev,) = s.scalars(select(EvidenceFile).where(EvidenceFile.entry_id == entry.id)).all()
        assert ev.sha256 == hashlib.sha256(content).hexdigest()
        assert (ev.filename, ev.mime) == ("锦旗照片.pdf", "application/pdf")
        blob = s.get(EvidenceBlob, ev.sha256)
        assert blob is not None and blob.size == len(content) and blob.data == content


def test_the_same_file_on_a_mass_entry_is_stored_once(w: World) -> None:
    with w.tx() as s:
        a, b = person(s, w.dept, "001"), person(s, w.dept, "002")
        entries = ledger.record(s, w.clerk, entry_input([a, b], "DL-02", with_evidence=True))
    with w.tx() as s:
        assert count(s, EvidenceBlob) == 1
        files = s.scalars(select(EvidenceFile).order_by(EvidenceFile.id)).all()
        assert [f.entry_id for f in files] == [e.id for e in entries]
        assert {f.sha256 for f in files} == {hashlib.sha256(b"%PDF-1.4\n% test evidence\n").hexdigest()}


def test_missing_evidence_file_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValidationError, match="不存在或不是文件"):
        Evidence.from_path(tmp_path / "nope.pdf")


@pytest.mark.parametrize(("raw", "expected"), [
    ("../../x", "x"),
    ("..\\..\\Windows\\system.ini", "system.ini"),
    ("/etc/passwd", "passwd"),
    ("C:\\Users\\内勤\\扫描件.pdf", "扫描件.pdf"),
    ("a\x00b\x1fc\x7f.pdf", "abc.pdf"),
    ("line\nbreak\r\ttab.jpg", "linebreaktab.jpg"),
    (".hidden", "hidden"),
    ("..", "证明材料"),
    ("", "证明材料"),
    ("\x01\x02", "证明材料"),
    ("  spaced.png  ", "spaced.png"),
])
def test_safe_filename(raw: str, expected: str) -> None:
    assert safe_filename(raw) == expected


def test_safe_filename_shortens_long_names_and_keeps_the_extension() -> None:
    name = safe_filename("长" * 300 + ".pdf")
    assert len(name) <= 120 and name == "长" * 110 + ".pdf"
    assert safe_filename("x" * 500) == "x" * 120
    assert len(safe_filename("y" * 200 + ".averyveryverylongextension")) == 120


def test_odd_evidence_names_are_sanitised_when_stored(w: World) -> None:
    odd = ["../../x", "a" * 300 + ".jpg", "bad\x00name\x1b.pdf"]
    with w.tx() as s:
        data = entry_input(person(s, w.dept, "001"), "DL-02")
        data.evidence = [Evidence(name, name.encode()) for name in odd]
        ledger.record(s, w.clerk, data)
    with w.tx() as s:
        names = s.scalars(select(EvidenceFile.filename).order_by(EvidenceFile.id)).all()
        assert names == ["x", "a" * 110 + ".jpg", "badname.pdf"]
        assert all("/" not in n and "\\" not in n and len(n) <= 120 for n in names)


@pytest.mark.parametrize(("active_from", "active_to"), [
    (None, dt.date(2026, 3, 1)),  # left the day before
    (dt.date(2026, 3, 3), None),  # joins the day after
])
def test_person_not_on_the_roster_that_day_is_refused(w: World, active_from: dt.date | None,
                                                       active_to: dt.date | None) -> None:
    with w.tx() as s:
        p = person(s, w.dept, "001", active_from=active_from, active_to=active_to)
        q = person(s, w.dept, "002")
        with pytest.raises(ValidationError, match="2026年3月2日 不在岗"):
            ledger.record(s, w.clerk, entry_input([q, p], "ZB-01"))
        assert count(s, Entry) == 0


def test_officer_cannot_record_or_reverse(w: World) -> None:
    with w.tx() as s:
        p = person(s, w.dept, "001")
        (entry,) = rec(s, w.clerk, p, "ZB-01")
        with pytest.raises(PermissionDenied, match="无权录入或作废积分"):
            ledger.record(s, w.officer, entry_input(p, "ZB-01"))
        with pytest.raises(PermissionDenied):
            ledger.reverse(s, w.officer, entry.id, "想撤销")
        assert count(s, Entry) == 1


def test_record_many_is_one_batch_and_one_audit_event(w: World) -> None:
    with w.tx() as s:
        a, b = person(s, w.dept, "001"), person(s, w.dept, "002")
        before = count(s, AuditEvent)
        entries = ledger.record_many(s, w.clerk, [
            entry_input([a, b], "ZB-01", source=EntrySource.DUTY),
            entry_input(a, "ZB-03", dt.date(2026, 3, 3), source=EntrySource.DUTY),
        ], action="duty.save")
        assert len(entries) == 3 and len({e.batch_uuid for e in entries}) == 1
        assert count(s, AuditEvent) == before + 1
        last = s.scalars(select(AuditEvent).order_by(AuditEvent.id.desc()).limit(1)).one()
        assert (last.action, last.entity_ref) == ("duty.save", entries[0].batch_uuid)
