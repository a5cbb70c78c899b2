"""Rows edited, deleted or inserted in the SQLite file behind the program's back: `audit verify`
names the table, the row and the field; a chain rewritten after a printed code is caught by it."""

from __future__ import annotations

import datetime as dt
import shutil
import sqlite3
from pathlib import Path

import pytest

from desktop.models.db import open_database
from desktop.models.enums import Identity, Role
from desktop.services import (
    absences,
    accountability,
    awards,
    cases,
    chain_head,
    complaints,
    ledger,
    probation,
    ratings,
    review,
    reviewers,
    roster,
    scheme_registry,
    scheme_signing,
    seal_verify,
    seals,
    self_report,
    signoff,
    tamper_check,
    units,
)
from desktop.services.exchange.export import export_period
from desktop.services.roster import ChainStep
from tests.reliability.conftest import run_cli
from tests.services.builders import (
    PASSWORD,
    add_user,
    confirm_everyone,
    overrides_may_break_quotas,
    period,
    person,
    rec,
    to_review,
    world,
)

# Tables the station below has no row of: tampering there can only be an insert.
EMPTY = {"settings"}


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A station with a row in every covered table: people, leave, entries with evidence, a
    month confirmed, overridden, awarded, signed and locked."""
    path = tmp_path_factory.mktemp("seals") / "jifen.db"
    db = open_database(path)
    w = world(db, starting_score=1000)
    overrides_may_break_quotas(w)
    with w.tx() as s:
        people = [person(s, w.dept, f"0{i:02d}") for i in range(10)]
        for i, p in enumerate(people):
            rec(s, w.clerk, p, "ZB-01", qty=10 - i)
        rec(s, w.clerk, people[0], "ZB-01", dt.date(2026, 3, 9), with_evidence=True)
        absences.record(s, w.clerk, people[4].badge, dt.date(2026, 3, 20), dt.date(2026, 3, 22), "病假")
        units.add_unit(s, w.clerk, units.UnitInput(code="DZB-01", name="第一党支部", kind="branch"))
        units.add_member(s, w.clerk, "DZB-01", people[0].badge, start=dt.date(2026, 1, 1), role="head")
        for code in ("jiceng", "zhifa"):
            scheme_registry.install(s, w.admin, code, catalogue_from=dt.date(2026, 1, 1))
        [case] = ledger.record(s, w.clerk, ledger.EntryInput([people[1].id], "ZF-01", dt.date(2026, 3, 4),
                                                              case_no="刑2026-007"))
        cases.review(s, w.clerk, case.id, "confirmed")
        units.add_unit(s, w.clerk, units.UnitInput(code="JWS-01", name="城关警务室", kind="post", post_class=1))
        scheme_signing.freeze(s, w.clerk, "jiceng", "2026-03")
        scheme_signing.sign(s, w.chief, "jiceng", "2026-03", PASSWORD)
    with w.tx() as s:
        month = to_review(s, w, "2026-03")
        review.confirm(s, w.clerk, month, people[0].id, "本人已核对")
        best = awards.candidates(s, month)[0]
        awards.give(s, w.chief, month, best.row.person_id, best.title)
        review.override_grade(s, w.chief, month, people[3].id, "B", "带队破获盗窃团伙")
        confirm_everyone(s, w.clerk, month)
        # #15: a reviewer (the unit head people[0]), an officer's report with evidence decided by
        # him, a remark, a head-signed department sheet, probation, a complaint.
        reviewers.set_leader_in_charge(s, w.admin, w.dept.name, people[9].badge)
        unit = units.for_department(s, w.admin, w.dept)
        units.add_member(s, w.admin, unit.code, people[0].badge, start=dt.date(2026, 1, 1), role="head")
        officer = add_user(s, "officer1", Role.OFFICER, people[1].id)
        head = add_user(s, "head0", Role.OFFICER, people[0].id)
        leader = add_user(s, "leader9", Role.OFFICER, people[9].id)
        [report] = self_report.submit(s, officer, [self_report.ReportInput(
            "JJ-01", dt.date(2026, 3, 11), evidence=[ledger.Evidence("处警记录.pdf", b"%PDF-1.4\n", "")])])
        self_report.decide(s, head, report.id, "approve")
        ratings.rate(s, head, month, people[1].id, "", remark="本月出勤全勤")
        roster.set_signoff_chain(s, w.admin, [ChainStep("部门负责人审核", signer="head"),
                                              ChainStep("所长签字", Role.CHIEF), ChainStep("教导员签字", Role.CHIEF)])
        probation.add(s, w.chief, people[5].badge, dt.date(2026, 4, 1), dt.date(2026, 6, 30), "duty")
        complaints.register(s, w.clerk, received_on=dt.date(2026, 3, 15), source="hotline", content="态度生硬",
                            badge=people[2].badge)
    with w.tx() as s:
        month = period(s, "2026-03")
        confirm_everyone(s, w.clerk, month)
        signoff.sign(s, head, month, PASSWORD)
        signoff.sign(s, leader, month, PASSWORD)  # the head's own line, by the leader in charge
    with w.tx() as s:
        signoff.withdraw(s, w.chief, period(s, "2026-03"), "补录一条")  # kept as revoked signatures
    with w.tx() as s:
        month = period(s, "2026-03")
        for signer in (head, leader, w.chief, w.jdy):
            signoff.sign(s, signer, month, PASSWORD)
        accountability.record(s, w.clerk, people[2].badge, "ZB-08", dt.date(2026, 3, 5), "督察发现迟到")
    with w.tx() as s:  # a dated move after the locked March (department_moves)
        community = roster.add_department(s, w.clerk, "社区中队")
        moved = s.get(type(people[8]), people[8].id)
        roster.update_person(s, w.clerk, moved.id, roster.PersonInput(
            badge=moved.badge, name=moved.name, identity=Identity(moved.identity), department_id=community.id,
            sequence=moved.sequence, moved_on=dt.date(2026, 6, 1)))
    db.dispose()
    return path


@pytest.fixture
def station(template: Path, tmp_path: Path) -> Path:
    path = tmp_path / "jifen.db"
    shutil.copy(template, path)
    return path


def sql(path: Path, statement: str, *params: object) -> None:
    conn = sqlite3.connect(path)
    conn.execute(statement, params)
    conn.commit()
    conn.close()


def findings(path: Path) -> list[seal_verify.Finding]:
    db = open_database(path)
    try:
        with db.session() as session:
            report = seal_verify.verify_rows(session)
    finally:
        db.dispose()
    assert report.sealed and not report.seal_problems
    return report.findings


def first_row(path: Path, table: str) -> dict[str, object]:
    conn = sqlite3.connect(path)
    conn.row_factory = sqlite3.Row
    row = conn.execute(f'SELECT * FROM "{table}" ORDER BY 1 DESC LIMIT 1').fetchone()
    conn.close()
    assert row is not None, f"the station has no row in {table}"
    return dict(row)


def test_every_covered_table_has_rows_and_all_verify(template: Path) -> None:
    conn = sqlite3.connect(template)
    empty = {t for t in seals.COVERED if conn.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] == 0}
    conn.close()
    assert empty == EMPTY
    assert findings(template) == []


# A column of each table that a forger would change, and a value to change it to.
EDITS = {
    "stations": ("name", "别的派出所"), "departments": ("name", "刑侦中队"), "signoff_steps": ("role", "clerk"),
    "users": ("role", "chief"), "people": ("sequence", "领导"), "absences": ("end", "2026-03-31"),
    "department_moves": ("effective_on", "2026-04-01"),
    "catalogue_versions": ("effective_from", "2025-01-01"), "catalogue_items": ("points_tenths", 500),
    "entries": ("points_tenths", 9990), "evidence_files": ("filename", "换了.pdf"), "periods": ("state", "open"),
    "period_transitions": ("reason", "改了"), "confirmations": ("comment", "同意"),
    "signoffs": ("signer_name", "王五"), "grade_policies": ("definition", "{}"),
    "policy_versions": ("reason", "改了"), "score_results": ("grade", "A"), "grade_overrides": ("to_grade", "D"),
    "awards": ("title", "全年标兵"), "units": ("kind", "branch"), "unit_members": ("role", "member"),
    "schemes": ("definition", "{}"), "case_reviews": ("state", "adjusted"), "scheme_results": ("state", "locked"),
    "scheme_signoffs": ("signer_name", "王五"), "self_reports": ("quantity", 9),
    "report_evidence": ("filename", "换了.pdf"), "reviewer_assignments": ("kind", "person"),
    "ratings": ("level", "优秀"), "sheet_signoffs": ("signer_name", "王五"), "revoked_signatures": ("reason", "改了"),
    "probations": ("end", "2026-04-02"), "complaints": ("outcome", "unfounded"), "late_findings": ("reviewer_name", "王五"),
}


@pytest.mark.parametrize("table", sorted(set(seals.COVERED) - EMPTY))
def test_an_edited_row_is_named_with_its_field(station: Path, table: str) -> None:
    column, value = EDITS[table]
    row = first_row(station, table)
    assert column in row, f"{table} has no column {column}"
    key = seals.key_column(table)
    sql(station, f'UPDATE "{table}" SET "{column}" = ? WHERE "{key}" = ?', value, row[key])
    found = [f for f in findings(station) if f.table == table]
    assert found == [seal_verify.Finding(table, str(row[key]), "edited", (column,), found[0].name)]


@pytest.mark.parametrize("table", sorted(set(seals.COVERED) - EMPTY))
def test_a_deleted_row_is_named(station: Path, table: str) -> None:
    row = first_row(station, table)
    key = seals.key_column(table)
    conn = sqlite3.connect(station)
    conn.execute("PRAGMA foreign_keys = OFF")  # as a forger would, to delete a row others point at
    conn.execute(f'DELETE FROM "{table}" WHERE "{key}" = ?', (row[key],))
    conn.commit()
    conn.close()
    found = [f for f in findings(station) if f.table == table]
    assert [(f.key, f.kind) for f in found] == [(str(row[key]), "deleted")]


def _unique_columns(conn: sqlite3.Connection, table: str) -> set[str]:
    """Columns of the table's unique indexes, as SQLite has them."""
    found: set[str] = set()
    for _, name, unique, *_ in conn.execute(f'PRAGMA index_list("{table}")'):
        if unique:
            found |= {info[2] for info in conn.execute(f'PRAGMA index_info("{name}")')}
    return found - {seals.key_column(table)}


@pytest.mark.parametrize("table", sorted(seals.COVERED))
def test_an_inserted_row_is_named(station: Path, table: str) -> None:
    key = seals.key_column(table)
    conn = sqlite3.connect(station)
    conn.execute("PRAGMA foreign_keys = OFF")
    if table == "settings":
        conn.execute("INSERT INTO settings (key, value) VALUES ('starting_score', '200')")
        new_key = "starting_score"
    else:
        row = first_row(station, table)
        columns = [c for c in row if c != key]
        for column in _unique_columns(conn, table):  # a copy must differ where the schema says rows differ
            value = row[column]
            row[column] = value + 1000 if isinstance(value, int) else "2099-01-01" if column.endswith(
                ("_from", "_on")) else f"{value}-x"
        cursor = conn.execute(
            f'INSERT INTO "{table}" ({", ".join(columns)}) VALUES ({", ".join("?" * len(columns))})',
            [row[c] for c in columns])
        new_key = str(cursor.lastrowid)
    conn.commit()
    conn.close()
    found = [f for f in findings(station) if f.table == table]
    assert [(f.key, f.kind) for f in found] == [(new_key, "inserted")]


def test_a_hand_made_sum_and_a_swapped_evidence_file_are_caught(station: Path) -> None:
    sql(station, "UPDATE entry_sums SET points_tenths = points_tenths + 500 WHERE (month, person_id, code, component) "
                 "IN (SELECT month, person_id, code, component FROM entry_sums LIMIT 1)")
    sql(station, "UPDATE evidence_blobs SET data = X'00'")
    tables = {(f.table, f.kind) for f in findings(station)}
    assert tables == {("entry_sums", "edited"), ("evidence_blobs", "edited")}


def test_a_seal_edited_to_match_a_forged_row_is_caught(station: Path) -> None:
    row = first_row(station, "entries")
    sql(station, "UPDATE entries SET points_tenths = 9990 WHERE id = ?", row["id"])
    sql(station, "UPDATE row_seals SET digest = 'x' WHERE table_name = 'entries' AND row_key = ?", str(row["id"]))
    db = open_database(station)
    with db.session() as session:
        report = seal_verify.verify_rows(session)
    db.dispose()
    assert report.seal_problems and "行封存被改动" in report.seal_problems[0]


def test_the_program_writes_keep_the_rows_verified(station: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_cli(capsys, "--db", str(station), "audit", "verify")
    assert code == 0 and "数据行与封存一致" in out


def test_cli_names_an_edited_entry(station: Path, capsys: pytest.CaptureFixture[str]) -> None:
    row = first_row(station, "entries")
    sql(station, "UPDATE entries SET points_tenths = 9990 WHERE id = ?", row["id"])
    code, out, err = run_cli(capsys, "--db", str(station), "audit", "verify")
    assert code == 1 and err == ""
    assert f"积分记录 entries 第 {row['id']} 行（{row['uuid']}）被改动，字段：分值（points_tenths）" in out


def _rewrite_chain(path: Path) -> None:
    """An insider's full rewrite: change an early event, then recompute every hash after it."""
    from sqlalchemy import select

    from desktop.models.audit import AuditEvent
    from desktop.services import audit

    db = open_database(path)
    with db.transaction() as session:
        events = session.scalars(select(AuditEvent).order_by(AuditEvent.id)).all()
        events[3].username = "chief"
        prev = audit.GENESIS
        for e in events:
            e.prev_hash = prev
            e.hash = audit._digest(prev, audit._canonical(e.id, e.at, e.user_id, e.username, e.action, e.entity,
                                                           e.entity_ref, e.detail, e.sealed))
            prev = e.hash
    db.dispose()


def test_a_chain_rewritten_after_a_printed_code_is_caught(station: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = open_database(station)
    with db.session() as session:
        printed = chain_head.head_code(session)
    db.dispose()
    _rewrite_chain(station)
    code, out, _ = run_cli(capsys, "--db", str(station), "audit", "verify")
    assert "哈希链逐条校验通过" in out  # the chain alone cannot tell
    code, out, _ = run_cli(capsys, "--db", str(station), "audit", "verify", "--against", printed)
    assert code == 1 and f"审计链码 {printed}" in out and "改写" in out


def test_against_an_export_and_a_backup(station: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from desktop.services import backup

    db = open_database(station)
    with db.session() as session:
        book = tmp_path / "导出.xlsx"
        export_period(session, "2026-03", book)
    db.dispose()
    copy = backup.backup(station, tmp_path / "U盘备份.db")
    code, out, _ = run_cli(capsys, "--db", str(station), "audit", "verify", "--against", str(book),
                           "--against", str(copy))
    assert code == 0 and out.count("比对一致：其审计链码") == 2
    _rewrite_chain(station)
    code, out, _ = run_cli(capsys, "--db", str(station), "audit", "verify", "--against", str(book))
    assert code == 1 and "与文件“导出.xlsx”比对不符" in out


def test_report_claims_only_what_it_checked(station: Path) -> None:
    db = open_database(station)
    report = tamper_check.check(db)
    db.dispose()
    lines = "\n".join(report.lines())
    assert "未与备份比对" in lines and "与最近的备份比对一致" not in lines
